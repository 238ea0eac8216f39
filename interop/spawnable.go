package interop

import (
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// spawnRegistrar is the node's remote-spawn registry. It is reached through
// an interface so that interop builds against node versions whose
// SPAWN_REQUEST support is still being written; without it, erpc into the
// node fails and rpc:call falls back on rex.
type spawnRegistrar interface {
	RegisterSpawnable(module, function etf.Atom, factory node.SpawnFactory)
}

type spawnRegistrarErr interface {
	RegisterSpawnable(module, function etf.Atom, factory node.SpawnFactory) error
}

// RegisterSpawnable registers factory for SPAWN_REQUESTs of module:function
// on n (erlang:spawn(GoNode, Module, Function, Args) from BEAM). It reports
// an error if the node cannot serve remote spawns.
func RegisterSpawnable(n *node.Node, module, function etf.Atom, factory node.SpawnFactory) error {
	switch r := any(n).(type) {
	case spawnRegistrar:
		r.RegisterSpawnable(module, function, factory)
		return nil
	case spawnRegistrarErr:
		return r.RegisterSpawnable(module, function, factory)
	}
	return fmt.Errorf("interop: node cannot register spawnable %s:%s (no remote spawn support)", module, function)
}

func (s *Services) registerSpawnables() error {
	for _, sp := range []struct {
		f       etf.Atom
		factory node.SpawnFactory
	}{
		{"execute_call", s.executeCall},
		{"execute_cast", s.executeCast},
	} {
		if err := RegisterSpawnable(s.n, atomErpc, sp.f, sp.factory); err != nil {
			s.log.Warn("interop: erpc into this node is unavailable", "err", err)
			return nil
		}
	}
	return nil
}
