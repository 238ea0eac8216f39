package actors_test

import (
	"reflect"
	"testing"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/node"
)

// The two process handles cannot drift: every method of *node.Process is
// available on *actors.Process (embedded or overridden) with exactly the
// same signature, so code moves between a node.Behavior and an Actor
// without renaming or reordering arguments.
func TestProcessHandlesShareSignatures(t *testing.T) {
	np := reflect.TypeFor[*node.Process]()
	ap := reflect.TypeFor[*actors.Process]()
	for i := range np.NumMethod() {
		m := np.Method(i)
		am, ok := ap.MethodByName(m.Name)
		if !ok {
			t.Errorf("actors.Process has no %s", m.Name)
			continue
		}
		if got, want := signature(am.Type), signature(m.Type); got != want {
			t.Errorf("%s: actors.Process%s, node.Process%s", m.Name, got, want)
		}
	}
	if t.Failed() {
		return
	}
	// The check itself must be able to fail.
	if signature(reflect.TypeOf(func(*actors.Process, int) {})) == signature(reflect.TypeOf(func(*node.Process, string) {})) {
		t.Fatal("signature() does not tell different parameter types apart")
	}
}

// signature renders a method type without its receiver.
func signature(ft reflect.Type) string {
	s := "("
	for i := 1; i < ft.NumIn(); i++ {
		if i > 1 {
			s += ", "
		}
		if ft.IsVariadic() && i == ft.NumIn()-1 {
			s += "..." + ft.In(i).Elem().String()
		} else {
			s += ft.In(i).String()
		}
	}
	s += ") ("
	for i := range ft.NumOut() {
		if i > 0 {
			s += ", "
		}
		s += ft.Out(i).String()
	}
	return s + ")"
}
