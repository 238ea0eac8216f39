package bench

import (
	"context"
	"fmt"
)

// goLocal is the Go local side: senders, receivers, callers and echo
// servers as processes of one erlgo node in this OS process.
type goLocal struct{}

// NewGoLocal returns the Go local side.
func NewGoLocal() Side { return &goLocal{} }

func (s *goLocal) Name() string                { return SideGoLocal }
func (s *goLocal) Baseline() string            { return SideBEAMLocal }
func (s *goLocal) Supports(Workload) bool      { return true }
func (s *goLocal) Start(context.Context) error { return nil }
func (s *goLocal) Close() error                { return nil }

func (s *goLocal) Run(ctx context.Context, c Case) (Result, error) {
	switch c.Workload.Kind {
	case KindCodec:
		return runETF(c)
	default:
		return Result{}, fmt.Errorf("go-local %s: node package: %w", c.Workload.Name, ErrNotBuilt)
	}
}

// pendingSide is a side whose erlgo package has not landed yet.
type pendingSide struct {
	name, baseline string
}

func (s pendingSide) Name() string                { return s.name }
func (s pendingSide) Baseline() string            { return s.baseline }
func (s pendingSide) Supports(w Workload) bool    { return !w.LocalOnly }
func (s pendingSide) Close() error                { return nil }
func (s pendingSide) Start(context.Context) error { return fmt.Errorf("%s: %w", s.name, ErrNotBuilt) }
func (s pendingSide) Run(context.Context, Case) (Result, error) {
	return Result{}, fmt.Errorf("%s: %w", s.name, ErrNotBuilt)
}

// NewGoGo returns the Go<->Go loopback side.
func NewGoGo(env *Env) Side { return pendingSide{SideGoGo, SideBEAMBEAM} }

// NewGoBEAM returns the Go->BEAM side.
func NewGoBEAM(env *Env) Side { return pendingSide{SideGoBEAM, SideBEAMBEAM} }

// NewBEAMGo returns the BEAM->Go side.
func NewBEAMGo(env *Env) Side { return pendingSide{SideBEAMGo, SideBEAMBEAM} }

// NewSides builds the named sides (all of SideNames when names is empty),
// in report order.
func NewSides(env *Env, names []string) ([]Side, error) {
	if len(names) == 0 {
		names = SideNames()
	}
	want := map[string]bool{}
	for _, n := range names {
		known := false
		for _, k := range SideNames() {
			known = known || k == n
		}
		if !known {
			return nil, fmt.Errorf("%w: %q", ErrUnknownSide, n)
		}
		want[n] = true
	}
	var sides []Side
	for _, n := range SideNames() {
		if !want[n] {
			continue
		}
		switch n {
		case SideBEAMLocal:
			sides = append(sides, NewBEAMLocal(env))
		case SideBEAMBEAM:
			sides = append(sides, NewBEAMBEAM(env))
		case SideGoLocal:
			sides = append(sides, NewGoLocal())
		case SideGoGo:
			sides = append(sides, NewGoGo(env))
		case SideGoBEAM:
			sides = append(sides, NewGoBEAM(env))
		case SideBEAMGo:
			sides = append(sides, NewBEAMGo(env))
		}
	}
	return sides, nil
}
