package observer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/erlgo/erlgo/etf"
)

// beamKill sends exit(Pid, Reason) from the inspecting node.
func (r *remoteSource) beamKill(ctx context.Context, s string, reason etf.Atom) error {
	pid, err := r.beamPID(ctx, s)
	if err != nil {
		return err
	}
	alive, err := r.rpc(ctx, "erlang", "is_process_alive", pid)
	if err != nil {
		return fmt.Errorf("observer: %s: is_process_alive: %w", r.target, err)
	}
	if alive != etf.Atom("true") {
		return fmt.Errorf("%w: %s", ErrNoProcess, s)
	}
	return r.n.Exit(pid, reason)
}

// beamApplications lists which_applications and finds each root
// supervisor as observer does: application_controller:get_master/1, then
// application_master:get_child/1.
func (r *remoteSource) beamApplications(ctx context.Context) ([]AppInfo, error) {
	t, err := r.rpc(ctx, "application", "which_applications")
	if err != nil {
		return nil, fmt.Errorf("observer: %s: which_applications: %w", r.target, err)
	}
	l, _ := t.(etf.List)
	apps := make([]AppInfo, 0, len(l))
	for _, e := range l {
		row, ok := e.(etf.Tuple)
		if !ok || len(row) != 3 {
			continue
		}
		name, _ := row[0].(etf.Atom)
		a := AppInfo{Name: string(name), Description: termString(row[1]), Version: termString(row[2])}
		if root, ok := r.beamAppRoot(ctx, name); ok {
			a.Root = root.String()
			a.Tree = supTree(ctx, r.n, a.Name, root)
		}
		apps = append(apps, a)
	}
	slices.SortFunc(apps, func(a, b AppInfo) int { return strings.Compare(a.Name, b.Name) })
	return apps, nil
}

func (r *remoteSource) beamAppRoot(ctx context.Context, app etf.Atom) (etf.PID, bool) {
	m, err := r.rpc(ctx, "application_controller", "get_master", app)
	master, ok := m.(etf.PID)
	if err != nil || !ok {
		return etf.PID{}, false // kernel-less applications (library ones) have none
	}
	c, err := r.rpc(ctx, "application_master", "get_child", master)
	if err != nil {
		return etf.PID{}, false
	}
	if t, ok := c.(etf.Tuple); ok && len(t) == 2 {
		pid, ok := t[0].(etf.PID)
		return pid, ok
	}
	return etf.PID{}, false
}

// beamConnections reads net_kernel:node_info/1 of each connection: its
// type, address and packet counters (in, out).
func (r *remoteSource) beamConnections(ctx context.Context) ([]ConnInfo, error) {
	ni, err := r.beamNetwork(ctx)
	if err != nil {
		return nil, err
	}
	hidden := map[string]bool{}
	for _, h := range ni.Hidden {
		hidden[h] = true
	}
	out := make([]ConnInfo, 0, len(ni.Connected))
	for _, name := range ni.Connected {
		c := ConnInfo{Node: name, Type: "visible"}
		if hidden[name] {
			c.Type = "hidden"
		}
		t, err := r.rpc(ctx, "net_kernel", "node_info", etf.Atom(name))
		if ok, items := okList(t); err == nil && ok {
			for _, e := range items {
				kv, ok := e.(etf.Tuple)
				if !ok || len(kv) != 2 {
					continue
				}
				switch kv[0] {
				case etf.Atom("in"):
					n := toUint(kv[1])
					c.MessagesIn = &n
				case etf.Atom("out"):
					n := toUint(kv[1])
					c.MessagesOut = &n
				case etf.Atom("address"):
					if na, ok := kv[1].(etf.Tuple); ok && len(na) >= 2 {
						c.Address = addressText(na[1])
					}
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// okList splits {ok, List}.
func okList(t etf.Term) (bool, etf.List) {
	if tt, ok := t.(etf.Tuple); ok && len(tt) == 2 && tt[0] == etf.Atom("ok") {
		l, ok := tt[1].(etf.List)
		return ok, l
	}
	return false, nil
}

// addressText prints {{A,B,C,D}, Port} as A.B.C.D:Port.
func addressText(t etf.Term) string {
	if ap, ok := t.(etf.Tuple); ok && len(ap) == 2 {
		if ip, ok := ap[0].(etf.Tuple); ok && len(ip) == 4 {
			return fmt.Sprintf("%d.%d.%d.%d:%d", toUint(ip[0]), toUint(ip[1]), toUint(ip[2]), toUint(ip[3]), toUint(ap[1]))
		}
	}
	return etf.Format(t)
}

// termString reads an Erlang string: a charlist, a binary, or a list of
// code points.
func termString(t etf.Term) string {
	switch v := t.(type) {
	case etf.Charlist:
		return string(v)
	case string:
		return v
	case etf.Binary:
		return string(v)
	case etf.List:
		rs := make([]rune, 0, len(v))
		for _, e := range v {
			rs = append(rs, rune(toUint(e)))
		}
		return string(rs)
	}
	return etf.Format(t)
}
