// Package framing cuts a byte stream into the messages of Erlang's
// framings and frames outgoing messages: raw chunks, {packet, 1|2|4}
// (a big-endian length header), gen_tcp's {packet, line} (a message is a
// line with its newline) and open_port's {line, L} (eol/noeol parts). It
// is shared by the port and tcp packages, which map its errors to their
// own.
//
// A Framer never holds more than one message's bytes: a packet body up to
// its maximum plus the header, or one line (part). Every message it emits
// is a fresh slice the receiver may keep.
package framing

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Kind tells the shape of one emitted message.
type Kind uint8

const (
	// Data is a whole message: a chunk, a packet body or a gen_tcp line.
	Data Kind = iota
	// EOL is open_port's {eol, Line}: the (last part of a) line, its
	// newline removed.
	EOL
	// NoEOL is open_port's {noeol, Part}: a part of a line longer than L,
	// or output that ended without a newline.
	NoEOL
)

// Mode is how a stream is cut.
type Mode uint8

const (
	// Raw emits every chunk as it is pushed ({packet, 0}, raw, stream).
	Raw Mode = iota
	// Packet reads a Header-byte big-endian length, then that many bytes.
	Packet
	// Line is gen_tcp's {packet, line}: a message ends after "\n", which
	// it keeps; a line longer than Max is an error (inet's packet_size).
	Line
	// SplitLine is open_port's {line, L} with L = Max: a line ends at "\n"
	// or "\r\n" (both removed) and comes as EOL when it holds at most L
	// bytes, else as NoEOL parts of L bytes and a last EOL part.
	SplitLine
)

// Config describes a framing.
type Config struct {
	Mode Mode
	// Header is the length header's size for Packet: 1, 2 or 4.
	Header int
	// Max bounds one message: a packet body (Packet; a header announcing
	// more is ErrTooLarge), a line with its newline (Line), the part
	// length L (SplitLine). Ignored for Raw. It must be positive except
	// for Packet, where 0 means the header's own limit.
	Max int
}

var (
	// ErrTooLarge is an incoming message over Config.Max: a packet header
	// announcing more, or a line that reached Max bytes without its
	// newline. The stream cannot be resynchronised after it.
	ErrTooLarge = errors.New("framing: message larger than the maximum")
	// ErrHeaderOverflow is an outgoing message that does not fit the
	// {packet, N} header (over 255 bytes for N = 1, 65535 for N = 2).
	ErrHeaderOverflow = errors.New("framing: message too large for the packet header")
	// ErrBadConfig is a Config New refuses.
	ErrBadConfig = errors.New("framing: bad configuration")
)

// Framer cuts one stream. It is not safe for concurrent use.
type Framer struct {
	c   Config
	buf []byte // a partial packet, or the current line (part)
	cr  bool   // SplitLine: a "\r" that may start a "\r\n"
}

// New returns a Framer for c, or an error matching ErrBadConfig.
func New(c Config) (*Framer, error) {
	switch {
	case c.Mode > SplitLine:
		return nil, fmt.Errorf("%w: unknown mode %d", ErrBadConfig, c.Mode)
	case c.Mode == Packet && c.Header != 1 && c.Header != 2 && c.Header != 4:
		return nil, fmt.Errorf("%w: packet header must be 1, 2 or 4 bytes, not %d", ErrBadConfig, c.Header)
	case c.Mode == Packet && c.Max < 0, (c.Mode == Line || c.Mode == SplitLine) && c.Max <= 0:
		return nil, fmt.Errorf("%w: maximum %d", ErrBadConfig, c.Max)
	}
	return &Framer{c: c}, nil
}

// Buffered is how many bytes of an unfinished message the framer holds.
func (f *Framer) Buffered() int { return len(f.buf) }

// Push consumes data and calls emit for every complete message, in order.
// emit returning false stops the framer at once (its receiver is going
// away); the rest of data is dropped. A message over the maximum is an
// error wrapping ErrTooLarge; nothing of it is buffered.
func (f *Framer) Push(data []byte, emit func(Kind, []byte) bool) error {
	switch f.c.Mode {
	case Packet:
		return f.pushPacket(data, emit)
	case Line:
		return f.pushLine(data, emit)
	case SplitLine:
		f.pushSplit(data, emit)
		return nil
	}
	if len(data) > 0 {
		emit(Data, bytes.Clone(data))
	}
	return nil
}

