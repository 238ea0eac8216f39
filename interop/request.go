// Spec: STDLIB The Erlang I/O Protocol, https://www.erlang.org/doc/apps/stdlib/io_protocol.html

package interop

import (
	"context"
	"errors"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// ErrNoGroupLeader is returned by Format and PutChars for a process that
// has no group leader.
var ErrNoGroupLeader = errors.New("interop: process has no group leader")

// requester is a short-lived process that sends one request to a
// monitored target and waits for the matching reply: the receive-with-
// monitor pattern BEAM code writes inline, for protocols other than
// gen_server's (the io protocol).
type requester struct {
	target etf.Term
	build  func(self etf.PID, tag etf.Ref) etf.Term
	match  func(tag etf.Ref, msg etf.Term) (etf.Term, bool)
	tag    etf.Ref
	mref   etf.Ref
	done   chan requestResult
}

type requestResult struct {
	reply etf.Term
	err   error
}

type cancelSignal struct{}

func (r *requester) Init(p *node.Process) error {
	r.tag = p.Node().MakeRef()
	ref, err := p.Monitor(r.target)
	if err != nil {
		return err
	}
	r.mref = ref
	return p.Send(r.target, r.build(p.Self(), r.tag))
}

func (r *requester) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case cancelSignal:
		return errStopNormal
	case node.DownMsg:
		if m.Ref != r.mref {
			return nil
		}
		err := error(&node.ExitError{Reason: m.Reason})
		r.done <- requestResult{err: err}
		return errStopNormal
	}
	if reply, ok := r.match(r.tag, msg); ok {
		p.Demonitor(r.mref)
		r.done <- requestResult{reply: reply}
		return errStopNormal
	}
	return nil
}

func (r *requester) Terminate(*node.Process, etf.Term) {}

// request sends build(self, tag) to target from a temporary process and
// waits for a message accepted by match, the target's death or ctx.
func request(ctx context.Context, n *node.Node, target etf.Term,
	build func(self etf.PID, tag etf.Ref) etf.Term,
	match func(tag etf.Ref, msg etf.Term) (etf.Term, bool)) (etf.Term, error) {
	r := &requester{target: target, build: build, match: match, done: make(chan requestResult, 1)}
	pid, err := n.Spawn(r)
	if err != nil {
		return nil, err
	}
	select {
	case res := <-r.done:
		return res.reply, res.err
	case <-ctx.Done():
		_ = n.Send(pid, cancelSignal{})
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, node.ErrTimeout
		}
		return nil, ctx.Err()
	}
}
