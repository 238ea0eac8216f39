package node

import (
	"math/big"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

func TestParseSpawnOpts(t *testing.T) {
	a := func(s string) etf.Atom { return etf.Atom(s) }
	kv := func(k string, v etf.Term) etf.Tuple { return etf.Tuple{a(k), v} }
	size := func(pairs ...etf.Pair) etf.Map { return etf.Map(pairs) }
	big70 := new(big.Int).Lsh(big.NewInt(1), 70)
	// Each case's answer is real erl 25.2.3's to the same wire options
	// (TestErlSpawnOptsWire checks a sample of them live); async_dist is
	// OTP 25.3+'s.
	cases := []struct {
		name          string
		opts          etf.List
		ok            bool
		link, monitor bool
	}{
		{"empty", nil, true, false, false},
		{"link", etf.List{a("link")}, true, true, false},
		{"monitor", etf.List{a("monitor")}, true, false, true},
		{"both, twice", etf.List{a("link"), a("monitor"), a("link"), a("monitor")}, true, true, true},
		{"monitor opts", etf.List{kv("monitor", etf.List{kv("tag", a("x")), kv("alias", a("demonitor"))})}, true, false, true},
		{"monitor no opts", etf.List{kv("monitor", etf.List{})}, true, false, true},
		{"monitor alias reply_demonitor", etf.List{kv("monitor", etf.List{kv("alias", a("reply_demonitor"))})}, true, false, true},
		{"monitor alias explicit_unalias", etf.List{kv("monitor", etf.List{kv("alias", a("explicit_unalias"))})}, true, false, true},
		{"monitor bad alias", etf.List{kv("monitor", etf.List{kv("alias", a("bad"))})}, false, false, false},
		{"monitor bad opt", etf.List{kv("monitor", etf.List{a("bad")})}, false, false, false},
		{"monitor not a list", etf.List{kv("monitor", a("bad"))}, false, false, false},
		{"monitor improper", etf.List{kv("monitor", etf.ImproperList{Elems: []etf.Term{kv("tag", 1)}, Tail: a("t")})}, false, false, false},
		{"reply on the wire", etf.List{kv("reply", a("yes"))}, false, false, false},
		{"reply_tag on the wire", etf.List{kv("reply_tag", a("x"))}, false, false, false},
		{"priorities", etf.List{kv("priority", a("low")), kv("priority", a("normal")), kv("priority", a("high")), kv("priority", a("max"))}, true, false, false},
		{"priority ultra", etf.List{kv("priority", a("ultra"))}, false, false, false},
		{"priority string", etf.List{kv("priority", etf.Charlist("high"))}, false, false, false},
		{"unknown atom", etf.List{a("bogus")}, false, false, false},
		{"unknown tuple", etf.List{kv("sensitive", a("true"))}, false, false, false},
		{"link as tuple", etf.List{kv("link", a("true"))}, false, false, false},
		{"3-tuple", etf.List{etf.Tuple{a("priority"), a("high"), a("x")}}, false, false, false},
		{"empty tuple", etf.List{etf.Tuple{}}, false, false, false},
		{"integer", etf.List{1}, false, false, false},
		{"valid then bad", etf.List{kv("message_queue_data", a("off_heap")), a("bogus")}, false, false, false},
		{"message_queue_data", etf.List{kv("message_queue_data", a("on_heap")), kv("message_queue_data", a("off_heap"))}, true, false, false},
		{"message_queue_data bad", etf.List{kv("message_queue_data", a("foo"))}, false, false, false},
		{"async_dist", etf.List{kv("async_dist", a("true")), kv("async_dist", a("false"))}, true, false, false},
		{"async_dist 1", etf.List{kv("async_dist", 1)}, false, false, false},
		{"fullsweep_after 0 and max small", etf.List{kv("fullsweep_after", 0), kv("fullsweep_after", 1<<59-1)}, true, false, false},
		{"fullsweep_after 2^59", etf.List{kv("fullsweep_after", 1<<59)}, false, false, false},
		{"fullsweep_after -1", etf.List{kv("fullsweep_after", -1)}, false, false, false},
		{"fullsweep_after float", etf.List{kv("fullsweep_after", 1.0)}, false, false, false},
		{"fullsweep_after bignum", etf.List{kv("fullsweep_after", big70)}, false, false, false},
		{"min_heap_size", etf.List{kv("min_heap_size", 0), kv("min_heap_size", 100)}, true, false, false},
		{"min_heap_size -1", etf.List{kv("min_heap_size", -1)}, false, false, false},
		{"min_bin_vheap_size", etf.List{kv("min_bin_vheap_size", 0), kv("min_bin_vheap_size", 1000000)}, true, false, false},
		{"min_bin_vheap_size -1", etf.List{kv("min_bin_vheap_size", -1)}, false, false, false},
		{"max_heap_size 0", etf.List{kv("max_heap_size", 0)}, true, false, false},
		{"max_heap_size 232", etf.List{kv("max_heap_size", 232)}, false, false, false},
		{"max_heap_size 233", etf.List{kv("max_heap_size", 233)}, true, false, false},
		{"max_heap_size -1", etf.List{kv("max_heap_size", -1)}, false, false, false},
		{"max_heap_size foo", etf.List{kv("max_heap_size", a("foo"))}, false, false, false},
		{"max_heap_size last wins", etf.List{kv("max_heap_size", 1), kv("max_heap_size", 233)}, true, false, false},
		{"max_heap_size last loses", etf.List{kv("max_heap_size", 233), kv("max_heap_size", 1)}, false, false, false},
		{"max below rounded min", etf.List{kv("min_heap_size", 300), kv("max_heap_size", 300)}, false, false, false},
		{"max at rounded min", etf.List{kv("min_heap_size", 300), kv("max_heap_size", 376)}, true, false, false},
		{"max before min", etf.List{kv("max_heap_size", 500), kv("min_heap_size", 1000)}, false, false, false},
		{"max 0 with min", etf.List{kv("min_heap_size", 1000), kv("max_heap_size", 0)}, true, false, false},
		{"min 2000 rounds to 2586", etf.List{kv("min_heap_size", 2000), kv("max_heap_size", 2584)}, false, false, false},
		{"max map", etf.List{kv("max_heap_size", size(etf.Pair{Key: a("size"), Value: 1000}, etf.Pair{Key: a("kill"), Value: a("true")}))}, true, false, false},
		{"max map size 0", etf.List{kv("max_heap_size", size(etf.Pair{Key: a("size"), Value: 0}))}, true, false, false},
		{"max map unknown key", etf.List{kv("max_heap_size", size(etf.Pair{Key: a("size"), Value: 233}, etf.Pair{Key: a("bad"), Value: 1}))}, true, false, false},
		{"max map no size", etf.List{kv("max_heap_size", size(etf.Pair{Key: a("kill"), Value: a("true")}))}, false, false, false},
		{"max map empty", etf.List{kv("max_heap_size", size())}, false, false, false},
		{"max map kill foo", etf.List{kv("max_heap_size", size(etf.Pair{Key: a("size"), Value: 233}, etf.Pair{Key: a("kill"), Value: a("foo")}))}, false, false, false},
		{"max map error_logger x", etf.List{kv("max_heap_size", size(etf.Pair{Key: a("size"), Value: 233}, etf.Pair{Key: a("error_logger"), Value: a("x")}))}, false, false, false},
		{"max map size 232", etf.List{kv("max_heap_size", size(etf.Pair{Key: a("size"), Value: 232}))}, false, false, false},
		{"max map size bignum", etf.List{kv("max_heap_size", size(etf.Pair{Key: a("size"), Value: big70}))}, false, false, false},
		{"max float", etf.List{kv("max_heap_size", 1.5)}, false, false, false},
		{"scheduler 0", etf.List{kv("scheduler", 0)}, true, false, false},
		{"scheduler -1", etf.List{kv("scheduler", -1)}, false, false, false},
		{"scheduler foo", etf.List{kv("scheduler", a("foo"))}, false, false, false},
		{"scheduler beyond GOMAXPROCS", etf.List{kv("scheduler", 1<<20)}, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			so, ok := parseSpawnOpts(c.opts)
			if ok != c.ok {
				t.Fatalf("parseSpawnOpts(%v): ok %v, want %v", c.opts, ok, c.ok)
			}
			if ok && (so.link != c.link || so.monitor != c.monitor) {
				t.Fatalf("parseSpawnOpts(%v) = %+v", c.opts, so)
			}
		})
	}
}

