package global

import (
	"sync"

	"github.com/erlgo/erlgo/etf"
)

// nameEntry is one global name (global_names: {Name, Pid, Method, Ref}).
type nameEntry struct {
	name   etf.Term
	pid    etf.PID
	method etf.Term
	ref    etf.Ref // monitor of pid, owned by the server process
}

// nameTable is the replica of the cluster's global names. The server
// process is its only writer; Whereis reads it directly, as
// global:whereis_name/1 reads global's ETS table.
type nameTable struct {
	mu     sync.RWMutex
	byHash map[uint64][]*nameEntry
	byRef  map[etf.Ref]*nameEntry
	byPid  map[etf.PID]int // number of names per pid
}

func newNameTable() *nameTable {
	return &nameTable{
		byHash: make(map[uint64][]*nameEntry),
		byRef:  make(map[etf.Ref]*nameEntry),
		byPid:  make(map[etf.PID]int),
	}
}

// reset empties the table: a restarted server starts without names, as
// global's ETS tables die with global_name_server.
func (t *nameTable) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byHash = make(map[uint64][]*nameEntry)
	t.byRef = make(map[etf.Ref]*nameEntry)
	t.byPid = make(map[etf.PID]int)
}

func (t *nameTable) lookup(name etf.Term) (*nameEntry, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.lookupLocked(name)
}

func (t *nameTable) lookupLocked(name etf.Term) (*nameEntry, bool) {
	for _, e := range t.byHash[etf.HashTerm(name)] {
		if etf.Equal(e.name, name) {
			return e, true
		}
	}
	return nil, false
}

func (t *nameTable) hasPid(pid etf.PID) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.byPid[pid] > 0
}

func (t *nameTable) byMonitor(ref etf.Ref) (*nameEntry, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	e, ok := t.byRef[ref]
	return e, ok
}

// put inserts e, replacing (and returning) any entry for the same name.
func (t *nameTable) put(e *nameEntry) (old *nameEntry) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old = t.deleteLocked(e.name)
	h := etf.HashTerm(e.name)
	t.byHash[h] = append(t.byHash[h], e)
	t.byRef[e.ref] = e
	t.byPid[e.pid]++
	return old
}

// delete removes name and returns its entry.
func (t *nameTable) delete(name etf.Term) *nameEntry {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.deleteLocked(name)
}

func (t *nameTable) deleteLocked(name etf.Term) *nameEntry {
	h := etf.HashTerm(name)
	bucket := t.byHash[h]
	for i, e := range bucket {
		if !etf.Equal(e.name, name) {
			continue
		}
		bucket = append(bucket[:i:i], bucket[i+1:]...)
		if len(bucket) == 0 {
			delete(t.byHash, h)
		} else {
			t.byHash[h] = bucket
		}
		delete(t.byRef, e.ref)
		if t.byPid[e.pid]--; t.byPid[e.pid] <= 0 {
			delete(t.byPid, e.pid)
		}
		return e
	}
	return nil
}

// all returns a snapshot of every entry.
func (t *nameTable) all() []nameEntry {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]nameEntry, 0, len(t.byRef))
	for _, b := range t.byHash {
		for _, e := range b {
			out = append(out, *e)
		}
	}
	return out
}

// exchangeList is the {Name, Pid, Method} list sent in {exchange, ...}.
func (t *nameTable) exchangeList() etf.List {
	all := t.all()
	out := make(etf.List, 0, len(all))
	for _, e := range all {
		out = append(out, etf.Tuple{e.name, e.pid, e.method})
	}
	return out
}
