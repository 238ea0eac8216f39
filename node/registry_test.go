package node

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

type regItem struct {
	SKU string
	Qty int
}

var errRegSoldOut = errors.New("sold out")

func itemRegistry(tb testing.TB, opts ...etf.RegistryOption) *etf.Registry {
	r := etf.NewRegistry(opts...)
	if err := etf.Register[regItem](r, "Elixir.Shop.Item"); err != nil {
		tb.Fatal(err)
	}
	if err := r.RegisterError("sold_out", errRegSoldOut); err != nil {
		tb.Fatal(err)
	}
	return r
}

func itemMap(sku string, extra ...etf.Pair) etf.Map {
	m := etf.Map{{Key: etf.Atom("__struct__"), Value: etf.Atom("Elixir.Shop.Item")},
		{Key: etf.Atom("sku"), Value: []byte(sku)}, {Key: etf.Atom("qty"), Value: 1}}
	return append(m, extra...)
}

// TestRegistryInbound: what a node with a registry makes of messages from
// a node without one (raw terms on the wire): registered shapes become Go
// values at the top level and inside gen casts, calls and replies; misfits
// are delivered raw or, with WithRejectMismatch, dropped, the following
// messages unaffected.
func TestRegistryInbound(t *testing.T) {
	for _, reject := range []bool{false, true} {
		t.Run(fmt.Sprintf("reject=%v", reject), func(t *testing.T) {
			port := freePort(t)
			id := itoa(int(nodeSeq.Add(1)))
			var ropts []etf.RegistryOption
			if reject {
				ropts = append(ropts, etf.WithRejectMismatch())
			}
			a := distNode(t, "ria"+id+"@127.0.0.1", port, "c"+id, WithRegistry(itemRegistry(t, ropts...)))
			b := distNode(t, "rib"+id+"@127.0.0.1", port, "c"+id)
			if a.Registry() == nil || b.Registry() != nil {
				t.Fatal("Registry() does not return the node's own registry")
			}
			pr := spawnProbe(t, a)
			misfit := itemMap("bad", etf.Pair{Key: etf.Atom("color"), Value: etf.Atom("red")})
			ref := b.MakeRef()
			for _, m := range []etf.Term{
				itemMap("a"),
				misfit,
				etf.Tuple{GenCast, itemMap("b")},
				etf.Tuple{GenCast, misfit},
				etf.Tuple{GenCall, etf.Tuple{b.sys.pid, ref}, itemMap("c")},
				etf.Tuple{ref, etf.Tuple{etf.Atom("error"), etf.Atom("sold_out")}},
				etf.Atom("after"),
			} {
				if err := b.Send(pr.pid, m); err != nil {
					t.Fatal(err)
				}
			}
			want := []etf.Term{regItem{"a", 1}, misfit, etf.Tuple{GenCast, regItem{"b", 1}}, etf.Tuple{GenCast, misfit},
				etf.Tuple{GenCall, etf.Tuple{b.sys.pid, ref}, regItem{"c", 1}}, etf.Tuple{ref, errRegSoldOut}, etf.Atom("after")}
			if reject {
				want = append(want[:1:1], want[2], want[4], want[5], want[6])
			}
			for i, w := range want {
				got := pr.recv()
				if !reflect.DeepEqual(got, w) && !etf.Equal(got, w) {
					t.Fatalf("message %d: got %#v, want %#v", i, got, w)
				}
			}
			pr.sync() // nothing else arrived
		})
	}
}

// TestRegistryReasons: a node's ReasonOf and errorOf with and without a
// registry.
func TestRegistryReasons(t *testing.T) {
	withReg := localNode(t, WithRegistry(itemRegistry(t)))
	plain := localNode(t)
	wrapped := fmt.Errorf("checkout: %w", errRegSoldOut)
	soldOut := etf.Tuple{etf.Atom("error"), etf.Atom("sold_out")}
	if r := withReg.ReasonOf(wrapped); !etf.Equal(r, soldOut) {
		t.Errorf("ReasonOf with registry: %#v", r)
	}
	if r := plain.ReasonOf(wrapped); !etf.Equal(r, etf.Tuple{etf.Atom("error"), []byte(wrapped.Error())}) {
		t.Errorf("ReasonOf without registry: %#v", r)
	}
	if r := withReg.ReasonOf(&ExitError{Reason: Shutdown}); r != Shutdown {
		t.Errorf("an ExitError keeps its reason: %#v", r)
	}
	err := withReg.errorOf(soldOut)
	var ee *ExitError
	if !errors.Is(err, errRegSoldOut) || !errors.As(err, &ee) || !etf.Equal(ee.Reason, soldOut) {
		t.Errorf("errorOf with registry: %v", err)
	}
	if err := plain.errorOf(soldOut); errors.Is(err, errRegSoldOut) {
		t.Errorf("errorOf without registry: %v", err)
	}
	if withReg.errorOf(NoProc) != ErrNoProc {
		t.Error("noproc is ErrNoProc")
	}
}
