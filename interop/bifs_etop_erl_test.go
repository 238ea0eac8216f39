package interop

import (
	"bufio"
	"context"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/stretchr/testify/require"
)

// TestEtopOnGoNode: OTP's etop (observer 2.14, from Debian's
// erlang-observer; scripts/deps.sh installs it) runs in text mode with a
// Go node as its target: it checks the node's runtime_tools version,
// collects with observer_backend:etop_collect/1 every second and prints
// its table, in which the Go node's registered actor appears by name
// with gen_server's loop as its current function.
func TestEtopOnGoNode(t *testing.T) {
	erl := erltest.RequireTools(t, "erl", "epmd")[0]
	etop, err := exec.Command(erl, "-noshell", "-eval", `io:format("~p", [code:which(etop)]), halt().`).Output()
	require.NoError(t, err)
	require.NotContains(t, string(etop), "non_existing", "etop is missing: install erlang-observer (scripts/deps.sh)")
	port := erltest.StartEPMD(t)
	cookie := "etop" + strconv.FormatInt(seq.Add(1), 10)
	n, s := bifServices(t, port, cookie)
	bifPeer(t, n, s)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := "[{node, '" + string(n.Name()) + "'}, {output, text}, {lines, 20}, {interval, 1}, {accumulate, false}, {tracing, off}]"
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-hidden", "-name", "etop_"+cookie+"@127.0.0.1",
		"-setcookie", cookie, "-eval", "etop:start("+opts+")")
	cmd.Env = erltest.EnvWithEPMD(port)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })

	var out []string
	tables := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		out = append(out, line)
		if strings.Contains(line, "badrpc") || strings.Contains(line, "rror") {
			t.Fatalf("etop failed:\n%s", strings.Join(out, "\n"))
		}
		if strings.Contains(line, "bif_probe") {
			require.Contains(t, line, "gen_server:loop/7", "etop's current function column")
			if tables++; tables == 2 { // two refreshes: etop keeps polling the Go node
				break
			}
		}
	}
	require.Equal(t, 2, tables, "etop output:\n%s", strings.Join(out, "\n"))
	text := strings.Join(out, "\n")
	require.Contains(t, text, string(n.Name()), "etop's header names the target")
	t.Logf("etop on %s:\n%s", n.Name(), text)
}
