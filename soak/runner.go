package soak

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/beamproc"
	"github.com/erlgo/erlgo/node"
)

// callTimeout bounds one traffic call (a Go->BEAM echo, a control call):
// far above any latency on a loaded machine, so a failure means a lost
// request or reply, not a slow one.
const callTimeout = 30 * time.Second

// testHookSend, when set by a test, maps each Go sender's sequence
// numbers to the ones it actually sends (to inject loss and reordering
// and check that the BEAM side counts them).
var testHookSend func(seqs []int) []int

// testHookIdle, when set by a test, runs after each phase's footprint
// check, while the nodes are idle (e.g. to write a heap profile).
var testHookIdle func(phase int)

// run is one soak run's state.
type run struct {
	cfg   Config
	g     *goSide
	peers []*beamPeer
	warn  *countingHandler
	base  sample
	last  sample
	// peerDowns and peerReasons are the last stats of each peer.
	peerDowns map[string]int
	// peerProcs is the peers' process count at the last stats; baseProcs
	// their sum after setup.
	peerProcs   map[string]int
	baseProcs   int
	peerReasons map[string]int
}

// Run starts a private epmd, the Go node and the BEAM peers (erl, and
// elixir when cfg.Elixir), runs phases until cfg.Duration has passed
// (each followed by an idle gap longer than net_ticktime), tears it all
// down and returns the report. The error is non-nil only when the soak
// could not run (tools missing, a peer did not start or died); a soak that
// ran and found failures returns them in Report.Err.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg.fill()
	if err := cfg.checkKinds(); err != nil {
		return nil, err
	}
	t, err := findTools(cfg.Elixir)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "erlgo-soak-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := compile(ctx, t.erlc, dir); err != nil {
		return nil, err
	}
	epmd, err := beamproc.StartEPMD(ctx, t.epmd, startTimeout)
	if err != nil {
		return nil, err
	}
	defer epmd.Stop()

	r := newRun(cfg)
	cookie := "soak_" + randHex(8)
	suffix := randHex(4)
	goName := "soak_go_" + suffix + "@127.0.0.1"
	if r.g, err = startGoSide(ctx, goName, cookie, epmd.Port, &cfg, slog.New(r.warn)); err != nil {
		return nil, fmt.Errorf("soak: go node: %w", err)
	}
	defer r.g.stop()
	defer r.killPeers()
	if err := r.startPeers(ctx, t, peerSpec{cookie: cookie, dir: dir, epmdPort: epmd.Port, tick: cfg.TickTime}, suffix); err != nil {
		return nil, err
	}
	if err := r.connect(ctx); err != nil {
		return nil, err
	}
	return r.runPhases(ctx, goName)
}

// newRun returns the run state, its warnings counted on the way to
// cfg.Logger (or Warn and above to cfg.Out).
func newRun(cfg Config) *run {
	r := &run{cfg: cfg, peerDowns: map[string]int{}, peerReasons: map[string]int{}, peerProcs: map[string]int{}}
	var inner slog.Handler
	if cfg.Logger != nil {
		inner = cfg.Logger.Handler()
	} else {
		inner = slog.NewTextHandler(cfg.Out, &slog.HandlerOptions{Level: slog.LevelWarn})
	}
	r.warn = newCountingHandler(inner)
	return r
}

// startPeers starts the BEAM peers (erl, and elixir when cfg.Elixir) in
// parallel from spec, each named soak_<kind>_<suffix>.
func (r *run) startPeers(ctx context.Context, t tools, spec peerSpec, suffix string) error {
	kinds := []string{"erl"}
	if r.cfg.Elixir {
		kinds = append(kinds, "elixir")
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var startErr error
	for _, k := range kinds {
		wg.Go(func() {
			ps := spec
			ps.kind, ps.name = k, "soak_"+k+"_"+suffix+"@127.0.0.1"
			p, err := startPeer(ctx, t, ps)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				startErr = errors.Join(startErr, err)
				return
			}
			r.peers = append(r.peers, p)
		})
	}
	wg.Wait()
	if startErr != nil {
		return fmt.Errorf("soak: %w", startErr)
	}
	return nil
}

