package interop

import (
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// infoMasks maps every item process_info/2 takes (OTP 25) to the node
// fields its answer needs; items a Go process has no counterpart for get
// the value a BEAM process at rest would show.
var infoMasks = map[etf.Atom]node.InfoItem{
	"registered_name":         node.InfoRegisteredName,
	"status":                  node.InfoStatus,
	"message_queue_len":       node.InfoMessageQueueLen,
	"messages":                node.InfoMessages,
	"links":                   node.InfoLinks,
	"monitors":                node.InfoMonitors,
	"monitored_by":            node.InfoMonitoredBy,
	"trap_exit":               node.InfoTrapExit,
	"group_leader":            node.InfoGroupLeader,
	"current_function":        node.InfoCurrentFunction,
	"current_location":        node.InfoCurrentFunction,
	"current_stacktrace":      node.InfoCurrentFunction,
	"initial_call":            node.InfoInitialCall,
	"memory":                  node.InfoMemory,
	"total_heap_size":         node.InfoMemory,
	"heap_size":               node.InfoMemory,
	"reductions":              node.InfoReductions,
	"dictionary":              node.InfoDictionary,
	"parent":                  0,
	"stack_size":              0,
	"error_handler":           0,
	"priority":                0,
	"garbage_collection":      0,
	"garbage_collection_info": 0,
	"suspending":              0,
	"binary":                  0,
	"catchlevel":              0,
	"last_calls":              0,
	"min_heap_size":           0,
	"min_bin_vheap_size":      0,
	"message_queue_data":      0,
	"sequential_trace_token":  0,
	"trace":                   0,
	"backtrace":               0,
}

// wordSize turns bytes into the words BEAM counts heap sizes in.
const wordSize = 8

// infoItem returns the value of one item of pi.
func (b *bifs) infoItem(pi *node.ProcessInfo, it etf.Atom) (etf.Term, bool) {
	switch it {
	case "registered_name":
		if pi.RegisteredName == "" {
			return etf.List{}, true
		}
		return pi.RegisteredName, true
	case "status":
		return pi.Status, true
	case "message_queue_len":
		return pi.MessageQueueLen, true
	case "messages":
		out := make(etf.List, len(pi.Messages))
		for i, m := range pi.Messages {
			out[i] = asTerm(m)
		}
		return out, true
	case "links":
		return pidList(pi.Links), true
	case "monitors":
		out := make(etf.List, len(pi.Monitors))
		for i, m := range pi.Monitors {
			out[i] = m.Term()
		}
		return out, true
	case "monitored_by":
		return pidList(pi.MonitoredBy), true
	case "trap_exit":
		return etf.Atom(fmt.Sprint(pi.TrapExit)), true
	case "group_leader":
		if pi.GroupLeader == (etf.PID{}) {
			return b.s.GroupLeader(), true // every BEAM process has one
		}
		return pi.GroupLeader, true
	case "current_function":
		return pi.CurrentFunction.Term(), true
	case "current_location":
		c := pi.CurrentFunction
		return etf.Tuple{c.Module, c.Function, c.Arity, etf.List{}}, true
	case "current_stacktrace":
		c := pi.CurrentFunction
		return etf.List{etf.Tuple{c.Module, c.Function, c.Arity, etf.List{}}}, true
	case "initial_call":
		return pi.InitialCall.Term(), true
	case "memory":
		return pi.Memory, true
	case "total_heap_size", "heap_size":
		return pi.Memory / wordSize, true
	case "reductions":
		return pi.Reductions, true
	case "dictionary":
		out := make(etf.List, len(pi.Dictionary))
		for i, e := range pi.Dictionary {
			out[i] = etf.Tuple{e.Key, e.Value}
		}
		return out, true
	}
	return restingValue(it)
}

// restingValue is the answer of a BEAM process at rest for the items a Go
// process has no counterpart for.
func restingValue(it etf.Atom) (etf.Term, bool) {
	switch it {
	case "parent":
		return atomUndefined, true
	case "stack_size", "catchlevel":
		return 0, true
	case "error_handler":
		return etf.Atom("error_handler"), true
	case "priority":
		return etf.Atom("normal"), true
	case "garbage_collection":
		return etf.List{
			etf.Tuple{etf.Atom("max_heap_size"), etf.Map{
				{Key: etf.Atom("error_logger"), Value: atomTrue},
				{Key: etf.Atom("kill"), Value: atomTrue},
				{Key: etf.Atom("size"), Value: 0},
			}},
			etf.Tuple{etf.Atom("min_bin_vheap_size"), 46422},
			etf.Tuple{etf.Atom("min_heap_size"), 233},
			etf.Tuple{etf.Atom("fullsweep_after"), 65535},
			etf.Tuple{etf.Atom("minor_gcs"), 0},
		}, true
	case "garbage_collection_info":
		return etf.List{etf.Tuple{etf.Atom("minor_gcs"), 0}}, true
	case "suspending", "binary", "backtrace":
		if it == "backtrace" {
			return etf.Binary(nil), true
		}
		return etf.List{}, true
	case "last_calls":
		return atomFalse, true
	case "min_heap_size":
		return 233, true
	case "min_bin_vheap_size":
		return 46422, true
	case "message_queue_data":
		return etf.Atom("on_heap"), true
	case "sequential_trace_token":
		return etf.List{}, true
	case "trace":
		return 0, true
	}
	return nil, false
}

func pidList(pids []etf.PID) etf.List {
	out := make(etf.List, len(pids))
	for i, p := range pids {
		out[i] = p
	}
	return out
}

// asTerm converts a queued message for the wire: a Go value sent locally
// that is no term becomes the text of it, so inspecting a mailbox never
// fails.
func asTerm(m any) etf.Term {
	if t, ok := m.(interface{ Term() etf.Term }); ok {
		return t.Term()
	}
	t, err := etf.ToTerm(m)
	if err != nil {
		return etf.Binary(fmt.Sprintf("%v", m))
	}
	return t
}
