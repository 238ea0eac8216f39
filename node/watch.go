package node

import (
	"context"

	"github.com/erlgo/erlgo/etf"
)

// Watch returns a channel that receives the exit reason of the local
// process pid once it has exited (its links and monitors are being
// notified at that point, its name is already free), then is closed. It is
// the Go-side counterpart of a monitor for code that is not a process: a
// supervisor waiting for a child, a test, a caller of Stop. For a pid that
// is not a live local process the channel holds NoProc at once, as a
// monitor gets DOWN noproc. Remote processes are watched with
// Process.Monitor.
//
// The subscription lives as long as the process; an abandoned channel
// costs a few bytes until then.
func (n *Node) Watch(pid etf.PID) <-chan etf.Term {
	ch := make(chan etf.Term, 1)
	if pid.Node == n.name {
		if p := n.lookup(pid); p != nil {
			p.mu.Lock()
			if p.state < stateDead {
				x := p.extLocked()
				x.exitCh = append(x.exitCh, ch)
				p.mu.Unlock()
				return ch
			}
			p.mu.Unlock()
		}
	}
	ch <- NoProc
	close(ch)
	return ch
}

// WaitExit blocks until the local process pid exits and returns its exit
// reason (NoProc if it was not alive), or returns ctx's error first.
func (n *Node) WaitExit(ctx context.Context, pid etf.PID) (etf.Term, error) {
	select {
	case r := <-n.Watch(pid):
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
