package soak

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

// TestReceiverCounts feeds a Go receiver a pair with a gap, a late
// message, a corrupted payload, a message of another pair and a duplicate,
// and checks what it and the tally make of them.
func TestReceiverCounts(t *testing.T) {
	results := make(chan pairResult, 1)
	x := &receiver{id: 1, results: results}
	msg := func(id, seq int, p etf.Term) etf.Term { return etf.Tuple{atomSoak, id, seq, p} }
	for _, m := range []etf.Term{
		msg(1, 0, payload(0)),
		msg(1, 1, payload(1)),
		msg(1, 3, payload(3)), // 2 is late, 4 is lost
		msg(1, 2, payload(2)), // reordered
		msg(1, 5, payload(6)), // wrong payload
		msg(2, 6, payload(6)), // another pair's
		etf.Atom("junk"),
	} {
		require.NoError(t, x.HandleMessage(nil, m))
	}
	err := x.HandleMessage(nil, etf.Tuple{atomSoakEnd, 1, 7})
	require.ErrorIs(t, err, &node.ExitError{Reason: node.Normal})
	res := <-results
	assert.Equal(t, pairResult{id: 1, n: 7, got: 5, reordered: 1, bad: 3}, res)

	tl := &tally{}
	tl.addPair("test", res)
	assert.Equal(t, 2, tl.lost) // 4 and 6 never arrived in pair 1
	assert.Equal(t, 1, tl.reordered)
	assert.Equal(t, 3, tl.badPayload)
	assert.NotEmpty(t, tl.errs)
}

func TestPayloadRoundTrip(t *testing.T) {
	for seq := range 1100 {
		b, err := etf.Encode(payload(seq))
		require.NoError(t, err, "seq %d", seq)
		var back etf.Term
		require.NoError(t, etf.Unmarshal(b, &back), "seq %d", seq)
		require.True(t, etf.Equal(back, payload(seq)), "seq %d: %s", seq, etf.Format(back))
		if seq > 0 {
			require.False(t, etf.Equal(payload(seq), payload(seq-1)), "seq %d equals seq %d", seq, seq-1)
		}
	}
}

func TestReportErrAndTable(t *testing.T) {
	ok := PhaseResult{N: 1, Kind: KindBurst, Messages: 10, Settled: true}
	rep := &Report{GoNode: "go@h", Peers: []string{"erl e@h"}, TickTime: 2 * time.Second, Phases: []PhaseResult{ok}}
	require.NoError(t, rep.Err())
	var b bytes.Buffer
	rep.WriteTable(&b)
	assert.Contains(t, b.String(), "PASS")
	for _, col := range []string{"phase", "duration", "messages", "calls", "nodedowns", "lost", "reordered", "failed calls", "goroutines before/after", "heap before/after"} {
		assert.Contains(t, b.String(), col)
	}

	for name, bad := range map[string]func(p *PhaseResult){
		"nodedown":      func(p *PhaseResult) { p.Nodedowns = 1 },
		"lost":          func(p *PhaseResult) { p.Lost = 1 },
		"reordered":     func(p *PhaseResult) { p.Reordered = 1 },
		"bad payload":   func(p *PhaseResult) { p.BadPayload = 1 },
		"failed call":   func(p *PhaseResult) { p.FailedCalls = 1 },
		"failed churn":  func(p *PhaseResult) { p.FailedChurn = 1 },
		"control":       func(p *PhaseResult) { p.FailedControl = 1 },
		"not recovered": func(p *PhaseResult) { p.Settled = false },
	} {
		t.Run(name, func(t *testing.T) {
			p := ok
			p.N = 2
			bad(&p)
			r := &Report{Phases: []PhaseResult{ok, p}}
			err := r.Err()
			require.ErrorIs(t, err, ErrFailed)
			assert.Contains(t, err.Error(), "phase 2")
			var b bytes.Buffer
			r.WriteTable(&b)
			assert.Contains(t, b.String(), "FAIL")
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c := Config{TickTime: 2 * time.Second, Idle: time.Second}
	c.fill()
	assert.Greater(t, c.Idle, c.TickTime, "an idle gap must outlast net_ticktime")
	assert.Equal(t, Kinds(), c.Kinds)
	c.Kinds = []string{"nap"}
	require.Error(t, c.checkKinds())
	_, err := Run(context.Background(), Config{Kinds: []string{"nap"}})
	require.Error(t, err)
	require.False(t, errors.Is(err, ErrFailed))
}

// TestSoakDetectsLossAndReorder injects faults into the Go senders (one
// message of every pair skipped, two swapped) and checks that the BEAM
// receivers count them: the soak's own checks can fail.
func TestSoakDetectsLossAndReorder(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	testHookSend = func(seqs []int) []int {
		seqs = slices.Delete(seqs, 10, 11)      // seq 10 lost
		seqs[20], seqs[21] = seqs[21], seqs[20] // 22 before 21
		return seqs
	}
	t.Cleanup(func() { testHookSend = nil })
	cfg := ShortConfig()
	cfg.Elixir, cfg.Kinds, cfg.Duration = false, []string{KindBurst}, time.Millisecond
	cfg.Pairs, cfg.Messages = 2, 100
	cfg.Out = logWriter{t}
	rep, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Len(t, rep.Phases, 1)
	p := rep.Phases[0]
	assert.Equal(t, 2, p.Lost, "one lost per Go->erl pair")
	assert.Equal(t, 2, p.Reordered, "one late per Go->erl pair")
	assert.Zero(t, p.BadPayload)
	require.ErrorIs(t, rep.Err(), ErrFailed)
	assert.True(t, strings.Contains(rep.Err().Error(), "lost"))
}
