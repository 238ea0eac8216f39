package node

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// echoNode starts a distributed node with a registered gen_server echo.
func echoNode(t *testing.T, name, cookie string, opts ...Option) *Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	opts = append([]Option{WithCookie(cookie), WithLogger(quietLogger()), WithListenAddr("127.0.0.1:0")}, opts...)
	n, err := Start(ctx, name, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		_ = n.Stop(ctx)
	})
	_, err = n.Spawn(BehaviorFunc(func(p *Process, msg etf.Term) error {
		if from, req, ok := ParseGenCall(msg); ok {
			return Reply(p, from, req)
		}
		return nil
	}), WithName("echo"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// erlEval runs a short-lived erl with ERL_EPMD_PORT=port that evaluates
// expr (which prints) and halts; it returns the output.
func erlEval(t *testing.T, port int, cookie, expr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	name := fmt.Sprintf("erlq%d_%d@127.0.0.1", os.Getpid(), nodeSeq.Add(1))
	cmd := exec.CommandContext(ctx, erltest.Tool(t, "erl"), "-noshell", "-start_epmd", "false",
		"-name", name, "-setcookie", cookie, "-eval", expr+", halt().")
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("erl %s: %v\n%s", expr, err, out)
	}
	return string(out)
}

// TestStartTakesEPMDPortFromEnv is defect 3 of issue 12: with
// ERL_EPMD_PORT set and no WithEPMD, the node registers in that EPMD, and
// an erl with the same environment reaches it by name.
func TestStartTakesEPMDPortFromEnv(t *testing.T) {
	needErl(t)
	port := startEPMD(t)
	t.Setenv(epmd.EnvPort, strconv.Itoa(port))
	id := itoa(int(nodeSeq.Add(1))) + "_" + strconv.Itoa(os.Getpid())
	cookie := "envc" + id
	n := echoNode(t, "goenv"+id+"@127.0.0.1", cookie)

	info, err := (&epmd.Client{Port: port}).PortPlease(context.Background(), "goenv"+id)
	if err != nil {
		t.Fatalf("not registered in the epmd on ERL_EPMD_PORT=%d: %v", port, err)
	}
	if info.Port == 0 {
		t.Fatal("registered with port 0")
	}
	out := erlEval(t, port, cookie, fmt.Sprintf(`io:format("reply=~p~n", [gen_server:call({echo, '%s'}, hello)])`, n.Name()))
	if !strings.Contains(out, "reply=hello") {
		t.Fatalf("erl did not reach %s by name:\n%s", n.Name(), out)
	}
}

// TestStopLeavesEPMDRunning is defect 2 of issue 12 for the library: no
// EPMD runs, node.Start starts the default detached daemon, an erl node
// registers in it, the Go node stops, and a new erl still reaches the
// first erl by name.
func TestStopLeavesEPMDRunning(t *testing.T) {
	needErl(t)
	port := freePort(t)
	erltest.StopEPMDAtCleanup(t, port) // registered first: runs after the erl nodes are killed
	id := itoa(int(nodeSeq.Add(1))) + "_" + strconv.Itoa(os.Getpid())
	cookie := "daemonc" + id
	n := echoNode(t, "godaemon"+id+"@127.0.0.1", cookie, WithEPMD("127.0.0.1", port))

	first := "first" + id + "@127.0.0.1"
	cmd := exec.Command(erltest.Tool(t, "erl"), "-noshell", "-start_epmd", "false", "-name", first,
		"-setcookie", cookie, "-eval", "receive after infinity -> ok end.")
	cmd.Env = erltest.EnvWithEPMD(port)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	erltest.WaitEPMDName(t, port, "first"+id)

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := n.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	out := erlEval(t, port, cookie, fmt.Sprintf(`io:format("ping=~p~n", [net_adm:ping('%s')])`, first))
	if !strings.Contains(out, "ping=pong") {
		t.Fatalf("after the Go node stopped, a new erl could not reach %s:\n%s", first, out)
	}
}
