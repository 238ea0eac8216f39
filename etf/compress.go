// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
)

// maxDeflateRatio bounds how much zlib can inflate: deflate's best case is
// about 1032:1. A declared size beyond that cannot be honest, so nothing is
// allocated for it.
const maxDeflateRatio = 1032

// inflate decompresses a standalone compressed term b (131, 80, Size:32,
// zlib data) and returns the uncompressed term bytes (without 131).
func inflate(b []byte, limit int) ([]byte, error) {
	if len(b) < 6 {
		return nil, &DecodeError{Offset: len(b), Tag: TagCompressed, Err: ErrTruncated, Msg: "compressed header"}
	}
	size := int(binary.BigEndian.Uint32(b[2:]))
	z := b[6:]
	switch {
	case size == 0:
		return nil, &DecodeError{Offset: 2, Tag: TagCompressed, Err: ErrMalformed, Msg: "zero uncompressed size"}
	case size > maxDeflateRatio*len(z)+64:
		return nil, &DecodeError{Offset: 2, Tag: TagCompressed, Err: ErrMalformed, Msg: "uncompressed size impossible for the compressed length"}
	case size > limit:
		return nil, &DecodeError{Offset: 2, Tag: TagCompressed, Err: ErrTooLarge, Msg: "uncompressed size exceeds the limit"}
	}
	src := bytes.NewReader(z)
	zr, err := zlib.NewReader(src)
	if err != nil {
		return nil, &DecodeError{Offset: 6, Tag: TagCompressed, Err: ErrMalformed, Msg: "bad zlib header: " + err.Error()}
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, &DecodeError{Offset: 2, Tag: TagCompressed, Err: ErrMalformed, Msg: "compressed data shorter than declared size"}
		}
		return nil, &DecodeError{Offset: 6, Tag: TagCompressed, Err: ErrMalformed, Msg: "bad zlib data: " + err.Error()}
	}
	var one [1]byte
	if n, err := zr.Read(one[:]); n != 0 || err != io.EOF {
		if n != 0 || err == nil {
			return nil, &DecodeError{Offset: 2, Tag: TagCompressed, Err: ErrMalformed, Msg: "compressed data longer than declared size"}
		}
		return nil, &DecodeError{Offset: 6, Tag: TagCompressed, Err: ErrMalformed, Msg: "bad zlib data: " + err.Error()}
	}
	if src.Len() != 0 {
		return nil, &DecodeError{Offset: len(b) - src.Len(), Tag: TagCompressed, Err: ErrTrailing, Msg: "bytes after zlib stream"}
	}
	return out, nil
}

// EncodeCompressed encodes t as a standalone compressed term: 131, 80,
// UncompressedSize:32, then the zlib stream at the given level
// (zlib.DefaultCompression, or 0..9 like term_to_binary's {compressed, L}).
// Unlike term_to_binary it always compresses, even when that does not save
// space.
func EncodeCompressed(t Term, level int) ([]byte, error) {
	var e Encoder
	return e.EncodeCompressed(t, level)
}

// EncodeCompressed is the package function EncodeCompressed with e's
// options.
func (e *Encoder) EncodeCompressed(t Term, level int) ([]byte, error) {
	raw, err := e.AppendTerm(nil, t)
	if err != nil {
		return nil, err
	}
	if uint64(len(raw)) > 0xFFFFFFFF {
		return nil, ErrInvalidTerm
	}
	out := bytes.NewBuffer(make([]byte, 0, 6+len(raw)/2+16))
	out.Write([]byte{TagVersion, TagCompressed, 0, 0, 0, 0})
	binary.BigEndian.PutUint32(out.Bytes()[2:], uint32(len(raw)))
	zw, err := zlib.NewWriterLevel(out, level)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
