package bench

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors.
var (
	// ErrNotBuilt is returned by Side.Start when the erlgo package the side
	// needs has not been built yet; the report shows "n/a (not built yet)".
	ErrNotBuilt = errors.New("not built yet")
	// ErrUnavailable is returned by Side.Start when an external tool the
	// side needs (erl, erlc, epmd) is missing.
	ErrUnavailable = errors.New("unavailable")
	// ErrUnsupported is returned by Side.Run for a workload the side does
	// not run (idle-memory over loopback).
	ErrUnsupported = errors.New("workload not supported by this side")
	// ErrUnknownWorkload is returned for a workload name that does not exist.
	ErrUnknownWorkload = errors.New("unknown workload")
	// ErrUnknownSide is returned for a side name that does not exist.
	ErrUnknownSide = errors.New("unknown side")
	// ErrBadResult is returned when a BEAM result line cannot be parsed.
	ErrBadResult = errors.New("bad result line")
)

// Side is one pairing under test, e.g. BEAM local or Go->BEAM.
type Side interface {
	// Name is the side's short name in flags and reports ("beam-local").
	Name() string
	// Baseline is the name of the BEAM side this side is compared with, or
	// "" for a BEAM side.
	Baseline() string
	// Supports reports whether the side runs workload w.
	Supports(w Workload) bool
	// Start prepares the side (starts erl nodes, peers). It returns an error
	// wrapping ErrNotBuilt or ErrUnavailable when the side cannot run.
	Start(ctx context.Context) error
	// Run measures one case once.
	Run(ctx context.Context, c Case) (Result, error)
	// Close releases everything Start acquired; it is safe to call after a
	// failed Start.
	Close() error
}

// Result is one measurement of one case on one side.
type Result struct {
	// Elapsed is the measured wall time (first send to last receive,
	// all calls, all encodes); zero for idle-memory.
	Elapsed time.Duration
	// Ops is the number of operations measured (all pairs together).
	Ops int64
	// P50, P90 and P99 are call latencies (call workload only).
	P50, P90, P99 time.Duration
	// BytesPerProc is the memory per idle process (idle-memory only).
	BytesPerProc float64
	// CtxSwitches is the context switches (voluntary plus involuntary,
	// summed over the threads in /proc/<pid>/task/*/status) per operation
	// of the side's measured processes together: the Go processes of the
	// erlgo sides (go-go: both), the erl processes of the BEAM sides
	// (beam-beam: both); 0 when not measured.
	CtxSwitches float64
}

// Value is the case's main metric: operations per second, MB/s for
// KindBytes, bytes per process for idle-memory, or milliseconds per round
// trip for KindShape.
func (r Result) Value(c Case) float64 {
	if c.Workload.Kind == KindMemory {
		return r.BytesPerProc
	}
	if c.Workload.Kind == KindShape {
		if r.Ops <= 0 {
			return 0
		}
		return r.Elapsed.Seconds() * 1e3 / float64(r.Ops)
	}
	if c.Workload.Kind == KindBytes {
		return r.OpsPerSecond() * float64(c.Workload.MsgBytes) / 1e6
	}
	return r.OpsPerSecond()
}

// OpsPerSecond is Ops over Elapsed, 0 without an elapsed time.
func (r Result) OpsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}
