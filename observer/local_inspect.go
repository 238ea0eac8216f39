package observer

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// localPID turns a pid string of this node into its pid.
func (s localSource) localPID(str string) (etf.PID, error) {
	node, id, serial, err := parsePID(str)
	if err != nil {
		return etf.PID{}, err
	}
	pid := etf.PID{Node: s.n.Name(), ID: id, Serial: serial, Creation: s.n.Creation()}
	if node != string(pid.Node) || !s.n.IsAlive(pid) {
		return etf.PID{}, fmt.Errorf("%w: %s", ErrNoProcess, str)
	}
	return pid, nil
}

// Process implements Inspector: the node's snapshot of pid
// (Node.ProcessInfo), the head of its mailbox included.
func (s localSource) Process(ctx context.Context, str string, forceState bool) (ProcessDetail, error) {
	pid, err := s.localPID(str)
	if err != nil {
		return ProcessDetail{}, err
	}
	pi, ok := s.n.ProcessInfo(pid, node.InfoAll|node.InfoMessages)
	if !ok {
		return ProcessDetail{}, fmt.Errorf("%w: %s", ErrNoProcess, str)
	}
	d := ProcessDetail{ProcessInfo: rowOf(pi), Status: string(pi.Status), TrapExit: pi.TrapExit}
	if pi.InitialCall.Module != "" {
		d.InitialCall = mfaText(pi.InitialCall)
	}
	for _, l := range pi.Links {
		d.Links = append(d.Links, l.String())
	}
	for _, m := range pi.Monitors {
		d.Monitors = append(d.Monitors, clip(etf.Format(m.Term())))
	}
	for _, m := range pi.MonitoredBy {
		d.MonitoredBy = append(d.MonitoredBy, m.String())
	}
	dict := make(etf.List, len(pi.Dictionary))
	for i, e := range pi.Dictionary {
		dict[i] = etf.Tuple{e.Key, e.Value}
	}
	d.setDictionary(dict)
	d.setMessages(etf.List(pi.Messages), pi.MessageQueueLen)
	if forceState || d.otpStyle() {
		d.readState(ctx, s.n, pid)
	}
	return d, nil
}

// Kill implements Inspector.
func (s localSource) Kill(ctx context.Context, str string, reason etf.Atom) error {
	pid, err := s.localPID(str)
	if err != nil {
		return err
	}
	return s.n.Exit(pid, reason)
}

// Applications implements Inspector: the applications of WithApplications
// and the trees under their roots.
func (s localSource) Applications(ctx context.Context) ([]AppInfo, error) {
	if s.apps == nil {
		return []AppInfo{}, nil
	}
	names := s.apps.Running()
	out := make([]AppInfo, 0, len(names))
	for _, name := range names {
		a := AppInfo{Name: string(name)}
		if root, ok := s.appRoot(ctx, name); ok {
			a.Root = root.String()
			a.Tree = supTree(ctx, s.n, a.Name, root)
		}
		out = append(out, a)
	}
	return out, nil
}

// appRoot reads the root from the master's state {application_master,
// Name, Root}.
func (s localSource) appRoot(ctx context.Context, name etf.Atom) (etf.PID, bool) {
	master, ok := s.apps.Master(name)
	if !ok {
		return etf.PID{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, stateTimeout)
	defer cancel()
	st, err := s.n.CallSystem(ctx, master, etf.Atom("get_state"))
	if t, ok := st.(etf.Tuple); err == nil && ok && len(t) == 3 {
		root, ok := t[2].(etf.PID)
		return root, ok && root != (etf.PID{})
	}
	return etf.PID{}, false
}

// Connections implements Inspector.
func (s localSource) Connections(ctx context.Context) ([]ConnInfo, error) {
	hidden := map[etf.Atom]bool{}
	for _, h := range s.n.HiddenNodes() {
		hidden[h] = true
	}
	stats := map[etf.Atom]node.PeerStats{}
	for _, st := range s.n.ConnStats() {
		stats[st.Node] = st
	}
	names := sortedNodes(s.n.ConnectedNodes())
	out := make([]ConnInfo, 0, len(names))
	for _, name := range names {
		c := ConnInfo{Node: name, Type: "visible"}
		if hidden[etf.Atom(name)] {
			c.Type = "hidden"
		}
		if st, ok := stats[etf.Atom(name)]; ok {
			c.BytesIn, c.BytesOut = &st.BytesIn, &st.BytesOut
			c.MessagesIn, c.MessagesOut, c.QueueDepth = &st.MessagesIn, &st.MessagesOut, &st.QueueBytes
		}
		out = append(out, c)
	}
	return out, nil
}
