package observer

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/erlgo/erlgo/etf"
)

// detailItems are the process_info/2 items of a process window. messages
// is asked separately, and only for a short mailbox: process_info copies
// the whole queue.
var detailItems = etf.List{
	etf.Atom("registered_name"), etf.Atom("status"), etf.Atom("message_queue_len"),
	etf.Atom("links"), etf.Atom("monitors"), etf.Atom("monitored_by"), etf.Atom("trap_exit"),
	etf.Atom("memory"), etf.Atom("reductions"), etf.Atom("current_function"),
	etf.Atom("initial_call"), etf.Atom("dictionary"),
}

// Bounds of a process window: messages shown, the mailbox length up to
// which the target is asked to copy its queue, and the text of one term.
const (
	messagesShown   = 20
	messagesCopyMax = 1000
	termTextMax     = 4096
)

// parsePID splits "<node.ID.Serial>" (etf.PID.String) into its parts.
func parsePID(s string) (node string, id, serial uint32, err error) {
	body, ok1 := strings.CutPrefix(s, "<")
	body, ok2 := strings.CutSuffix(body, ">")
	if !ok1 || !ok2 {
		return "", 0, 0, fmt.Errorf("%w: pid %q", ErrBadQuery, s)
	}
	i := strings.LastIndexByte(body, '.')
	j := strings.LastIndexByte(body[:max(i, 0)], '.')
	if i < 0 || j < 0 {
		return "", 0, 0, fmt.Errorf("%w: pid %q", ErrBadQuery, s)
	}
	a, err1 := strconv.ParseUint(body[j+1:i], 10, 32)
	b, err2 := strconv.ParseUint(body[i+1:], 10, 32)
	if err1 != nil || err2 != nil {
		return "", 0, 0, fmt.Errorf("%w: pid %q", ErrBadQuery, s)
	}
	return body[:j], uint32(a), uint32(b), nil
}

// beamPID turns a pid string of the target into the target's pid, with
// its creation, through erlang:list_to_pid/1 on the target.
func (r *remoteSource) beamPID(ctx context.Context, s string) (etf.PID, error) {
	node, id, serial, err := parsePID(s)
	if err != nil {
		return etf.PID{}, err
	}
	if node != string(r.target) {
		return etf.PID{}, fmt.Errorf("%w: %s is not a process of %s", ErrNoProcess, s, r.target)
	}
	t, err := r.rpc(ctx, "erlang", "list_to_pid", etf.Charlist(fmt.Sprintf("<0.%d.%d>", id, serial)))
	if err != nil {
		return etf.PID{}, fmt.Errorf("observer: %s: list_to_pid: %w", r.target, err)
	}
	pid, ok := t.(etf.PID)
	if !ok {
		return etf.PID{}, fmt.Errorf("observer: %s: list_to_pid answered %s", r.target, etf.Format(t))
	}
	return pid, nil
}

// beamProcess reads a process window through process_info/2.
func (r *remoteSource) beamProcess(ctx context.Context, s string, forceState bool) (ProcessDetail, error) {
	pid, err := r.beamPID(ctx, s)
	if err != nil {
		return ProcessDetail{}, err
	}
	t, err := r.rpc(ctx, "erlang", "process_info", pid, detailItems)
	if err != nil {
		return ProcessDetail{}, fmt.Errorf("observer: %s: process_info: %w", r.target, err)
	}
	l, ok := t.(etf.List)
	if !ok {
		return ProcessDetail{}, fmt.Errorf("%w: %s", ErrNoProcess, s)
	}
	d := detailFromItems(pid, l)
	if q := deref(d.MessageQueueLen); q > 0 && q <= messagesCopyMax {
		if m, err := r.rpc(ctx, "erlang", "process_info", pid, etf.Atom("messages")); err == nil {
			if kv, ok := m.(etf.Tuple); ok && len(kv) == 2 {
				msgs, _ := kv[1].(etf.List)
				d.setMessages(msgs, q)
			}
		}
	} else if q > messagesCopyMax {
		d.MessagesShown = fmt.Sprintf("%d messages: too many to copy", q)
	}
	if forceState || d.otpStyle() {
		d.readState(ctx, r.n, pid)
	}
	return d, nil
}

// detailFromItems builds a ProcessDetail from process_info's [{Item, V}].
func detailFromItems(pid etf.PID, l etf.List) ProcessDetail {
	p, _ := beamProcessInfo(pid, l)
	d := ProcessDetail{ProcessInfo: p}
	for _, e := range l {
		kv, ok := e.(etf.Tuple)
		if !ok || len(kv) != 2 {
			continue
		}
		switch kv[0] {
		case etf.Atom("status"):
			d.Status = etf.Format(kv[1])
		case etf.Atom("links"):
			d.Links = formatAll(kv[1])
		case etf.Atom("monitors"):
			d.Monitors = formatAll(kv[1])
		case etf.Atom("monitored_by"):
			d.MonitoredBy = formatAll(kv[1])
		case etf.Atom("trap_exit"):
			d.TrapExit = kv[1] == etf.Atom("true")
		case etf.Atom("initial_call"):
			d.InitialCall = formatMFA(kv[1])
		case etf.Atom("dictionary"):
			d.setDictionary(kv[1])
		}
	}
	return d
}

// setDictionary formats the process dictionary and reads from
// '$initial_call' the behaviour proc_lib started (what observer shows as
// the initial call of an OTP process).
func (d *ProcessDetail) setDictionary(t etf.Term) {
	l, _ := t.(etf.List)
	for _, e := range l {
		kv, ok := e.(etf.Tuple)
		if !ok || len(kv) != 2 {
			continue
		}
		if kv[0] == etf.Atom("$initial_call") {
			if mfa, ok := kv[1].(etf.Tuple); ok && len(mfa) == 3 {
				d.InitialCall = formatMFA(mfa)
				d.Supervisor = mfa[0] == etf.Atom("supervisor")
			}
		}
		d.Dictionary = append(d.Dictionary, clip(etf.Format(kv[0])+" => "+etf.Format(kv[1])))
	}
}

// setMessages keeps the head of the mailbox.
func (d *ProcessDetail) setMessages(msgs etf.List, total int) {
	for _, m := range msgs[:min(len(msgs), messagesShown)] {
		d.Messages = append(d.Messages, clip(etf.Format(m)))
	}
	if total > len(d.Messages) {
		d.MessagesShown = fmt.Sprintf("first %d of %d", len(d.Messages), total)
	}
}

// otpStyle tells whether the process answers sys messages: started by
// proc_lib (gen_server, supervisor, an erlgo actor...). Others would keep
// the request in their mailbox forever.
func (d *ProcessDetail) otpStyle() bool {
	for _, e := range d.Dictionary {
		if strings.HasPrefix(e, "'$initial_call' => ") {
			return true
		}
	}
	return strings.HasPrefix(d.InitialCall, "proc_lib:")
}

func formatAll(t etf.Term) []string {
	l, _ := t.(etf.List)
	out := make([]string, 0, len(l))
	for _, e := range l {
		out = append(out, clip(etf.Format(e)))
	}
	return out
}

func formatMFA(t etf.Term) string {
	if mfa, ok := t.(etf.Tuple); ok && len(mfa) == 3 {
		return fmt.Sprintf("%s:%s/%d", etf.Format(mfa[0]), etf.Format(mfa[1]), toUint(mfa[2]))
	}
	return etf.Format(t)
}

// clip bounds the text of one term.
func clip(s string) string {
	if len(s) <= termTextMax {
		return s
	}
	return s[:termTextMax] + " …"
}
