package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// Remote spawn from Go: erlang:spawn_request/5 and spawn_opt/5 toward
// another node. One path serves every form: SpawnRequest books a pending
// request (spawnTable), sends SPAWN_REQUEST and returns; the SPAWN_REPLY,
// handled on the connection's reader goroutine, sets up the caller's half
// of the link and monitor the peer already set up on its side (the reply's
// flags say which), then either delivers a SpawnReplyMsg or completes the
// blocked RemoteSpawn. Because all of this happens before the reader takes
// the next packet, an EXIT or DOWN from a process that died at once always
// finds its link or monitor, and arrives after the reply.

// SpawnReplyMode says which outcomes of a SpawnRequest are reported by a
// SpawnReplyMsg (OTP's {reply, yes | no | error_only | success_only}).
// Links and monitors are set up whatever the mode.
type SpawnReplyMode uint8

// Reply modes; the zero value is SpawnReplyYes.
const (
	SpawnReplyYes         SpawnReplyMode = iota // success and error replies
	SpawnReplyNo                                // no reply at all
	SpawnReplyErrorOnly                         // only a failure is reported
	SpawnReplySuccessOnly                       // only a success is reported
)

// SpawnReplyMsg is the outcome of a SpawnRequest delivered to the
// requesting process: OTP's {spawn_reply, ReqId, ok, Pid} or
// {spawn_reply, ReqId, error, Reason}.
type SpawnReplyMsg struct {
	// Ref is the request id SpawnRequest returned; with SpawnMonitor it is
	// also the ref of the monitor's DownMsg.
	Ref etf.Ref
	// Pid is the new process when Err is nil.
	Pid etf.PID
	// Err is nil on success, else the failure: ErrBadOpt, ErrNotSup,
	// ErrSystemLimit, ErrNoConnection, or an *ExitError with another reason.
	Err error
	// Tag is the reply tag (SpawnReplyTag; default the atom spawn_reply).
	Tag etf.Term
}

// Term returns the tuple a BEAM process would receive: {Tag, Ref, ok, Pid}
// or {Tag, Ref, error, Reason}.
func (m SpawnReplyMsg) Term() etf.Term {
	if m.Err == nil {
		return etf.Tuple{m.Tag, m.Ref, etf.Atom("ok"), m.Pid}
	}
	return etf.Tuple{m.Tag, m.Ref, etf.Atom("error"), reasonOf(m.Err)}
}

// RemoteSpawnOption configures SpawnRequest, RemoteSpawn and
// RemoteSpawnMonitor.
type RemoteSpawnOption func(*remoteSpawnConfig)

type remoteSpawnConfig struct {
	link, monitor bool
	gl            etf.PID
	reply         SpawnReplyMode
	tag           etf.Term
	opts          etf.List // spawn_opt options passed to the peer as given
	err           error    // the first bad option
}

// SpawnLink links the caller and the new process atomically, as the peer
// creates it (spawn_request's link): if the process dies at once, the exit
// signal still arrives.
func SpawnLink() RemoteSpawnOption { return func(c *remoteSpawnConfig) { c.link = true } }

// SpawnMonitor makes the caller monitor the new process atomically
// (spawn_request's monitor); the DownMsg's Ref is the request id. Only
// SpawnRequest takes it: the blocking form is RemoteSpawnMonitor, which
// returns the ref.
func SpawnMonitor() RemoteSpawnOption { return func(c *remoteSpawnConfig) { c.monitor = true } }

// SpawnGroupLeader sets the new process's group leader. The default is the
// caller's; a caller without one (a Go process started without
// WithGroupLeader) passes the node's own pid, which, like a dead group
// leader, makes the remote process's io calls fail at once instead of
// waiting for an io server that is not there.
func SpawnGroupLeader(gl etf.PID) RemoteSpawnOption {
	return func(c *remoteSpawnConfig) { c.gl = gl }
}

