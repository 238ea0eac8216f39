package integration

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gocluster "github.com/erlgo/erlgo/cluster"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/interop/demo"
	"github.com/erlgo/erlgo/interop/global/globaldemo"
	"github.com/erlgo/erlgo/node"
)

const waitFor = 20 * time.Second

var seq atomic.Int64

// naming is long (-name x@127.0.0.1) or short (-sname x@host) names.
type naming struct {
	label string
	long  bool
	host  string
}

func namings(t *testing.T) []naming {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	if i := strings.IndexByte(host, '.'); i > 0 {
		host = host[:i]
	}
	return []naming{{"long", true, "127.0.0.1"}, {"short", false, host}}
}

func (nm naming) nodeName(prefix string) string {
	return fmt.Sprintf("%s_%d_%d@%s", prefix, os.Getpid(), seq.Add(1), nm.host)
}

// nameFlag is the erl flag for this naming.
func (nm naming) nameFlag() string {
	if nm.long {
		return "-name"
	}
	return "-sname"
}

// syncBuffer collects output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cluster is one test group: a private epmd, a cookie and a Go node
// hosting the demo plus the it module used by the checks.
type cluster struct {
	naming
	epmdPort int
	cookie   string
	n        *node.Node
	svc      *interop.Services
	out      *syncBuffer // what the Go node's io server printed
	beamDir  string      // compiled Erlang helpers
}

func newCluster(t *testing.T, nm naming, opts ...node.Option) *cluster {
	t.Helper()
	erltest.Tool(t, "erl")
	c := &cluster{
		naming:   nm,
		epmdPort: erltest.StartEPMD(t),
		cookie:   fmt.Sprintf("it_cookie_%d_%d", os.Getpid(), seq.Add(1)),
		beamDir:  compileErl(t),
	}
	m := c.startGo(t, true, opts...)
	// As `erlgo node` does: the erlgo_demo global name in
	// global_name_server and the default pg scope (the demo tour checks
	// them).
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	gd, err := globaldemo.Start(ctx, m.Global(), m.PG())
	if err != nil {
		t.Fatalf("globaldemo: %v", err)
	}
	t.Cleanup(gd.Stop)
	return c
}

// newClusterOn starts a second Go node in the cluster of other (same
// epmd, cookie and naming).
func newClusterOn(t *testing.T, other *cluster, opts ...node.Option) *cluster {
	t.Helper()
	c := &cluster{naming: other.naming, epmdPort: other.epmdPort, cookie: other.cookie, beamDir: other.beamDir}
	c.startGo(t, false, opts...)
	return c
}

// startGo starts the cluster's Go node as a cluster member (with global
// and the default pg scope when withGlobal) with the demo and the it
// module.
func (c *cluster) startGo(t *testing.T, withGlobal bool, opts ...node.Option) *gocluster.Member {
	t.Helper()
	c.out = &syncBuffer{}
	level := slog.LevelWarn
	if os.Getenv("IT_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	opts = append([]node.Option{node.WithCookie(c.cookie), node.WithLogger(log),
		node.WithEPMD("127.0.0.1", c.epmdPort)}, opts...)
	copts := []gocluster.Option{gocluster.WithNode(opts...), gocluster.WithServices(interop.WithOutput(c.out))}
	if !withGlobal {
		copts = append(copts, gocluster.WithoutGlobal(), gocluster.WithoutPG())
	}
	m, err := gocluster.Start(ctx, c.nodeName("go"), copts...)
	if err != nil {
		t.Fatalf("start go node: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := m.Stop(ctx); err != nil {
			t.Errorf("stop go node: %v", err)
		}
	})
	c.n, c.svc = m.Node(), m.Services()
	if _, err := demo.Start(ctx, c.n, c.svc); err != nil {
		t.Fatal(err)
	}
	registerIt(c.svc)
	return m
}

