package node

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// Routes against real erl nodes. Each erl listens on a fixed free port
// (inet_dist_listen_min = max) and registers in an EPMD the Go node never
// asks, so the Go node reaches it only through its route.

const routeTick = 2 * time.Second

// fixedPortArgs are erl's arguments for a dist listener on port and a
// short net_ticktime matching routeTick.
func fixedPortArgs(port int) []string {
	p := strconv.Itoa(port)
	return []string{"-kernel", "inet_dist_listen_min", p, "-kernel", "inet_dist_listen_max", p,
		"-kernel", "net_ticktime", strconv.Itoa(int(routeTick / time.Second))}
}

// publishAlias registers alive at port in the EPMD at epmdPort (e.g. a
// Go node in an EPMD it does not use), so that erl nodes using that EPMD
// can dial it, until the test ends.
func publishAlias(t *testing.T, epmdPort int, alive string, port int) {
	t.Helper()
	pub, err := epmd.Publish(context.Background(), epmd.PublishOptions{
		Registration: epmd.Registration{Name: alive, Port: uint16(port)},
		Host:         "127.0.0.1", Port: epmdPort, Fallback: epmd.FallbackNone, Logger: quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pub.Close() })
}

// waitConnected polls until n has a connection to peer.
func waitConnected(t *testing.T, n *Node, peer etf.Atom) {
	t.Helper()
	deadline := time.Now().Add(erltest.Wait)
	for !slices.Contains(n.ConnectedNodes(), peer) {
		if time.Now().After(deadline) {
			t.Fatalf("%s not connected to %s after %v", n.Name(), peer, erltest.Wait)
		}
		time.Sleep(10 * time.Millisecond) // polling for the peer's connection
	}
}

// TestRouteErl: erl, registered only in its own EPMD, dials the Go node
// first (found through an alias registration in that EPMD) with its own
// cookie, which the Go node accepts because the route gives it; the Go
// node then dials erl through the route. The routed connection stays up
// past net_ticktime and carries 50,000 messages each way in order.
func TestRouteErl(t *testing.T) {
	needErl(t)
	t.Parallel()
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	erlEPMD, port := startEPMD(t), freePort(t)
	erlName := etf.Atom("rerl" + id + "@127.0.0.1")
	erlCookie := "erl_cookie_" + id
	n := distNode(t, "rgo"+id+"@127.0.0.1", freePort(t), "go_cookie_"+id, WithTickTime(routeTick),
		WithRoute(string(erlName), Route{Port: port, Cookie: erlCookie}))
	publishAlias(t, erlEPMD, "rgo"+id, listenPort(n))
	dialGo := "io:format(\"dialled go: ~p~n\", [net_kernel:connect_node('" + string(n.Name()) + "')])"
	e := startErlWith(t, erlEPMD, "rerl"+id, erlCookie, append(fixedPortArgs(port), "-eval", dialGo)...)
	pr := spawnProbe(t, n, WithName("goprobe"))
	ctx := context.Background()

	t.Run("erl dials, the route's cookie accepts it", func(t *testing.T) {
		waitConnected(t, n, e.name) // the Go node dialled no one
		if r := e.eval(t, pr, `erlang:get_cookie().`); r != etf.Atom(erlCookie) {
			t.Fatalf("erl's cookie %v", r)
		}
	})
	t.Run("the Go node dials erl through the route, not EPMD", func(t *testing.T) {
		cl := &epmd.Client{Host: "127.0.0.1", Port: n.cfg.epmdPort}
		if _, err := cl.PortPlease(ctx, "rerl"+id); !errors.Is(err, epmd.ErrNotRegistered) {
			t.Fatalf("the Go node's EPMD knows erl: %v", err)
		}
		if err := n.Disconnect(e.name); err != nil {
			t.Fatal(err)
		}
		waitDisconnected(t, n, e.name)
		r, err := n.Call(ctx, Name{"net_kernel", e.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()})
		if err != nil || r != etf.Atom("yes") {
			t.Fatalf("is_auth over the route = %v, %v", r, err)
		}
	})
	routedTraffic(t, n, e, pr)
}

