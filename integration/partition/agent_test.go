package partition

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	gocluster "github.com/erlgo/erlgo/cluster"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/global"
	"github.com/erlgo/erlgo/interop/pg"
	"github.com/erlgo/erlgo/node"
)

// The Go agent is this test binary re-executed inside a network namespace
// (sockets belong to the namespace of the thread that made them, and a Go
// node dials from any goroutine, so the node needs a process of its own).
// It speaks the line protocol of testdata/ptest.erl.
const (
	envAgent  = "ERLGO_PT_AGENT"  // node name; set: run the agent instead of the tests
	envCookie = "ERLGO_PT_COOKIE" // distribution cookie
	envTick   = "ERLGO_PT_TICK"   // net_ticktime in seconds
	envLog    = "ERLGO_PT_LOG"    // set: node logs (debug) to stderr
)

// agent is the running Go node with its services and the output lock.
type agent struct {
	n      *node.Node
	global *global.Server
	pg     *pg.Scope
	outMu  sync.Mutex
	out    io.Writer
}

// runAgent runs the agent until stdin closes; it returns the exit code.
func runAgent() int {
	name := os.Getenv(envAgent)
	tick, err := strconv.Atoi(os.Getenv(envTick))
	if err != nil || tick <= 0 {
		fmt.Fprintf(os.Stderr, "agent: bad %s: %q\n", envTick, os.Getenv(envTick))
		return 2
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv(envLog) != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := gocluster.Start(ctx, name, gocluster.WithNode(node.WithCookie(os.Getenv(envCookie)),
		node.WithTickTime(time.Duration(tick)*time.Second), node.WithLogger(log),
		node.WithEPMD("127.0.0.1", 4369))) // the namespace's own epmd
	if err != nil {
		fmt.Fprintf(os.Stderr, "agent: start: %v\n", err)
		return 1
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		_ = m.Stop(sctx)
	}()
	n := m.Node()
	a := &agent{n: n, global: m.Global(), pg: m.PG(), out: os.Stdout}
	if _, err := n.Spawn(node.BehaviorFunc(a.srv), node.WithName("pt_srv"), node.WithTrapExit()); err != nil {
		fmt.Fprintf(os.Stderr, "agent: pt_srv: %v\n", err)
		return 1
	}
	a.printf("READY %s", n.Name())
	var wg sync.WaitGroup
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		words := strings.Fields(sc.Text())
		if len(words) < 2 {
			continue
		}
		wg.Add(1)
		go func() { // a probe waits for its peer; stdin keeps flowing
			defer wg.Done()
			a.printf("RESULT %s %s", words[0], a.cmd(words[1], words[2:]))
		}()
	}
	wg.Wait()
	return 0
}

func (a *agent) printf(format string, args ...any) {
	a.outMu.Lock()
	defer a.outMu.Unlock()
	fmt.Fprintf(a.out, format+"\n", args...)
}

func (a *agent) event(kind, peer string, detail string) {
	a.printf("EVENT %s %s %d %s", kind, peer, time.Now().UnixMilli(), detail)
}

// srv is pt_srv: it answers pid and {echo, X} and never answers {hold, W},
// but tells W that the call arrived.
func (a *agent) srv(p *node.Process, msg etf.Term) error {
	from, req, ok := node.ParseGenCall(msg)
	if !ok {
		return nil
	}
	switch req := req.(type) {
	case etf.Atom:
		if req == "pid" {
			return node.Reply(p, from, p.Self())
		}
	case etf.Tuple:
		if len(req) == 2 && req[0] == etf.Atom("echo") {
			return node.Reply(p, from, req[1])
		}
		if len(req) == 2 && req[0] == etf.Atom("hold") {
			return p.Send(req[1], etf.Tuple{etf.Atom("holding"), a.n.Name()})
		}
	}
	return nil
}

// cmd runs one command of the line protocol and formats its answer as
// ptest.erl does (~w of the result).
func (a *agent) cmd(c string, args []string) string {
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	switch c {
	case "probe":
		return a.probe(ctx, etf.Atom(arg(0)))
	case "call":
		start := time.Now()
		v, err := a.n.Call(ctx, node.Name{Name: "pt_srv", Node: etf.Atom(arg(0))}, etf.Tuple{etf.Atom("echo"), etf.Atom("ping")})
		if err != nil {
			return "{error," + errTerm(err) + "}"
		}
		if v != etf.Atom("ping") {
			return "{error,{badreply," + etf.FormatW(v) + "}}"
		}
		return fmt.Sprintf("{ok,%d}", time.Since(start).Milliseconds())
	case "nodes":
		return formatNodes(a.n.Nodes())
	case "greg":
		name := etf.Atom(arg(0))
		holder, err := a.n.Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil }))
		if err != nil {
			return "{error," + errTerm(err) + "}"
		}
		if _, err := a.n.Spawn(&downReporter{a: a, kind: "gdown", peer: arg(0), target: holder}); err != nil {
			return "{error," + errTerm(err) + "}"
		}
		if err := a.global.Register(ctx, name, holder); err != nil {
			if errors.Is(err, global.ErrNameTaken) {
				return "no"
			}
			return "{error," + errTerm(err) + "}"
		}
		return "yes"
	case "gsync":
		if err := a.global.Sync(ctx); err != nil {
			return "{error," + errTerm(err) + "}"
		}
		return "ok"
	case "gwhere":
		pid, ok := a.global.Whereis(etf.Atom(arg(0)))
		if !ok {
			return "undefined"
		}
		return etf.FormatW(pid.Node)
	case "pgjoin":
		member, err := a.n.Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil }))
		if err != nil {
			return "{error," + errTerm(err) + "}"
		}
		if err := a.pg.Join(ctx, etf.Atom(arg(0)), member); err != nil {
			return "{error," + errTerm(err) + "}"
		}
		return "ok"
	case "pgnodes":
		seen := map[etf.Atom]bool{}
		var nodes []etf.Atom
		for _, m := range a.pg.GetMembers(etf.Atom(arg(0))) {
			if !seen[m.Node] {
				seen[m.Node] = true
				nodes = append(nodes, m.Node)
			}
		}
		return formatNodes(nodes)
	}
	return "{error,{unknown_command," + etf.FormatW(etf.Atom(c)) + "}}"
}

