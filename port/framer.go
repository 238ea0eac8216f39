package port

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// frameKind tells the owner's message shape of one frame.
type frameKind uint8

const (
	frameData  frameKind = iota // {data, Data}
	frameEOL                    // {data, {eol, Line}}
	frameNoEOL                  // {data, {noeol, Part}}
)

// framer cuts a byte stream into frames. It never keeps more than one
// frame's bytes: a packet body up to maxPacket plus its header, or a line
// part of up to L bytes.
// Every frame it emits is a fresh slice the owner may keep.
type framer struct {
	framing   Framing
	n         int
	maxPacket int
	buf       []byte // a partial packet, or the current line (at most n bytes)
	cr        bool   // line mode: a "\r" that may start a "\r\n"
}

func newFramer(c *config) *framer {
	return &framer{framing: c.framing, n: c.n, maxPacket: c.maxPacket}
}

// push consumes data and calls emit for every complete frame, in order.
// emit returning false stops the framer (the port is going away). A
// packet header announcing more than maxPacket is an error wrapping
// ErrMsgSize; nothing of it is buffered.
func (f *framer) push(data []byte, emit func(frameKind, []byte) bool) error {
	switch f.framing {
	case Packet:
		return f.pushPacket(data, emit)
	case Line:
		f.pushLine(data, emit)
		return nil
	}
	if len(data) > 0 {
		emit(frameData, bytes.Clone(data))
	}
	return nil
}

// eof flushes what is left at end of output: a partial line as {noeol,
// Rest} (as ERTS does); a partial packet is dropped and reported.
func (f *framer) eof(emit func(frameKind, []byte) bool) (dropped int) {
	if len(f.buf) == 0 && !f.cr {
		return 0
	}
	if f.framing == Line {
		rest := f.buf
		f.buf = nil
		if f.cr {
			rest, f.cr = append(rest, '\r'), false
		}
		for len(rest) > 0 {
			k := min(f.n, len(rest))
			if !emit(frameNoEOL, rest[:k:k]) {
				break
			}
			rest = rest[k:]
		}
		return 0
	}
	dropped = len(f.buf)
	f.buf = nil
	return dropped
}

func (f *framer) header(b []byte) int {
	switch f.n {
	case 1:
		return int(b[0])
	case 2:
		return int(binary.BigEndian.Uint16(b))
	}
	return int(binary.BigEndian.Uint32(b))
}

func (f *framer) pushPacket(data []byte, emit func(frameKind, []byte) bool) error {
	for len(data) > 0 {
		if len(f.buf) == 0 {
			// Whole packets straight from data: no copy but the one into
			// the owner's slice.
			for len(data) >= f.n {
				size := f.header(data)
				if size > f.maxPacket {
					return f.tooLarge(size)
				}
				if len(data) < f.n+size {
					break
				}
				if !emit(frameData, bytes.Clone(data[f.n:f.n+size])) {
					return nil
				}
				data = data[f.n+size:]
			}
			if len(data) == 0 {
				return nil
			}
		}
		// A partial header or packet: buffer only up to its end.
		if len(f.buf) < f.n {
			take := min(f.n-len(f.buf), len(data))
			f.buf = append(f.buf, data[:take]...)
			data = data[take:]
			if len(f.buf) < f.n {
				return nil
			}
			if size := f.header(f.buf); size > f.maxPacket {
				f.buf = nil
				return f.tooLarge(size)
			}
		}
		need := f.n + f.header(f.buf) - len(f.buf)
		take := min(need, len(data))
		f.buf = append(f.buf, data[:take]...)
		data = data[take:]
		if take < need {
			return nil
		}
		body := bytes.Clone(f.buf[f.n:])
		f.buf = f.buf[:0]
		if cap(f.buf) > 64<<10 {
			f.buf = nil // do not keep a large packet's buffer
		}
		if !emit(frameData, body) {
			return nil
		}
	}
	return nil
}

func (f *framer) tooLarge(size int) error {
	return fmt.Errorf("%w: header says %d bytes, maximum %d", ErrMsgSize, size, f.maxPacket)
}

// pushLine implements ERTS's {line, L}, checked against erl by
// TestLineLikeErl: a line ends at "\n" or "\r\n" (both removed) and is
// {eol, Line} when it holds at most L bytes; a longer one comes as
// {noeol, Part} for every L bytes, the last part as {eol, Rest}. A part is
// emitted only when the byte after it is known not to end the line, so a
// line of exactly L bytes is one eol, and a "\r" waits for the next byte.
func (f *framer) pushLine(data []byte, emit func(frameKind, []byte) bool) {
	for len(data) > 0 {
		if f.cr {
			f.cr = false
			if data[0] == '\n' {
				data = data[1:]
				if !f.emitLine(emit) {
					return
				}
				continue
			}
			if !f.addContent([]byte{'\r'}, emit) {
				return
			}
		}
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			f.addContent(data, emit)
			return
		}
		if !f.addContent(data[:i], emit) {
			return
		}
		if data[i] == '\r' {
			f.cr = true
			data = data[i+1:]
			continue
		}
		data = data[i+1:]
		if !f.emitLine(emit) {
			return
		}
	}
}

func (f *framer) emitLine(emit func(frameKind, []byte) bool) bool {
	line := f.buf
	if line == nil {
		line = []byte{}
	}
	f.buf = nil
	return emit(frameEOL, line)
}

// addContent appends run to the current line, emitting a full part first
// whenever more content follows it.
func (f *framer) addContent(run []byte, emit func(frameKind, []byte) bool) bool {
	for len(run) > 0 {
		if len(f.buf) == f.n {
			part := f.buf
			f.buf = nil
			if !emit(frameNoEOL, part) {
				return false
			}
		}
		take := min(f.n-len(f.buf), len(run))
		f.buf = append(f.buf, run[:take]...)
		run = run[take:]
	}
	return true
}

// frameHeader returns the {packet, N} header for a message of size bytes,
// or ErrTooLarge.
func frameHeader(n, size int) ([]byte, error) {
	switch n {
	case 1:
		if size > 0xff {
			return nil, ErrTooLarge
		}
		return []byte{byte(size)}, nil
	case 2:
		if size > 0xffff {
			return nil, ErrTooLarge
		}
		return binary.BigEndian.AppendUint16(nil, uint16(size)), nil
	case 4:
		if uint64(size) > 0xffffffff {
			return nil, ErrTooLarge
		}
		return binary.BigEndian.AppendUint32(nil, uint32(size)), nil
	}
	return nil, nil
}
