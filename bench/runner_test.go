package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSide returns a fixed rate per operation and records the order in
// which it ran.
type fakeSide struct {
	name, baseline string
	perOp          time.Duration
	startErr       error
	runErr         error
	log            *[]string
	mu             *sync.Mutex
}

func (f *fakeSide) Name() string                    { return f.name }
func (f *fakeSide) Baseline() string                { return f.baseline }
func (f *fakeSide) Supports(w Workload) bool        { return true }
func (f *fakeSide) Start(ctx context.Context) error { return f.startErr }
func (f *fakeSide) Close() error                    { return nil }
func (f *fakeSide) Run(ctx context.Context, c Case) (Result, error) {
	f.mu.Lock()
	*f.log = append(*f.log, fmt.Sprintf("%s:%s:%d", f.name, c.ID(), c.N))
	f.mu.Unlock()
	if f.runErr != nil {
		return Result{}, f.runErr
	}
	ops := int64(c.N * c.Pairs)
	return Result{
		Elapsed:      time.Duration(ops) * f.perOp,
		Ops:          ops,
		P50:          f.perOp,
		P90:          2 * f.perOp,
		P99:          3 * f.perOp,
		BytesPerProc: float64(f.perOp),
	}, nil
}

func TestRunRotatesSidesAndComputesRatios(t *testing.T) {
	var (
		log []string
		mu  sync.Mutex
	)
	beam := &fakeSide{name: SideBEAMLocal, perOp: 100 * time.Nanosecond, log: &log, mu: &mu}
	goSide := &fakeSide{name: SideGoLocal, baseline: SideBEAMLocal, perOp: 50 * time.Nanosecond, log: &log, mu: &mu}
	loop := &fakeSide{name: SideBEAMBEAM, perOp: 200 * time.Nanosecond, log: &log, mu: &mu}
	notBuilt := &fakeSide{name: SideGoGo, baseline: SideBEAMBEAM, startErr: fmt.Errorf("node: %w", ErrNotBuilt), log: &log, mu: &mu}
	var progress bytes.Buffer
	cfg := Config{Workloads: []string{"flood-int", "call"}, Pairs: []int{1}, Rounds: 3, N: 1000, NoWarmup: true, Progress: &progress}
	rep, err := Run(context.Background(), cfg, []Side{beam, goSide, loop, notBuilt})
	if err != nil {
		t.Fatal(err)
	}

	// Round r starts with side r (mod the sides), so every side leads once.
	var firstOfRound []string
	for i := 0; i < len(log); i += 6 { // 2 cases x 3 runnable sides per round
		firstOfRound = append(firstOfRound, strings.SplitN(log[i], ":", 2)[0])
	}
	if want := []string{SideBEAMLocal, SideGoLocal, SideBEAMBEAM}; strings.Join(firstOfRound, ",") != strings.Join(want, ",") {
		t.Errorf("round leaders = %v, want %v (log %v)", firstOfRound, want, log)
	}

	if len(rep.Rows) != 2 {
		t.Fatalf("rows = %d, want 2", len(rep.Rows))
	}
	cells := map[string]Cell{}
	for _, c := range rep.Rows[1].Cells { // call/p1
		cells[c.Side] = c
	}
	if c := cells[SideGoLocal]; c.Ratio == nil || *c.Ratio != 2 || c.P50Ratio == nil || *c.P50Ratio != 0.5 {
		t.Errorf("go-local cell = %+v, want ratio 2 and p50 ratio 0.5", c)
	}
	if c := cells[SideBEAMLocal]; c.Value.N != 3 || c.Value.Median != 1e7 || c.P50.Median != 100 {
		t.Errorf("beam-local cell = %+v", c)
	}
	if c := cells[SideGoGo]; c.Status != "n/a (not built yet)" {
		t.Errorf("go-go status = %q", c.Status)
	}
	if !strings.Contains(progress.String(), "[round 3/3] call/p1") {
		t.Errorf("progress lacks round lines:\n%s", progress.String())
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not round-trip: %v", err)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| call/p1 | go-local | 20.00M calls/s", "2.00x vs beam-local (p50 0.50x)", "n/a (not built yet)"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
}

func TestRunReportsFailingSide(t *testing.T) {
	var (
		log []string
		mu  sync.Mutex
	)
	beam := &fakeSide{name: SideBEAMLocal, perOp: time.Microsecond, log: &log, mu: &mu}
	broken := &fakeSide{name: SideGoLocal, baseline: SideBEAMLocal, runErr: errors.New("boom"), log: &log, mu: &mu}
	cfg := Config{Workloads: []string{"flood-int"}, Pairs: []int{1}, Rounds: 3, N: 10}
	rep, err := Run(context.Background(), cfg, []Side{beam, broken})
	if err != nil {
		t.Fatal(err)
	}
	// The broken side fails its warm-up and is not run again.
	if n := strings.Count(strings.Join(log, " "), "go-local:"); n != 1 {
		t.Errorf("broken side ran %d times, want 1: %v", n, log)
	}
	cells := rep.Rows[0].Cells
	if cells[0].Value.N != 3 || !strings.HasPrefix(cells[1].Status, "error: boom") || cells[1].Ratio != nil {
		t.Errorf("cells = %+v", cells)
	}
}

func TestRunCalibratesToDuration(t *testing.T) {
	var (
		log []string
		mu  sync.Mutex
	)
	side := &fakeSide{name: SideBEAMLocal, perOp: time.Microsecond, log: &log, mu: &mu}
	cfg := Config{Workloads: []string{"flood-int"}, Pairs: []int{2}, Rounds: 1, N: 100, Duration: 50 * time.Millisecond}
	if _, err := Run(context.Background(), cfg, []Side{side}); err != nil {
		t.Fatal(err)
	}
	// 1 µs per op -> 1e6 ops/s total, 5e5 per pair, 50 ms -> 25,000 per pair.
	if want := []string{"beam-local:flood-int/p2:100", "beam-local:flood-int/p2:25000"}; strings.Join(log, " ") != strings.Join(want, " ") {
		t.Errorf("runs = %v, want %v", log, want)
	}
}

func TestConfigErrors(t *testing.T) {
	_, err := Run(context.Background(), Config{Workloads: []string{"nope"}}, nil)
	if !errors.Is(err, ErrUnknownWorkload) {
		t.Errorf("err = %v, want ErrUnknownWorkload", err)
	}
	if _, err := NewSides(&Env{}, []string{"mars"}); !errors.Is(err, ErrUnknownSide) {
		t.Errorf("err = %v, want ErrUnknownSide", err)
	}
}

func TestCases(t *testing.T) {
	var ids []string
	for _, c := range Cases(Workloads(), []int{1, 8}, 1000, []int{100}, 64) {
		ids = append(ids, fmt.Sprintf("%s:%d", c.ID(), c.N))
	}
	want := "flood-int/p1:1000 flood-int/p8:1000 flood-pidint/p1:1000 flood-pidint/p8:1000 " +
		"flood-bin1k/p1:250 flood-bin1k/p8:250 call/p1:100 call/p8:100 call/p64:12 idle-memory/100:100 " +
		"etf-term/encode:1000 etf-term/decode:1000 msg-16k/p1:100 msg-1m/p1:10 tcp-limit/p1:10 tcp-pingpong/p1:100 " +
		"shape-bins1000x10k:1 shape-bin10m-x3:1 shape-erpc32k:1 shape-map50k:1 shape-exgencall20k:1 shape-tuples200k:1 shape-echo40k:1"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("cases =\n%s\nwant\n%s", got, want)
	}
}

func TestMissingErlangIsReportedNotFatal(t *testing.T) {
	env := &Env{ErlPath: "/nonexistent/erl", ErlcPath: "/nonexistent/erlc", EPMDPath: "/nonexistent/epmd"}
	t.Cleanup(func() { env.Close() })
	for _, s := range []Side{NewBEAMLocal(env), NewBEAMBEAM(env), NewGoBEAM(env), NewBEAMGo(env)} {
		err := s.Start(context.Background())
		s.Close()
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: Start = %v, want ErrUnavailable", s.Name(), err)
		}
	}
	rep, err := Run(context.Background(), Config{Workloads: []string{"idle-memory"}, Rounds: 1, IdleProcs: []int{10}, NoWarmup: true},
		[]Side{NewBEAMLocal(env)})
	if err != nil {
		t.Fatal(err)
	}
	if st := rep.Sides[0].Status; !strings.HasPrefix(st, "n/a (unavailable: ") {
		t.Errorf("status = %q", st)
	}
}
