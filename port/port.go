package port

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Port is a running external program seen as a process: the handle its
// owner uses to write to it and close it. The port's identity in messages
// is its process's pid (ID).
type Port struct {
	id    etf.PID
	owner *node.Process
	s     *portProc
}

// Open starts the program name with args (found on $PATH unless name has
// a slash) and returns its port, a process spawned linked to owner and
// trapping exits: open_port({spawn_executable, Name}, [{args, Args} |
// Opts]) with owner as the connected process.
//
// The port sends owner {ID, {data, Data}} for the program's output,
// framed as the options say, {ID, {exit_status, Code}} when the program
// has exited (WithExitStatus), and exits normal after that, so a trapping
// owner gets {'EXIT', ID, normal} (ExitMsg) and a monitoring process a
// DOWN. When the owner exits, for any reason, the port exits too and the
// program's process group gets SIGTERM, then SIGKILL after the grace
// period. A program that cannot start makes Open fail with an error
// matching ErrStart and the os/exec or fs cause; bad options give
// ErrBadOption. ctx bounds nothing once the program runs: its life is the
// port's.
func Open(ctx context.Context, owner *node.Process, name string, args []string, opts ...Option) (*Port, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if owner == nil {
		return nil, fmt.Errorf("%w: nil owner", ErrBadOption)
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &portProc{name: name, args: args, cfg: cfg, owner: owner}
	sopts := append([]node.SpawnOption{node.WithTrapExit(), node.WithLogAttrs("port", name)}, cfg.spawnOpts...)
	pid, err := owner.SpawnLink(s, sopts...)
	if err != nil {
		return nil, err
	}
	return &Port{id: pid, owner: owner, s: s}, nil
}

// ID is the port's identity: the pid of its process. Messages from the
// port carry it as their first element; any process, on this node or
// another, may send {OwnerPid, {command, Data}} or {OwnerPid, close} to
// it, and link to or monitor it.
func (p *Port) ID() etf.PID { return p.id }

// OSPid is the program's OS process id, which is also its process group.
func (p *Port) OSPid() int { return p.s.prog.pid() }

// Done is closed once the port's process has ended: the program is
// reaped and the port's pipes and goroutines are gone. The exit signals
// to linked processes and the DOWNs follow right after.
func (p *Port) Done() <-chan struct{} { return p.s.dead }

// ExitStatus returns the program's exit status as exit_status reports it
// (the exit code, or 128+N after signal N) once the program has been
// reaped; ok is false before.
func (p *Port) ExitStatus() (code int, ok bool) {
	select {
	case <-p.s.exited:
		return exitCode(p.s.state), true
	default:
		return 0, false
	}
}

// Command writes data to the program's stdin, framed as the port's
// options say (port_command/2). It returns once data is queued: it waits,
// under ctx, while more than the write buffer (WithWriteBuffer) is
// already waiting for the program to read. Data is copied. It fails with
// ErrClosed once stdin is closed (Close, the program closed it, the port
// exited) and with ErrTooLarge for a packet over the header's maximum.
// Writes keep their order with the owner's other messages to the port.
func (p *Port) Command(ctx context.Context, data []byte) error {
	if p.s.wq.isClosed() || p.exited() {
		return ErrClosed
	}
	var buf []byte // a copy: the caller may reuse data
	if p.s.cfg.framing == Packet {
		h, err := frameHeader(p.s.cfg.n, len(data))
		if err != nil {
			return fmt.Errorf("%w: %d bytes for {packet, %d}", err, len(data), p.s.cfg.n)
		}
		buf = append(h, data...)
	} else {
		buf = append([]byte(nil), data...)
	}
	if err := p.s.wq.reserve(ctx, len(buf)); err != nil {
		return err
	}
	if err := p.owner.Send(p.id, &commandMsg{data: buf}); err != nil {
		p.s.wq.unreserve(len(buf))
		return err
	}
	return nil
}

// Close closes the program's stdin once everything written is flushed
// and waits, under ctx, for the port to exit. A program still running one
// grace period later gets SIGTERM (its process group does), and SIGKILL
// after another. Output the program writes meanwhile, and its
// exit_status, are delivered as usual; the port then exits normal. Close
// on a port that has exited returns nil; ctx's error leaves the close
// running.
//
// An owner blocked in Close cannot drain its mailbox, so while Close
// waits the port delivers output without the window (a sort printing its
// result must not be stalled into SIGKILL); the grace periods bound that
// time. CloseInput is the variant that does not wait.
func (p *Port) Close(ctx context.Context) error {
	if p.exited() {
		return nil
	}
	// Watch, not s.dead: s.dead closes at the end of Terminate, before
	// the node removes the process, its name and its observer entry;
	// Close returns once the port is gone as far as anyone can tell.
	gone := p.owner.Node().Watch(p.id)
	p.s.closeWait.Add(1)
	defer p.s.closeWait.Add(-1)
	p.CloseInput()
	select {
	case <-gone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CloseInput closes the program's stdin once everything written is
// flushed, and returns: the owner then receives the rest of the output,
// the exit_status and the port's EXIT as usual, under the window. The
// grace-period escalation of Close applies.
func (p *Port) CloseInput() {
	_ = p.owner.Send(p.id, &closeMsg{})
}

func (p *Port) exited() bool {
	select {
	case <-p.s.dead:
		return true
	default:
		return false
	}
}