// killPeers kills every peer, in parallel, with the warnings their
// going down causes muted.
func (r *run) killPeers() {
	r.warn.mute()
	var wg sync.WaitGroup
	for _, p := range r.peers {
		wg.Go(p.kill)
	}
	wg.Wait()
}

// runPhases runs phases until cfg.Duration has passed (at least one per
// configured kind) and returns the report; a peer that exits ends it.
func (r *run) runPhases(ctx context.Context, goName string) (*Report, error) {
	cfg := r.cfg
	rep := &Report{GoNode: goName, TickTime: cfg.TickTime, Idle: cfg.Idle}
	for _, p := range r.peers {
		rep.Peers = append(rep.Peers, fmt.Sprintf("%s %s (OTP %s)", p.kind, p.name, p.otp))
	}
	fmt.Fprintf(cfg.Out, "soak: Go node %s, peers %s; net_ticktime %s, idle gaps %s, phases for %s\n",
		goName, strings.Join(rep.Peers, ", "), cfg.TickTime, cfg.Idle, cfg.Duration)
	r.nodedowns(ctx, &tally{})
	r.baseProcs = r.procs()
	r.base = takeSample()
	r.last = r.base
	start := time.Now()
	for i := 0; i < len(cfg.Kinds) || time.Since(start) < cfg.Duration; i++ {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		res := r.phase(ctx, i+1, cfg.Kinds[i%len(cfg.Kinds)])
		rep.Phases = append(rep.Phases, res)
		fmt.Fprintln(cfg.Out, progressLine(res))
		for _, p := range r.peers {
			if p.exited() {
				rep.Elapsed = time.Since(start)
				return rep, fmt.Errorf("%w: %s %s: %s", errPeerExited, p.kind, p.name, p.proc.Stderr())
			}
		}
	}
	rep.Elapsed = time.Since(start)
	rep.Warnings = r.warn.first()
	return rep, nil
}

// connect sets up the connections (the Go node dials erl; elixir dials
// the Go node, so both handshake roles are soaked), says hello (the peer
// monitors the Go node from then on) and arms the Go side's monitor_node.
func (r *run) connect(ctx context.Context) error {
	var names []etf.Atom
	for _, p := range r.peers {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		var err error
		if p.kind == "elixir" {
			err = p.dial(cctx, string(r.g.n.Name()))
		} else {
			err = r.g.n.Connect(cctx, etf.Atom(p.name))
		}
		cancel()
		if err != nil {
			return fmt.Errorf("soak: connect %s: %w", p.name, err)
		}
		if _, err := r.call(ctx, node.Name{Name: beamServer, Node: etf.Atom(p.name)}, etf.Tuple{etf.Atom("hello"), r.g.n.Name()}); err != nil {
			return fmt.Errorf("soak: hello %s: %w", p.name, err)
		}
		names = append(names, etf.Atom(p.name))
	}
	r.g.watch.setPeers(names)
	return r.g.watch.arm(r.g.n)
}

func (r *run) call(ctx context.Context, to, req etf.Term) (etf.Term, error) {
	return r.callTimeout(ctx, to, req, callTimeout)
}

func (r *run) callTimeout(ctx context.Context, to, req etf.Term, d time.Duration) (etf.Term, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return r.g.n.Call(ctx, to, req)
}

