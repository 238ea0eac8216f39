package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
)

// newCase is one flag combination of TestNewProject and what to check on
// the running node.
type newCase struct {
	name  string
	flags []string
	// actor is the registered name erl calls; sup a supervisor whose
	// children (which_children) must include kids.
	actor, sup string
	kids       []string
	web, obs   bool
	peer       bool
	// tick runs the node and erl with net_ticktime 2 s and keeps erl
	// connected past it before calling again.
	tick bool
}

// TestNewProject generates projects with erlgo new (the built binary),
// vets, builds and tests each in its own module against this checkout,
// then runs the node with a private EPMD and calls its actors from a real
// erl (gen_server:call, cast, supervisor:which_children), from the
// generated peer scripts under escript and elixir, and over HTTP.
func TestNewProject(t *testing.T) {
	erltest.RequireTools(t, "erl", "epmd", "escript", "elixir")
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cases := []newCase{
		{name: "minimal", actor: "worker", sup: "minimal_sup", kids: []string{"worker"}},
		{name: "tree", flags: []string{"-with-app", "App", "-with-sup", "App:Sup", "-with-actor", "Sup:Worker",
			"-with-actor", "Sup:OtherWorker", "-with-actor", "App:Cache", "-with-peer"},
			actor: "worker", sup: "sup", kids: []string{"worker", "other_worker"}, peer: true},
		{name: "webobs", flags: []string{"-with-web", "-with-observer"},
			actor: "worker", sup: "webobs_sup", kids: []string{"worker", "webobs_web_worker", "webobs_web"}, web: true, obs: true, tick: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), c.name)
			args := append([]string{"new", "-erlgo-path", root, "-module", "example.com/" + c.name}, c.flags...)
			out, err := exec.Command(buildErlgo(t), append(args, dir)...).CombinedOutput()
			if err != nil {
				t.Fatalf("erlgo new: %v\n%s", err, out)
			}
			bin := buildProject(t, dir, c.name)
			checkProjectNode(t, c, dir, bin)
		})
	}
}

// buildProject vets, tests and builds the generated module and returns
// the command's binary. GOFLAGS=-mod=mod lets go complete go.mod from the
// local module cache (the project's go.sum is the checkout's).
func buildProject(t *testing.T, dir, cmd string) string {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go") //nolint:staticcheck // the toolchain running this test
	env := append(os.Environ(), "GOFLAGS=-mod=mod -buildvcs=false")
	bin := filepath.Join(dir, "bin", cmd)
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}, {"build", "-o", bin, "./cmd/" + cmd}} {
		c := exec.Command(gobin, args...)
		c.Dir, c.Env = dir, env
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the generated project: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return bin
}

