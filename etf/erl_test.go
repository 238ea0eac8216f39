package etf

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
)

// erlEcho is a running etf_echo peer.
type erlEcho struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startEcho(t testing.TB) *erlEcho {
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "etf_echo.erl")
	cmd := exec.Command(erl, "-noinput", "-pa", dir, "-eval", "etf_echo:main()")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	noErr(t, err)
	out, err := cmd.StdoutPipe()
	noErr(t, err)
	noErr(t, cmd.Start())
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	// Whatever happens, never hang the suite on a stuck peer.
	timer := time.AfterFunc(3*time.Minute, func() { cmd.Process.Kill() })
	t.Cleanup(func() { timer.Stop() })
	return &erlEcho{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<16)}
}

// send writes one standalone encoding as a {packet,4} frame for the given
// etf_echo mode (0 echo, 1 compare pairs).
func (e *erlEcho) send(mode byte, b []byte) error {
	var hdr [5]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(b)+1))
	hdr[4] = mode
	_, err := e.in.Write(append(hdr[:], b...))
	return err
}

// recv reads the VM's re-encoding of the next frame, or an error carrying
// the VM's reason.
func (e *erlEcho) recv() ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(e.out, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 || n > 1<<28 {
		return nil, fmt.Errorf("bad reply length %d", n)
	}
	reply := make([]byte, n)
	if _, err := io.ReadFull(e.out, reply); err != nil {
		return nil, err
	}
	if reply[0] != 0 {
		return nil, fmt.Errorf("VM rejected term: %s", reply[1:])
	}
	return reply[1:], nil
}

type liveCase struct {
	term    Term
	enc     []byte
	bigMaps bool
	// canonical: encoded with SortMaps and UTF-8 atoms, so our bytes
	// must equal the VM's unless a map exceeds 32 keys.
	canonical bool
}

