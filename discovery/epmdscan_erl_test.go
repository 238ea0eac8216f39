package discovery

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// scanCluster starts a@127.0.0.2 and b@127.0.0.3, a BEAM observer
// w@127.0.0.4 (started in dir, for .hosts.erlang) and the Go node, all on
// one EPMD. On that EPMD every host lists every name, so a scan of
// 127.0.0.2 also finds b@127.0.0.2, which does not exist (b listens on
// 127.0.0.3 only): world/0 gets pang for it, and the loop must fail it.
func scanCluster(t *testing.T, dir string) (c *loopCluster, a, b, w *peer) {
	c = newLoopCluster(t)
	a = c.peer(t, "a", 2, peerOpts{})
	b = c.peer(t, "b", 3, peerOpts{})
	w = c.peer(t, "w", 4, peerOpts{cwd: dir})
	return c, a, b, w
}

// connectedSet is the candidates the loop holds connected.
func connectedSet(r *Runner) []etf.Atom {
	var out []etf.Atom
	for _, s := range r.Status() {
		if s.Connected {
			out = append(out, s.Node)
		}
	}
	return out
}

// checkLikeWorld waits until the loop is connected to want, then checks
// that what it holds connected is what BEAM's world answer found, that
// every other candidate failed with an error, and that the peers see the
// Go node.
func checkLikeWorld(t *testing.T, r *Runner, ev *events, world []etf.Atom, want ...*peer) {
	t.Helper()
	for _, p := range want {
		ev.wait(t, Event{Node: p.name, Up: true})
	}
	names := make([]etf.Atom, 0, len(want))
	for _, p := range want {
		names = append(names, p.name)
	}
	slices.Sort(names)
	if !slices.Equal(world, names) {
		t.Fatalf("BEAM's world found %v, want %v", world, names)
	}
	eventually(t, "every other candidate tried and failed", func() bool {
		for _, s := range r.Status() {
			if !s.Connected && s.LastError == nil {
				return false
			}
		}
		return true
	})
	if got := connectedSet(r); !slices.Equal(got, world) {
		t.Fatalf("loop connected %v, BEAM's world %v", got, world)
	}
	n := r.n
	for _, p := range want {
		if !slices.Contains(p.nodes(), n.Name()) {
			t.Errorf("%s does not see %s in nodes()", p.name, n.Name())
		}
	}
}

// TestEPMDScanLikeWorldList: EPMDScan of two hosts connects exactly the
// nodes net_adm:world_list/1 finds on a real BEAM node for the same hosts.
func TestEPMDScanLikeWorldList(t *testing.T) {
	c, a, b, w := scanCluster(t, "")
	world := atoms(strings.TrimPrefix(w.command("world_list 127.0.0.2 127.0.0.3", "world"), "world"))
	n := goNode(t, "go"+c.id+"@127.0.0.1", c.cookie, c.epmd)
	ev := newEvents()
	r := startRunner(t, n, EPMDScan([]string{"127.0.0.2", "127.0.0.3"}, WithEPMDPort(c.epmd)), ev)
	checkLikeWorld(t, r, ev, world, a, b)
	checkCandidates(t, r, c.id, "127.0.0.2", "127.0.0.3")
}

// checkCandidates checks that the candidates are every name registered in
// the EPMD on each host, as world/0 pings them: a, b, w and the Go node.
func checkCandidates(t *testing.T, r *Runner, id string, hosts ...string) {
	t.Helper()
	var want []etf.Atom
	for _, h := range hosts {
		for _, alive := range []string{"a", "b", "w", "go"} {
			want = append(want, etf.Atom(alive+id+"@"+h))
		}
	}
	slices.Sort(want)
	var got []etf.Atom
	for _, s := range r.Status() {
		got = append(got, s.Node)
	}
	if !slices.Equal(got, want) {
		t.Errorf("candidates %v, want %v", got, want)
	}
}

// TestHostsFileLikeWorld: a .hosts.erlang in the current directory (one
// in $HOME too, which must lose) gives the nodes net_adm:world/0 finds on
// a real BEAM node started in that directory.
func TestHostsFileLikeWorld(t *testing.T) {
	dir, home := t.TempDir(), t.TempDir()
	hosts := "%% the test's hosts\n'127.0.0.2'.\n'127.0.0.3'. % b's host\n"
	if err := os.WriteFile(filepath.Join(dir, HostsFileName), []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, HostsFileName), []byte("'127.0.0.9'.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, a, b, w := scanCluster(t, dir)
	world := atoms(strings.TrimPrefix(w.command("world", "world"), "world"))
	t.Chdir(dir)
	t.Setenv("HOME", home)
	n := goNode(t, "go"+c.id+"@127.0.0.1", c.cookie, c.epmd)
	ev := newEvents()
	r := startRunner(t, n, HostsFile("", WithEPMDPort(c.epmd)), ev)
	checkLikeWorld(t, r, ev, world, a, b)
	checkCandidates(t, r, c.id, "127.0.0.2", "127.0.0.3")
	for _, s := range r.Status() {
		if strings.HasSuffix(string(s.Node), "@127.0.0.9") {
			t.Errorf("candidate %s from $HOME's file, but the current directory's comes first", s.Node)
		}
	}
}
