// Package udp gives erlgo processes UDP sockets in gen_udp's shapes: a
// socket is a process linked to its owner (it closes when the owner
// exits, and the owner gets an exit signal or a DOWN when it dies), which
// delivers {udp, Socket, IP, Port, Data} messages (Datagram) in active,
// once or passive mode, and sends to any address.
//
//	s, err := udp.Open(ctx, p, "127.0.0.1:0")
//	...
//	err = s.Send(ctx, netip.MustParseAddrPort("127.0.0.1:9000"), []byte("ping"))
//	...
//	case udp.Datagram: // in the owner's HandleMessage
//		reply to m.Addr()
//
// A socket never queues more than one datagram itself: when the
// controller does not take them (passive without Recv, once not re-armed,
// a full mailbox window), datagrams wait in the kernel's receive buffer,
// which drops what does not fit, as UDP does.
package udp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/active"
	"github.com/erlgo/erlgo/node"
)

// Socket is an open UDP socket seen as a process. Its identity in
// messages is its process's pid (ID). The methods are safe from any
// goroutine; Recv and SetActive are meant for the controlling process.
type Socket struct {
	id   etf.PID
	n    *node.Node
	conn *net.UDPConn
	ctl  active.Controlled[Datagram] // its gate and the controlling-process protocol
	self *node.Process
	done chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	closing bool
}

// Open opens a UDP socket bound to addr ("host:port"; port 0 picks a
// free one) and returns it, a process spawned linked to owner (its
// controlling process) and trapping exits: gen_udp:open/2. When owner
// exits, for any reason, the socket closes.
func Open(ctx context.Context, owner *node.Process, addr string, opts ...Option) (*Socket, error) {
	if owner == nil {
		return nil, fmt.Errorf("%w: nil owner", ErrBadOption)
	}
	cfg := config{active: Active, window: DefaultWindow}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.window <= 0 || cfg.active < Passive || cfg.active > Active {
		return nil, fmt.Errorf("%w: window or active mode", ErrBadOption)
	}
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return nil, err
	}
	s := &Socket{n: owner.Node(), conn: pc.(*net.UDPConn), done: make(chan struct{}),
		ctl: active.Controlled[Datagram]{Gate: active.New[Datagram](cfg.active, owner, cfg.window)}}
	sopts := append([]node.SpawnOption{node.WithTrapExit(), node.WithLogAttrs("udp", pc.LocalAddr().String())}, cfg.spawnOpts...)
	if _, err := s.n.Spawn(sockProc{s}, sopts...); err != nil {
		_ = pc.Close()
		return nil, err
	}
	return s, nil
}

// ID is the socket's identity: the pid of its process.
func (s *Socket) ID() etf.PID { return s.id }

// LocalAddr is the address the socket is bound to.
func (s *Socket) LocalAddr() netip.AddrPort { return s.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// Controller is the controlling process's pid.
func (s *Socket) Controller() etf.PID { return s.ctl.Gate.Controller().Self() }

// Done is closed once the socket's process has exited and the socket is
// closed.
func (s *Socket) Done() <-chan struct{} { return s.done }

// Send sends data as one datagram to `to` (gen_udp:send/4). UDP does not
// wait for the peer: Send returns once the kernel took the datagram. It
// fails with ErrClosed on a closed socket, with ctx's error if ctx has
// ended, and with the net error for a datagram the kernel refuses (too
// large: EMSGSIZE).
func (s *Socket) Send(ctx context.Context, to netip.AddrPort, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.exited() {
		return ErrClosed
	}
	if _, err := s.conn.WriteToUDPAddrPort(data, to); err != nil {
		if errors.Is(err, net.ErrClosed) {
			return ErrClosed
		}
		return err
	}
	return nil
}

// Recv receives the next datagram in passive mode (gen_udp:recv/3),
// waiting under ctx and, if timeout > 0, at most timeout (ErrTimeout). It
// fails with ErrNotPassive in an active mode and ErrClosed once closed.
func (s *Socket) Recv(ctx context.Context, timeout time.Duration) (Datagram, error) {
	d, err := s.ctl.Gate.Take(ctx, timeout)
	switch {
	case errors.Is(err, active.ErrTimeout):
		return d, ErrTimeout
	case errors.Is(err, active.ErrNotPassive):
		return d, ErrNotPassive
	case errors.Is(err, active.ErrStopped):
		return d, ErrClosed
	}
	return d, err
}

// SetActive changes the active mode (inet:setopts(S, [{active, M}])).
func (s *Socket) SetActive(m ActiveMode) error {
	if m < Passive || m > Active {
		return fmt.Errorf("%w: unknown active mode", ErrBadOption)
	}
	if s.exited() {
		return ErrClosed
	}
	s.ctl.Gate.SetMode(m)
	return nil
}

// ControllingProcess makes p the controlling process
// (gen_udp:controlling_process/2): the socket links to p, unlinks from
// the previous one and delivers to p from then on.
func (s *Socket) ControllingProcess(p *node.Process) error {
	if p == nil {
		return fmt.Errorf("%w: nil controlling process", ErrBadOption)
	}
	if s.exited() {
		return ErrClosed
	}
	if err := active.SetController(s.n, s.id, p, s.done); err != nil {
		if errors.Is(err, active.ErrStopped) {
			return ErrClosed
		}
		return err
	}
	return nil
}

// Close closes the socket (gen_udp:close/1) and waits for its process to
// exit; the controller gets no exit signal from it (the socket unlinks
// first). Close on a closed socket returns nil.
func (s *Socket) Close() error {
	s.mu.Lock()
	already := s.closing
	s.closing = true
	s.mu.Unlock()
	if !already {
		_ = s.n.Send(s.id, &active.Close{})
	}
	<-s.done
	return nil
}

func (s *Socket) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
