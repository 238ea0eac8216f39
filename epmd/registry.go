// Spec: Distribution Protocol / EPMD Protocol, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#epmd-protocol

package epmd

import (
	"sort"
	"sync"
	"time"
)

// maxUnregistered bounds how many unregistered names the server remembers
// so that a returning name gets a different creation (epmd's
// MAX_UNREG_COUNT). The oldest is forgotten first.
const maxUnregistered = 1000

// nodeEntry is one registered (or formerly registered) name.
type nodeEntry struct {
	AliveRequest
	fd      int    // file descriptor of the registration socket, for DUMP
	counter uint32 // epmd's cr_counter
	seq     uint64 // registration order: NAMES lists the newest first
	owner   *serverConn
}

// creation derives the creation handed out, as epmd does: the full
// counter (never below 4, so never 0) for version-6 nodes, 1..3 otherwise.
func (e *nodeEntry) creation() uint32 {
	if e.HighestVersion >= 6 {
		return e.counter
	}
	return e.counter%3 + 1
}

// bump advances the counter, skipping 0..3 on wrap-around.
func (e *nodeEntry) bump() {
	e.counter++
	if e.counter < 4 {
		e.counter = 4
	}
}

// registry is the server's table of names. It is safe for concurrent use.
type registry struct {
	mu         sync.Mutex
	now        func() time.Time
	seq        uint64
	reg        map[string]*nodeEntry
	unreg      map[string]*nodeEntry
	unregOrder []*nodeEntry // oldest first
}

func newRegistry(now func() time.Time) *registry {
	return &registry{now: now, reg: map[string]*nodeEntry{}, unreg: map[string]*nodeEntry{}}
}

// register adds a node, or returns nil when the name is taken. A name seen
// before gets its old counter bumped, so its creation changes; a new name
// starts from the wall clock like epmd.
func (r *registry) register(req *AliveRequest, fd int, owner *serverConn) *nodeEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, taken := r.reg[req.Name]; taken {
		return nil
	}
	e, seen := r.unreg[req.Name]
	if seen {
		delete(r.unreg, req.Name)
		r.removeFromOrder(e)
	} else {
		e = &nodeEntry{counter: uint32(r.now().Unix())}
	}
	e.bump()
	e.AliveRequest = *req
	e.fd = fd
	e.owner = owner
	r.seq++
	e.seq = r.seq
	r.reg[req.Name] = e
	return e
}

func (r *registry) removeFromOrder(e *nodeEntry) {
	for i, x := range r.unregOrder {
		if x == e {
			r.unregOrder = append(r.unregOrder[:i], r.unregOrder[i+1:]...)
			return
		}
	}
}

// unregister moves e to the remembered-names list if it is still the
// registered entry for its name. It reports whether it did.
func (r *registry) unregister(e *nodeEntry) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reg[e.Name] != e {
		return false
	}
	delete(r.reg, e.Name)
	e.owner = nil
	if len(r.unregOrder) >= maxUnregistered {
		old := r.unregOrder[0]
		r.unregOrder = r.unregOrder[1:]
		delete(r.unreg, old.Name)
	}
	r.unreg[e.Name] = e
	r.unregOrder = append(r.unregOrder, e)
	return true
}

// unregisterName unregisters name and returns the connection that
// registered it.
func (r *registry) unregisterName(name string) (*serverConn, bool) {
	r.mu.Lock()
	e, ok := r.reg[name]
	var owner *serverConn
	if ok {
		owner = e.owner
	}
	r.mu.Unlock()
	if !ok || !r.unregister(e) {
		return nil, false
	}
	return owner, true
}

// lookup returns a copy of the registration of name.
func (r *registry) lookup(name string) (AliveRequest, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.reg[name]
	if !ok {
		return AliveRequest{}, false
	}
	return e.AliveRequest, true
}

// entrySnapshot is a copy of an entry's printable fields.
type entrySnapshot struct {
	name     string
	port     uint16
	fd       int
	creation uint32
}

// snapshot returns the registered names, newest first (epmd's list order),
// and the remembered old names, oldest first.
func (r *registry) snapshot() (active, old []entrySnapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	es := make([]*nodeEntry, 0, len(r.reg))
	for _, e := range r.reg {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool { return es[i].seq > es[j].seq })
	for _, e := range es {
		active = append(active, entrySnapshot{e.Name, e.Port, e.fd, e.creation()})
	}
	for _, e := range r.unregOrder {
		old = append(old, entrySnapshot{e.Name, e.Port, e.fd, e.creation()})
	}
	return active, old
}

// count returns the number of registered names.
func (r *registry) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reg)
}
