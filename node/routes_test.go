package node

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

func TestRouteValidation(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		route   Route
		exact   bool
		bad     string // "" = valid; else a fragment of the error
	}{
		{"exact name", "db@10.0.0.5", Route{Port: 4370}, true, ""},
		{"glob", "worker*@10.0.0.*", Route{}, false, ""},
		{"class", "w[0-9]@h", Route{EPMDPort: 4369}, false, ""},
		{"ipv6 host", "a@h", Route{Host: "::1", Port: 1}, true, ""},
		{"no at", "worker*", Route{}, false, "want a node name"},
		{"two ats", "a@b@c", Route{}, false, "want a node name"},
		{"empty host part", "a@", Route{}, false, "want a node name"},
		{"empty", "", Route{}, false, "want a node name"},
		{"bad glob", "w[0-9@h", Route{}, false, "syntax error"},
		{"port too big", "a@h", Route{Port: 70000}, false, "Port 70000"},
		{"negative port", "a@h", Route{Port: -1}, false, "Port -1"},
		{"epmd port too big", "a@h", Route{EPMDPort: 65536}, false, "EPMDPort 65536"},
		{"port and epmd port", "a@h", Route{Port: 1, EPMDPort: 2}, false, "both Port and EPMDPort"},
		{"host with port", "a@h", Route{Host: "h:4370"}, false, "a port goes in Port"},
		{"host with space", "a@h", Route{Host: "h x"}, false, "not a host name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exact, err := validRoute(tc.pattern, tc.route)
			if tc.bad == "" {
				if err != nil || exact != tc.exact {
					t.Fatalf("validRoute = %v, %v; want %v, nil", exact, err, tc.exact)
				}
				return
			}
			if !errors.Is(err, ErrBadRoute) || !strings.Contains(err.Error(), tc.bad) {
				t.Fatalf("validRoute = %v; want ErrBadRoute mentioning %q", err, tc.bad)
			}
			// Start refuses it before listening or registering anywhere.
			_, err = Start(context.Background(), "v@127.0.0.1", WithoutDistribution(), WithRoute(tc.pattern, tc.route))
			if !errors.Is(err, ErrBadRoute) {
				t.Fatalf("Start = %v, want ErrBadRoute", err)
			}
		})
	}
}

