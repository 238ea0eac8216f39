package interop

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
	"github.com/stretchr/testify/require"
)

// TestErpcLoadThenIdleErl: a real erl makes 16,000 erpc:calls into a Go
// node from 16 processes at once (each a SPAWN_REQUEST whose process runs
// on the goroutine that served the request), idles past two 2 s
// net_ticktimes, and does it again: every call answers, and the connection
// never went down in between.
func TestErpcLoadThenIdleErl(t *testing.T) {
	erl := erltest.RequireTools(t, "erl", "epmd")[0]
	port := erltest.StartEPMD(t)
	cookie := "erpcload" + strconv.FormatInt(seq.Add(1), 10)
	n, _ := bifServices(t, port, cookie, node.WithTickTime(2*time.Second))
	script := fmt.Sprintf(`Go = '%s',
		ok = net_kernel:monitor_nodes(true),
		Round = fun() ->
			Self = self(),
			[spawn(fun() -> Self ! {done, length([x || _ <- lists:seq(1, 1000),
				erpc:call(Go, erlang, node, [], 10000) =:= Go])} end) || _ <- lists:seq(1, 16)],
			lists:sum([receive {done, C} -> C end || _ <- lists:seq(1, 16)])
		end,
		io:format("load=~p~n", [Round()]),
		timer:sleep(5000),
		Down = receive {nodedown, Go} -> true after 0 -> false end,
		io:format("down_while_idle=~p~n", [Down]),
		io:format("after_idle=~p~n", [Round()]),
		halt().`, n.Name())
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-name", "erpcload_"+cookie+"@127.0.0.1",
		"-setcookie", cookie, "-kernel", "net_ticktime", "2", "-eval", script)
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "erl:\n%s", out)
	for _, want := range []string{"load=16000", "down_while_idle=false", "after_idle=16000"} {
		require.True(t, strings.Contains(string(out), want), "erl lacks %q:\n%s", want, out)
	}
}