// SpawnReply sets which outcomes SpawnRequest reports (default
// SpawnReplyYes). RemoteSpawn and RemoteSpawnMonitor ignore it: they
// always return the outcome.
func SpawnReply(mode SpawnReplyMode) RemoteSpawnOption {
	return func(c *remoteSpawnConfig) {
		if mode > SpawnReplySuccessOnly {
			c.fail(fmt.Errorf("%w: reply mode %d", ErrBadOpt, mode))
		}
		c.reply = mode
	}
}

// SpawnReplyTag sets SpawnReplyMsg.Tag (OTP's {reply_tag, Tag}).
func SpawnReplyTag(tag etf.Term) RemoteSpawnOption {
	return func(c *remoteSpawnConfig) { c.tag = tag }
}

// SpawnOpt passes one erlang:spawn_opt/5 option to the peer as is, e.g.
// etf.Tuple{etf.Atom("priority"), etf.Atom("high")} or
// {fullsweep_after, N}. The peer judges it: BEAM answers an option it does
// not know with ErrBadOpt. The spawn_request options link, monitor,
// {monitor, Opts}, {reply, Mode} and {reply_tag, Tag} are understood here
// too and act as SpawnLink, SpawnMonitor, SpawnReply and SpawnReplyTag.
func SpawnOpt(opt etf.Term) RemoteSpawnOption {
	return func(c *remoteSpawnConfig) {
		switch o := opt.(type) {
		case etf.Atom:
			switch o {
			case "link":
				c.link = true
				return
			case "monitor":
				c.monitor = true
				return
			}
		case etf.Tuple:
			if len(o) == 2 {
				switch o[0] {
				case etf.Atom("monitor"):
					// Monitor options (alias, tag) act on the caller's
					// side in OTP; here the monitor is a plain one.
					c.monitor = true
					return
				case etf.Atom("reply"):
					modes := map[etf.Term]SpawnReplyMode{etf.Atom("yes"): SpawnReplyYes, etf.Atom("no"): SpawnReplyNo,
						etf.Atom("error_only"): SpawnReplyErrorOnly, etf.Atom("success_only"): SpawnReplySuccessOnly}
					m, ok := modes[o[1]]
					if !ok {
						c.fail(fmt.Errorf("%w: %v", ErrBadOpt, o))
						return
					}
					c.reply = m
					return
				case etf.Atom("reply_tag"):
					c.tag = o[1]
					return
				}
			}
		case nil:
			c.fail(fmt.Errorf("%w: nil option", ErrBadOpt))
			return
		}
		c.opts = append(c.opts, opt)
	}
}

func (c *remoteSpawnConfig) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func remoteSpawnOptions(opts []RemoteSpawnOption) remoteSpawnConfig {
	cfg := remoteSpawnConfig{tag: etf.Atom("spawn_reply")}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return cfg
}

// spawnOutcome is what a SPAWN_REPLY (or a failure before one) hands a
// blocked RemoteSpawn through its pendingCall.
type spawnOutcome struct {
	pid etf.PID
	err error
}

// SpawnRequest asks node to spawn a process running module:function(args)
// and returns at once with the request id (erlang:spawn_request/5). The
// outcome arrives later as a SpawnReplyMsg with that Ref, subject to
// SpawnReply; with SpawnLink or SpawnMonitor the link or monitor is set up
// by the peer together with the process, so a process that dies at once
// still delivers its exit signal or DownMsg (after the reply).
//
// Toward a BEAM node module:function must be an exported function loaded
// there (or loadable): like erlang:spawn/4, an unknown one still spawns a
// process, which exits at once with {undef, ...}. Toward a Go node it must
// be registered there with RegisterSpawnable. node may be this node's own
// name, which spawns a local spawnable the same way.
//
// The connection is set up in the background if needed (a spawn request
// never blocks on net_setuptime); failures arrive as the reply:
// ErrNoConnection (unreachable node, or the connection lost before the
// reply), ErrNotSup (the peer did not negotiate DFLAG_SPAWN), ErrBadOpt
// (the peer refused a SpawnOpt option), ErrSystemLimit. The error returned
// here is non-nil only for a bad option, more than 255 arguments, or a
// dead caller.
func (p *Process) SpawnRequest(node, module, function etf.Atom, args etf.List, opts ...RemoteSpawnOption) (etf.Ref, error) {
	cfg := remoteSpawnOptions(opts)
	return p.spawnRequest(node, module, function, args, &cfg, nil)
}