func TestRouteLookupOrder(t *testing.T) {
	var s routeSet
	err := s.update(func([]RouteEntry) []RouteEntry {
		return []RouteEntry{
			{"w*@h", Route{Port: 1}},
			{"w1@h", Route{Port: 2}}, // exact: wins over the earlier glob
			{"w?@h", Route{Port: 3}}, // later glob: never reached for w1, w2
			{"x@*", Route{Port: 4}},
			{"w*@h", Route{Port: 5}}, // given twice: first position, last Route
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for peer, want := range map[etf.Atom]int{"w1@h": 2, "w2@h": 5, "wide@h": 5, "x@any": 4, "y@h": 0} {
		e, ok := s.lookup(peer)
		if got := e.Route.Port; ok != (want != 0) || got != want {
			t.Errorf("lookup(%s) = %d, %v; want %d", peer, got, ok, want)
		}
	}
	l := s.list()
	if len(l) != 4 || l[0].Pattern != "w*@h" || l[0].Route.Port != 5 || l[3].Pattern != "x@*" {
		t.Fatalf("list = %+v", l)
	}
}

// TestRouteRuntime: AddRoute, RemoveRoute and Routes on a running node;
// a bad AddRoute leaves the table as it was.
func TestRouteRuntime(t *testing.T) {
	n := distNode(t, "rt"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", freePort(t), "c", WithRoute("a@h", Route{Port: 1}))
	if err := n.AddRoute("b*@h", Route{Port: 2}); err != nil {
		t.Fatal(err)
	}
	if err := n.AddRoute("bad[@h", Route{}); !errors.Is(err, ErrBadRoute) {
		t.Fatalf("AddRoute(bad) = %v", err)
	}
	if got := n.Routes(); len(got) != 2 || got[0].Pattern != "a@h" || got[1].Pattern != "b*@h" {
		t.Fatalf("Routes = %+v", got)
	}
	if !n.RemoveRoute("a@h") || n.RemoveRoute("a@h") {
		t.Fatal("RemoveRoute: want true once, then false")
	}
	if got := n.Routes(); len(got) != 1 || got[0].Pattern != "b*@h" {
		t.Fatalf("Routes = %+v", got)
	}
	local := localNode(t)
	if err := local.AddRoute("a@h", Route{}); !errors.Is(err, ErrNoConnection) {
		t.Fatalf("AddRoute without distribution = %v", err)
	}
}

// unlistedNode starts a distributed node that registers in no EPMD, so
// that the only way to reach it is a route to its listen port.
func unlistedNode(t *testing.T, prefix, cookie string, opts ...Option) *Node {
	t.Helper()
	name := prefix + itoa(int(nodeSeq.Add(1))) + "@127.0.0.1"
	return distNode(t, name, freePort(t), cookie, append([]Option{WithoutEPMD()}, opts...)...)
}

func listenPort(n *Node) int { return n.ListenAddr().(*net.TCPAddr).Port }

// TestRouteGoGo: a route to a port reaches a node registered in no EPMD;
// the route's cookie is used both when this node dials and when the
// routed peer dials it, while other peers keep the node's cookie.
func TestRouteGoGo(t *testing.T) {
	b := unlistedNode(t, "rb", "cookie_b")
	if _, err := b.Spawn(echoServer(), WithName("echo")); err != nil {
		t.Fatal(err)
	}
	ep := freePort(t)
	a := distNode(t, "ra"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", ep, "cookie_a")
	ctx := context.Background()

	// Without a route, a's EPMD does not know b.
	if err := a.Connect(ctx, b.Name()); !errors.Is(err, ErrNoConnection) || !errors.Is(err, epmd.ErrNotRegistered) {
		t.Fatalf("Connect without a route = %v, want ErrNoConnection and epmd.ErrNotRegistered", err)
	}
	// That failure opened a back-off window; the route ends it (the Call
	// below would otherwise fail fast).
	if err := a.AddRoute(string(b.Name()), Route{Port: listenPort(b), Cookie: "cookie_b"}); err != nil {
		t.Fatal(err)
	}
	if r, err := a.Call(ctx, Name{"echo", b.Name()}, etf.Atom("routed")); err != nil || r != etf.Atom("routed") {
		t.Fatalf("Call over the route = %v, %v", r, err)
	}

	// b dials a (routed by its own route, with b's cookie): a accepts it
	// with the route's cookie, not its own.
	if err := a.Disconnect(b.Name()); err != nil {
		t.Fatal(err)
	}
	waitDisconnected(t, a, b.Name())
	if err := b.AddRoute(string(a.Name()), Route{Port: listenPort(a)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Spawn(echoServer(), WithName("echo")); err != nil {
		t.Fatal(err)
	}
	if r, err := b.Call(ctx, Name{"echo", a.Name()}, etf.Atom("back")); err != nil || r != etf.Atom("back") {
		t.Fatalf("Call from the routed peer = %v, %v", r, err)
	}

	// A third node with a's cookie, found through a's EPMD as usual.
	c := distNode(t, "rc"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", ep, "cookie_a")
	if r, err := c.Call(ctx, Name{"echo", a.Name()}, etf.Atom("plain")); err != nil || r != etf.Atom("plain") {
		t.Fatalf("Call from an unrouted peer = %v, %v", r, err)
	}
}

// TestRouteEPMDRedirect: a route without a Port asks the EPMD at its host
// and EPMDPort instead of the node's.
func TestRouteEPMDRedirect(t *testing.T) {
	other := freePort(t)
	b := distNode(t, "eb"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", other, "c")
	if _, err := b.Spawn(echoServer(), WithName("echo")); err != nil {
		t.Fatal(err)
	}
	a := distNode(t, "ea"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", freePort(t), "c",
		WithRoute("eb*@127.0.0.1", Route{Host: "127.0.0.1", EPMDPort: other}))
	if r, err := a.Call(context.Background(), Name{"echo", b.Name()}, etf.Atom("via_epmd")); err != nil || r != etf.Atom("via_epmd") {
		t.Fatalf("Call = %v, %v", r, err)
	}
}

// TestRouteWrongCookie: a route whose cookie the peer does not share
// fails the handshake with dist.ErrBadCookie, and the node logs the
// failure with the route that was used.
func TestRouteWrongCookie(t *testing.T) {
	b := unlistedNode(t, "wb", "right")
	var logs erltest.SyncBuffer
	a := distNode(t, "wa"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", freePort(t), "default",
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithRoute("wb*@127.0.0.1", Route{Port: listenPort(b), Cookie: "wrong"}))
	err := a.Connect(context.Background(), b.Name())
	if !errors.Is(err, ErrNoConnection) || !errors.Is(err, dist.ErrBadCookie) {
		t.Fatalf("Connect = %v, want ErrNoConnection and dist.ErrBadCookie", err)
	}
	got := logs.String()
	for _, want := range []string{"connect via route failed", "route=wb*@127.0.0.1", "cookie"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
}

// waitDisconnected polls until n has no connection to peer.
func waitDisconnected(t *testing.T, n *Node, peer etf.Atom) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for slices.Contains(n.ConnectedNodes(), peer) {
		if time.Now().After(deadline) {
			t.Fatalf("%s still connected to %s after %v", n.Name(), peer, waitFor)
		}
		time.Sleep(10 * time.Millisecond) // polling for the down event, not a fixed wait
	}
}

// FuzzRouteMatch: any pattern and any peer name (the name arrives from the
// wire in a handshake, where CookieFor looks its route up) either fail
// validation with ErrBadRoute or give a table whose lookup never panics;
// an exact pattern always finds itself.
func FuzzRouteMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"db@10.0.0.5", "db@10.0.0.5"}, {"worker*@10.0.0.*", "worker7@10.0.0.9"},
		{"w[0-9]@h", "w5@h"}, {`a\*@h`, "a*@h"}, {"*@*", "x@y"}, {"[", "a@b"},
		{"a@b@c", "a@b"}, {"?@?", "\xff@\x00"}, {"*", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		var s routeSet
		err := s.update(func([]RouteEntry) []RouteEntry {
			return []RouteEntry{{Pattern: pattern, Route: Route{Cookie: "c"}}}
		})
		if err != nil {
			if !errors.Is(err, ErrBadRoute) {
				t.Fatalf("update(%q) = %v, want ErrBadRoute", pattern, err)
			}
			return
		}
		_, _ = s.lookup(etf.Atom(name))
		_ = s.cookieFor(etf.Atom(name))
		if exact, _ := validRoute(pattern, Route{}); exact {
			if e, ok := s.lookup(etf.Atom(pattern)); !ok || e.Pattern != pattern {
				t.Fatalf("exact pattern %q does not find itself", pattern)
			}
		}
	})
}
