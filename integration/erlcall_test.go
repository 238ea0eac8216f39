package integration

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// TestErlCallIntoDemoNode runs Erlang's own C client, erl_call (from
// erl_interface), against the demo node. erl_call names itself
// c<N>@<short host> even when the target has a long name; OTP's accepting
// side takes that, and so must erlgo (issue 12, defect 9: it was refused
// with "hostname ... is illegal"). Each call is a handshake plus an rpc
// answered by the node's rex.
func TestErlCallIntoDemoNode(t *testing.T) {
	erlCall := erltest.Tool(t, "erl_call")
	for _, nm := range namings(t) {
		t.Run(nm.label, func(t *testing.T) {
			c := newCluster(t, nm)
			// The hidden nodes connected while erl_call's call runs: erl_call.
			c.svc.Register("erlcall_it", "hidden", 0, func(context.Context, etf.List) (etf.Term, error) {
				var l etf.List
				for _, h := range c.n.HiddenNodes() {
					l = append(l, h)
				}
				return l, nil
			})
			target := string(c.n.Name())
			call := func(args ...string) string {
				t.Helper()
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				all := append([]string{nm.nameFlag(), target, "-c", c.cookie}, args...)
				cmd := exec.CommandContext(ctx, erlCall, all...)
				cmd.Env = c.env()
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("erl_call %v: %v\n%s", args, err, out)
				}
				return strings.TrimSpace(string(out))
			}
			for i := 0; i < 3; i++ { // a fresh connection each time
				if got := call("-a", "demo add [2, 3]"); got != "5" {
					t.Fatalf("demo:add(2, 3) over erl_call = %q, want 5", got)
				}
			}
			if got := strings.ReplaceAll(call("-a", "demo echo [{hello, erl_call, [x, 7]}]"), " ", ""); got != `{hello,erl_call,[x,7]}` {
				t.Fatalf("demo:echo over erl_call = %q", got)
			}
			// The caller is erl_call under the name it chose: c<N>@ plus
			// this machine's short host name, also against a long name.
			caller := strings.Trim(call("-a", "erlcall_it hidden []"), "[]'")
			host, err := os.Hostname()
			if err != nil {
				t.Fatal(err)
			}
			host, _, _ = strings.Cut(host, ".")
			if !strings.HasSuffix(caller, "@"+host) || strings.Contains(caller, ",") {
				t.Fatalf("erl_call called as %s, expected a short host name @%s", caller, host)
			}
			t.Logf("%s called %s", caller, target)
		})
	}
}
