package port

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// portProc is the Behavior of a port's process. It traps exits (so that
// its owner's exit reaches it whatever the reason, as a port closes when
// its owner terminates) and owns four goroutines: the stdin writer, the
// stdout reader (which also reports the end), the stderr reader and the
// waiter that reaps the program.
type portProc struct {
	name  string
	args  []string
	cfg   config
	owner *node.Process
	self  *node.Process
	prog  *osProc
	wq    *writeQueue

	stop    chan struct{} // closed by Terminate: readers stop delivering
	exited  chan struct{} // closed once the program is reaped
	outDone chan struct{} // closed once stdout (and stderr) reached EOF
	dead    chan struct{} // closed at the end of Terminate
	wg      sync.WaitGroup
	state   *os.ProcessState // set before exited is closed

	closers   []etf.PID // senders of {Pid, close}, owed {Port, closed}
	closing   bool
	closeWait atomic.Int32 // Close calls waiting: the window is lifted
}

// Internal messages, pointer types so that no term can be mistaken for one.
type (
	// doneMsg: the output ended and the program was reaped, or reading
	// failed (err).
	doneMsg struct{ err error }
	// commandMsg: data from Command, already framed and booked in wq.
	commandMsg struct{ data []byte }
	// closeMsg: Close was called.
	closeMsg struct{}
	// escalateMsg: the grace period after Close (or after SIGTERM) passed.
	escalateMsg struct{ sig syscall.Signal }
)

// Init starts the program and its goroutines. A start failure makes Open
// fail with ErrStart.
func (s *portProc) Init(p *node.Process) error {
	s.self = p
	prog, err := startProgram(s.name, s.args, &s.cfg)
	if err != nil {
		return err
	}
	s.prog = prog
	s.wq = newWriteQueue(prog.stdin, s.cfg.writeBuf)
	s.stop, s.exited, s.outDone, s.dead = make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	s.wg.Add(3)
	go func() { defer s.wg.Done(); s.wq.run(s.stop) }()
	go func() {
		defer s.wg.Done()
		_ = prog.cmd.Wait() // the status is in ProcessState; pipes are ours to close
		s.state = prog.cmd.ProcessState
		close(s.exited)
	}()
	go func() { defer s.wg.Done(); s.watchOutput() }()
	return nil
}

// watchOutput reads stdout (and stderr) to the end, waits for the program
// to be reaped, and tells the port process: all data is then in the
// owner's mailbox, ahead of the exit_status the process sends next.
func (s *portProc) watchOutput() {
	var errDone chan struct{}
	if s.prog.stderr != nil {
		errDone = make(chan struct{})
		s.wg.Add(1)
		go func() { defer s.wg.Done(); defer close(errDone); s.readStderr(s.prog.stderr) }()
	}
	err := s.readOutput(s.prog.stdout)
	if err == nil && errDone != nil {
		select {
		case <-errDone:
		case <-s.stop:
		}
	}
	close(s.outDone)
	if err == nil {
		select {
		case <-s.exited:
		case <-s.stop:
			return
		}
	}
	_ = s.self.Send(s.self.Self(), &doneMsg{err: err})
}

// HandleMessage serves the owner's requests in open_port's message forms
// and the port's own events.
func (s *portProc) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case *doneMsg:
		return s.finish(m.err)
	case *commandMsg:
		s.wq.push(m.data, true)
	case *closeMsg:
		s.beginClose()
	case *escalateMsg:
		s.escalate(m.sig)
	case node.ExitMsg:
		// The owner's exit closes the port whatever its reason; another
		// linked process's exit acts as on a process that does not trap.
		if m.From == s.owner.Self() || m.Reason != node.Normal {
			return &node.ExitError{Reason: m.Reason}
		}
	case etf.Tuple:
		return s.request(m)
	case node.DownMsg, node.NodeDownMsg, node.NodeUpMsg:
	default:
		s.badsig("unexpected message", msg)
	}
	return nil
}

// reqKind is what a message to the port asks for.
type reqKind uint8

const (
	reqBad     reqKind = iota // badsig to the owner, the port keeps running
	reqCommand                // write data
	reqClose                  // close, then reply {Port, closed}
)

// parseRequest reads {Pid, {command, Data}} and {Pid, close}. As in ERTS,
// anything else, a Pid that is not the owner or Data that is not iodata
// is bad: the owner gets an exit signal badsig and the port keeps running
// (why says what was wrong, for the log). {Pid, {connect, NewOwner}} is
// not supported and bad too.
func parseRequest(owner etf.PID, m etf.Tuple) (kind reqKind, data []byte, why string) {
	from, ok := m[0].(etf.PID)
	if len(m) != 2 || !ok || from != owner {
		return reqBad, nil, "message not from the owner"
	}
	switch req := m[1].(type) {
	case etf.Atom:
		if req == atomClose {
			return reqClose, nil, ""
		}
	case etf.Tuple:
		if len(req) == 2 && req[0] == atomCommand {
			if data, err := etf.AppendIOData(nil, req[1]); err == nil {
				return reqCommand, data, ""
			}
			return reqBad, nil, "command data is not iodata"
		}
		if len(req) == 2 && req[0] == atomConnect {
			return reqBad, nil, "connect is not supported"
		}
	}
	return reqBad, nil, "unknown port request"
}

