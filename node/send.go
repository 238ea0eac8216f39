package node

import (
	"fmt"
	"reflect"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// target is a parsed Send/Call/Monitor destination.
type target struct {
	kind uint8
	pid  etf.PID
	name etf.Atom
	node etf.Atom
	ref  etf.Ref
}

const (
	targetPID uint8 = iota
	targetName
	targetAlias
)

// parseTarget accepts etf.PID, etf.Atom (local name), Name, *Name,
// etf.Tuple{Atom, Atom}, etf.Alias and etf.Ref (an alias).
func (n *Node) parseTarget(to etf.Term) (target, error) {
	switch t := to.(type) {
	case etf.PID:
		return target{kind: targetPID, pid: t, node: t.Node}, nil
	case etf.Atom:
		return target{kind: targetName, name: t, node: n.name}, nil
	case Name:
		return target{kind: targetName, name: t.Name, node: t.Node}, nil
	case *Name:
		return target{kind: targetName, name: t.Name, node: t.Node}, nil
	case etf.Tuple:
		if len(t) == 2 {
			name, ok1 := t[0].(etf.Atom)
			node, ok2 := t[1].(etf.Atom)
			if ok1 && ok2 {
				return target{kind: targetName, name: name, node: node}, nil
			}
		}
	case etf.Alias:
		return target{kind: targetAlias, ref: etf.Ref(t), node: t.Node}, nil
	case etf.Ref:
		return target{kind: targetAlias, ref: t, node: t.Node}, nil
	}
	// Only the type is formatted: formatting "to" itself would make every
	// boxed target escape to the heap, costing an allocation per Send.
	return target{}, fmt.Errorf("%w: %s", ErrBadTarget, reflect.TypeOf(to))
}

func (t target) object() etf.Term {
	if t.kind == targetName {
		return Name{Name: t.name, Node: t.node}
	}
	return t.pid
}

// Send sends msg to "to" from this process (erlang:send/2). Targets: an
// etf.PID, an etf.Atom registered locally, a Name or {Name, Node} tuple, or
// an alias (etf.Alias or etf.Ref). As in Erlang, sending to a dead pid, an
// inactive alias or a name unknown on a remote node succeeds and the
// message is dropped; sending to an unregistered local atom fails (badarg
// in Erlang) with an error matching ErrNoProc. Sending to a node that is
// not connected never blocks: the node connects in the background and
// sends the message once connected, in order with the sender's other
// signals to that node; if the node cannot be reached the message is
// dropped, as in Erlang. ErrNoConnection comes only from a node without
// distribution or one that is stopping, or a connection lost during the
// send. A sender blocked by a peer that does not read (a full write queue)
// is still ended at once by a killing exit signal. A full bounded local
// mailbox gives ErrMailboxFull.
func (p *Process) Send(to etf.Term, msg etf.Term) error {
	return p.node.sendAs(p.pid, (*sendWaiter)(p), to, msg)
}

// Send sends msg to "to" from the node itself (an anonymous sender pid);
// see Process.Send for targets and errors.
func (n *Node) Send(to etf.Term, msg etf.Term) error { return n.send(n.sys.pid, to, msg) }

func (n *Node) send(from etf.PID, to etf.Term, msg etf.Term) error {
	return n.sendAs(from, nil, to, msg)
}

// sendAs sends from "from"; in is the sending process when it is the
// caller (its wait for a full connection can then be interrupted by a
// kill), nil otherwise.
func (n *Node) sendAs(from etf.PID, in *sendWaiter, to etf.Term, msg etf.Term) error {
	// Fast path: local pid.
	if pid, ok := to.(etf.PID); ok && pid.Node == n.name {
		if p := n.lookup(pid); p != nil {
			return p.deliver(msg)
		}
		return nil
	}
	t, err := n.parseTarget(to)
	if err != nil {
		return err
	}
	if t.node != n.name {
		if n.remote == nil {
			return ErrNoConnection
		}
		return n.remote.send(from, in, t, msg)
	}
	switch t.kind {
	case targetPID:
		if p := n.lookup(t.pid); p != nil {
			return p.deliver(msg)
		}
		return nil
	case targetName:
		p := n.whereisProc(t.name)
		if p == nil {
			if _, isName := to.(etf.Atom); isName {
				return fmt.Errorf("%w: %s is not registered", ErrNoProc, t.name)
			}
			return nil // {Name, Node} to a missing name is dropped, as in Erlang
		}
		return p.deliver(msg)
	default:
		n.deliverAlias(t.ref, msg)
		return nil
	}
}

// deliverFromConn routes a message that c's reader decoded to a local
// pid, name or alias; see Process.deliverFrom.
func (n *Node) deliverFromConn(c *dist.Conn, t target, msg etf.Term) {
	var p *Process
	switch t.kind {
	case targetPID:
		p = n.lookup(t.pid)
	case targetName:
		p = n.whereisProc(t.name)
	default:
		n.deliverAlias(t.ref, msg)
		return
	}
	if p != nil {
		_ = p.deliverFrom(c, msg) // a full mailbox is counted in the process and logged at exit
	}
}

// deliverAlias delivers msg to the owner of an active alias, or completes
// the Call waiting on it. Messages to inactive aliases are dropped.
func (n *Node) deliverAlias(ref etf.Ref, msg etf.Term) {
	e := n.aliases.lookupForSend(ref)
	if e == nil {
		return
	}
	if pc := e.call; pc != nil {
		if t, ok := msg.(etf.Tuple); ok && len(t) == 2 {
			pc.completeByAlias(ref, t[1])
			return
		}
	}
	e.deliverMsg(ref, msg)
}

// replyAlias is deliverAlias for the reply {tag, reply} to a local alias,
// built only if it does not complete a Call.
func (n *Node) replyAlias(ref etf.Ref, tag, reply etf.Term) {
	e := n.aliases.lookupForReply(ref)
	if e == nil {
		return
	}
	if pc := e.call; pc != nil {
		pc.completeByAlias(ref, reply)
		return
	}
	e.deliverMsg(ref, etf.Tuple{tag, reply})
}

// deliverMsg puts msg, sent to the alias ref, in the owner's mailbox.
func (e *aliasEntry) deliverMsg(ref etf.Ref, msg etf.Term) {
	if e.mode == AliasReplyDemonitor {
		e.owner.Demonitor(ref)
	}
	_ = e.owner.deliver(msg)
}
