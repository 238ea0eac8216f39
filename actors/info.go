package actors

import (
	"strings"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// What an actor tells BEAM's introspection (process_info from observer,
// etop or a remote shell), as a proc_lib process does: it sits in
// gen_server's loop, started by proc_lib:init_p/5, with '$initial_call'
// and '$ancestors' in its dictionary.

var _ node.Describer = (*server)(nil)

// describeFor builds the Description once, when the server is made: it
// never changes, so Describe can run on any goroutine.
func describeFor(a Actor, ancestors etf.List) node.Description {
	mod := etf.Atom(strings.TrimPrefix(typeName(a), "*"))
	initial := etf.Tuple{mod, etf.Atom("init"), 1}
	if _, ok := a.(*Supervisor); ok {
		initial = etf.Tuple{etf.Atom("supervisor"), mod, 1}
	}
	if ancestors == nil {
		ancestors = etf.List{}
	}
	return node.Description{
		CurrentFunction: node.MFA{Module: "gen_server", Function: "loop", Arity: 7},
		InitialCall:     node.MFA{Module: "proc_lib", Function: "init_p", Arity: 5},
		Dictionary: []node.DictEntry{
			{Key: etf.Atom("$ancestors"), Value: ancestors},
			{Key: etf.Atom("$initial_call"), Value: initial},
		},
	}
}

// Describe reports the actor to introspection (node.Describer).
func (s *server) Describe() node.Description { return s.desc }

// ancestorsOf is proc_lib's '$ancestors' of a process started by starter:
// the starter (its registered name if it has one) and the starter's own
// ancestors. The process itself is never among them.
func ancestorsOf(starter *node.Process, starterAncestors etf.List) etf.List {
	var head etf.Term = starter.Self()
	if name := starter.Name(); name != "" {
		head = name
	}
	return append(etf.List{head}, starterAncestors...)
}

// ancestors returns the '$ancestors' the server was started with.
func (s *server) ancestors() etf.List {
	for _, e := range s.desc.Dictionary {
		if e.Key == etf.Atom("$ancestors") {
			return e.Value.(etf.List)
		}
	}
	return etf.List{}
}