// SpawnRequestAbandon abandons a request made by p's SpawnRequest
// (erlang:spawn_request_abandon/1): it reports false if the request
// already completed (its reply may be in the mailbox) or is unknown. Once
// abandoned no SpawnReplyMsg arrives, and if the peer still spawns the
// process, no link or monitor to p remains: a process linked by request is
// sent an exit signal with reason abandoned, as OTP does, and a monitor is
// removed.
func (p *Process) SpawnRequestAbandon(reqID etf.Ref) bool {
	r := p.node.remote
	if r == nil {
		return false
	}
	return r.spawns.abandon(reqID, p)
}

// RemoteSpawn spawns module:function(args) on node and waits for the new
// process's pid (erlang:spawn_opt/5 toward another node; see SpawnRequest
// for what node and module:function may be, the options and the errors).
// With SpawnLink the link is set up atomically by the peer. SpawnMonitor
// is refused with ErrBadOpt: use RemoteSpawnMonitor, which returns the ref.
//
// Without a ctx deadline the node's call timeout applies (WithCallTimeout).
// When ctx ends first (ErrTimeout for a deadline, ctx.Err() when
// cancelled) the request is abandoned as by SpawnRequestAbandon: a process
// the peer spawns after all does not stay linked, it is sent an exit
// signal abandoned. A killing exit signal received while waiting returns
// an *ExitError at once, as Call does.
func (p *Process) RemoteSpawn(ctx context.Context, node, module, function etf.Atom, args etf.List, opts ...RemoteSpawnOption) (etf.PID, error) {
	cfg := remoteSpawnOptions(opts)
	if cfg.monitor && cfg.err == nil {
		cfg.err = fmt.Errorf("%w: RemoteSpawn does not monitor (use RemoteSpawnMonitor)", ErrBadOpt)
	}
	pid, _, err := p.remoteSpawn(ctx, node, module, function, args, &cfg)
	return pid, err
}

// RemoteSpawnMonitor is RemoteSpawn plus an atomic monitor of the new
// process (erlang:spawn_monitor/4 toward another node): the DownMsg
// carries the returned ref, and arrives even if the process died at once.
func (p *Process) RemoteSpawnMonitor(ctx context.Context, node, module, function etf.Atom, args etf.List, opts ...RemoteSpawnOption) (etf.PID, etf.Ref, error) {
	cfg := remoteSpawnOptions(opts)
	cfg.monitor = true
	return p.remoteSpawn(ctx, node, module, function, args, &cfg)
}

// RemoteSpawn spawns module:function(args) on node from outside any
// process, through a temporary anonymous one; see Process.RemoteSpawn.
// There is no caller to link or to notify, so SpawnLink and SpawnMonitor
// are refused with ErrBadOpt.
func (n *Node) RemoteSpawn(ctx context.Context, node, module, function etf.Atom, args etf.List, opts ...RemoteSpawnOption) (etf.PID, error) {
	if n.stopped.Load() {
		return etf.PID{}, ErrStopped
	}
	cfg := remoteSpawnOptions(opts)
	if (cfg.link || cfg.monitor) && cfg.err == nil {
		cfg.err = fmt.Errorf("%w: Node.RemoteSpawn has no caller process to link or monitor", ErrBadOpt)
	}
	c := n.newProcess(nil, spawnConfig{})
	c.state = stateSystem
	k := pidKey(c.pid)
	n.procs.put(k, c)
	defer n.procs.del(k)
	pid, _, err := c.remoteSpawn(ctx, node, module, function, args, &cfg)
	return pid, err
}

