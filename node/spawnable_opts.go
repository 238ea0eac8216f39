package node

import (
	"runtime"
	"sync"

	"github.com/erlgo/erlgo/etf"
)

// The option list of a SPAWN_REQUEST from another node, judged as ERTS
// judges it (erts_parse_spawn_opts, called from dist.c's DOP_SPAWN_REQUEST
// arm): a valid list spawns, anything else is answered with SPAWN_REPLY
// badopt and spawns nothing. What the requester's erlang:spawn_request
// keeps to itself never travels: {reply, _} and {reply_tag, _} are
// stripped and {monitor, Opts} becomes monitor (the alias and tag act on
// the requester's side), so ERTS answers badopt for reply and reply_tag on
// the wire, and so do we. Options with no Go equivalent (priority, heap
// sizes, message queue data, async_dist, scheduler) are accepted for their
// validity and have no effect. The cases were checked against real erl
// 25.2.3 (spawnable_erl_opts_test.go compares both answers).

// spawnOpts is what a valid option list asks of the new process.
type spawnOpts struct {
	link, monitor bool
}

// Heap sizes in words, as ERTS's erl_gc.c builds its table: 12, 38, then
// Fibonacci-like growth plus one header word, then 20% steps; ERTS rounds a
// min_heap_size up to the next entry and refuses a max_heap_size below the
// (rounded) minimum. 154 entries is the 64-bit table's length.
const (
	heapSizes   = 154
	heapMinSize = 233 // H_MIN_SIZE, the default minimum heap size
	// maxSmall is the largest small integer on a 64-bit BEAM; a bignum
	// size is badopt there.
	maxSmall = 1<<59 - 1
)

var heapSizeTable = sync.OnceValue(func() []int64 {
	t := make([]int64, heapSizes)
	t[0], t[1] = 12, 38
	for i := 2; i < heapSizes; i++ {
		if i < 23 {
			t[i] = t[i-1] + t[i-2] + 1
		} else {
			t[i] = t[i-1] + t[i-1]/5
		}
	}
	return t
})

// nextHeapSize is erts_next_heap_size: the smallest table entry >= size.
// A size beyond the table (ERTS halts the VM on one: "no next heap size
// found") reports false.
func nextHeapSize(size int64) (int64, bool) {
	for _, h := range heapSizeTable() {
		if h >= size {
			return h, true
		}
	}
	return 0, false
}

// parseSpawnOpts validates a SPAWN_REQUEST option list; ok false means
// ERTS would answer badopt. Later options override earlier ones, and the
// max_heap_size check runs on the final values, as in ERTS.
func parseSpawnOpts(opts etf.List) (so spawnOpts, ok bool) {
	minHeap, maxHeap := int64(heapMinSize), int64(0)
	for _, o := range opts {
		switch o := o.(type) {
		case etf.Atom:
			switch o {
			case "link":
				so.link = true
			case "monitor":
				so.monitor = true
			default:
				return so, false
			}
		case etf.Tuple:
			if len(o) != 2 {
				return so, false
			}
			key, _ := o[0].(etf.Atom)
			v := o[1]
			switch key {
			case "monitor":
				if !monitorOptsValid(v) {
					return so, false
				}
				so.monitor = true
			case "priority":
				switch v {
				case etf.Atom("low"), etf.Atom("normal"), etf.Atom("high"), etf.Atom("max"):
				default:
					return so, false
				}
			case "message_queue_data":
				if v != etf.Atom("off_heap") && v != etf.Atom("on_heap") {
					return so, false
				}
			case "async_dist":
				// OTP 25.3+; erl 25.2 still answers badopt. A Go process
				// never suspends on a busy connection, so it is always
				// "async" and either value is honoured as it stands.
				if v != etf.Atom("true") && v != etf.Atom("false") {
					return so, false
				}
			case "fullsweep_after", "min_bin_vheap_size":
				if _, ok := smallSize(v); !ok {
					return so, false
				}
			case "min_heap_size":
				n, ok := smallSize(v)
				if !ok {
					return so, false
				}
				if n < heapMinSize {
					n = heapMinSize
				}
				if minHeap, ok = nextHeapSize(n); !ok {
					return so, false
				}
			case "max_heap_size":
				n, ok := maxHeapSize(v)
				if !ok {
					return so, false
				}
				maxHeap = n
			case "scheduler":
				// Undocumented in OTP: bind to scheduler N (0 = any) of
				// erlang:system_info(schedulers). Here N counts GOMAXPROCS.
				n, ok := smallSize(v)
				if !ok || n > int64(runtime.GOMAXPROCS(0)) {
					return so, false
				}
			default:
				return so, false
			}
		default:
			return so, false
		}
	}
	if maxHeap != 0 && maxHeap < minHeap {
		return so, false
	}
	return so, true
}

// smallSize accepts a non-negative small integer (a bignum is badopt).
func smallSize(v etf.Term) (int64, bool) {
	n, ok := v.(int)
	if !ok || n < 0 || n > maxSmall {
		return 0, false
	}
	return int64(n), true
}

// maxHeapSize reads {max_heap_size, Size | #{size := Size, kill =>
// boolean(), error_logger => boolean()}}; other map keys are ignored, as
// erl 25 does (include_shared_binaries, OTP 26, included). A size between
// 1 and the minimum heap size is refused by the caller.
func maxHeapSize(v etf.Term) (int64, bool) {
	switch v := v.(type) {
	case int:
		return smallSize(v)
	case etf.Map:
		s, ok := v.Get(etf.Atom("size"))
		if !ok {
			return 0, false
		}
		for _, k := range []etf.Atom{"kill", "error_logger"} {
			if b, ok := v.Get(k); ok && b != etf.Atom("true") && b != etf.Atom("false") {
				return 0, false
			}
		}
		return smallSize(s)
	}
	return 0, false
}

// monitorOptsValid checks the option list of {monitor, Opts}: a proper
// list of {alias, explicit_unalias | demonitor | reply_demonitor} and
// {tag, Term}. They shape the requester's half of the monitor only, so the
// monitor set up here is the plain one either way.
func monitorOptsValid(v etf.Term) bool {
	l, ok := etf.AsList(v)
	if !ok {
		return false
	}
	for _, o := range l {
		t, ok := o.(etf.Tuple)
		if !ok || len(t) != 2 {
			return false
		}
		switch t[0] {
		case etf.Atom("tag"):
		case etf.Atom("alias"):
			switch t[1] {
			case etf.Atom("explicit_unalias"), etf.Atom("demonitor"), etf.Atom("reply_demonitor"):
			default:
				return false
			}
		default:
			return false
		}
	}
	return true
}