// EOF flushes what is left at the end of the stream. A partial line is
// emitted (gen_tcp: as Data; open_port: as NoEOL parts, as ERTS does); a
// partial packet is dropped and its size returned.
func (f *Framer) EOF(emit func(Kind, []byte) bool) (dropped int) {
	if len(f.buf) == 0 && !f.cr {
		return 0
	}
	rest := f.buf
	f.buf = nil
	switch f.c.Mode {
	case Line:
		emit(Data, rest)
		return 0
	case SplitLine:
		if f.cr {
			rest, f.cr = append(rest, '\r'), false
		}
		for len(rest) > 0 {
			k := min(f.c.Max, len(rest))
			if !emit(NoEOL, rest[:k:k]) {
				break
			}
			rest = rest[k:]
		}
		return 0
	}
	return len(rest)
}

// maxBody is the largest packet body the configuration accepts.
func (f *Framer) maxBody() int {
	if f.c.Max > 0 {
		return f.c.Max
	}
	return int(uint64(1)<<(8*f.c.Header) - 1)
}

func (f *Framer) size(b []byte) int {
	switch f.c.Header {
	case 1:
		return int(b[0])
	case 2:
		return int(binary.BigEndian.Uint16(b))
	}
	return int(binary.BigEndian.Uint32(b))
}

func (f *Framer) tooLarge(size int) error {
	return fmt.Errorf("%w: %d bytes, maximum %d", ErrTooLarge, size, f.maxBody())
}

func (f *Framer) pushPacket(data []byte, emit func(Kind, []byte) bool) error {
	n, limit := f.c.Header, f.maxBody()
	for len(data) > 0 {
		if len(f.buf) == 0 {
			// Whole packets straight from data: no copy but the one into
			// the receiver's slice.
			for len(data) >= n {
				size := f.size(data)
				if size > limit {
					return f.tooLarge(size)
				}
				if len(data) < n+size {
					break
				}
				if !emit(Data, bytes.Clone(data[n:n+size])) {
					return nil
				}
				data = data[n+size:]
			}
			if len(data) == 0 {
				return nil
			}
		}
		// A partial header or packet: buffer only up to its end.
		if len(f.buf) < n {
			take := min(n-len(f.buf), len(data))
			f.buf = append(f.buf, data[:take]...)
			data = data[take:]
			if len(f.buf) < n {
				return nil
			}
			if size := f.size(f.buf); size > limit {
				f.buf = nil
				return f.tooLarge(size)
			}
		}
		need := n + f.size(f.buf) - len(f.buf)
		take := min(need, len(data))
		f.buf = append(f.buf, data[:take]...)
		data = data[take:]
		if take < need {
			return nil
		}
		body := bytes.Clone(f.buf[n:])
		f.buf = f.buf[:0]
		if cap(f.buf) > 64<<10 {
			f.buf = nil // do not keep a large packet's buffer
		}
		if !emit(Data, body) {
			return nil
		}
	}
	return nil
}

// pushLine is inet's {packet, line} with packet_size Max: a message is
// everything up to and including "\n"; Max bytes without one is an error.
func (f *Framer) pushLine(data []byte, emit func(Kind, []byte) bool) error {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if len(f.buf)+len(data) > f.c.Max {
				size := len(f.buf) + len(data)
				f.buf = nil
				return fmt.Errorf("%w: a line of more than %d bytes, maximum %d", ErrTooLarge, size, f.c.Max)
			}
			f.buf = append(f.buf, data...)
			return nil
		}
		if len(f.buf)+i+1 > f.c.Max {
			size := len(f.buf) + i + 1
			f.buf = nil
			return fmt.Errorf("%w: a line of %d bytes, maximum %d", ErrTooLarge, size, f.c.Max)
		}
		var line []byte
		if len(f.buf) == 0 {
			line = bytes.Clone(data[:i+1])
		} else {
			line = append(f.buf, data[:i+1]...)
			f.buf = nil
		}
		data = data[i+1:]
		if !emit(Data, line) {
			return nil
		}
	}
	return nil
}
