package tcp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/active"
	"github.com/erlgo/erlgo/node"
)

// Listener is a listening socket seen as a process, linked to its owner:
// it accepts connections and starts a Socket for each.
type Listener struct {
	id   etf.PID
	ln   net.Listener
	proc *listenProc
}

// Listen listens on addr ("host:port"; port 0 picks a free one) and
// returns the listener, a process spawned linked to owner and trapping
// exits. Each accepted connection becomes a Socket whose controlling
// process is, by the options:
//   - a new handler process (WithHandler), linked to the listener;
//   - one of a pool of worker processes (WithPool), which receives
//     Accepted;
//   - otherwise owner, which receives Accepted.
//
// At most WithMaxConns connections are open at once; beyond, the
// listener stops accepting until one closes (an accept flood waits in the
// kernel's backlog instead of costing memory). When owner exits, for any
// reason, the listener exits too and so do its handlers and workers (exit
// reason shutdown), and with them their sockets; sockets handed to owner
// die with owner. Bad options give ErrBadOption; a failed listen the net
// error.
func Listen(ctx context.Context, owner *node.Process, addr string, opts ...Option) (*Listener, error) {
	if owner == nil {
		return nil, optionError("nil owner")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if cfg.tls != nil {
		ln = tls.NewListener(ln, cfg.tls)
	}
	l := &Listener{ln: ln}
	l.proc = &listenProc{l: l, cfg: cfg, owner: owner, slots: make(chan struct{}, cfg.maxConns),
		children: map[etf.PID]bool{}, pending: map[net.Conn]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	sopts := append([]node.SpawnOption{node.WithTrapExit(), node.WithLogAttrs("tcp_listen", ln.Addr().String())}, cfg.spawnOpts...)
	pid, err := owner.SpawnLink(l.proc, sopts...)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	l.id = pid
	return l, nil
}

// ID is the listener's identity: the pid of its process.
func (l *Listener) ID() etf.PID { return l.id }

// Addr is the address the listener accepts on.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

// Conns is how many accepted connections are open.
func (l *Listener) Conns() int { return int(l.proc.open.Load()) }

// Done is closed once the listener's process has exited.
func (l *Listener) Done() <-chan struct{} { return l.proc.done }

// Close stops accepting and ends the listener's process (exit reason
// normal), its handlers and pool workers (shutdown) and their sockets;
// sockets handed to the owner stay open. It waits for the process to
// exit; Close on a closed listener returns nil.
func (l *Listener) Close() error {
	_ = l.ln.Close()
	_ = l.proc.owner.Node().Send(l.id, &active.Close{})
	<-l.proc.done
	return nil
}

// listenProc is the Behavior of a listener's process: an accept goroutine
// hands connections to it (acceptedMsg), and it starts their sockets, so
// that spawning and linking happen on the listener's own goroutine.
type listenProc struct {
	l     *Listener
	cfg   config
	owner *node.Process
	self  *node.Process
	slots chan struct{} // one token per open connection (WithMaxConns)
	open  atomic.Int32  // sockets started and not ended

	children map[etf.PID]bool // handlers and pool workers
	workers  []*node.Process  // the pool, in turn order
	next     int

	mu      sync.Mutex
	pending map[net.Conn]bool // accepted, not yet handed to a socket

	stop chan struct{}
	done chan struct{}
	wg   sync.WaitGroup
}

type acceptedMsg struct{ conn net.Conn }

func (lp *listenProc) Init(p *node.Process) error {
	lp.self = p
	for range lp.cfg.pool {
		if err := lp.startWorker(-1); err != nil {
			return err
		}
	}
	lp.wg.Add(1)
	go lp.acceptLoop()
	return nil
}

// startWorker starts a pool worker in position i (-1: append).
func (lp *listenProc) startWorker(i int) error {
	var wp *node.Process
	pid, err := lp.self.SpawnLink(lp.cfg.poolWorker(), node.WithBeforeInit(func(p *node.Process) { wp = p }))
	if err != nil {
		return err
	}
	lp.children[pid] = true
	if i < 0 {
		lp.workers = append(lp.workers, wp)
	} else {
		lp.workers[i] = wp
	}
	return nil
}

// acceptLoop takes a slot before each Accept, so that at most maxConns
// connections exist; the socket gives its slot back when it ends.
func (lp *listenProc) acceptLoop() {
	defer lp.wg.Done()
	pause := 5 * time.Millisecond
	for {
		select {
		case lp.slots <- struct{}{}:
		case <-lp.stop:
			return
		}
		conn, err := lp.l.ln.Accept()
		if err != nil {
			<-lp.slots
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and the like: wait instead of spinning, as
			// net/http does.
			lp.self.Logger().Warn("tcp: accept failed", "error", err, "retry_in", pause)
			select {
			case <-time.After(pause):
			case <-lp.stop:
				return
			}
			pause = min(2*pause, time.Second)
			continue
		}
		pause = 5 * time.Millisecond
		lp.mu.Lock()
		lp.pending[conn] = true
		lp.mu.Unlock()
		if lp.self.Send(lp.self.Self(), &acceptedMsg{conn: conn}) != nil {
			return
		}
	}
}

func (lp *listenProc) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case *acceptedMsg:
		lp.mu.Lock()
		delete(lp.pending, m.conn)
		lp.mu.Unlock()
		lp.hand(m.conn)
	case *active.Close:
		return &node.ExitError{Reason: node.Normal}
	case node.ExitMsg:
		return lp.childExit(m)
	default:
		p.Logger().Debug("tcp: listener ignores a message", "message", etf.Format(msg))
	}
	return nil
}

