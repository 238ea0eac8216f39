package framing

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzFramer pushes any bytes, cut at any points, through every framing
// and checks what a receiver relies on: no panic; packet messages
// re-framed with AppendHeader give back exactly the bytes consumed;
// gen_tcp lines give back the input; nothing emitted or buffered is over
// the maximum; an error is ErrTooLarge and only when a message was.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("\x00\x00\x00\x03abc\x00\x00\x00\x00"), uint8(0), uint8(4), uint16(16), uint8(3))
	f.Add([]byte("\x02hi\x01!"), uint8(0), uint8(1), uint16(0), uint8(1))
	f.Add([]byte("\xff\xff"), uint8(0), uint8(2), uint16(10), uint8(1))
	f.Add([]byte("line one\nline two\n\npartial"), uint8(1), uint8(0), uint16(9), uint8(4))
	f.Add([]byte("abcdefghij\r\nxy\r\r\n\r"), uint8(2), uint8(0), uint16(4), uint8(2))
	f.Add([]byte("raw bytes"), uint8(3), uint8(0), uint16(0), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, mode, hdr uint8, max uint16, cut uint8) {
		c := Config{Max: int(max)}
		switch mode % 4 {
		case 0:
			c.Mode, c.Header = Packet, []int{1, 2, 4}[hdr%3]
		case 1:
			c.Mode, c.Max = Line, int(max)+1
		case 2:
			c.Mode, c.Max = SplitLine, int(max%64)+1
		case 3:
			c.Mode = Raw
		}
		fr, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		limit := fr.maxBody()
		var out []byte // what the messages re-encode to
		emit := func(k Kind, b []byte) bool {
			switch c.Mode {
			case Packet:
				if len(b) > limit {
					t.Fatalf("packet of %d bytes over %d", len(b), limit)
				}
				out, _ = AppendHeader(out, c.Header, len(b))
			case Line:
				if len(b) > c.Max {
					t.Fatalf("line of %d bytes over %d", len(b), c.Max)
				}
			case SplitLine:
				if len(b) > c.Max || k == Data {
					t.Fatalf("part %d %q over %d", k, b, c.Max)
				}
			}
			out = append(out, b...)
			return true
		}
		step := int(cut%16) + 1
		consumed := 0
		for i := 0; i < len(data); i += step {
			chunk := data[i:min(i+step, len(data))]
			if err = fr.Push(chunk, emit); err != nil {
				break
			}
			consumed += len(chunk)
			if fr.Buffered() > limit+4 && c.Mode != Raw {
				t.Fatalf("buffers %d bytes", fr.Buffered())
			}
		}
		if err != nil {
			if !errors.Is(err, ErrTooLarge) || c.Mode == Raw || c.Mode == SplitLine {
				t.Fatalf("error %v in mode %d", err, c.Mode)
			}
			return
		}
		dropped := fr.EOF(emit)
		switch c.Mode {
		case Packet:
			if !bytes.Equal(append(out, data[len(data)-dropped:]...), data) {
				t.Fatalf("packets re-encode to %q, input %q", out, data)
			}
		case Line, Raw:
			if !bytes.Equal(out, data) || consumed != len(data) {
				t.Fatalf("messages %q, input %q", out, data)
			}
		}
	})
}
