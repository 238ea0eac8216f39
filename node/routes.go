package node

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"path"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/erlgo/erlgo/etf"
)

// Route says how to reach the peers whose names match a pattern given to
// WithRoute or AddRoute. Its zero value changes nothing: the peer is
// looked up in the EPMD on its own host, with the node's cookie and TLS
// configuration.
type Route struct {
	// Host is the address dialled, a host name or IP address without a
	// port; "" means the host part of the peer's name.
	Host string
	// Port is the peer's distribution port. When set, the peer is
	// dialled at Host:Port and no EPMD is asked (what an erl node does
	// with an -epmd_module that knows its peers). 0 means: ask the EPMD
	// at Host, on EPMDPort.
	Port int
	// EPMDPort is the port of the EPMD asked for the peer's port when Port
	// is 0; 0 means the node's EPMD port (WithEPMD). Setting both Port
	// and EPMDPort is an error: with a Port no EPMD is asked.
	EPMDPort int
	// Cookie is the cookie used with matching peers, both for connections
	// this node dials and for connections they open to it; "" means the
	// node's cookie (WithCookie).
	Cookie string
	// TLS is the TLS configuration for connections this node dials to
	// matching peers; nil means the node's (WithTLS, or none: plain TCP).
	// A connection a peer opens to this node is accepted with the node's
	// WithTLS configuration whatever the route says: the listener cannot
	// know who is calling before the TLS handshake is over.
	TLS *tls.Config
}

// RouteEntry is one route with its pattern, as Routes lists them.
type RouteEntry struct {
	Pattern string
	Route   Route
}

// ErrBadRoute is the class of the errors Start and AddRoute return for a
// route they refuse (a malformed pattern, a port out of range).
var ErrBadRoute = errors.New("node: bad route")

// routeTable is one immutable version of a node's routes.
type routeTable struct {
	exact    map[etf.Atom]Route // patterns without glob characters
	patterns []RouteEntry       // the others, in the order given
	all      []RouteEntry       // every route, in the order given
}

// routeSet holds a node's routes: readers (every dial, every handshake's
// cookie) load the current table without a lock; writers, rare, copy it
// under mu.
type routeSet struct {
	mu  sync.Mutex
	cur atomic.Pointer[routeTable]
}