// routedTraffic checks a routed connection to e: idle past net_ticktime
// it stays up, then 50,000 messages each way arrive in order.
func routedTraffic(t *testing.T, n *Node, e *erlPeer, pr *probe) {
	t.Run("idle past net_ticktime", func(t *testing.T) {
		w := spawnProbe(t, n)
		w.do(func(p *Process) error { p.MonitorNode(e.name, true); return nil })
		time.Sleep(3 * routeTick) // idling is what is under test
		w.sync()                  // a nodedown would have come first
		if r := e.eval(t, pr, `lists:member('`+string(n.Name())+`', nodes()).`); r != etf.Atom("true") {
			t.Fatalf("erl lost the Go node: %v", r)
		}
	})
	const count = 50000
	t.Run("50,000 messages Go to erl in order", func(t *testing.T) {
		ref := e.evalAsync(pr, `register(route_sink, self()), Go ! sink_ready, node_peer:expect(1, `+itoa(count)+`).`)
		if m := pr.recv(); m != etf.Atom("sink_ready") {
			t.Fatalf("got %#v", m)
		}
		for i := 1; i <= count; i++ {
			if err := n.Send(Name{"route_sink", e.name}, i); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
			t.Fatalf("erl received %v", r)
		}
	})
	t.Run("50,000 messages erl to Go in order", func(t *testing.T) {
		ref := e.evalAsync(pr, `node_peer:flood(Go, 1, `+itoa(count)+`).`)
		for i := 1; i <= count; i++ {
			if m := pr.recv(); m != i {
				t.Fatalf("message %d: got %#v", i, m)
			}
		}
		if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
			t.Fatalf("flood = %v", r)
		}
	})
}

// TestRouteErlWrongCookie: a route whose cookie erl does not share fails
// as BEAM refuses a wrong cookie (dist.ErrBadCookie), logged with the
// route.
func TestRouteErlWrongCookie(t *testing.T) {
	needErl(t)
	t.Parallel()
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	port := freePort(t)
	e := startErlWith(t, startEPMD(t), "werl"+id, "right_"+id, fixedPortArgs(port)...)
	var logs erltest.SyncBuffer
	n := distNode(t, "wgo"+id+"@127.0.0.1", freePort(t), "right_"+id,
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithRoute("werl*@127.0.0.1", Route{Port: port, Cookie: "wrong_" + id}))
	err := n.Connect(context.Background(), e.name)
	if !errors.Is(err, ErrNoConnection) || !errors.Is(err, dist.ErrBadCookie) {
		t.Fatalf("Connect with the wrong route cookie = %v, want dist.ErrBadCookie", err)
	}
	for _, want := range []string{"connect via route failed", "route=werl*@127.0.0.1", "cookie mismatch"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	// The node's own cookie (the right one) is not tried instead.
	if slices.Contains(n.ConnectedNodes(), e.name) {
		t.Fatal("connected despite the route's wrong cookie")
	}
}

// TestRouteErlTLS: one route runs the distribution over TLS to an erl
// started with -proto_dist inet_tls while the node reaches another erl
// over plain TCP through EPMD, both at once; the TLS route stays up past
// net_ticktime and carries 50,000 messages each way in order.
func TestRouteErlTLS(t *testing.T) {
	needErl(t)
	t.Parallel()
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	pki := erltest.NewPKI(t)
	cookie := "tls_cookie_" + id
	port := freePort(t)
	tlsArgs := append([]string{"-proto_dist", "inet_tls", "-ssl_dist_optfile", pki.SSLDistOptFile(t)}, fixedPortArgs(port)...)
	secure := startErlWith(t, startEPMD(t), "terl"+id, cookie, tlsArgs...)
	goEPMD := startEPMD(t)
	plain := startErlWith(t, goEPMD, "perl"+id, cookie, "-kernel", "net_ticktime", strconv.Itoa(int(routeTick/time.Second)))
	n := distNode(t, "tgo"+id+"@127.0.0.1", goEPMD, cookie, WithTickTime(routeTick),
		WithRoute(string(secure.name), Route{Port: port, TLS: pki.TLS}))
	pr := spawnProbe(t, n, WithName("goprobe"))
	ctx := context.Background()

	for _, peer := range []*erlPeer{secure, plain} {
		r, err := n.Call(ctx, Name{"net_kernel", peer.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()})
		if err != nil || r != etf.Atom("yes") {
			t.Fatalf("is_auth %s = %v, %v", peer.name, r, err)
		}
	}
	if got := n.ConnectedNodes(); !slices.Contains(got, secure.name) || !slices.Contains(got, plain.name) {
		t.Fatalf("connected to %v, want both", got)
	}
	// Each erl says what carries its connection to the Go node (the
	// protocol in net_kernel's #net_address{}).
	proto := `{ok, I} = net_kernel:node_info('` + string(n.Name()) + `'), element(4, proplists:get_value(address, I)).`
	if r := secure.eval(t, pr, proto); r != etf.Atom("tls") {
		t.Fatalf("the routed erl's connection runs over %v, want tls", r)
	}
	if r := plain.eval(t, pr, proto); r != etf.Atom("tcp") {
		t.Fatalf("the other erl's connection runs over %v, want tcp", r)
	}
	routedTraffic(t, n, secure, pr)
}