func TestNextHeapSize(t *testing.T) {
	// The start of erts' table (erlang:process_info(P, min_heap_size) of a
	// process spawned with {min_heap_size, N} shows the same rounding).
	for _, c := range []struct{ in, want int64 }{{0, 12}, {12, 12}, {13, 38}, {233, 233}, {234, 376}, {300, 376}, {377, 610}, {2000, 2586}} {
		if got, ok := nextHeapSize(c.in); !ok || got != c.want {
			t.Errorf("nextHeapSize(%d) = %d %v, want %d", c.in, got, ok, c.want)
		}
	}
	tab := heapSizeTable()
	for i := 1; i < len(tab); i++ {
		if tab[i] <= tab[i-1] {
			t.Fatalf("table not increasing at %d: %d %d", i, tab[i-1], tab[i])
		}
	}
	// Past the table ERTS halts the VM; we refuse the option instead.
	if _, ok := parseSpawnOpts(etf.List{etf.Tuple{etf.Atom("min_heap_size"), int(tab[len(tab)-1] + 1)}}); ok {
		t.Fatal("min_heap_size beyond the heap size table accepted")
	}
}

// FuzzParseSpawnOpts feeds arbitrary option lists (ETF-encoded) to the
// validator a SPAWN_REQUEST from any peer reaches: it must not panic, must
// be deterministic, and an unknown option anywhere makes the list badopt.
func FuzzParseSpawnOpts(f *testing.F) {
	seeds := []etf.Term{
		etf.List{}, etf.List{etf.Atom("link"), etf.Atom("monitor")},
		etf.List{etf.Tuple{etf.Atom("monitor"), etf.List{etf.Tuple{etf.Atom("tag"), 1}}}},
		etf.List{etf.Tuple{etf.Atom("priority"), etf.Atom("ultra")}},
		etf.List{etf.Tuple{etf.Atom("min_heap_size"), 2000}, etf.Tuple{etf.Atom("max_heap_size"), etf.Map{{Key: etf.Atom("size"), Value: 2584}}}},
		etf.List{etf.Tuple{etf.Atom("reply"), etf.Atom("yes")}},
		etf.List{etf.Tuple{etf.Atom("min_heap_size"), 1<<59 - 1}},
	}
	for _, s := range seeds {
		b, err := etf.Encode(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		term, err := etf.Decode(data)
		if err != nil {
			return
		}
		l, ok := etf.AsList(term)
		if !ok {
			return
		}
		so, ok := parseSpawnOpts(l)
		so2, ok2 := parseSpawnOpts(l)
		if so != so2 || ok != ok2 {
			t.Fatalf("not deterministic on %v", l)
		}
		if _, bad := parseSpawnOpts(append(append(etf.List{}, l...), etf.Atom("bogus"))); bad {
			t.Fatalf("%v plus bogus accepted", l)
		}
	})
}
