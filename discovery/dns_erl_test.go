package discovery

import (
	"slices"
	"strings"
	"testing"
)

// TestDNSAFormsCluster: one DNS name with an A record per host; on each
// host (a network namespace with its own epmd) a real BEAM node named
// app@address. The loop connects them all, each BEAM node sees the Go
// node, and a record added or removed is picked up at the next poll: the
// new host's node joins, the removed host's node is forgotten (not
// disconnected).
func TestDNSAFormsCluster(t *testing.T) {
	c := newNSCluster(t)
	h1, h2, h3 := c.host(t), c.host(t), c.host(t)
	p1 := c.peer(t, h1, "app", peerOpts{})
	p2 := c.peer(t, h2, "app", peerOpts{})
	p3 := c.peer(t, h3, "app", peerOpts{})
	d := newDNSServer(t)
	d.setA("app.test.", h1.addr, h2.addr)
	n := goNode(t, "go"+c.id+"@"+h1.gw, c.cookie, c.epmd)
	ev := newEvents()
	r := startRunner(t, n, DNSA("app.test.", "app"+c.id, WithResolver(d.resolver())), ev)
	for _, p := range []*peer{p1, p2} {
		ev.wait(t, Event{Node: p.name, Up: true})
		if !slices.Contains(p.nodes(), n.Name()) {
			t.Errorf("%s does not see %s in nodes()", p.name, n.Name())
		}
	}
	d.setA("app.test.", h2.addr, h3.addr)
	ev.wait(t, Event{Node: p3.name, Up: true})
	eventually(t, string(p1.name)+" forgotten", func() bool {
		for _, s := range r.Status() {
			if s.Node == p1.name {
				return false
			}
		}
		return true
	})
	eventually(t, "Nodes() listing all three", func() bool { return hasAll(n.Nodes(), p1.name, p2.name, p3.name) })
}

// TestDNSSRVFormsCluster: the Kubernetes headless-service shape: SRV
// records of a named port, one target per pod, and with ResolveTargets
// each pod's node basename@address (-name app@$(POD_IP)). A pod added to
// the records joins at the next poll. (Nodes named basename@target are
// checked in TestDNSStrategies only: the node resolves a target's host
// with the system resolver, which the test cannot point at its server.)
func TestDNSSRVFormsCluster(t *testing.T) {
	c := newNSCluster(t)
	h1, h2 := c.host(t), c.host(t)
	p1 := c.peer(t, h1, "app", peerOpts{})
	p2 := c.peer(t, h2, "app", peerOpts{})
	d := newDNSServer(t)
	svc := "_epmd._tcp.app.default.svc.cluster.local."
	pod := func(h *nsHost) string {
		return strings.ReplaceAll(h.addr, ".", "-") + ".app.default.svc.cluster.local."
	}
	d.setA(pod(h1), h1.addr)
	d.setA(pod(h2), h2.addr)
	d.setSRV(svc, pod(h1))
	n := goNode(t, "go"+c.id+"@"+h1.gw, c.cookie, c.epmd)
	ev := newEvents()
	startRunner(t, n, DNSSRV(svc, "app"+c.id, WithResolver(d.resolver()), ResolveTargets()), ev)
	ev.wait(t, Event{Node: p1.name, Up: true})
	d.setSRV(svc, pod(h1), pod(h2)) // a pod scaled up
	ev.wait(t, Event{Node: p2.name, Up: true})
	for _, p := range []*peer{p1, p2} {
		if !slices.Contains(p.nodes(), n.Name()) {
			t.Errorf("%s does not see %s in nodes()", p.name, n.Name())
		}
	}
}
