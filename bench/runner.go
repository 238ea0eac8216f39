package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// Config selects what Run measures. The zero value of a field means its
// default (see DefaultConfig).
type Config struct {
	// Workloads are workload names (WorkloadShapes: every shape
	// workload); empty means all.
	Workloads []string
	// Pairs are the pair counts for flood and call workloads.
	Pairs []int
	// ManyPairs are further pair counts for the call workload only: many
	// callers over one connection. Not defaulted: DefaultConfig and
	// QuickConfig set 64.
	ManyPairs []int
	// Rounds is how many measured rounds every side runs per case.
	Rounds int
	// N is the messages per sender and round before the workload's Scale.
	N int
	// Duration, when positive, replaces N by a per-side calibration: a
	// warm-up run measures the rate and each round then runs about
	// Duration. idle-memory always uses IdleProcs.
	Duration time.Duration
	// IdleProcs are the process counts of idle-memory.
	IdleProcs []int
	// NoWarmup skips the discarded warm-up run per side and case.
	NoWarmup bool
	// Progress receives one line per measurement; nil discards them.
	Progress io.Writer
}

// DefaultConfig returns the full benchmark: every workload, pairs 1/2/8
// (and 64 callers for call), 5 rounds, 100,000 messages per sender (10,000 calls per caller, 25,000
// 1 KiB binaries, 100,000 etf-term encodes), 100,000 idle processes.
func DefaultConfig() Config {
	return Config{Pairs: []int{1, 2, 8}, ManyPairs: []int{64}, Rounds: 5, N: 100_000, IdleProcs: []int{100_000}}
}