// remoteSpawn is the blocking form: a SpawnRequest whose outcome completes
// the process's pendingCall instead of reaching its mailbox. The
// pendingCall's ref is a fresh one, never sent anywhere, so no message can
// be mistaken for the outcome, and a killing exit signal interrupts the
// wait as it interrupts a Call.
func (p *Process) remoteSpawn(ctx context.Context, node, module, function etf.Atom, args etf.List, cfg *remoteSpawnConfig) (etf.PID, etf.Ref, error) {
	if cfg.err != nil {
		return etf.PID{}, etf.Ref{}, cfg.err
	}
	n := p.node
	waitRef := n.newRef()
	pc, err := p.beginCall(waitRef)
	if err != nil {
		return etf.PID{}, etf.Ref{}, err
	}
	defer p.endCall(waitRef)
	reqID, err := p.spawnRequest(node, module, function, args, cfg, pc)
	if err != nil {
		pc.mu.Lock()
		pc.active = false
		pc.mu.Unlock()
		return etf.PID{}, etf.Ref{}, err
	}
	var timeout time.Duration
	if _, ok := ctx.Deadline(); !ok {
		timeout = n.cfg.callTimeout
	}
	out, err := p.awaitSpawn(ctx, timeout, pc, reqID)
	if err != nil {
		return etf.PID{}, etf.Ref{}, err
	}
	return out.pid, reqID, out.err
}

// awaitSpawn waits for the outcome of request reqID. When ctx ends (or a
// kill interrupts) first, the request is abandoned, unless the reply
// handler already took it: its outcome is then in pc.ch (or follows at
// once) and wins, as a reply racing a Call's timeout does.
func (p *Process) awaitSpawn(ctx context.Context, timeout time.Duration, pc *pendingCall, reqID etf.Ref) (spawnOutcome, error) {
	r := p.node.remote
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	var res callResult
	var gaveUp error
	select {
	case res = <-pc.ch:
	case <-expired:
		gaveUp = ErrTimeout
	case <-ctx.Done():
		gaveUp = ctx.Err()
		if errors.Is(gaveUp, context.DeadlineExceeded) {
			gaveUp = ErrTimeout
		}
	}
	if gaveUp != nil {
		select {
		case res = <-pc.ch: // completed meanwhile (a local spawn completes at once)
		default:
			if r == nil || r.spawns.abandon(reqID, p) {
				deactivate(pc)
				return spawnOutcome{}, gaveUp
			}
			// The reply handler holds the request: it completes pc (or a
			// kill did first) without blocking.
			res = <-pc.ch
		}
	}
	if out, ok := res.reply.(spawnOutcome); ok {
		return out, nil
	}
	// A killing exit signal. The request stays: its reply finds p dead
	// and sends a process linked to it exit noproc, as ERTS does for a
	// reply to a dead process (or, if p is still on its way out, the link
	// carries p's exit reason).
	return spawnOutcome{}, res.err
}

// deactivate ends pc's activation and drops a completion that raced it.
func deactivate(pc *pendingCall) {
	pc.mu.Lock()
	pc.active = false
	pc.mu.Unlock()
	select {
	case <-pc.ch:
	default:
	}
}

