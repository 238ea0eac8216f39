package interop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
	"github.com/stretchr/testify/require"
)

// The Go twins of Shop.Order and Shop.StockError in
// testdata/registry_rpc.exs.
type shopOrder struct {
	ID    int
	Item  string
	Price float64
}

type shopStockError struct {
	Item string
	Left int
}

func (e shopStockError) Error() string { return fmt.Sprintf("%s: %d left", e.Item, e.Left) }

var errShopOutOfStock = errors.New("out of stock")

func shopRegistry(t testing.TB) *etf.Registry {
	r := etf.NewRegistry()
	require.NoError(t, etf.Register[shopOrder](r, "Elixir.Shop.Order"))
	require.NoError(t, etf.Register[shopStockError](r, "Elixir.Shop.StockError"))
	require.NoError(t, r.RegisterError("out_of_stock", errShopOutOfStock))
	return r
}

// registerShop registers shop:double/1 (an Order in, an Order out),
// shop:orders/1 ([]Order out) and shop:fail/1 (registered and plain errors).
func registerShop(s *Services) {
	s.Register("shop", "double", 1, Func1(func(_ context.Context, o shopOrder) (shopOrder, error) {
		o.Price *= 2
		return o, nil
	}))
	s.Register("shop", "orders", 1, Func1(func(_ context.Context, n int) ([]shopOrder, error) {
		out := make([]shopOrder, n)
		for i := range out {
			out[i] = shopOrder{ID: i + 1, Item: "book", Price: 9.5}
		}
		return out, nil
	}))
	s.Register("shop", "fail", 1, Func1(func(_ context.Context, what etf.Atom) (etf.Term, error) {
		switch what {
		case "oos":
			return nil, fmt.Errorf("shop: %w", errShopOutOfStock)
		case "stock":
			return nil, shopStockError{Item: "pen", Left: 0}
		}
		return nil, errors.New("boom")
	}))
}

// registryServices starts a node with the shop registry (distributed on
// epmdPort unless it is 0) and its services with the shop functions.
func registryServices(t *testing.T, epmdPort int, cookie string) (*node.Node, *Services) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	name := "reg" + strconv.Itoa(os.Getpid()) + "_" + strconv.FormatInt(seq.Add(1), 10) + "@127.0.0.1"
	opts := []node.Option{node.WithRegistry(shopRegistry(t)), node.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}
	if epmdPort == 0 {
		opts = append(opts, node.WithoutDistribution())
	} else {
		opts = append(opts, node.WithCookie(cookie), node.WithEPMD("127.0.0.1", epmdPort))
	}
	n, err := node.Start(ctx, name, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	s, err := Start(ctx, n, WithOutput(io.Discard))
	require.NoError(t, err)
	registerShop(s)
	return n, s
}

// TestRegistryOutcomes: what a registered function's results become on a
// node with a type registry, before rex or erpc shape them: a registered
// return value its struct term, a registered sentinel error:Atom, an error
// type error:Struct (an Elixir exception), a plain error error:<<"text">> as without a registry.
func TestRegistryOutcomes(t *testing.T) {
	n, s := registryServices(t, 0, "")
	p, _ := startWatcher(t, n)
	orderMap := func(id int, price float64) etf.Map {
		return etf.Map{{Key: etf.Atom("__struct__"), Value: etf.Atom("Elixir.Shop.Order")},
			{Key: etf.Atom("id"), Value: id}, {Key: etf.Atom("item"), Value: []byte("book")}, {Key: etf.Atom("price"), Value: price}}
	}
	cases := []struct {
		name   string
		f      etf.Atom
		args   etf.List
		class  Class
		result etf.Term // the value, or the reason
	}{
		{"struct in and out", "double", etf.List{orderMap(1, 9.5)}, "", orderMap(1, 19.0)},
		{"list of structs", "orders", etf.List{2}, "", etf.List{orderMap(1, 9.5), orderMap(2, 9.5)}},
		{"misfit argument", "double", etf.List{etf.Map{{Key: etf.Atom("__struct__"), Value: etf.Atom("Elixir.Shop.Order")}}}, ClassError, etf.Atom("badarg")},
		{"registered sentinel", "fail", etf.List{etf.Atom("oos")}, ClassError, etf.Atom("out_of_stock")},
		{"registered error type", "fail", etf.List{etf.Atom("stock")}, ClassError, etf.Map{
			{Key: etf.Atom("__exception__"), Value: true}, {Key: etf.Atom("__struct__"), Value: etf.Atom("Elixir.Shop.StockError")},
			{Key: etf.Atom("item"), Value: []byte("pen")}, {Key: etf.Atom("left"), Value: 0}}},
		{"plain error", "fail", etf.List{etf.Atom("plain")}, ClassError, etf.Binary("boom")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := s.apply(p, "shop", tc.f, tc.args)
			require.Equal(t, tc.class, o.class)
			got := o.value
			if tc.class != "" {
				got = o.reason
			}
			require.True(t, etf.Equal(tc.result, got), "got %s, want %s", etf.Format(got), etf.Format(tc.result))
		})
	}
}

// TestRegistryRPCFromElixir: a real Elixir node calls registered Go
// functions on a node with a type registry by rpc and erpc: %Shop.Order{}
// arrives in the Go function as the registered Go type, the Go function's
// Order (and []Order) is a %Shop.Order{} Elixir pattern-matches, and
// registered errors keep the OTP shapes ({badrpc, {'EXIT', {Reason,
// Stack}}}, erpc's error class) with the registered term as the reason.
func TestRegistryRPCFromElixir(t *testing.T) {
	elixir := erltest.Tool(t, "elixir")
	port := erltest.StartEPMD(t)
	cookie := "regrpc" + strconv.Itoa(os.Getpid()) + "_" + strconv.FormatInt(seq.Add(1), 10)
	n, _ := registryServices(t, port, cookie)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, elixir, "--name", "ex_"+cookie+"@127.0.0.1", "--cookie", cookie,
		"testdata/registry_rpc.exs", string(n.Name()))
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "elixir:\n%s", out)
	require.True(t, strings.Contains(string(out), "MATCHED"), "elixir:\n%s", out)
}
