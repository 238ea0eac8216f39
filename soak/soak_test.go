package soak

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/erlgo/erlgo/internal/erltest"
)

// logWriter sends each written line to t.Log, so progress shows with -v
// and in a failure's output.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestSoakShort is the soak's short version (ShortConfig: 2 s ticktime,
// about a minute): a Go node, a real erl node and a real elixir node
// exchange bursts, calls and link/monitor/spawn churn in both directions,
// each phase followed by an idle gap past net_ticktime. It asserts
// correctness only: no nodedown, no lost, reordered or corrupted message,
// no failed call or churn round, goroutines and heap back to baseline.
func TestSoakShort(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd", "elixir")
	cfg := ShortConfig()
	cfg.Out = logWriter{t}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg)
	require.NoError(t, err)
	var table strings.Builder
	rep.WriteTable(&table)
	t.Log("\n" + table.String())
	require.NoError(t, rep.Err())
	require.GreaterOrEqual(t, len(rep.Phases), len(Kinds()))
	tot := rep.Totals()
	// The phases did run traffic of every kind, in both directions.
	require.Positive(t, tot.Messages)
	require.Positive(t, tot.Calls)
	require.Positive(t, tot.Churn)
	for _, p := range rep.Phases {
		require.GreaterOrEqual(t, p.Idle, cfg.TickTime, "phase %d: idle gap shorter than net_ticktime", p.N)
	}
}