// spawnRequest books and sends one request; wait is the blocked
// RemoteSpawn's pendingCall, or nil for a SpawnRequest.
func (p *Process) spawnRequest(node, module, function etf.Atom, args etf.List, cfg *remoteSpawnConfig, wait *pendingCall) (etf.Ref, error) {
	if cfg.err != nil {
		return etf.Ref{}, cfg.err
	}
	if node == "" || module == "" || function == "" {
		return etf.Ref{}, fmt.Errorf("%w: spawn request needs a node, module and function", ErrBadTarget)
	}
	if len(args) > 255 {
		// BEAM cannot apply a function of more than 255 arguments.
		return etf.Ref{}, fmt.Errorf("%w: %d arguments", ErrSystemLimit, len(args))
	}
	if args == nil {
		args = etf.List{}
	}
	if !p.IsAlive() {
		return etf.Ref{}, ErrNotAlive
	}
	n := p.node
	reqID := n.newRef()
	e := &spawnReq{owner: p, link: cfg.link, monitor: cfg.monitor, reply: cfg.reply, tag: cfg.tag}
	if wait != nil {
		e.wait, e.waitRef = wait, wait.ref
		e.reply = SpawnReplyYes
	}
	gl := cfg.gl
	if gl == (etf.PID{}) {
		gl = p.GroupLeader()
	}
	if node == n.name {
		n.spawnLocal(reqID, e, module, function, args, gl)
		return reqID, nil
	}
	r := n.remote
	if r == nil {
		e.finish(reqID, etf.PID{}, ErrNoConnection)
		return reqID, nil
	}
	if gl == (etf.PID{}) {
		gl = n.sys.pid // refuses links and monitors: BEAM's io calls fail at once
	}
	var spawnOpts etf.List
	if cfg.link {
		spawnOpts = append(spawnOpts, etf.Atom("link"))
	}
	if cfg.monitor {
		spawnOpts = append(spawnOpts, etf.Atom("monitor"))
	}
	spawnOpts = append(spawnOpts, cfg.opts...)
	if spawnOpts == nil {
		spawnOpts = etf.List{}
	}
	req := dist.SpawnRequest{ReqID: reqID, From: p.pid, GroupLeader: gl,
		Module: module, Function: function, Arity: len(args), Opts: spawnOpts}
	r.spawns.put(reqID, e)
	send := func(c *dist.Conn, err error) { r.sendSpawnRequest(c, err, req, args) }
	// A setup toward another node is no reason to queue: this request
	// then went through a dial of a node already connected, and failed
	// inside the back-off window of an earlier failed attempt.
	if c := r.readyConn(node); c != nil {
		send(c, nil)
		return reqID, nil
	}
	if n.stopped.Load() {
		send(nil, ErrNoConnection)
		return reqID, nil
	}
	r.inBackground(node, send)
	return reqID, nil
}

// sendSpawnRequest sends req over c (err: the connection could not be set
// up) unless it was abandoned meanwhile.
func (r *remote) sendSpawnRequest(c *dist.Conn, err error, req dist.SpawnRequest, args etf.List) {
	if err != nil {
		r.spawnFailed(req.ReqID, nil, ErrNoConnection)
		return
	}
	if !c.Flags().Has(dist.FlagSpawn) {
		// OTP's spawn_request answers notsup for such a peer (a hidden
		// C node, an old or limited implementation).
		r.spawnFailed(req.ReqID, nil, ErrNotSup)
		return
	}
	if !r.spawns.bind(req.ReqID, c) {
		return // abandoned before it was sent
	}
	if c.Err() != nil {
		// c may have gone down before bind: its HandleConnDown would not
		// have seen the request.
		r.spawnFailed(req.ReqID, c, ErrNoConnection)
		return
	}
	if err := c.Send(req, args); err != nil {
		switch {
		case errors.Is(err, dist.ErrUnsupportedOp):
			err = ErrNotSup
		case c.Err() != nil:
			err = ErrNoConnection
		default: // e.g. an argument that cannot be encoded
			err = fmt.Errorf("node: spawn request: %w", err)
		}
		r.spawnFailed(req.ReqID, c, err)
	}
}

// spawnFailed completes request reqID with err (c non-nil: only if it was
// sent over c).
func (r *remote) spawnFailed(reqID etf.Ref, c *dist.Conn, err error) {
	if e := r.spawns.take(reqID, c, etf.PID{}); e != nil {
		e.finish(reqID, etf.PID{}, err)
	}
}

