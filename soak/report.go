package soak

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// PhaseResult is what one phase did and saw.
type PhaseResult struct {
	N        int
	Kind     string
	Rounds   int           // workload rounds run back to back (see Config.PhaseTime)
	Duration time.Duration // traffic time, without the idle gap
	Idle     time.Duration // the idle gap that followed

	Messages, Calls, Churn int // sent messages, calls made, churn rounds
	// Nodedowns counts unexpected nodedowns during the phase and its gap,
	// on the Go side (monitor_node per peer) and on the peers (monitor_node
	// of the Go node).
	Nodedowns      int
	Lost           int // messages that never arrived
	Reordered      int // messages that arrived after a later one of their pair
	BadPayload     int // corrupted, duplicated or misrouted messages
	FailedCalls    int
	FailedChurn    int // churn rounds with a missing, extra or wrong EXIT/DOWN
	FailedControl  int // runner<->peer control calls that failed
	Warnings       int // warnings the Go node logged
	GoroutinesBase int
	GoroutinesPre  int
	GoroutinesPost int
	HeapBase       uint64
	HeapPre        uint64
	HeapPost       uint64
	BEAMProcsBase  int  // processes on the peers after setup
	BEAMProcs      int  // and after the phase's idle gap
	Settled        bool // goroutines, heap and BEAM processes came back within the slack
	Errors         []string
}

// OK reports whether the phase is clean.
func (p PhaseResult) OK() bool {
	return p.Nodedowns == 0 && p.Lost == 0 && p.Reordered == 0 && p.BadPayload == 0 &&
		p.FailedCalls == 0 && p.FailedChurn == 0 && p.FailedControl == 0 && p.Settled
}

// problems lists what made the phase fail.
func (p PhaseResult) problems() []string {
	var out []string
	add := func(n int, what string) {
		if n != 0 {
			out = append(out, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(p.Nodedowns, "nodedowns")
	add(p.Lost, "lost")
	add(p.Reordered, "reordered")
	add(p.BadPayload, "bad messages")
	add(p.FailedCalls, "failed calls")
	add(p.FailedChurn, "failed churn rounds")
	add(p.FailedControl, "failed control calls")
	if !p.Settled {
		out = append(out, fmt.Sprintf("goroutines %d / heap %s / BEAM processes %d not back to baseline %d / %s / %d",
			p.GoroutinesPost, mib(p.HeapPost), p.BEAMProcs, p.GoroutinesBase, mib(p.HeapBase), p.BEAMProcsBase))
	}
	return out
}

// Report is a whole run.
type Report struct {
	GoNode   string
	Peers    []string // "erl name@host (OTP 25)"
	TickTime time.Duration
	Idle     time.Duration
	Elapsed  time.Duration
	Phases   []PhaseResult
	// Warnings are the first warnings the Go node logged (its logged
	// connection closes are the first place to look after a nodedown).
	Warnings []string
}

// Err returns nil when every phase was clean, else an error matching
// ErrFailed that names the failing phases.
func (r *Report) Err() error {
	var bad []string
	for _, p := range r.Phases {
		if !p.OK() {
			bad = append(bad, fmt.Sprintf("phase %d (%s): %s", p.N, p.Kind, strings.Join(p.problems(), ", ")))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrFailed, strings.Join(bad, "; "))
}

// Totals sums the phases.
func (r *Report) Totals() PhaseResult {
	var t PhaseResult
	t.Settled = true
	for _, p := range r.Phases {
		t.Duration += p.Duration
		t.Idle += p.Idle
		t.Messages += p.Messages
		t.Calls += p.Calls
		t.Churn += p.Churn
		t.Nodedowns += p.Nodedowns
		t.Lost += p.Lost
		t.Reordered += p.Reordered
		t.BadPayload += p.BadPayload
		t.FailedCalls += p.FailedCalls
		t.FailedChurn += p.FailedChurn
		t.FailedControl += p.FailedControl
		t.Warnings += p.Warnings
		t.Settled = t.Settled && p.Settled
	}
	return t
}

// progressLine is the line printed after each phase.
func progressLine(p PhaseResult) string {
	status := "ok"
	if !p.OK() {
		status = "FAIL: " + strings.Join(p.problems(), ", ")
	}
	return fmt.Sprintf("phase %d %-5s %d rounds %6s + idle %s: %d msgs, %d calls, %d churn; goroutines %d->%d heap %s->%s, BEAM processes %d: %s",
		p.N, p.Kind, p.Rounds, p.Duration.Round(10*time.Millisecond), p.Idle.Round(100*time.Millisecond),
		p.Messages, p.Calls, p.Churn, p.GoroutinesPre, p.GoroutinesPost, mib(p.HeapPre), mib(p.HeapPost), p.BEAMProcs, status)
}

// WriteTable writes the summary table: one row per phase and a total.
func (r *Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "soak: Go node %s with %s; net_ticktime %s, idle gaps %s, %s in all\n",
		r.GoNode, strings.Join(r.Peers, ", "), r.TickTime, r.Idle, r.Elapsed.Round(time.Second))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tkind\tduration\tmessages\tcalls\tchurn\tnodedowns\tlost\treordered\tbad msgs\tfailed calls\tfailed churn\tgoroutines before/after\theap before/after\t")
	row := func(n, kind string, p PhaseResult, gor, heap string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t\n", n, kind,
			p.Duration.Round(10*time.Millisecond), p.Messages, p.Calls, p.Churn, p.Nodedowns, p.Lost,
			p.Reordered, p.BadPayload, p.FailedCalls+p.FailedControl, p.FailedChurn, gor, heap)
	}
	for _, p := range r.Phases {
		row(fmt.Sprint(p.N), p.Kind, p, fmt.Sprintf("%d/%d", p.GoroutinesPre, p.GoroutinesPost),
			mib(p.HeapPre)+"/"+mib(p.HeapPost))
	}
	if len(r.Phases) > 0 {
		first, last := r.Phases[0], r.Phases[len(r.Phases)-1]
		row("all", "", r.Totals(), fmt.Sprintf("%d/%d", first.GoroutinesBase, last.GoroutinesPost),
			mib(first.HeapBase)+"/"+mib(last.HeapPost))
	}
	_ = tw.Flush()
	if err := r.Err(); err != nil {
		fmt.Fprintf(w, "FAIL %v\n", err)
		for _, p := range r.Phases {
			for _, e := range p.Errors {
				fmt.Fprintf(w, "  phase %d: %s\n", p.N, e)
			}
		}
	} else {
		fmt.Fprintln(w, "PASS: no nodedown, no lost or reordered message, no failed call; goroutines and heap back to baseline after every phase")
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(w, "  go node warning: %s\n", wn)
	}
}

func mib(b uint64) string { return fmt.Sprintf("%.1fMiB", float64(b)/(1<<20)) }
