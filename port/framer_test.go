package port

import (
	"bytes"
	"errors"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/framing"
)

type frame struct {
	kind framing.Kind
	b    []byte
}

// runFramer feeds data in chunks of the given sizes (cycled) and returns
// the frames, the error and the largest buffer the framer held.
func runFramer(c *config, data []byte, chunks []int) (frames []frame, held int, err error) {
	f := newFramer(c)
	emit := func(k framing.Kind, b []byte) bool { frames = append(frames, frame{k, b}); return true }
	for i := 0; len(data) > 0; i++ {
		size := len(data)
		if len(chunks) > 0 {
			size = min(max(chunks[i%len(chunks)], 1), len(data))
		}
		if err = pushFrames(f, data[:size], emit); err != nil {
			return frames, held, err
		}
		held = max(held, f.Buffered())
		data = data[size:]
	}
	f.EOF(emit)
	return frames, held, nil
}

func TestFramerPacket(t *testing.T) {
	c := &config{framing: Packet, n: 2, maxPacket: 10}
	in := []byte{0, 3, 'a', 'b', 'c', 0, 0, 0, 1, 'z', 0, 2, 'x'} // last is partial
	for _, chunks := range [][]int{nil, {1}, {2, 3}, {5}} {
		frames, _, err := runFramer(c, in, chunks)
		if err != nil || len(frames) != 3 || string(frames[0].b) != "abc" || len(frames[1].b) != 0 || string(frames[2].b) != "z" {
			t.Fatalf("chunks %v: %v %q", chunks, err, frames)
		}
	}
	if _, held, err := runFramer(c, []byte{0, 11, 1, 2}, []int{1}); !errors.Is(err, ErrMsgSize) || held > 16 {
		t.Fatalf("oversized header: %v, held %d", err, held)
	}
	// A 4-byte header announcing 4 GiB is refused before any allocation.
	c4 := &config{framing: Packet, n: 4, maxPacket: 1 << 20}
	if _, held, err := runFramer(c4, []byte{0xff, 0xff, 0xff, 0xff, 0}, []int{1}); !errors.Is(err, ErrMsgSize) || held > 16 {
		t.Fatalf("4 GiB header: %v, held %d", err, held)
	}
}

// FuzzFramer checks the packet and line framers on any input: cutting the
// input into other chunks never changes the frames; no frame and no
// buffer exceeds its bound (a line part L bytes, a packet MaxPacket); and
// the frames give back the input.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("abcdefghij\nxy\nabcd\n"), byte(0), byte(4), byte(3))
	f.Add([]byte("dos\r\nline\r\nab\rcd\r"), byte(0), byte(2), byte(1))
	f.Add([]byte{0, 3, 'a', 'b', 'c', 0, 0}, byte(2), byte(0), byte(2))
	f.Add([]byte{3, 'a', 'b', 'c', 255}, byte(1), byte(0), byte(1))
	f.Add([]byte{0, 0, 0, 2, 'h', 'i', 0xff, 0xff, 0xff, 0xff}, byte(4), byte(0), byte(5))
	f.Add([]byte{}, byte(0), byte(1), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, mode, l, split byte) {
		c := &config{maxPacket: 64}
		switch mode % 5 {
		case 0, 3:
			c.framing, c.n = Line, int(l%16)+1
		case 1:
			c.framing, c.n = Packet, 1
		case 2:
			c.framing, c.n = Packet, 2
		case 4:
			c.framing, c.n = Packet, 4
		}
		whole, _, errWhole := runFramer(c, data, nil)
		cut, held, errCut := runFramer(c, data, []int{int(split%7) + 1, int(split%3) + 1})
		if (errWhole == nil) != (errCut == nil) || len(whole) != len(cut) {
			t.Fatalf("chunking changed the outcome: %v/%v, %d/%d frames", errWhole, errCut, len(whole), len(cut))
		}
		for i := range whole {
			if whole[i].kind != cut[i].kind || !bytes.Equal(whole[i].b, cut[i].b) {
				t.Fatalf("frame %d differs with chunking: %q vs %q", i, whole[i].b, cut[i].b)
			}
		}
		// append may double a buffer and rounds small ones up to a size
		// class: the bound is twice the frame bound, plus a little.
		bound := 2*c.n + 16
		if c.framing == Packet {
			bound = 2*(c.maxPacket+c.n) + 16
		}
		if held > bound {
			t.Fatalf("framer held %d bytes, bound %d", held, bound)
		}
		if c.framing == Line {
			checkLines(t, c.n, data, whole)
		} else {
			checkPackets(t, c, data, whole, errWhole)
		}
	})
}

func checkLines(t *testing.T, l int, data []byte, frames []frame) {
	var back []byte
	for i, fr := range frames {
		if len(fr.b) > l {
			t.Fatalf("line part of %d bytes, L %d", len(fr.b), l)
		}
		if fr.kind == framing.NoEOL && len(fr.b) < l && i != len(frames)-1 && !(i == len(frames)-2 && bytes.Equal(frames[i+1].b, []byte{'\r'})) {
			t.Fatalf("short noeol part %q not at the end", fr.b)
		}
		back = append(back, fr.b...)
		if fr.kind == framing.EOL {
			back = append(back, '\n')
		}
	}
	// Line ends lose their "\r" of "\r\n"; everything else comes back.
	if want := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")); !bytes.Equal(back, want) {
		t.Fatalf("lines %q do not give back %q", back, want)
	}
}

func checkPackets(t *testing.T, c *config, data []byte, frames []frame, err error) {
	var back []byte
	for _, fr := range frames {
		if len(fr.b) > c.maxPacket {
			t.Fatalf("packet of %d bytes, maximum %d", len(fr.b), c.maxPacket)
		}
		h, herr := frameHeader(c.n, len(fr.b))
		if herr != nil {
			t.Fatal(herr)
		}
		back = append(append(back, h...), fr.b...)
	}
	if !bytes.HasPrefix(data, back) {
		t.Fatal("packets are not a prefix of the input")
	}
	if err != nil && !errors.Is(err, ErrMsgSize) {
		t.Fatalf("error %v is not ErrMsgSize", err)
	}
}

// FuzzRequest feeds any term a node could send to a port (decoded from
// the external format, as it arrives) through the request parser, alone
// and as {Owner, Term} and {Owner, {command, Term}}: it must classify
// without panicking, and command data must be the flattened iodata.
func FuzzRequest(f *testing.F) {
	for _, t := range []etf.Term{
		etf.Atom("close"), etf.List{1, []byte("ab"), etf.Charlist("c")}, []byte("x"),
		etf.ImproperList{Elems: []etf.Term{1}, Tail: []byte("t")}, etf.Tuple{etf.Atom("connect"), 1}, 300,
	} {
		b, err := etf.Encode(t)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	owner := etf.PID{Node: "o@h", ID: 1}
	f.Fuzz(func(t *testing.T, b []byte) {
		term, err := etf.Decode(b)
		if err != nil {
			return
		}
		if k, _, _ := parseRequest(owner, etf.Tuple{etf.PID{Node: "x@h", ID: 2}, term}); k != reqBad {
			t.Fatal("a request naming another pid was accepted")
		}
		parseRequest(owner, etf.Tuple{owner, term})
		k, data, _ := parseRequest(owner, etf.Tuple{owner, etf.Tuple{atomCommand, term}})
		want, err := etf.AppendIOData(nil, term)
		if ok := err == nil; (k == reqCommand) != ok || (ok && !bytes.Equal(data, want)) {
			t.Fatalf("command %v: kind %v data %q", term, k, data)
		}
	})
}