// phase runs one phase of kind and its idle gap.
func (r *run) phase(ctx context.Context, n int, kind string) PhaseResult {
	res := PhaseResult{N: n, Kind: kind, GoroutinesBase: r.base.goroutines, HeapBase: r.base.heap,
		GoroutinesPre: r.last.goroutines, HeapPre: r.last.heap}
	t := &tally{}
	_ = r.g.watch.arm(r.g.n)
	downs0 := r.nodedowns(ctx, t)
	warn0 := r.warn.count()

	c := r.cfg
	div := 1
	if kind == KindMixed {
		div = 2
	}
	half := func(v int) int { return max(1, v/div) }
	start := time.Now()
	// Rounds repeat until the phase time has passed; each round has fresh
	// receivers, callers and workers (its id names the BEAM receivers).
	phaseTime := c.PhaseTime
	if kind == KindPush || kind == KindPull {
		// One-way traffic must last past a whole tick timeout (OTP
		// declares a peer dead after TickTime to 5/4 TickTime of silence).
		phaseTime = max(phaseTime, c.TickTime*5/4)
	}
	for round := 0; round == 0 || time.Since(start) < phaseTime; round++ {
		if ctx.Err() != nil {
			break
		}
		id := n*1000 + round
		var wg sync.WaitGroup
		for _, p := range r.peers {
			if kind == KindBurst || kind == KindMixed || kind == KindPush {
				wg.Go(func() { r.burstTo(ctx, p, id, half(c.Pairs), half(c.Messages), t) })
			}
			if kind == KindBurst || kind == KindMixed || kind == KindPull {
				wg.Go(func() { r.burstFrom(ctx, p, id, half(c.Pairs), half(c.Messages), t) })
			}
			if kind == KindCalls || kind == KindMixed {
				wg.Go(func() { r.callsTo(ctx, p, half(c.Callers), half(c.Calls), t) })
				wg.Go(func() { r.callsFrom(ctx, p, half(c.Callers), half(c.Calls), t) })
			}
			if kind == KindChurn || kind == KindMixed {
				wg.Go(func() { r.churnTo(ctx, p, half(c.Churners), half(c.Churn), t) })
				wg.Go(func() { r.churnFrom(ctx, p, half(c.Churners), half(c.Churn), t) })
			}
		}
		wg.Wait()
		res.Rounds++
	}
	res.Duration = time.Since(start)

	// The idle gap: nothing is sent, only ticks flow. The footprint is
	// checked at its end, when whatever the node releases once idle (the
	// write buffers are dropped at the first idle tick) has been released;
	// a slow machine gets a bounded poll on top.
	idleStart := time.Now()
	select {
	case <-ctx.Done():
	case <-time.After(c.Idle):
	}
	res.Idle = time.Since(idleStart)
	s, ok := settle(ctx, r.base, c.GoroutineSlack, c.HeapSlack, c.Settle)
	res.GoroutinesPost, res.HeapPost, res.Settled = s.goroutines, s.heap, ok
	r.last = s
	if testHookIdle != nil {
		testHookIdle(n)
	}

	res.Nodedowns = r.nodedowns(ctx, t) - downs0
	res.BEAMProcsBase, res.BEAMProcs = r.baseProcs, r.procs()
	if res.BEAMProcs > r.baseProcs+beamProcSlack {
		res.Settled = false
		t.errorf("BEAM peers run %d processes, %d after setup", res.BEAMProcs, r.baseProcs)
	}
	res.Warnings = r.warn.count() - warn0
	res.Messages, res.Calls, res.Churn = t.messages, t.calls, t.churn
	res.Lost, res.Reordered, res.BadPayload = t.lost, t.reordered, t.badPayload
	res.FailedCalls, res.FailedChurn, res.FailedControl = t.failedCalls, t.failedChurn, t.failedCtrl
	res.Errors = t.errs
	return res
}

// nodedowns returns the nodedowns counted so far on the Go side and on
// every peer (of the Go node), and records the peers' new nodedown reasons
// as errors of t.
func (r *run) nodedowns(ctx context.Context, t *tally) int {
	total := r.g.watch.total()
	for _, p := range r.peers {
		reply, err := r.call(ctx, node.Name{Name: beamServer, Node: etf.Atom(p.name)}, etf.Atom("stats"))
		st, ok := reply.(etf.Tuple)
		if err == nil && (!ok || len(st) != 3) {
			err = fmt.Errorf("bad reply %s", etf.Format(reply))
		}
		if err != nil {
			t.control(p.kind+" stats", err)
			total += r.peerDowns[p.name]
			continue
		}
		d, _ := intOf(st[0])
		r.peerDowns[p.name] = d
		r.peerProcs[p.name], _ = intOf(st[2])
		total += d
		reasons, _ := st[1].(etf.List)
		for _, reason := range reasons[min(len(reasons), r.peerReasons[p.name]):] {
			t.errorf("%s saw nodedown %s", p.kind, textOf(reason))
		}
		r.peerReasons[p.name] = len(reasons)
	}
	return total
}

// beamProcSlack is how many processes above their count after setup the
// peers may run after a phase (OTP's own services come and go).
const beamProcSlack = 50

// procs sums the peers' process counts from the last stats.
func (r *run) procs() int {
	n := 0
	for _, c := range r.peerProcs {
		n += c
	}
	return n
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