// checkProjectNode runs the generated node and calls it from BEAM.
func checkProjectNode(t *testing.T, c newCase, dir, bin string) {
	env, _ := privateEPMD(t)
	cookie := fmt.Sprintf("new_%d", time.Now().UnixNano())
	nodeName := fmt.Sprintf("%s_%d@127.0.0.1", c.name, os.Getpid())
	args := []string{bin, "-name", nodeName, "-cookie", cookie}
	if c.web {
		args = append(args, "-http", "127.0.0.1:0")
	}
	if c.obs {
		args = append(args, "-observer", "127.0.0.1:0")
	}
	erlArgs := []string{"-name", fmt.Sprintf("erl_%s_%d@127.0.0.1", c.name, os.Getpid()), "-setcookie", cookie}
	// Past the tick: ticks must keep the connection up (no nodedown)
	// and the actor must still answer.
	tickCheck := ""
	if c.tick {
		args = append(args, "-ticktime", "2")
		erlArgs = append(erlArgs, "-kernel", "net_ticktime", "2")
		tickCheck = fmt.Sprintf(`erlang:monitor_node(N, true), timer:sleep(6000),
		receive {nodedown, N} -> io:format("nodedown~n") after 0 -> ok end,
		io:format("after tick ~p~n", [gen_server:call({%s, N}, count)]),`, c.actor)
	}
	p := startProc(t, env, args...)
	var webURL, obsURL string
	if c.web {
		webURL = strings.Fields(p.waitLine(t, "web on "))[2]
	}
	if c.obs {
		obsURL = strings.Fields(p.waitLine(t, "observer on "))[2]
	}
	p.waitLine(t, "ready")

	script := fmt.Sprintf(`N = '%s',
		io:format("call ~p~n", [gen_server:call({%s, N}, ping)]),
		ok = gen_server:cast({%s, N}, hello), ok = gen_server:cast({%s, N}, hello),
		io:format("count ~p~n", [gen_server:call({%s, N}, count)]),
		io:format("kids ~p~n", [[Id || {Id, _, _, _} <- supervisor:which_children({%s, N})]]),
		io:format("state ~p~n", [sys:get_state({%s, N})]),
		%s halt().`, nodeName, c.actor, c.actor, c.actor, c.actor, c.sup, c.actor, tickCheck)
	got := runErl(t, env, script, erlArgs...)
	want := []string{"call pong", "count 2", "kids [" + strings.Join(c.kids, ",") + "]", "state #{casts => 2}"}
	if c.tick {
		want = append(want, "after tick 2")
		if strings.Contains(got, "nodedown") {
			t.Fatalf("erl lost the node within net_ticktime 2 s:\n%s", got)
		}
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("erl printed %q, want a line %q", got, w)
		}
	}
	if c.peer {
		runPeerScript(t, dir, env, "answered pong; casts so far: 3", "escript", "scripts/peer.erl", nodeName, cookie)
		runPeerScript(t, dir, env, "answered pong; casts so far: 4", "elixir", "scripts/peer.exs", nodeName, cookie)
	}
	if c.web {
		if body := httpGet(t, webURL+"ping"); body != "pong\n" {
			t.Fatalf("GET /ping = %q, want pong", body)
		}
	}
	if c.obs {
		if body := httpGet(t, obsURL+"api/applications"); !strings.Contains(body, `"name":"`+c.name+`"`) {
			t.Fatalf("observer's applications lack %s: %s", c.name, body)
		}
	}
	p.stop(t)
}

// runPeerScript runs a generated peer script and checks its output.
func runPeerScript(t *testing.T, dir string, env []string, want string, argv ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*erltest.Wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, erltest.Tool(t, argv[0]), argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), want) {
		t.Fatalf("%s: %v\n%s\nwant %q", strings.Join(argv, " "), err, out, want)
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v\n%s", url, resp.StatusCode, err, body)
	}
	return string(body)
}

// TestNewCommandLine checks erlgo new's exit statuses and that it writes
// nothing when it refuses.
func TestNewCommandLine(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	bad := filepath.Join(t.TempDir(), "bad")
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"help", []string{"new", "-h"}, 0},
		{"help command", []string{"help", "new"}, 0},
		{"no dir", []string{"new", "-with-web"}, 2},
		{"two dirs", []string{"new", "a", "b"}, 2},
		{"unknown flag", []string{"new", "-with-nothing", fresh}, 2},
		{"bad actor", []string{"new", "-with-app", "App", "-with-actor", "Nope:Worker", bad}, 2},
		{"bad module", []string{"new", "-module", "a//b", bad}, 2},
		{"non-empty dir", []string{"new", "-module", "keep", full}, 1},
		{"flags after the dir", []string{"new", fresh, "-erlgo-path", root, "-with-web"}, 0},
		{"again, not empty", []string{"new", fresh}, 1},
		{"again, forced", []string{"new", "-force", "-erlgo-path", root, fresh}, 0},
	}
	for _, c := range cases {
		if got := run(c.args); got != c.want {
			t.Errorf("erlgo %s: exit %d, want %d", strings.Join(c.args, " "), got, c.want)
		}
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a refused command line created %s (%v)", bad, err)
	}
	if b, _ := os.ReadFile(filepath.Join(full, "keep.txt")); string(b) != "mine" {
		t.Errorf("keep.txt: %q", b)
	}
	for _, f := range []string{"go.mod", "go.sum", "apps/fresh/web.go", "cmd/fresh/main.go"} {
		if _, err := os.Stat(filepath.Join(fresh, f)); err != nil {
			t.Errorf("generated project: %v", err)
		}
	}
}
