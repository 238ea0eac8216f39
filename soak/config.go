package soak

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
)

var (
	// ErrUnavailable is returned when erl, erlc, epmd or elixir is missing.
	ErrUnavailable = errors.New("soak: Erlang tools unavailable")
	// ErrFailed is returned (wrapped, with a summary) by Report.Err when a
	// phase saw a nodedown, a lost or reordered message, a failed call or
	// churn operation, or goroutines/heap that did not come back.
	ErrFailed = errors.New("soak: failed")
)

// Phase kinds, run in this order, round and round, for the duration.
const (
	KindBurst = "burst" // sends in both directions, per-pair sequence numbers
	KindCalls = "calls" // many callers, Go->BEAM gen_server and BEAM->Go gen_server/erpc
	KindChurn = "churn" // remote spawn, link/unlink, monitor/demonitor, exit, both ways
	KindMixed = "mixed" // all three at once, at half size
	KindPush  = "push"  // Go->BEAM sends only: the Go side only writes, its peers only tick back
	KindPull  = "pull"  // BEAM->Go sends only: the Go side only reads, and ticks
)

// Kinds lists the phase kinds in run order.
func Kinds() []string {
	return []string{KindBurst, KindCalls, KindChurn, KindMixed, KindPush, KindPull}
}

// Config is one soak run. The zero value of a field means its default;
// DefaultConfig and ShortConfig fill them all.
type Config struct {
	// Duration is how long phases keep starting; every kind runs at least
	// once. Setup and the last phase come on top.
	Duration time.Duration
	// TickTime is net_ticktime on every node (whole seconds: erl takes
	// -kernel net_ticktime in seconds).
	TickTime time.Duration
	// Idle is the idle gap after each phase; it must be longer than
	// TickTime (default 1.5 x TickTime + 1 s), so a connection that cannot
	// keep itself alive by ticks alone goes down inside the gap.
	Idle time.Duration
	// PhaseTime is how long a phase repeats its workload round (at least
	// once); 0 means one round.
	PhaseTime time.Duration
	// Kinds are the phase kinds to cycle through (default Kinds()).
	Kinds []string
	// Elixir adds the Elixir peer (default in DefaultConfig and
	// ShortConfig); without it only the erl peer runs.
	Elixir bool

	Pairs    int // sender/receiver pairs per direction and peer in a burst
	Messages int // messages per pair
	Callers  int // callers per direction and peer
	Calls    int // calls per caller
	Churners int // churn workers per direction and peer
	Churn    int // rounds per churn worker

	// GoroutineSlack and HeapSlack are how far above the baseline taken
	// after setup goroutines and live heap may stay after a phase.
	GoroutineSlack int
	HeapSlack      uint64
	// Settle bounds the wait, after the idle gap, for goroutines and heap
	// to come back.
	Settle time.Duration
	// Deadline bounds each workload of a phase (a collect, a batch of
	// remote calls, a churn round); on a loaded machine it must be
	// generous: it catches hangs, it does not measure speed.
	Deadline time.Duration

	// Out receives a progress line per phase and the summary table (nil:
	// discarded).
	Out io.Writer
	// Logger is the Go node's logger (nil: warnings and errors as text to
	// Out). The run counts warnings it logs.
	Logger *slog.Logger
}

// DefaultConfig is the long soak of `erlgo soak` / `make soak`: ten minutes
// with a 10 s ticktime, so the idle gaps are 16 s, and phases of 20 s of
// traffic.
func DefaultConfig() Config {
	return Config{
		Duration: 10 * time.Minute, TickTime: 10 * time.Second, PhaseTime: 20 * time.Second, Elixir: true,
		Pairs: 4, Messages: 5000, Callers: 16, Calls: 100, Churners: 4, Churn: 30,
		GoroutineSlack: 10, HeapSlack: 8 << 20, Settle: 30 * time.Second, Deadline: 2 * time.Minute,
	}
}

// ShortConfig is the version that runs in `make test`: about a minute
// with a 2 s ticktime and small phases, sized for a loaded 2-core machine.
func ShortConfig() Config {
	c := DefaultConfig()
	c.Duration, c.TickTime, c.PhaseTime = 30*time.Second, 2*time.Second, 0
	c.Pairs, c.Messages, c.Callers, c.Calls, c.Churners, c.Churn = 4, 2000, 8, 40, 3, 12
	return c
}

func (c *Config) fill() {
	d := DefaultConfig()
	if c.Duration <= 0 {
		c.Duration = d.Duration
	}
	if c.TickTime <= 0 {
		c.TickTime = d.TickTime
	}
	c.TickTime = c.TickTime.Round(time.Second)
	if c.TickTime < time.Second {
		c.TickTime = time.Second
	}
	if c.Idle <= c.TickTime {
		c.Idle = c.TickTime*3/2 + time.Second
	}
	for _, f := range []struct {
		p *int
		d int
	}{
		{&c.Pairs, d.Pairs}, {&c.Messages, d.Messages}, {&c.Callers, d.Callers}, {&c.Calls, d.Calls},
		{&c.Churners, d.Churners}, {&c.Churn, d.Churn}, {&c.GoroutineSlack, d.GoroutineSlack},
	} {
		if *f.p <= 0 {
			*f.p = f.d
		}
	}
	if c.HeapSlack == 0 {
		c.HeapSlack = d.HeapSlack
	}
	if c.Settle <= 0 {
		c.Settle = d.Settle
	}
	if c.Deadline <= 0 {
		c.Deadline = d.Deadline
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if len(c.Kinds) == 0 {
		c.Kinds = Kinds()
	}
}

// checkKinds reports an unknown phase kind.
func (c *Config) checkKinds() error {
	for _, k := range c.Kinds {
		if !slices.Contains(Kinds(), k) {
			return fmt.Errorf("soak: unknown phase kind %q (have %s)", k, strings.Join(Kinds(), ", "))
		}
	}
	return nil
}
