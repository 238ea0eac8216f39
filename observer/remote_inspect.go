package observer

import (
	"context"
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
)

// Reasons erlgo_observer raises, mapped back onto the sentinels.
var (
	raisedNoProcess = &interop.Exception{Class: interop.ClassError, Reason: etf.Atom("no_process")}
	raisedBadArg    = &interop.Exception{Class: interop.ClassError, Reason: etf.Atom("badarg")}
)

// raised turns a sentinel into what erlgo_observer raises for it.
func raised(err error) error {
	switch {
	case errors.Is(err, ErrNoProcess):
		return interop.Raise(etf.Atom("no_process"))
	case errors.Is(err, ErrBadQuery):
		return interop.Raise(etf.Atom("badarg"))
	}
	return err
}

// unraised is raised's inverse on the calling side.
func unraised(err error) error {
	switch {
	case errors.Is(err, raisedNoProcess):
		return fmt.Errorf("%w (%v)", ErrNoProcess, err)
	case errors.Is(err, raisedBadArg):
		return fmt.Errorf("%w (%v)", ErrBadQuery, err)
	}
	return err
}

// Process implements Inspector.
func (r *remoteSource) Process(ctx context.Context, pid string, forceState bool) (ProcessDetail, error) {
	k, err := r.targetKind(ctx)
	if err != nil {
		return ProcessDetail{}, err
	}
	if k == kindBEAM {
		return r.beamProcess(ctx, pid, forceState)
	}
	var d ProcessDetail
	err = r.call(ctx, &d, "process", etf.Binary(pid), forceState)
	return d, unraised(err)
}

// Kill implements Inspector.
func (r *remoteSource) Kill(ctx context.Context, pid string, reason etf.Atom) error {
	k, err := r.targetKind(ctx)
	if err != nil {
		return err
	}
	if k == kindBEAM {
		return r.beamKill(ctx, pid, reason)
	}
	_, err = r.rpc(ctx, RPCModule, "kill", etf.Binary(pid), reason)
	if err != nil {
		return fmt.Errorf("observer: %s: %w", r.target, unraised(err))
	}
	return nil
}

// Applications implements Inspector.
func (r *remoteSource) Applications(ctx context.Context) ([]AppInfo, error) {
	k, err := r.targetKind(ctx)
	if err != nil {
		return nil, err
	}
	if k == kindBEAM {
		return r.beamApplications(ctx)
	}
	var apps []AppInfo
	err = r.call(ctx, &apps, "applications")
	return apps, err
}

// Connections implements Inspector.
func (r *remoteSource) Connections(ctx context.Context) ([]ConnInfo, error) {
	k, err := r.targetKind(ctx)
	if err != nil {
		return nil, err
	}
	if k == kindBEAM {
		return r.beamConnections(ctx)
	}
	var cs []ConnInfo
	err = r.call(ctx, &cs, "connections")
	return cs, err
}