// QuickConfig returns the -quick benchmark, which finishes in under a
// minute on an otherwise idle 2-core machine: 3 rounds, 10,000 messages per
// sender (1,000 calls per caller), pairs 1 and 8 (and 64 callers for call).
func QuickConfig() Config {
	return Config{Pairs: []int{1, 8}, ManyPairs: []int{64}, Rounds: 3, N: 10_000, IdleProcs: []int{100_000}}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if len(c.Pairs) == 0 {
		c.Pairs = d.Pairs
	}
	if c.Rounds <= 0 {
		c.Rounds = d.Rounds
	}
	if c.N <= 0 {
		c.N = d.N
	}
	if len(c.IdleProcs) == 0 {
		c.IdleProcs = d.IdleProcs
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return c
}

// workloads resolves the configured names.
func (c Config) workloads() ([]Workload, error) {
	if len(c.Workloads) == 0 {
		return Workloads(), nil
	}
	var ws []Workload
	for _, name := range c.Workloads {
		w, err := lookupWorkloads(name)
		if err != nil {
			return nil, err
		}
		ws = append(ws, w...)
	}
	return ws, nil
}

// sideState is the runner's bookkeeping for one side.
type sideState struct {
	side    Side
	status  string // "ok", "n/a (...)" or "error: ..."
	results map[string][]Result
	errs    map[string]error
	n       map[string]int // calibrated N per case ID
}

// Run starts every side, runs every case for cfg.Rounds rounds, alternating
// the sides in a rotating order within each round, closes the sides and
// returns the report. A side that fails to start or to run a case is
// reported as such; Run itself fails only on a bad Config or a cancelled ctx.
func Run(ctx context.Context, cfg Config, sides []Side) (*Report, error) {
	cfg = cfg.withDefaults()
	ws, err := cfg.workloads()
	if err != nil {
		return nil, err
	}
	cases := Cases(ws, cfg.Pairs, cfg.N, cfg.IdleProcs, cfg.ManyPairs...)
	start := time.Now()
	states, closeSides := startSides(ctx, cfg, sides)
	defer closeSides()
	// Warm-up (and, with cfg.Duration, calibration) run per side and case.
	if !cfg.NoWarmup || cfg.Duration > 0 {
		if err := warmUp(ctx, cfg, cases, states); err != nil {
			return nil, err
		}
	}
	for round := range cfg.Rounds {
		if err := runRound(ctx, cfg, cases, states, round); err != nil {
			return nil, err
		}
	}
	return buildReport(cfg, cases, states, start), nil
}

// startSides starts every side; one that fails is closed at once and
// keeps its status. closeSides closes the started ones, the last first.
func startSides(ctx context.Context, cfg Config, sides []Side) (states []*sideState, closeSides func()) {
	states = make([]*sideState, len(sides))
	var started []Side
	for i, s := range sides {
		st := &sideState{side: s, status: "ok", results: map[string][]Result{}, errs: map[string]error{}, n: map[string]int{}}
		states[i] = st
		fmt.Fprintf(cfg.Progress, "starting %s\n", s.Name())
		if err := s.Start(ctx); err != nil {
			st.status = statusOf(err)
			fmt.Fprintf(cfg.Progress, "  %s: %s\n", s.Name(), st.status)
			_ = s.Close()
			continue
		}
		started = append(started, s)
	}
	return states, func() {
		for i := len(started) - 1; i >= 0; i-- {
			_ = started[i].Close()
		}
	}
}

// warmUp runs every case once per side, discarded: at a tenth of N, or,
// with cfg.Duration, at full N to calibrate the N of the measured rounds.
// A side that fails a case skips it from then on.
func warmUp(ctx context.Context, cfg Config, cases []Case, states []*sideState) error {
	for _, c := range cases {
		for _, st := range states {
			if err := ctx.Err(); err != nil {
				return err
			}
			if st.status != "ok" || !st.side.Supports(c.Workload) || c.Workload.Kind == KindMemory {
				continue
			}
			wc := c
			if cfg.Duration <= 0 {
				wc.N = max(1, c.N/10)
			}
			r, err := st.side.Run(ctx, wc)
			if err != nil {
				st.errs[c.ID()] = err
				fmt.Fprintf(cfg.Progress, "[warm-up] %-18s %-10s %s\n", c.ID(), st.side.Name(), statusOf(err))
				continue
			}
			if cfg.Duration > 0 {
				st.n[c.ID()] = calibrate(r, wc, cfg.Duration)
			}
		}
	}
	return nil
}

// runRound runs every case once on every side that still runs it.
func runRound(ctx context.Context, cfg Config, cases []Case, states []*sideState, round int) error {
	for _, c := range cases {
		// Rotate among the sides that run this case, so that each
		// of them goes first in some round.
		var active []*sideState
		for _, st := range states {
			if st.status == "ok" && st.side.Supports(c.Workload) && st.errs[c.ID()] == nil {
				active = append(active, st)
			}
		}
		for i := range active {
			st := active[(i+round)%len(active)]
			if err := ctx.Err(); err != nil {
				return err
			}
			rc := c
			if n, ok := st.n[c.ID()]; ok {
				rc.N = n
			}
			r, err := st.side.Run(ctx, rc)
			if err != nil {
				// A failed side skips this case from now on: an erl
				// node that missed an answer is in an unknown state.
				st.errs[c.ID()] = err
				fmt.Fprintf(cfg.Progress, "[round %d/%d] %-18s %-10s %s\n", round+1, cfg.Rounds, c.ID(), st.side.Name(), statusOf(err))
				continue
			}
			st.results[c.ID()] = append(st.results[c.ID()], r)
			fmt.Fprintf(cfg.Progress, "[round %d/%d] %-18s %-10s %s\n", round+1, cfg.Rounds, c.ID(), st.side.Name(), formatResult(r, rc))
		}
	}
	return nil
}

// calibrate picks the per-pair operation count that makes one round of c
// last about d at the rate measured by r.
func calibrate(r Result, c Case, d time.Duration) int {
	rate := r.OpsPerSecond() / float64(max(c.Pairs, 1))
	if rate <= 0 || math.IsInf(rate, 0) || math.IsNaN(rate) {
		return c.N
	}
	floor := 1000.0
	if c.Workload.Kind == KindShape {
		floor = 1 // one round trip of a shape can take a second
	}
	return int(min(max(rate*d.Seconds(), floor), 50_000_000))
}

func statusOf(err error) string {
	switch {
	case errors.Is(err, ErrNotBuilt):
		return "n/a (not built yet)"
	case errors.Is(err, ErrUnavailable):
		return "n/a (" + err.Error() + ")"
	default:
		return "error: " + err.Error()
	}
}

// formatResult is the human form of one measurement for progress lines.
func formatResult(r Result, c Case) string {
	s := FormatValue(r.Value(c), c) + " " + c.Unit()
	if c.Workload.Kind == KindCall {
		s += fmt.Sprintf("  p50 %s p90 %s p99 %s", FormatLatency(float64(r.P50)), FormatLatency(float64(r.P90)), FormatLatency(float64(r.P99)))
	}
	if r.CtxSwitches > 0 {
		s += fmt.Sprintf("  %.2f ctxsw/op", r.CtxSwitches)
	}
	if r.Elapsed > 0 {
		s += fmt.Sprintf("  (%s)", r.Elapsed.Round(time.Millisecond))
	}
	return s
}
