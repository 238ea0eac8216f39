package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/erlgo/erlgo/bench"
)

// benchFlags are the flags of `erlgo bench`.
type benchFlags struct {
	workloads, sides, pairs, idle      *string
	rounds, n                          *int
	duration                           *time.Duration
	quick, noWarmup                    *bool
	jsonPath, svgPath, mdPath, cpuProf *string
	render                             *string
}

func parseBenchFlags(args []string) (*benchFlags, error) {
	fs := newFlagSet("bench", "[-quick] [flags]", "")
	f := &benchFlags{
		workloads: fs.String("workloads", "", "comma list of workloads, or "+bench.WorkloadShapes+" for every shape-* workload (default all: "+strings.Join(bench.WorkloadNames(), ",")+")"),
		sides:     fs.String("sides", "", "comma list of sides (default all: "+strings.Join(bench.SideNames(), ",")+")"),
		rounds:    fs.Int("rounds", 0, "measured rounds per side and case (default 5, -quick 3)"),
		pairs:     fs.String("pairs", "", "comma list of sender/receiver pair counts, replacing the defaults (default 1,2,8 and 64 callers for call; -quick 1,8 and 64 for call)"),
		n:         fs.Int("n", 0, "messages per sender and round; calls and 16 KiB messages use n/10, 1 KiB binaries n/4, 1 MiB messages n/100, etf-term n (default 100000, -quick 10000)"),
		duration:  fs.Duration("duration", 0, "instead of -n, calibrate each side and case to about this long per round"),
		idle:      fs.String("idle-procs", "", "comma list of idle process counts for idle-memory (default 100000)"),
		quick:     fs.Bool("quick", false, "quick run (< 60 s on 2 cores): 3 rounds, n 10000, pairs 1,8"),
		noWarmup:  fs.Bool("no-warmup", false, "skip the discarded warm-up run per side and case"),
		jsonPath:  fs.String("json", "bench-results/results.json", "write the JSON report here (empty: skip)"),
		svgPath:   fs.String("svg", "bench-results/chart.svg", "write the SVG chart here (empty: skip)"),
		mdPath:    fs.String("md", "bench-results/results.md", "write the Markdown table here too (empty: skip)"),
		cpuProf:   fs.String("cpuprofile", "", "write a CPU profile of this process (the Go sides) here, and of go-go's peer process to <path>.peer"),
		render:    fs.String("render", "", "measure nothing: re-render the table, -svg and -md from this JSON report"),
	}
	return f, parseFlags(fs, args)
}

// runBench runs `erlgo bench`: every workload on every side, alternating
// rounds, then writes a Markdown table to stdout (and -md), JSON (-json) and
// an SVG chart (-svg). Progress goes to stderr.
func runBench(args []string) error {
	if len(args) > 0 && args[0] == "-peer" {
		return runBenchPeer(args[1:])
	}
	f, err := parseBenchFlags(args)
	if err != nil {
		return err
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	env := benchEnv(cfg)
	defer env.Close()
	ss, err := bench.NewSides(env, splitList(*f.sides))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg.Progress = os.Stderr

	start := time.Now()
	var rep *bench.Report
	if *f.render != "" {
		if rep, err = readReport(*f.render); err != nil {
			return err
		}
		*f.jsonPath = ""
	} else if rep, err = measure(ctx, env, cfg, ss, *f.cpuProf); err != nil {
		return err
	}
	if err := writeBenchOutputs(rep, f); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench took %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// config turns the flags into a bench.Config.
func (f *benchFlags) config() (bench.Config, error) {
	cfg := bench.DefaultConfig()
	if *f.quick {
		cfg = bench.QuickConfig()
	}
	cfg.Workloads = splitList(*f.workloads)
	if *f.rounds > 0 {
		cfg.Rounds = *f.rounds
	}
	if *f.n > 0 {
		cfg.N = *f.n
	}
	cfg.Duration = *f.duration
	cfg.NoWarmup = *f.noWarmup
	var err error
	if *f.pairs != "" {
		if cfg.Pairs, err = intList(*f.pairs); err != nil {
			return cfg, fmt.Errorf("-pairs: %w", err)
		}
		cfg.ManyPairs = nil // the given counts are all that runs
	}
	if *f.idle != "" {
		if cfg.IdleProcs, err = intList(*f.idle); err != nil {
			return cfg, fmt.Errorf("-idle-procs: %w", err)
		}
	}
	return cfg, nil
}

// benchEnv is the environment the sides share: go-go's peer command and
// erl's process limit for large idle-memory counts.
func benchEnv(cfg bench.Config) *bench.Env {
	env := &bench.Env{}
	if exe, err := os.Executable(); err == nil {
		// go-go's receiving node runs in a second copy of this program.
		env.PeerCommand = []string{exe, "bench", "-peer"}
	}
	for _, p := range cfg.IdleProcs {
		if p > 200_000 { // erl's default process limit is 262,144
			env.ErlArgs = append(env.ErlArgs, "+P", strconv.Itoa(2*p))
			break
		}
	}
	return env
}

// measure runs the benchmark, under a CPU profile when cpuProf is set.
func measure(ctx context.Context, env *bench.Env, cfg bench.Config, ss []bench.Side, cpuProf string) (*bench.Report, error) {
	machine := bench.DescribeMachine(ctx, env)
	if cpuProf != "" {
		env.PeerArgs = []string{"-cpuprofile", cpuProf + ".peer"}
		stop, err := bench.StartCPUProfile(cpuProf)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	rep, err := bench.Run(ctx, cfg, ss)
	if err != nil {
		return nil, err
	}
	rep.Machine = machine
	return rep, nil
}

// writeBenchOutputs writes the table to stdout and the -json, -svg and -md
// files that are asked for.
func writeBenchOutputs(rep *bench.Report, f *benchFlags) error {
	if err := rep.WriteTable(os.Stdout); err != nil {
		return err
	}
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{
		{*f.jsonPath, rep.WriteJSON},
		{*f.svgPath, rep.WriteSVG},
		{*f.mdPath, rep.WriteTable},
	} {
		if out.path == "" {
			continue
		}
		if err := bench.WriteFile(out.path, out.write); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", out.path)
	}
	return nil
}

func readReport(path string) (*bench.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return bench.ReadReport(f)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func intList(s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		v, err := strconv.Atoi(f)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("bad count %q", f)
		}
		out = append(out, v)
	}
	return out, nil
}
