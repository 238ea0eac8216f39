package bench

import (
	"os/exec"
	"slices"
	"testing"
)

// requireOrFail finds the tools the shape test needs and fails (never
// skips) without them: the shape rows are the targets.
func requireOrFail(t *testing.T, tools ...string) {
	t.Helper()
	for _, name := range tools {
		if _, err := exec.LookPath(name); err != nil {
			t.Fatalf("%s not found on PATH: the shape workloads need a real %s (install erlang-nox and elixir): %v", name, name, err)
		}
	}
}

// TestShapeWorkloads checks the shape rows' names, selection and metric.
func TestShapeWorkloads(t *testing.T) {
	want := []string{"shape-bins1000x10k", "shape-bin10m-x3", "shape-erpc32k", "shape-map50k",
		"shape-exgencall20k", "shape-tuples200k", "shape-echo40k"}
	single := map[string]bool{"shape-bins1000x10k": true, "shape-map50k": true, "shape-tuples200k": true}
	cfg := Config{Workloads: []string{WorkloadShapes}}
	ws, err := cfg.workloads()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range Cases(ws, []int{1, 8}, 100_000, nil, 64) {
		ids = append(ids, c.ID())
		if c.Pairs != 1 || c.Unit() != "ms" || c.HigherIsBetter() {
			t.Errorf("%s: pairs %d unit %q higher-is-better %v", c.ID(), c.Pairs, c.Unit(), c.HigherIsBetter())
		}
		// The full run makes five round trips of each single term and
		// one batch of the concurrent calls per round.
		wantN := 1
		if single[c.ID()] {
			wantN = 5
		}
		if c.N != wantN {
			t.Errorf("%s: n = %d, want %d", c.ID(), c.N, wantN)
		}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("shape cases %v, want %v", ids, want)
	}
	// The default run includes them, after the existing rows.
	all := WorkloadNames()
	for _, name := range want {
		if !slices.Contains(all, name) {
			t.Errorf("default workloads lack %s", name)
		}
	}
	if i := slices.Index(all, want[0]); i < slices.Index(all, RefTCPPingPong) {
		t.Errorf("shape rows come before the existing ones: %v", all)
	}
	c := Case{Workload: ws[0], Pairs: 1, N: 4}
	if got := (Result{Elapsed: 100e6, Ops: 4}).Value(c); got != 25 {
		t.Errorf("4 round trips in 100 ms = %v ms each, want 25", got)
	}
	if got := erlCommand(Case{Workload: ws[0], Pairs: 1, N: 2, Shape: Shape{Count: 3, Bytes: 7}}, "n@h"); got != "run shape-bins1000x10k 1 2 n@h 3 7" {
		t.Errorf("command %q", got)
	}
}

// TestShapesRoundTrip runs every shape, tiny, from a real erl driver
// against both echo servers: a gen_server on a second erl node
// (beam-beam) and the echo actor on a Go node (beam-go; erpc through
// interop, GenServer.call from Elixir's own module). The driver compares
// every reply with what it sent, so an echo that loses, alters or
// reorders a term fails the run. Only the loopback erl-driven sides run
// shapes.
func TestShapesRoundTrip(t *testing.T) {
	requireOrFail(t, "erl", "erlc", "epmd", "elixir")
	t.Parallel()
	env := sharedEnv
	ws, err := lookupWorkloads(WorkloadShapes)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Side{NewBEAMLocal(env), NewGoLocal(env), NewGoGo(env), NewGoBEAM(env)} {
		if s.Supports(ws[0]) {
			t.Errorf("%s claims to run the shapes", s.Name())
		}
	}
	for _, side := range []Side{NewBEAMBEAM(env), NewBEAMGo(env)} {
		t.Run(side.Name(), func(t *testing.T) {
			ctx := startSide(t, side)
			for _, w := range ws {
				if !side.Supports(w) {
					t.Fatalf("%s does not run %s", side.Name(), w.Name)
				}
				size := Shape{Count: 50}
				if w.Shape.Bytes > 0 {
					size = Shape{Count: 3, Bytes: 100 << 10}
				}
				c := Case{Workload: w, Pairs: 1, N: 2, Shape: size}
				r, err := side.Run(ctx, c)
				if err != nil {
					t.Fatalf("%s: %v", c.ID(), err)
				}
				if r.Ops != 2 || r.Value(c) <= 0 || r.CtxSwitches <= 0 {
					t.Errorf("%s: result %+v", c.ID(), r)
				}
			}
		})
	}
}
