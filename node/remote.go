package node

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/etf"
)

// remote is the distribution half of a node: it owns the dist.Manager, the
// listener and the EPMD registration, implements dist.Handler, and keeps
// per-peer books of links and monitors that cross each connection so that
// a lost connection can be turned into noconnection signals.
type remote struct {
	n   *Node
	mgr *dist.Manager
	ln  net.Listener
	pub *epmd.Publication

	serveDone chan struct{}

	mu    sync.Mutex
	peers map[etf.Atom]*peer

	// conns is a copy-on-write snapshot of the live connections, so that
	// a send finds its connection without taking any lock.
	conns atomic.Pointer[map[etf.Atom]*dist.Conn]

	// setups are connections being set up in the background for Monitor
	// (which must not block like OTP's monitor/2); nsetups counts them so
	// that the send fast path only looks when there are any. r.mu guards
	// the map.
	setups  map[etf.Atom]*setup
	nsetups atomic.Int32
	bg      sync.WaitGroup // background setups, waited for by close
	closing bool           // r.mu: close began, no new background setups

	blocked blockedSenders // processes waiting for room on a connection

	spawns spawnTable // spawn requests of local processes awaiting SPAWN_REPLY

	routes  routeSet      // WithRoute / AddRoute (routes.go)
	backoff *backoffTable // failed connection attempts (backoff.go)
}

// peer holds what crosses one live connection.
type peer struct {
	conn     *dist.Conn
	links    map[[2]etf.PID]struct{}   // {local, remote}
	monitors map[etf.Ref]remoteMonitor // held by local processes on the peer's
	watchers map[etf.Ref]etf.PID       // held by the peer's processes on local ones: ref -> local target
}

type remoteMonitor struct {
	owner  etf.PID
	object etf.Term
}

func startRemote(ctx context.Context, n *Node) (*remote, error) {
	cfg := &n.cfg
	ln, err := net.Listen("tcp", cfg.listenAddr)
	if err != nil {
		return nil, fmt.Errorf("node: listen: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if !cfg.noEPMD && port == cfg.epmdPort {
		// An ephemeral listen port can be the (free) EPMD port we are
		// about to use: registering would then talk to our own listener,
		// which does not accept yet. Take another port.
		ln2, err := net.Listen("tcp", cfg.listenAddr)
		ln.Close()
		if err != nil {
			return nil, fmt.Errorf("node: listen: %w", err)
		}
		ln = ln2
		port = ln.Addr().(*net.TCPAddr).Port
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, setupTimeout)
		defer cancel()
	}
	r := &remote{n: n, ln: ln, peers: make(map[etf.Atom]*peer), serveDone: make(chan struct{}),
		setups: make(map[etf.Atom]*setup), backoff: newBackoffTable(cfg)}
	if err := r.routes.update(func([]RouteEntry) []RouteEntry { return cfg.routes }); err != nil {
		ln.Close()
		return nil, err // validated in Start already
	}
	if !cfg.noEPMD {
		alive := string(n.name[:strings.IndexByte(string(n.name), '@')])
		reg := epmd.Registration{Name: alive, Port: uint16(port)}
		if cfg.hidden {
			reg.NodeType = epmd.NodeHidden
		}
		pub, err := epmd.Publish(ctx, epmd.PublishOptions{
			Registration: reg, Host: cfg.epmdHost, Port: cfg.epmdPort, Logger: n.log,
			Fallback: cfg.epmdMode, Daemon: cfg.epmdDaemon,
		})
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("node: epmd registration: %w", err)
		}
		r.pub = pub
		if !cfg.hasCreation {
			n.creation = pub.Creation()
		}
	}
	mgr, err := dist.NewManager(dist.Config{
		Name: n.name, Creation: n.creation, Cookie: cfg.cookie, Hidden: cfg.hidden,
		TickTime: cfg.tickTime, TLS: cfg.tls, Dial: r.dial, Logger: cfg.logger, // dist adds the node attribute itself
		Registry: cfg.registry, CookieFor: r.routes.cookieFor, TLSFor: r.routes.tlsFor,
	}, r)
	if err != nil {
		ln.Close()
		if r.pub != nil {
			r.pub.Close()
		}
		return nil, err
	}
	r.mgr = mgr
	go func() {
		defer close(r.serveDone)
		_ = mgr.Serve(ln)
	}()
	return r, nil
}

// dial opens a TCP connection to peer: at its route's Host:Port when a
// route gives a port (no EPMD asked, version unknown), else at the port
// the EPMD on the route's (or the name's) host reports, asked on the
// route's (or this node's) EPMD port.
func (r *remote) dial(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
	s := string(peer)
	at := strings.IndexByte(s, '@')
	if at <= 0 {
		return nil, 0, fmt.Errorf("node: bad node name %q", peer)
	}
	host, port, epmdPort := s[at+1:], 0, r.n.cfg.epmdPort
	if e, ok := r.routes.lookup(peer); ok {
		if e.Route.Host != "" {
			host = e.Route.Host
		}
		port = e.Route.Port
		if e.Route.EPMDPort != 0 {
			epmdPort = e.Route.EPMDPort
		}
		r.n.log.Debug("dialling via route", "peer", peer, "route", e.Pattern, "host", host, "port", port)
	}
	version := 0
	if port == 0 {
		cl := &epmd.Client{Host: host, Port: epmdPort, Logger: r.n.log}
		info, err := cl.PortPlease(ctx, s[:at])
		if err != nil {
			return nil, 0, err
		}
		port, version = int(info.Port), int(info.HighestVersion)
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, 0, err
	}
	return nc, version, nil
}

func (r *remote) close() error {
	err := r.mgr.Close()
	r.ln.Close()
	<-r.serveDone
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
	r.bg.Wait() // their Connects fail at once now
	if r.pub != nil {
		if perr := r.pub.Close(); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}