// inSpawnReply handles SPAWN_REPLY for a request of ours. Links and
// monitors the peer set up (ctl.Flags) get their local half here, on the
// reader goroutine, before any later signal from the new process is read.
func (r *remote) inSpawnReply(c *dist.Conn, ctl dist.SpawnReply) {
	pid, ok := ctl.Result.(etf.PID)
	if ok && pid.Node != c.Peer() {
		r.n.log.Debug("spawn reply with a pid of another node", "peer", c.Peer(), "pid", pid)
		return
	}
	e := r.spawns.take(ctl.ReqID, c, ctl.To)
	if e == nil {
		if ok {
			r.abandonedSpawn(c, ctl, pid)
		}
		return
	}
	if !ok {
		e.finish(ctl.ReqID, etf.PID{}, spawnError(ctl.Result))
		return
	}
	owner := e.owner
	if ctl.Flags&dist.SpawnReplyLink != 0 {
		switch {
		case !owner.addLink(pid):
			// The caller is gone: the new process must not stay linked
			// to nothing.
			_ = c.SendControl(dist.Exit{From: owner.pid, To: pid, Reason: NoProc})
		case !r.book(c, func(pr *peer) { pr.links[[2]etf.PID{owner.pid, pid}] = struct{}{} }):
			owner.signalExit(pid, NoConnection, true)
		}
	}
	if ctl.Flags&dist.SpawnReplyMonitor != 0 {
		booked := r.book(c, func(pr *peer) { pr.monitors[ctl.ReqID] = remoteMonitor{owner: owner.pid, object: pid} })
		switch {
		case !owner.addMonitor(ctl.ReqID, monitorTarget{pid: pid, node: c.Peer()}):
			r.book(c, func(pr *peer) { delete(pr.monitors, ctl.ReqID) })
			_ = c.SendControl(dist.DemonitorP{From: owner.pid, To: pid, Ref: ctl.ReqID})
		case !booked:
			owner.signalDown(ctl.ReqID, pid, NoConnection)
		}
	}
	e.finish(ctl.ReqID, pid, nil)
}

// abandonedSpawn undoes what the peer set up for a request nobody waits
// for any more (abandoned, or its caller's RemoteSpawn gave up), as
// erlang:spawn_request_abandon/1 does: a linked process gets an exit
// signal abandoned, a monitor is removed.
func (r *remote) abandonedSpawn(c *dist.Conn, ctl dist.SpawnReply, pid etf.PID) {
	if ctl.Flags&dist.SpawnReplyLink != 0 {
		_ = c.SendControl(dist.Exit{From: ctl.To, To: pid, Reason: etf.Atom("abandoned")})
	}
	if ctl.Flags&dist.SpawnReplyMonitor != 0 {
		_ = c.SendControl(dist.DemonitorP{From: ctl.To, To: pid, Ref: ctl.ReqID})
	}
}

// spawnsDown fails every request sent over c with noconnection (OTP's
// caller gets {spawn_reply, ReqId, error, noconnection}).
func (r *remote) spawnsDown(c *dist.Conn) {
	for ref, e := range r.spawns.takeConn(c) {
		e.finish(ref, etf.PID{}, ErrNoConnection)
	}
}

// spawnError maps a SPAWN_REPLY error atom to its sentinel.
func spawnError(reason etf.Term) error {
	switch reason {
	case etf.Atom("badopt"):
		return ErrBadOpt
	case etf.Atom("notsup"):
		return ErrNotSup
	case etf.Atom("system_limit"):
		return ErrSystemLimit
	case NoConnection:
		return ErrNoConnection
	}
	return &ExitError{Reason: reason}
}

// addMonitor records a monitor p holds; false if p is dead.
func (p *Process) addMonitor(ref etf.Ref, t monitorTarget) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state >= stateDead {
		return false
	}
	if p.monitors == nil {
		p.monitors = make(map[etf.Ref]monitorTarget)
	}
	p.monitors[ref] = t
	return true
}
