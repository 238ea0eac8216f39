package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/erlgo/erlgo/soak"
)

// runSoak runs `erlgo soak`: a Go node, a real erl node and a real elixir
// node exchange traffic in phases (bursts, calls, link/monitor/spawn
// churn) with idle gaps past net_ticktime, for -duration. Progress lines
// and the summary table go to stdout; the exit status is 1 when any phase
// failed.
func runSoak(args []string) error {
	fs := newFlagSet("soak", "[-duration 10m] [flags]", "")
	def := soak.DefaultConfig()
	var (
		duration = fs.Duration("duration", def.Duration, "keep starting phases for this long")
		tick     = fs.Duration("ticktime", def.TickTime, "net_ticktime of every node (whole seconds)")
		idle     = fs.Duration("idle", 0, "idle gap after each phase (default 1.5 x ticktime + 1s; must exceed ticktime)")
		phase    = fs.Duration("phase-time", def.PhaseTime, "repeat each phase's workload for this long (0: one round)")
		short    = fs.Bool("short", false, "the small phases of the make test version (ticktime 2s unless -ticktime)")
		kinds    = fs.String("kinds", "", "comma list of phase kinds to cycle through (default "+strings.Join(soak.Kinds(), ",")+")")
		noElixir = fs.Bool("no-elixir", false, "run without the elixir peer")
		pairs    = fs.Int("pairs", 0, "sender/receiver pairs per direction and peer")
		msgs     = fs.Int("messages", 0, "messages per pair and burst")
		callers  = fs.Int("callers", 0, "callers per direction and peer")
		calls    = fs.Int("calls", 0, "calls per caller")
		churners = fs.Int("churners", 0, "churn workers per direction and peer")
		churn    = fs.Int("churn", 0, "rounds per churn worker")
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := def
	if *short {
		cfg = soak.ShortConfig()
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["duration"] || !*short {
		cfg.Duration = *duration
	}
	if set["ticktime"] || !*short {
		cfg.TickTime = *tick
	}
	if set["phase-time"] || !*short {
		cfg.PhaseTime = *phase
	}
	if *idle > 0 && *idle <= cfg.TickTime {
		return fmt.Errorf("-idle %s must be longer than -ticktime %s", *idle, cfg.TickTime)
	}
	cfg.Idle = *idle
	cfg.Elixir = !*noElixir
	if *kinds != "" {
		cfg.Kinds = strings.Split(*kinds, ",")
	}
	for _, o := range []struct {
		v   int
		dst *int
	}{{*pairs, &cfg.Pairs}, {*msgs, &cfg.Messages}, {*callers, &cfg.Callers}, {*calls, &cfg.Calls}, {*churners, &cfg.Churners}, {*churn, &cfg.Churn}} {
		if o.v > 0 {
			*o.dst = o.v
		}
	}
	cfg.Out = os.Stdout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	rep, err := soak.Run(ctx, cfg)
	if rep != nil {
		fmt.Println()
		rep.WriteTable(os.Stdout)
	}
	if err != nil {
		return err
	}
	if err := rep.Err(); err != nil {
		return fmt.Errorf("failed after %s", time.Since(start).Round(time.Second))
	}
	return nil
}