// TestLiveRoundTrip sends thousands of random terms to a real erl, which
// decodes and re-encodes each. Go must decode the VM's bytes to an Equal
// term, and re-encode them to exactly the VM's bytes (unless the term holds
// a hash-ordered map over 32 keys). Frames are pipelined: a goroutine
// writes while the test reads the replies in order.
func TestLiveRoundTrip(t *testing.T) {
	echo := startEcho(t)
	const seed = 20261124
	n := 2000
	if testing.Short() {
		n = 300
	}
	cases := make([]liveCase, n)
	for i := range cases {
		g := newTermGen(seed + uint64(i))
		term := g.term(4)
		var enc Encoder
		if i%5 == 4 {
			enc.Latin1Atoms = true
		}
		canonical := i%2 == 0 && !enc.Latin1Atoms && i%7 != 6
		enc.SortMaps = canonical
		b, err := enc.Encode(term)
		if err != nil {
			t.Fatalf("term %d: encode %#v: %v", i, term, err)
		}
		if i%7 == 6 {
			if b, err = EncodeCompressed(term, i%10); err != nil {
				t.Fatalf("term %d: compress: %v", i, err)
			}
		}
		cases[i] = liveCase{term: term, enc: b, bigMaps: g.bigMaps, canonical: canonical}
	}
	writeErr := make(chan error, 1)
	go func() {
		for _, c := range cases {
			if err := echo.send(0, c.enc); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	}()
	exact := 0
	for i, c := range cases {
		vm, err := echo.recv()
		if err != nil {
			t.Fatalf("term %d (seed %d): %v\nterm %#v\nbytes %x", i, seed+uint64(i), err, c.term, c.enc)
		}
		back, err := Decode(vm)
		if err != nil {
			t.Fatalf("term %d: decode VM bytes: %v\n%x", i, err, vm)
		}
		if !Equal(c.term, back) {
			t.Fatalf("term %d: round trip changed the term\nsent %#v\ngot  %#v", i, c.term, back)
		}
		if c.bigMaps {
			continue
		}
		if c.canonical && string(c.enc) != string(vm) {
			t.Fatalf("term %d: SortMaps encoding differs from the VM's\n got %x\nwant %x\nterm %s", i, c.enc, vm, Format(c.term))
		}
		again, err := Encode(back)
		noErr(t, err)
		if string(again) != string(vm) {
			t.Fatalf("term %d: re-encoding differs from the VM's\n got %x\nwant %x\nterm %#v", i, again, vm, back)
		}
		exact++
	}
	noErr(t, <-writeErr)
	t.Logf("%d random terms round-tripped through erl, %d byte-identical to the VM's encoding", n, exact)
}

// TestLiveCompare checks Compare against the VM's own term order on pairs
// of random terms drawn from tiny domains (so that comparisons often go
// deep before they differ).
func TestLiveCompare(t *testing.T) {
	echo := startEcho(t)
	const batches, perBatch = 10, 200
	var counts [3]int
	for batch := 0; batch < batches; batch++ {
		pairs := make(List, perBatch)
		for i := range pairs {
			seed := uint64(batch*perBatch + i)
			g := newTermGen(seed)
			g.tiny = true
			a := g.term(3)
			var b Term
			switch i % 4 {
			case 0:
				b = a
			case 1:
				b = reshape(a) // equal terms in another Go shape
			case 2:
				b = g.mutate(a)
			default:
				b = g.term(3)
			}
			pairs[i] = Tuple{a, b}
		}
		enc, err := Encode(pairs)
		noErr(t, err)
		noErr(t, echo.send(1, enc))
		reply, err := echo.recv()
		noErr(t, err)
		res, err := Decode(reply)
		noErr(t, err)
		var got []Term
		switch r := res.(type) {
		case List:
			got = r
		case Charlist: // -1 never appears when every answer is 0 or 1
			for _, c := range r {
				got = append(got, int(c))
			}
		}
		if len(got) != perBatch {
			t.Fatalf("VM answered %d results: %#v", len(got), res)
		}
		for i, p := range pairs {
			want, _ := smallInt(got[i])
			counts[want+1]++
			a, b := p.(Tuple)[0], p.(Tuple)[1]
			if c := Compare(a, b); int64(c) != want {
				t.Errorf("Compare(%s, %s) = %d, VM says %d", Format(a), Format(b), c, want)
			}
			if c := Compare(b, a); int64(c) != -want {
				t.Errorf("Compare(%s, %s) = %d, VM says %d", Format(b), Format(a), c, -want)
			}
		}
	}
	t.Logf("VM order: %d less, %d equal, %d greater", counts[0], counts[1], counts[2])
}

// TestLiveDeepTerms has the VM build the deep and big terms it sends and
// echoes without trouble (a 10,000-deep tuple, list, map and improper
// list, 100,000- and 1,000,000-deep lists, ±(2^8000000 - 1)); Go decodes
// the VM's bytes, checks the term, re-encodes it, and the VM checks that
// binary_to_term of Go's bytes is =:= to what it built.
func TestLiveDeepTerms(t *testing.T) {
	echo := startEcho(t)
	shapes := map[string]deepShape{}
	for _, s := range deepShapes() {
		shapes[s.name] = s
	}
	cases := []struct {
		spec Term
		want func() Term
	}{
		{Tuple{Atom("tuple"), 10_000}, func() Term { return buildDeep(shapes["tuple"], 10_000) }},
		{Tuple{Atom("list"), 10_000}, func() Term { return buildDeep(shapes["list"], 10_000) }},
		{Tuple{Atom("map"), 10_000}, func() Term { return buildDeep(shapes["map"], 10_000) }},
		{Tuple{Atom("improper"), 10_000}, func() Term { return buildDeep(shapes["improper"], 10_000) }},
		{Tuple{Atom("list"), 100_000}, func() Term { return buildDeep(shapes["list"], 100_000) }},
		{Tuple{Atom("tuple"), 1_000_000}, func() Term { return buildDeep(shapes["tuple"], 1_000_000) }},
		{Tuple{Atom("list"), 1_000_000}, func() Term { return buildDeep(shapes["list"], 1_000_000) }},
		{Tuple{Atom("big"), 1, 8_000_000}, func() Term { return vmBig(false) }},
		{Tuple{Atom("big"), -1, 8_000_000}, func() Term { return vmBig(true) }},
	}
	for _, c := range cases {
		t.Run(Format(c.spec), func(t *testing.T) {
			spec, err := Encode(c.spec)
			noErr(t, err)
			noErr(t, echo.send(2, spec))
			vm, err := echo.recv()
			noErr(t, err)
			got, err := Decode(vm)
			noErr(t, err)
			check(t, Equal(got, c.want()), "the VM's term decodes to something else")
			enc, err := Encode(got)
			noErr(t, err)
			check(t, bytes.Equal(enc, vm), "re-encoding differs from the VM's bytes")
			q, err := Encode(Tuple{c.spec, enc})
			noErr(t, err)
			noErr(t, echo.send(3, q))
			reply, err := echo.recv()
			noErr(t, err)
			ok, err := Decode(reply)
			noErr(t, err)
			check(t, ok == Atom("true"), "VM: binary_to_term(Go's bytes) =:= its term is %v", ok)
		})
	}
}
