// Spec: erts erlang module, https://www.erlang.org/doc/man/erlang.html

package interop

import (
	"context"
	"fmt"
	"slices"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// The BIFs BEAM's own tools call on a node (observer, etop, recon, a
// remote shell's i()): erlang:node/0, processes/0, process_info/1,2 and
// friends, answered from the Go node's process table with BEAM's shapes.
// Arguments BEAM refuses raise error:badarg, as the BIF does.

var (
	atomBadarg    = etf.Atom("badarg")
	atomUndefined = etf.Atom("undefined")
	atomErlang    = etf.Atom("erlang")
	atomTrue      = etf.Atom("true")
	atomFalse     = etf.Atom("false")
)

// errBadarg is error:badarg, the exception of a BIF given an argument it
// does not take.
var errBadarg = Raise(atomBadarg)

// registerBIFs registers the erlang, application, ets and code functions
// BEAM tools call (before the services start: ServeApplications replaces
// the application ones with an application controller's answers).
func (s *Services) registerBIFs() {
	b := &bifs{s: s, n: s.n}
	b.stats.init()
	erl := func(f etf.Atom, arity int, fn Func) { s.reg.set(MFA{atomErlang, f, arity}, fn) }
	erl("node", 0, func(context.Context, etf.List) (etf.Term, error) { return s.n.Name(), nil })
	erl("node", 1, b.nodeOf)
	erl("nodes", 0, func(context.Context, etf.List) (etf.Term, error) { return atoms(s.n.Nodes()), nil })
	erl("nodes", 1, b.nodes)
	erl("processes", 0, b.processes)
	erl("registered", 0, func(context.Context, etf.List) (etf.Term, error) { return atoms(s.n.Registered()), nil })
	erl("whereis", 1, b.whereis)
	erl("is_process_alive", 1, b.isProcessAlive)
	erl("process_info", 1, b.processInfo1)
	erl("process_info", 2, b.processInfo2)
	b.registerSystem(erl)
	b.registerOthers()
	b.registerObserverBackend()
}

// bifs answers the BIFs of one Services.
type bifs struct {
	s     *Services
	n     *node.Node
	stats statState
}

func atoms(as []etf.Atom) etf.List {
	out := make(etf.List, len(as))
	for i, a := range as {
		out[i] = a
	}
	return out
}

func (b *bifs) nodeOf(_ context.Context, args etf.List) (etf.Term, error) {
	switch t := args[0].(type) {
	case etf.PID:
		return t.Node, nil
	case etf.Ref:
		return t.Node, nil
	case etf.Port:
		return t.Node, nil
	}
	return nil, errBadarg
}

// nodes answers nodes/1: an atom or a list of visible, hidden, connected,
// this, known.
func (b *bifs) nodes(_ context.Context, args etf.List) (etf.Term, error) {
	var kinds etf.List
	switch t := args[0].(type) {
	case etf.Atom:
		kinds = etf.List{t}
	case etf.List:
		kinds = t
	default:
		return nil, errBadarg
	}
	var out []etf.Atom
	add := func(as []etf.Atom) {
		for _, a := range as {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	for _, k := range kinds {
		switch k {
		case etf.Atom("visible"):
			add(b.n.Nodes())
		case etf.Atom("hidden"):
			add(b.n.HiddenNodes())
		case etf.Atom("connected"):
			add(b.n.ConnectedNodes())
		case etf.Atom("this"):
			add([]etf.Atom{b.n.Name()})
		case etf.Atom("known"):
			add([]etf.Atom{b.n.Name()})
			add(b.n.ConnectedNodes())
		default:
			return nil, errBadarg
		}
	}
	return atoms(out), nil
}

func (b *bifs) processes(context.Context, etf.List) (etf.Term, error) {
	pids := b.n.Processes()
	slices.SortFunc(pids, func(x, y etf.PID) int { return etf.Compare(x, y) })
	out := make(etf.List, len(pids))
	for i, p := range pids {
		out[i] = p
	}
	return out, nil
}

func (b *bifs) whereis(_ context.Context, args etf.List) (etf.Term, error) {
	name, ok := args[0].(etf.Atom)
	if !ok {
		return nil, errBadarg
	}
	if pid, ok := b.n.Whereis(name); ok {
		return pid, nil
	}
	return atomUndefined, nil
}

// localPid returns the pid argument of a process BIF: BEAM raises badarg
// for anything but a pid, and for a pid of another node.
func (b *bifs) localPid(t etf.Term) (etf.PID, error) {
	pid, ok := t.(etf.PID)
	if !ok || pid.Node != b.n.Name() {
		return etf.PID{}, errBadarg
	}
	return pid, nil
}

func (b *bifs) isProcessAlive(_ context.Context, args etf.List) (etf.Term, error) {
	pid, err := b.localPid(args[0])
	if err != nil {
		return nil, err
	}
	_, ok := b.n.ProcessInfo(pid, node.InfoStatus)
	return etf.Atom(fmt.Sprint(ok)), nil
}

// processInfo1 answers process_info/1 with BEAM's item list: the
// registered name first when there is one, then process_info/1's items.
func (b *bifs) processInfo1(_ context.Context, args etf.List) (etf.Term, error) {
	pid, err := b.localPid(args[0])
	if err != nil {
		return nil, err
	}
	pi, ok := b.n.ProcessInfo(pid)
	if !ok {
		return atomUndefined, nil
	}
	items := info1Items
	if pi.RegisteredName == "" {
		items = items[1:]
	}
	out := make(etf.List, 0, len(items))
	for _, it := range items {
		v, _ := b.infoItem(&pi, it)
		out = append(out, etf.Tuple{it, v})
	}
	return out, nil
}

// info1Items are process_info/1's items, in its order.
var info1Items = []etf.Atom{"registered_name", "current_function", "initial_call", "status",
	"message_queue_len", "links", "dictionary", "trap_exit", "error_handler", "priority",
	"group_leader", "total_heap_size", "heap_size", "stack_size", "reductions",
	"garbage_collection", "suspending"}

// processInfo2 answers process_info(Pid, Item) with {Item, Value} (and []
// for registered_name of an unnamed process) and process_info(Pid, [Item])
// with the list of {Item, Value}. Every item is checked before the process
// is looked up, so an unknown one is badarg even for a dead pid, as in ERTS.
func (b *bifs) processInfo2(_ context.Context, args etf.List) (etf.Term, error) {
	pid, err := b.localPid(args[0])
	if err != nil {
		return nil, err
	}
	var items []etf.Atom
	single := false
	switch t := args[1].(type) {
	case etf.Atom:
		items, single = []etf.Atom{t}, true
	case etf.List:
		if len(t) > maxInfoItems {
			return nil, errBadarg
		}
		for _, e := range t {
			a, ok := e.(etf.Atom)
			if !ok {
				return nil, errBadarg
			}
			items = append(items, a)
		}
	default:
		return nil, errBadarg
	}
	var mask node.InfoItem
	for _, it := range items {
		m, ok := infoMasks[it]
		if !ok {
			return nil, errBadarg
		}
		mask |= m
	}
	if mask == 0 {
		mask = node.InfoStatus // items with no node field: still tell dead from alive
	}
	pi, ok := b.n.ProcessInfo(pid, mask)
	if !ok {
		return atomUndefined, nil
	}
	out := make(etf.List, 0, len(items))
	for _, it := range items {
		v, _ := b.infoItem(&pi, it)
		if single && it == "registered_name" && pi.RegisteredName == "" {
			return etf.List{}, nil
		}
		out = append(out, etf.Tuple{it, v})
	}
	if single {
		return out[0], nil
	}
	return out, nil
}

// maxInfoItems bounds an item list: BEAM has about forty items, a longer
// list only repeats them.
const maxInfoItems = 256