// childExit follows the owner's exit and replaces a pool worker that
// exited.
func (lp *listenProc) childExit(m node.ExitMsg) error {
	if m.From == lp.owner.Self() {
		return &node.ExitError{Reason: m.Reason}
	}
	if !lp.children[m.From] {
		if m.Reason != node.Normal {
			return &node.ExitError{Reason: m.Reason}
		}
		return nil
	}
	delete(lp.children, m.From)
	if m.Reason != node.Normal && m.Reason != node.Shutdown {
		lp.self.Logger().Debug("tcp: connection handler exited", "pid", m.From, "reason", etf.Format(m.Reason))
	}
	for i, w := range lp.workers {
		if w.Self() == m.From {
			if err := lp.startWorker(i); err != nil {
				return fmt.Errorf("tcp: restart pool worker: %w", err)
			}
		}
	}
	return nil
}

// hand starts the socket for an accepted connection under its
// controlling process.
func (lp *listenProc) hand(conn net.Conn) {
	lp.open.Add(1)
	release := func() { lp.open.Add(-1); <-lp.slots }
	n := lp.self.Node()
	switch {
	case lp.cfg.handler != nil:
		s := newSocket(n, lp.cfg, conn, nil)
		s.release = release
		started := false
		pid, err := lp.self.SpawnLink(lp.cfg.handler(s), node.WithBeforeInit(func(hp *node.Process) {
			started = true
			s.ctl.Gate.SetController(hp)
			_ = s.start(hp) // a failure closes the connection; the handler sees ErrClosed
		}))
		if err == nil {
			lp.children[pid] = true
		} else {
			lp.self.Logger().Debug("tcp: handler failed to start", "error", err)
		}
		if !started {
			_ = conn.Close()
			release()
		}
	case len(lp.workers) > 0:
		w := lp.workers[lp.next%len(lp.workers)]
		lp.next++
		lp.startFor(w, conn, release)
	default:
		lp.startFor(lp.owner, conn, release)
	}
}

func (lp *listenProc) startFor(ctrl *node.Process, conn net.Conn, release func()) {
	s := newSocket(lp.self.Node(), lp.cfg, conn, ctrl)
	s.release = release
	s.acceptedBy = lp.l // the socket sends Accepted ahead of its data
	if err := s.start(ctrl); err != nil {
		lp.self.Logger().Debug("tcp: socket failed to start", "error", err)
	}
}

// Terminate stops accepting, closes connections not handed out yet and
// ends the handlers and workers.
func (lp *listenProc) Terminate(p *node.Process, reason etf.Term) {
	close(lp.stop)
	_ = lp.l.ln.Close()
	lp.wg.Wait()
	lp.mu.Lock()
	for c := range lp.pending {
		_ = c.Close()
		<-lp.slots
	}
	lp.pending = nil
	lp.mu.Unlock()
	for pid := range lp.children {
		_ = p.Exit(pid, node.Shutdown)
	}
	close(lp.done)
}