// registerIt registers the module it: helpers the BEAM-side checks call.
func registerIt(s *interop.Services) {
	s.Register("it", "send", 2, func(ctx context.Context, a etf.List) (etf.Term, error) {
		return etf.Atom("ok"), interop.Process(ctx).Send(a[0], a[1])
	})
	s.Register("it", "group_leader", 0, func(ctx context.Context, _ etf.List) (etf.Term, error) {
		return interop.Process(ctx).GroupLeader(), nil
	})
	s.Register("it", "print", 1, func(ctx context.Context, a etf.List) (etf.Term, error) {
		return etf.Atom("ok"), interop.Format(ctx, interop.Process(ctx), "go says ~p~n", a)
	})
	s.Register("it", "user", 0, func(context.Context, etf.List) (etf.Term, error) {
		return s.GroupLeader(), nil
	})
	s.Register("it", "throw", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return nil, interop.Throw(a[0]) })
	s.Register("it", "exit", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return nil, interop.Exit(a[0]) })
	s.Register("it", "panic", 0, func(context.Context, etf.List) (etf.Term, error) { panic("kaput") })
	s.Register("it", "goerr", 0, func(context.Context, etf.List) (etf.Term, error) { return nil, fmt.Errorf("boom") })

	// Elixir conventions mapped to Go types by the typed adapters.
	s.Register("it", "birthday", 1, interop.Func1(func(_ context.Context, p itPerson) (itPerson, error) {
		p.Age++
		p.Name = strings.ToUpper(p.Name)
		return p, nil
	}))
	s.Register("it", "kwsum", 1, interop.Func1(func(_ context.Context, kw etf.Keyword) (int, error) {
		sum := 0
		for _, e := range kw {
			v, _ := e.Value.(int)
			sum += v
		}
		return sum, nil
	}))
	s.Register("it", "strlen", 1, interop.Func1(func(_ context.Context, str string) (int, error) {
		return len([]rune(str)), nil
	}))
	s.Register("it", "module", 1, interop.Func1(func(_ context.Context, alias string) (etf.Atom, error) {
		return etf.ElixirModule(alias), nil
	}))

	// it_gl:start(Owner): reports its group leader, then prints through it.
	_ = interop.RegisterSpawnable(s.Node(), "it_gl", "start", func(args etf.List) (node.Behavior, error) {
		owner, _ := args[0].(etf.PID)
		return node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
			if msg != etf.Atom("go") {
				return nil
			}
			err := interop.Format(context.Background(), p, "spawned prints ~p~n", etf.List{etf.Atom("hi")})
			_ = p.Send(owner, etf.Tuple{etf.Atom("gl"), p.Self(), p.GroupLeader(), err == nil})
			return &node.ExitError{Reason: node.Normal}
		}), nil
	})
}

// itPerson is the Elixir struct ItPerson of elixir/it_checks.exs.
type itPerson struct {
	_    etf.ElixirStruct `etf:"Elixir.ItPerson"`
	Name string           `etf:"name"`
	Age  int              `etf:"age"`
	Tags []etf.Atom       `etf:"tags"`
}

var (
	compileOnce sync.Once
	compiledDir string
	compileErr  error
)

// compileErl compiles integration/erl/*.erl once per test binary.
func compileErl(t *testing.T) string {
	t.Helper()
	erlc := erltest.Tool(t, "erlc")
	compileOnce.Do(func() {
		dir, err := os.MkdirTemp("", "erlgo-it-beam")
		if err != nil {
			compileErr = err
			return
		}
		compiledDir = dir
		srcs, _ := filepath.Glob(filepath.Join(sourceDir(), "erl", "*.erl"))
		out, err := exec.Command(erlc, append([]string{"-o", dir}, srcs...)...).CombinedOutput()
		if err != nil {
			compileErr = fmt.Errorf("erlc: %v\n%s", err, out)
		}
	})
	if compileErr != nil {
		t.Fatal(compileErr)
	}
	return compiledDir
}

func sourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// env is the environment of BEAM processes of the cluster.
func (c *cluster) env() []string {
	return erltest.EnvWithEPMD(c.epmdPort)
}

// runErl runs erl to completion (bounded by a generous deadline) and
// returns its combined output and exit error.
func (c *cluster) runErl(t *testing.T, name, eval string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "erl", "-noshell", c.nameFlag(), name, "-setcookie", c.cookie,
		"-pa", c.beamDir, "-eval", eval)
	cmd.Env = c.env()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// runChecks runs an Erlang/Elixir check program and reports every FAIL
// line; it fails when the program does not exit 0.
func runChecks(t *testing.T, out string, err error) {
	t.Helper()
	passed := 0
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "ok   "):
			passed++
		case strings.HasPrefix(line, "FAIL "):
			t.Errorf("BEAM check failed: %s", strings.TrimPrefix(line, "FAIL "))
		}
	}
	if err != nil || passed == 0 {
		t.Errorf("checks exited with %v after %d passed checks; output:\n%s", err, passed, out)
	} else {
		t.Logf("%d BEAM-side checks passed", passed)
		if testing.Verbose() {
			t.Log("\n" + out)
		}
	}
}

// peer is a long-running erl node for the Go-side checks.
type peer struct {
	name etf.Atom
	out  *syncBuffer
}

func (c *cluster) startPeer(t *testing.T) *peer {
	t.Helper()
	name := c.nodeName("erl")
	p := &peer{name: etf.Atom(name), out: &syncBuffer{}}
	cmd := exec.Command("erl", "-noshell", c.nameFlag(), name, "-setcookie", c.cookie, "-pa", c.beamDir,
		"-eval", `io:format("peer ready~n"), receive stop -> ok end.`)
	cmd.Env = c.env()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			fmt.Fprintln(p.out, sc.Text())
			if strings.Contains(sc.Text(), "peer ready") {
				once.Do(func() { close(ready) })
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(waitFor):
		t.Fatalf("erl peer %s not ready:\n%s", name, p.out.String())
	}
	return p
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