// probe starts a watcher towards peer: a link and a monitor on its pt_srv,
// monitor_node, and one call that pt_srv never answers. It returns ok
// once the call is known to be pending.
func (a *agent) probe(ctx context.Context, peer etf.Atom) string {
	w := &watcher{a: a, peer: peer, ready: make(chan string, 1)}
	if _, err := a.n.Spawn(w, node.WithTrapExit()); err != nil {
		return "{error," + errTerm(err) + "}"
	}
	select {
	case r := <-w.ready:
		return r
	case <-ctx.Done():
		return "probe_timeout"
	}
}

// watcher is the Go twin of ptest.erl's watcher/2.
type watcher struct {
	a     *agent
	peer  etf.Atom
	ready chan string
}

func (w *watcher) Init(p *node.Process) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := node.Name{Name: "pt_srv", Node: w.peer}
	v, err := p.Call(ctx, srv, etf.Atom("pid"))
	if err != nil {
		w.ready <- "{error," + errTerm(err) + "}"
		return nil
	}
	target, ok := v.(etf.PID)
	if !ok {
		w.ready <- "{error,{badpid," + etf.FormatW(v) + "}}"
		return nil
	}
	if err := p.Link(target); err != nil {
		w.ready <- "{error," + errTerm(err) + "}"
		return nil
	}
	if _, err := p.Monitor(target); err != nil {
		w.ready <- "{error," + errTerm(err) + "}"
		return nil
	}
	p.MonitorNode(w.peer, true)
	self, n, peer := p.Self(), p.Node(), string(w.peer)
	go func() {
		// gen_server:call(..., infinity): the context only bounds a hung test.
		cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer ccancel()
		_, err := n.Call(cctx, srv, etf.Tuple{etf.Atom("hold"), self})
		w.a.event("call", peer, errTerm(err))
	}()
	return nil
}

func (w *watcher) HandleMessage(p *node.Process, msg etf.Term) error {
	peer := string(w.peer)
	switch m := msg.(type) {
	case etf.Tuple:
		if len(m) == 2 && m[0] == etf.Atom("holding") && m[1] == w.peer {
			w.ready <- "ok"
		}
	case node.ExitMsg:
		w.a.event("link", peer, etf.FormatW(m.Reason))
	case node.DownMsg:
		w.a.event("monitor", peer, etf.FormatW(m.Reason))
	case node.NodeDownMsg:
		if m.Node == w.peer {
			w.a.event("nodedown", peer, "nodedown")
		}
	}
	return nil
}

func (w *watcher) Terminate(*node.Process, etf.Term) {}

// downReporter monitors target and reports its exit reason as an event.
type downReporter struct {
	a      *agent
	kind   string
	peer   string
	target etf.PID
}

func (d *downReporter) Init(p *node.Process) error {
	_, err := p.Monitor(d.target)
	return err
}

func (d *downReporter) HandleMessage(_ *node.Process, msg etf.Term) error {
	if m, ok := msg.(node.DownMsg); ok {
		d.a.event(d.kind, d.peer, etf.FormatW(m.Reason))
		return &node.ExitError{Reason: node.Normal}
	}
	return nil
}

func (d *downReporter) Terminate(*node.Process, etf.Term) {}

// errTerm is how the agent prints a failed call: the Erlang reason when
// there is one (noconnection for ErrNoConnection), the error text else.
func errTerm(err error) string {
	if err == nil {
		return "ok"
	}
	if errors.Is(err, node.ErrNoConnection) {
		return "noconnection"
	}
	var ee *node.ExitError
	if errors.As(err, &ee) {
		return etf.FormatW(ee.Reason)
	}
	return strconv.Quote(err.Error())
}

func formatNodes(nodes []etf.Atom) string {
	s := make([]string, len(nodes))
	for i, n := range nodes {
		s[i] = etf.FormatW(n)
	}
	sort.Strings(s)
	return "[" + strings.Join(s, ",") + "]"
}