// request serves a tuple sent to the port.
func (s *portProc) request(m etf.Tuple) error {
	kind, data, why := parseRequest(s.owner.Self(), m)
	switch kind {
	case reqClose:
		s.closers = append(s.closers, s.owner.Self())
		s.beginClose()
	case reqCommand:
		framed, err := s.frame(data)
		if err != nil {
			return &node.ExitError{Reason: atomEinval} // as ERTS for {packet,1} over 255 bytes
		}
		s.wq.push(framed, false)
	default:
		s.badsig(why, m)
	}
	return nil
}

// frame prepends the {packet, N} header, copying data.
func (s *portProc) frame(data []byte) ([]byte, error) {
	if s.cfg.framing != Packet {
		return data, nil
	}
	h, err := frameHeader(s.cfg.n, len(data))
	if err != nil {
		return nil, err
	}
	return append(h, data...), nil
}

func (s *portProc) badsig(why string, msg etf.Term) {
	s.self.Logger().Debug("port: "+why+": owner gets badsig", "message", etf.Format(msg))
	_ = s.self.Exit(s.owner.Self(), atomBadsig)
}

// beginClose closes stdin after what is queued and gives the program the
// grace period to exit before SIGTERM.
func (s *portProc) beginClose() {
	if s.closing {
		return
	}
	s.closing = true
	s.wq.closeInput()
	s.self.SendAfter(s.cfg.grace, s.self.Self(), &escalateMsg{sig: syscall.SIGTERM})
}

func (s *portProc) escalate(sig syscall.Signal) {
	if s.ended() {
		return
	}
	s.self.Logger().Debug("port: program still running after the grace period", "signal", sig.String())
	_ = s.prog.signalGroup(sig)
	if sig == syscall.SIGTERM {
		s.self.SendAfter(s.cfg.grace, s.self.Self(), &escalateMsg{sig: syscall.SIGKILL})
	}
}

// finish ends the port once its output is delivered: exit_status (if
// asked for), {Port, closed} to those who sent close, then exit normal.
// A reading error (a packet over the maximum) is the exit reason instead.
func (s *portProc) finish(err error) error {
	if err != nil {
		if errors.Is(err, ErrMsgSize) {
			s.self.Logger().Debug("port: packet over the maximum", "error", err)
			return &node.ExitError{Reason: atomEmsgsize}
		}
		return err
	}
	me := s.self.Self()
	if s.cfg.exitStatus {
		_ = s.self.Send(s.owner.Self(), etf.Tuple{me, etf.Tuple{atomExitStatus, exitCode(s.state)}})
	}
	for _, pid := range s.closers {
		_ = s.self.Send(pid, etf.Tuple{me, atomClosed})
	}
	return &node.ExitError{Reason: node.Normal}
}

// Terminate makes sure nothing outlives the port: the program's process
// group gets SIGTERM, then SIGKILL after the grace period, the program is
// reaped, the pipes are closed and every goroutine has returned.
func (s *portProc) Terminate(p *node.Process, reason etf.Term) {
	close(s.stop)
	s.stopGroup()
	s.wq.abort()
	s.prog.stdout.Close()
	if s.prog.stderr != nil {
		s.prog.stderr.Close()
	}
	s.wg.Wait()
	close(s.dead)
}

// stopGroup ends the program and whatever it started in its group, unless
// both the program has exited and its output ended (then the group is
// empty or holds only daemons that closed their pipes, which a port does
// not own).
func (s *portProc) stopGroup() {
	if s.ended() {
		return
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		if err := s.prog.signalGroup(sig); err != nil {
			s.self.Logger().Warn("port: cannot signal the program", "signal", sig.String(), "error", err)
		}
		if s.waitEnded(s.cfg.grace) {
			return
		}
		s.self.Logger().Debug("port: program outlived its grace period", "signal", sig.String())
	}
}

// ended reports whether the program was reaped and its output ended. Until
// both, something of the group is still running: a program that closed
// stdout, or a child it left holding the pipe.
func (s *portProc) ended() bool {
	select {
	case <-s.exited:
	default:
		return false
	}
	select {
	case <-s.outDone:
		return true
	default:
		return false
	}
}

// waitEnded waits up to d for the program to be reaped and its output to
// end (a killed group closes its pipes).
func (s *portProc) waitEnded(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for _, ch := range []chan struct{}{s.exited, s.outDone} {
		select {
		case <-ch:
		case <-t.C:
			return false
		}
	}
	return true
}
