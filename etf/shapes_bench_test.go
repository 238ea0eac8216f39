package etf

import (
	"bytes"
	"testing"
)

// shapeTerms are the terms of bench's shape-* workloads (issue 18), as the
// echo actor receives and re-encodes them.
func shapeTerms() []struct {
	name string
	t    Term
} {
	bins := make(List, 1000)
	for i := range bins {
		bins[i] = bytes.Repeat([]byte{byte(i)}, 10<<10)
	}
	tuples := make(List, 200_000)
	for i := range tuples {
		tuples[i] = Tuple{Atom("ok"), i + 1}
	}
	m := make(Map, 50_000)
	for i := range m {
		m[i] = Pair{Key: i + 1, Value: i + 1}
	}
	return []struct {
		name string
		t    Term
	}{
		{"bins1000x10k", bins},
		{"bin10m", bytes.Repeat([]byte("x"), 10<<20)},
		{"tuples200k", tuples},
		{"map50k", m},
	}
}

// BenchmarkEncodeShape encodes each shape into an empty buffer, as a
// connection does when its encoding area was dropped after a big message
// (nil), into a 64 KiB one (scratch64k) and into a buffer reused from the
// previous encode (reused).
func BenchmarkEncodeShape(b *testing.B) {
	for _, sh := range shapeTerms() {
		b.Run(sh.name+"/nil", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := AppendTerm(nil, sh.t); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sh.name+"/scratch64k", func(b *testing.B) {
			scratch := make([]byte, 0, 64<<10) // a connection's kept encoding area
			b.ReportAllocs()
			for b.Loop() {
				if _, err := AppendTerm(scratch, sh.t); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sh.name+"/reused", func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = AppendTerm(buf[:0], sh.t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeShape decodes each shape (binaries copied, as the
// distribution layer decodes a message that is not fragmented).
func BenchmarkDecodeShape(b *testing.B) {
	for _, sh := range shapeTerms() {
		data, err := AppendTerm(nil, sh.t)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(sh.name, func(b *testing.B) {
			var d Decoder
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := d.DecodeTerm(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchAtoms is an AtomCacheEncoder over a fixed list, like a
// connection's cache once its entries are set up.
type benchAtoms AtomRefs

func (c benchAtoms) AtomRef(a Atom) (int, bool) {
	for i, x := range c {
		if x == a {
			return i, true
		}
	}
	return 0, false
}

// cachedShapes encodes {ok, I} tuples, records of three atoms and
// flood-pidint's {Pid, 42} with their atoms as ATOM_CACHE_REF, as over a
// distribution connection; the
// terms themselves are dropped, so they do not weigh on the decoder's GC.
func cachedShapes(tb testing.TB, atoms benchAtoms) map[string][]byte {
	tuples := make(List, 200_000)
	records := make(List, 50_000)
	for i := range tuples {
		tuples[i] = Tuple{Atom("ok"), i + 1}
	}
	for i := range records {
		records[i] = Tuple{Atom("user"), i, Atom("admin"), Atom([]string{"ok", "error"}[i%2])}
	}
	out := map[string][]byte{}
	e := Encoder{AtomCache: atoms}
	pid42 := Tuple{PID{Node: "admin", ID: 7, Serial: 1, Creation: 3}, 42} // flood-pidint
	for name, t := range map[string]Term{"tuples200k": tuples, "records50k": records, "pid42": pid42} {
		data, err := e.AppendTerm(nil, t)
		if err != nil {
			tb.Fatal(err)
		}
		out[name] = data
	}
	return out
}

// BenchmarkDecodeShapeCached decodes cachedShapes.
func BenchmarkDecodeShapeCached(b *testing.B) {
	atoms := benchAtoms{"ok", "user", "admin", "error"}
	for name, data := range cachedShapes(b, atoms) {
		b.Run(name, func(b *testing.B) {
			d := Decoder{AtomCache: AtomRefs(atoms)}
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := d.DecodeTerm(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeSpawnRequest decodes the control term and the argument
// list of one erpc:call from BEAM (shape-erpc32k), atoms as cache refs as
// over a distribution connection: {29, ReqId, From, GroupLeader,
// {erpc, execute_call, 4}, [monitor]} and [Ref, erlgo_bench, echo, [I]].
func BenchmarkDecodeSpawnRequest(b *testing.B) {
	atoms := benchAtoms{"erl@host", "erpc", "execute_call", "monitor", "erlgo_bench", "echo"}
	ref := func(id uint32) Ref { return Ref{Node: "erl@host", Creation: 7, Len: 3, ID: [5]uint32{id, 11, 12}} }
	pid := func(id uint32) PID { return PID{Node: "erl@host", ID: id, Creation: 7} }
	ctl := Tuple{29, ref(1), pid(90), pid(60),
		Tuple{Atom("erpc"), Atom("execute_call"), 4}, List{Atom("monitor")}}
	args := List{ref(2), Atom("erlgo_bench"), Atom("echo"), List{31_999}}
	e := Encoder{AtomCache: atoms}
	var msg [][]byte
	for _, t := range []Term{ctl, args} {
		data, err := e.AppendTerm(nil, t)
		if err != nil {
			b.Fatal(err)
		}
		msg = append(msg, data)
	}
	d := Decoder{AtomCache: AtomRefs(atoms)}
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range msg {
			if _, _, err := d.DecodeTerm(data); err != nil {
				b.Fatal(err)
			}
		}
	}
}
