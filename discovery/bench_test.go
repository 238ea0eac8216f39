package discovery

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// BenchmarkParseHosts: a 100-host .hosts.erlang parsed by ParseHosts (go)
// and by file:consult/1 on a real BEAM node (beam; b.N consults run on the
// node, timed from here).
func BenchmarkParseHosts(b *testing.B) {
	var text strings.Builder
	text.WriteString("%% the cluster\n")
	for i := range 100 {
		text.WriteString("'app" + strconv.Itoa(i) + ".example.com'.\n")
	}
	data := []byte(text.String())
	path := filepath.Join(b.TempDir(), HostsFileName)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseHosts(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	c := newLoopCluster(b)
	p := c.peer(b, "bench", 2, peerOpts{})
	b.Run("beam", func(b *testing.B) {
		b.ResetTimer()
		p.command("bench_consult "+path+" "+strconv.Itoa(b.N), "done")
	})
}

// BenchmarkFormCluster: forming a cluster from an EPMD scan of two hosts
// (four names on each, two real nodes), from scratch each round: the Go
// loop (EPMDScan, until both nodeups, then Stop and disconnect) against
// net_adm:world_list/1 on a BEAM node (then disconnect_node of what it
// found). The erl nodes run with -connect_all false, so global does not
// reconnect them behind the measurement's back.
func BenchmarkFormCluster(b *testing.B) {
	c := newLoopCluster(b)
	o := peerOpts{extra: []string{"-connect_all", "false"}}
	a := c.peer(b, "a", 2, o)
	bb := c.peer(b, "b", 3, o)
	w := c.peer(b, "w", 4, o)
	n := goNode(b, "go"+c.id+"@127.0.0.1", c.cookie, c.epmd)
	hosts := []string{"127.0.0.2", "127.0.0.3"}
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			ups := make(chan Event, 16)
			r, err := Start(context.Background(), n, EPMDScan(hosts, WithEPMDPort(c.epmd)),
				WithLogger(quietLogger()), OnEvent(func(e Event) {
					if e.Up {
						ups <- e
					}
				}))
			if err != nil {
				b.Fatal(err)
			}
			waitUps(b, ups, a.name, bb.name)
			r.Stop()
			for _, name := range []etf.Atom{a.name, bb.name} {
				_ = n.Disconnect(name)
			}
		}
	})
	b.Run("beam", func(b *testing.B) {
		b.ResetTimer()
		w.command("bench_world "+strconv.Itoa(b.N)+" "+strings.Join(hosts, " "), "done")
	})
}

func waitUps(b *testing.B, ups <-chan Event, names ...etf.Atom) {
	b.Helper()
	seen := map[etf.Atom]bool{}
	timeout := time.After(waitFor)
	for len(seen) < len(names) {
		select {
		case e := <-ups:
			for _, n := range names {
				if e.Node == n {
					seen[n] = true
				}
			}
		case <-timeout:
			b.Fatalf("nodeups seen %v of %v", seen, names)
		}
	}
}
