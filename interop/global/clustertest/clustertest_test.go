package clustertest

import (
	"strings"
	"testing"
	"time"
)

// TestTwoErlNodes checks the harness itself: two erl nodes on a private
// epmd connect, sync global and share a pg group.
func TestTwoErlNodes(t *testing.T) {
	Need(t, "erl", "erlc", "epmd")
	port := StartEPMD(t)
	cookie := Uniq("c")
	dir := Compile(t)
	a := StartNode(t, port, cookie, dir, Options{})
	b := StartNode(t, port, cookie, dir, Options{})
	if got := a.Eval("net_kernel:connect_node('" + string(b.Name) + "')"); got != "true" {
		t.Fatalf("connect: %s", got)
	}
	if got := a.Eval("global:sync()"); got != "ok" {
		t.Fatalf("sync: %s", got)
	}
	b.Eval("P = spawn(fun() -> receive stop -> ok end end), register(member, P), pg:join(g, P)")
	Eventually(t, 10*time.Second, "pg member", func() bool {
		return strings.Count(a.Eval("pg:get_members(g)"), "<") == 1
	})
}