// validRoute checks one route and reports whether its pattern is an exact
// node name (no glob characters).
func validRoute(pattern string, r Route) (exact bool, err error) {
	bad := func(format string, args ...any) (bool, error) {
		return false, fmt.Errorf("%w %q: %s", ErrBadRoute, pattern, fmt.Sprintf(format, args...))
	}
	if at := strings.IndexByte(pattern, '@'); at <= 0 || at == len(pattern)-1 || strings.Count(pattern, "@") != 1 {
		return bad("want a node name or a glob on one, name@host (e.g. worker*@10.0.0.*)")
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return bad("%v", err)
	}
	if r.Port < 0 || r.Port > 65535 {
		return bad("Port %d out of range 0..65535", r.Port)
	}
	if r.EPMDPort < 0 || r.EPMDPort > 65535 {
		return bad("EPMDPort %d out of range 0..65535", r.EPMDPort)
	}
	if r.Port != 0 && r.EPMDPort != 0 {
		return bad("both Port and EPMDPort set: with a Port no EPMD is asked")
	}
	if strings.ContainsAny(r.Host, " \t\r\n/") || (strings.Contains(r.Host, ":") && net.ParseIP(r.Host) == nil) {
		return bad("Host %q is not a host name or IP address (a port goes in Port)", r.Host)
	}
	return !strings.ContainsAny(pattern, `*?[\`), nil
}

// newRouteTable builds a table from routes in order; a pattern given
// twice keeps its first position and its last Route.
func newRouteTable(routes []RouteEntry) (*routeTable, error) {
	t := &routeTable{exact: make(map[etf.Atom]Route)}
	pos := make(map[string]int, len(routes))
	isExact := make([]bool, 0, len(routes))
	for _, e := range routes {
		exact, err := validRoute(e.Pattern, e.Route)
		if err != nil {
			return nil, err
		}
		if i, ok := pos[e.Pattern]; ok {
			t.all[i].Route = e.Route
			continue
		}
		pos[e.Pattern] = len(t.all)
		t.all = append(t.all, e)
		isExact = append(isExact, exact)
	}
	for i, e := range t.all {
		if isExact[i] {
			t.exact[etf.Atom(e.Pattern)] = e.Route
		} else {
			t.patterns = append(t.patterns, e)
		}
	}
	return t, nil
}

// lookup returns the route for peer: an exact name first, else the first
// pattern that matches, in the order given.
func (s *routeSet) lookup(peer etf.Atom) (RouteEntry, bool) {
	t := s.cur.Load()
	if t == nil {
		return RouteEntry{}, false
	}
	if r, ok := t.exact[peer]; ok {
		return RouteEntry{Pattern: string(peer), Route: r}, true
	}
	for _, e := range t.patterns {
		if ok, _ := path.Match(e.Pattern, string(peer)); ok {
			return e, true
		}
	}
	return RouteEntry{}, false
}

// list returns a copy of the routes in the order given.
func (s *routeSet) list() []RouteEntry {
	if t := s.cur.Load(); t != nil {
		return append([]RouteEntry(nil), t.all...)
	}
	return nil
}

// update replaces the table with edit's result, built from a copy.
func (s *routeSet) update(edit func([]RouteEntry) []RouteEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := newRouteTable(edit(s.list()))
	if err != nil {
		return err
	}
	s.cur.Store(t)
	return nil
}

// cookieFor is dist.Config.CookieFor: the route's cookie ("" falls back
// to the node's).
func (s *routeSet) cookieFor(peer etf.Atom) string {
	if e, ok := s.lookup(peer); ok {
		return e.Route.Cookie
	}
	return ""
}

// tlsFor is dist.Config.TLSFor: the route's TLS configuration (nil falls
// back to the node's).
func (s *routeSet) tlsFor(peer etf.Atom) *tls.Config {
	if e, ok := s.lookup(peer); ok {
		return e.Route.TLS
	}
	return nil
}

// WithRoute makes the node reach the peers whose names match pattern as r
// says instead of through the EPMD on their host (see Route), with r's
// cookie and TLS configuration. pattern is a full node name
// ("db@10.0.0.5") or a glob on one with path.Match syntax ("worker*@10.0.0.*":
// * is any run of characters, ? one character, [a-z] a class, \ quotes).
// A peer's route is the route of its exact name if there is one, else the
// first pattern in the order given that matches. A pattern given twice
// keeps its first position and its last Route. Start fails with
// ErrBadRoute for a malformed pattern or route. See docs/routes.md.
func WithRoute(pattern string, r Route) Option {
	return func(c *config) { c.routes = append(c.routes, RouteEntry{Pattern: pattern, Route: r}) }
}

// AddRoute adds a route at run time, after the existing ones (a pattern
// that has a route already keeps its position and takes r), with the
// rules of WithRoute. It affects connections set up afterwards; a live
// connection to a matching peer stays as it is (Disconnect it to
// redial). It ends every connect back-off window (see
// WithConnectBackoff), since the next attempt may take the new way. It
// fails with ErrBadRoute for a malformed route and with
// ErrNoConnection on a node started WithoutDistribution.
func (n *Node) AddRoute(pattern string, r Route) error {
	if n.remote == nil {
		return ErrNoConnection
	}
	err := n.remote.routes.update(func(l []RouteEntry) []RouteEntry {
		return append(l, RouteEntry{Pattern: pattern, Route: r})
	})
	if err == nil {
		n.remote.backoff.reset()
	}
	return err
}

// RemoveRoute removes the route given for exactly pattern and reports
// whether there was one. Live connections stay as they are; connect
// back-off windows end, as with AddRoute.
func (n *Node) RemoveRoute(pattern string) bool {
	if n.remote == nil {
		return false
	}
	found := false
	_ = n.remote.routes.update(func(l []RouteEntry) []RouteEntry {
		out := l[:0]
		for _, e := range l {
			if e.Pattern == pattern {
				found = true
				continue
			}
			out = append(out, e)
		}
		return out
	})
	if found {
		n.remote.backoff.reset()
	}
	return found
}

// Routes returns the node's routes in the order they are tried among
// patterns (exact names are tried first whatever their position).
func (n *Node) Routes() []RouteEntry {
	if n.remote == nil {
		return nil
	}
	return n.remote.routes.list()
}
