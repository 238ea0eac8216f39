package globaldemo

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/erlgo/erlgo/cluster"
	ct "github.com/erlgo/erlgo/interop/global/clustertest"
	"github.com/erlgo/erlgo/node"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ct.Need(t, "erl", "erlc", "epmd")
	epmd, cookie := ct.StartEPMD(t), ct.Uniq("cookie")
	dir := ct.Compile(t)
	m, err := cluster.Start(ctx, ct.Uniq("demo")+"@127.0.0.1", cluster.WithNode(node.WithCookie(cookie),
		node.WithEPMD("127.0.0.1", epmd), node.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Stop(context.Background()) })
	d, err := Start(ctx, m.Global(), m.PG())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	g := m.Node()
	a := ct.StartNode(t, epmd, cookie, dir, ct.Options{})
	if v := a.Eval("net_kernel:connect_node(" + ct.Atom(g.Name()) + ")"); v != "true" {
		t.Fatal(v)
	}
	v, err := a.EvalTimeout("global:sync()", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if v != "{ok,ok}" {
		t.Fatal(v)
	}
	if v := a.Eval("gen_server:call(global:whereis_name(erlgo_demo), ping)"); v != "{erlgo_demo,ping}" {
		t.Fatal(v)
	}
	ct.Eventually(t, 30*time.Second, "demo_group member", func() bool {
		return a.Eval("[node(P) || P <- pg:get_members(demo_group)]") == "["+ct.Atom(g.Name())+"]"
	})
}
