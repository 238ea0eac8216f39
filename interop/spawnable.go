package interop

import (
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// RegisterSpawnable registers factory for SPAWN_REQUESTs of module:function
// on n (erlang:spawn(GoNode, Module, Function, Args) from BEAM). It is
// node.(*Node).RegisterSpawnable, kept here so that code using the
// services needs one import.
func RegisterSpawnable(n *node.Node, module, function etf.Atom, factory node.SpawnFactory) error {
	return n.RegisterSpawnable(module, function, factory)
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
			return err
		}
	}
	return nil
}
