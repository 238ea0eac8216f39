package globaldemo

import (
	"context"
	"testing"
	"time"

	ct "github.com/erlgo/erlgo/interop/global/clustertest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSetup(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ct.Need(t, "erl", "erlc", "epmd")
	epmd, cookie := ct.StartEPMD(t), ct.Uniq("cookie")
	dir := ct.Compile(t)
	g := ct.StartGo(t, epmd, cookie, "demo")
	d, err := Setup(ctx, g.Node, g.Services)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
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
