package observer

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
)

// processInfoItems are the process_info/2 items read for each process:
// nothing that copies a mailbox or a heap (messages, dictionary, ...).
var processInfoItems = etf.List{
	etf.Atom("registered_name"), etf.Atom("message_queue_len"), etf.Atom("memory"),
	etf.Atom("reductions"), etf.Atom("current_function"),
}

// beamNode builds a NodeInfo from standard BIFs.
func (r *remoteSource) beamNode(ctx context.Context) (NodeInfo, error) {
	info := NodeInfo{Name: string(r.target), Kind: KindBEAM}
	var memory, wall, registered, nodes, io etf.Term
	calls := []struct {
		fn   etf.Atom
		args []etf.Term
		set  func(etf.Term) error
	}{
		{"system_info", []etf.Term{etf.Atom("otp_release")}, func(t etf.Term) error { return etf.Convert(t, &info.OTPRelease) }},
		{"system_info", []etf.Term{etf.Atom("creation")}, func(t etf.Term) error { return etf.Convert(t, &info.Creation) }},
		{"system_info", []etf.Term{etf.Atom("schedulers_online")}, func(t etf.Term) error { return etf.Convert(t, &info.Schedulers) }},
		{"system_info", []etf.Term{etf.Atom("process_count")}, func(t etf.Term) error { return etf.Convert(t, &info.ProcessCount) }},
		{"memory", nil, func(t etf.Term) error { memory = t; return nil }},
		{"statistics", []etf.Term{etf.Atom("wall_clock")}, func(t etf.Term) error { wall = t; return nil }},
		{"registered", nil, func(t etf.Term) error { registered = t; return nil }},
		{"nodes", []etf.Term{etf.Atom("connected")}, func(t etf.Term) error { nodes = t; return nil }},
		{"statistics", []etf.Term{etf.Atom("run_queue")}, func(t etf.Term) error {
			n := int(toUint(t))
			info.RunQueue = &n
			return nil
		}},
		{"statistics", []etf.Term{etf.Atom("io")}, func(t etf.Term) error { io = t; return nil }},
		// A Go node that serves BEAM's BIFs (interop) without
		// erlgo_observer says so in its system_version.
		{"system_info", []etf.Term{etf.Atom("system_version")}, func(t etf.Term) error {
			if strings.Contains(termString(t), "[erlgo") {
				info.Kind = KindErlgo
			}
			return nil
		}},
	}
	for _, c := range calls {
		t, err := r.rpc(ctx, "erlang", c.fn, c.args...)
		if errors.Is(err, interop.ErrUndef) {
			return NodeInfo{}, fmt.Errorf("observer: %s answers neither %s nor erlang:%s (an erlgo node without observer.RegisterRPC?): %w",
				r.target, RPCModule, c.fn, err)
		}
		if err != nil {
			return NodeInfo{}, fmt.Errorf("observer: %s: erlang:%s: %w", r.target, c.fn, err)
		}
		if err := c.set(t); err != nil {
			return NodeInfo{}, fmt.Errorf("observer: %s: erlang:%s answer: %w", r.target, c.fn, err)
		}
	}
	info.Memory = map[string]uint64{}
	if l, ok := memory.(etf.List); ok {
		for _, e := range l {
			if kv, ok := e.(etf.Tuple); ok && len(kv) == 2 {
				if k, ok := kv[0].(etf.Atom); ok {
					info.Memory[string(k)] = toUint(kv[1])
				}
			}
		}
	}
	info.MemoryBytes = info.Memory["total"]
	if w, ok := wall.(etf.Tuple); ok && len(w) == 2 {
		info.UptimeSeconds = float64(toUint(w[0])) / 1000
	}
	// statistics(io): {{input, In}, {output, Out}}.
	if t, ok := io.(etf.Tuple); ok && len(t) == 2 {
		for i, dst := range []**uint64{&info.IOInBytes, &info.IOOutBytes} {
			if kv, ok := t[i].(etf.Tuple); ok && len(kv) == 2 {
				v := toUint(kv[1])
				*dst = &v
			}
		}
	}
	info.Registered = atomList(registered)
	slices.Sort(info.Registered)
	info.RegisteredCount = len(info.Registered)
	info.ConnectedNodes = atomList(nodes)
	slices.Sort(info.ConnectedNodes)
	return info, nil
}

// beamProcessInfo reads one process_info/2 answer; ok is false for a
// process that exited meanwhile (undefined).
func beamProcessInfo(pid etf.PID, t etf.Term) (ProcessInfo, bool) {
	l, ok := t.(etf.List)
	if !ok {
		return ProcessInfo{}, false
	}
	p := ProcessInfo{PID: pid.String()}
	for _, e := range l {
		kv, ok := e.(etf.Tuple)
		if !ok || len(kv) != 2 {
			continue
		}
		switch kv[0] {
		case etf.Atom("registered_name"):
			if a, ok := kv[1].(etf.Atom); ok {
				p.Name = string(a)
			}
		case etf.Atom("message_queue_len"):
			n := int(toUint(kv[1]))
			p.MessageQueueLen = &n
		case etf.Atom("memory"):
			n := toUint(kv[1])
			p.Memory = &n
		case etf.Atom("reductions"):
			n := toUint(kv[1])
			p.Reductions = &n
		case etf.Atom("current_function"):
			if mfa, ok := kv[1].(etf.Tuple); ok && len(mfa) == 3 {
				p.CurrentFunction = fmt.Sprintf("%s:%s/%d", etf.Format(mfa[0]), etf.Format(mfa[1]), toUint(mfa[2]))
			}
		}
	}
	return p, true
}

// beamNetwork splits the target's connections with erlang:nodes/1.
func (r *remoteSource) beamNetwork(ctx context.Context) (NetworkInfo, error) {
	ni := NetworkInfo{Name: string(r.target)}
	for _, which := range []etf.Atom{"visible", "hidden"} {
		t, err := r.rpc(ctx, "erlang", "nodes", which)
		if err != nil {
			return NetworkInfo{}, fmt.Errorf("observer: %s: erlang:nodes(%s): %w", r.target, which, err)
		}
		l := atomList(t)
		slices.Sort(l)
		if which == "visible" {
			ni.Visible = l
		} else {
			ni.Hidden = l
		}
	}
	ni.Connected = append(slices.Clone(ni.Visible), ni.Hidden...)
	slices.Sort(ni.Connected)
	return ni, nil
}

// atomList turns a list of atoms into strings, skipping anything else.
func atomList(t etf.Term) []string {
	l, _ := t.(etf.List)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if a, ok := e.(etf.Atom); ok {
			out = append(out, string(a))
		}
	}
	return out
}

// toUint reads a non-negative integer term; anything else is 0.
func toUint(t etf.Term) uint64 {
	switch v := t.(type) {
	case int:
		return uint64(max(v, 0))
	case int64:
		return uint64(max(v, 0))
	case uint64:
		return v
	case uint8:
		return uint64(v)
	case *big.Int:
		if v.IsUint64() {
			return v.Uint64()
		}
	}
	return 0
}
