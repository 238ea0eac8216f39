package global

import (
	"github.com/erlgo/erlgo/etf"
)

// lockHolder is one process holding a lock (OTP keeps {Pid, MonitorRef}).
type lockHolder struct {
	pid etf.PID
	ref etf.Ref
}

// lockEntry is global_locks' {ResourceId, LockRequesterId, [{Pid, Ref}]}:
// several processes may hold the same lock as long as they use the same
// requester id (the lockers of two connecting nodes do).
type lockEntry struct {
	resource etf.Term
	reqID    etf.Term
	holders  []lockHolder
}

// lockTable is owned by the server process (no locking needed).
type lockTable struct {
	byHash map[uint64][]*lockEntry
	byRef  map[etf.Ref]*lockEntry
	// globalDown is OTP's global_lock_down: the global resource lock was
	// removed by the death of its holder.
	globalDown bool
}

func newLockTable() *lockTable {
	return &lockTable{byHash: make(map[uint64][]*lockEntry), byRef: make(map[etf.Ref]*lockEntry)}
}

func (t *lockTable) find(resource etf.Term) *lockEntry {
	for _, e := range t.byHash[etf.HashTerm(resource)] {
		if etf.Equal(e.resource, resource) {
			return e
		}
	}
	return nil
}

// set adds pid as a holder of {resource, reqID}; monitor is called to
// monitor a new holder. It reports false if another requester holds it.
func (t *lockTable) set(resource, reqID etf.Term, pid etf.PID, monitor func(etf.PID) etf.Ref) bool {
	e := t.find(resource)
	if e == nil {
		e = &lockEntry{resource: resource, reqID: reqID}
		h := etf.HashTerm(resource)
		t.byHash[h] = append(t.byHash[h], e)
	} else if !etf.Equal(e.reqID, reqID) {
		return false
	}
	for _, h := range e.holders {
		if h.pid == pid {
			return true
		}
	}
	ref := monitor(pid)
	e.holders = append(e.holders, lockHolder{pid: pid, ref: ref})
	t.byRef[ref] = e
	return true
}

// del removes pid from {resource, reqID}; it returns the monitor refs to
// drop.
func (t *lockTable) del(resource, reqID etf.Term, pid etf.PID) []etf.Ref {
	e := t.find(resource)
	if e == nil || !etf.Equal(e.reqID, reqID) {
		return nil
	}
	var refs []etf.Ref
	for i, h := range e.holders {
		if h.pid == pid {
			refs = append(refs, h.ref)
			delete(t.byRef, h.ref)
			e.holders = append(e.holders[:i:i], e.holders[i+1:]...)
			break
		}
	}
	if len(e.holders) == 0 {
		t.remove(e)
		if etf.Equal(resource, resourceGlobal) {
			t.globalDown = false
		}
	}
	return refs
}

// down removes the holder monitored by ref (its process died).
func (t *lockTable) down(ref etf.Ref) bool {
	e, ok := t.byRef[ref]
	if !ok {
		return false
	}
	delete(t.byRef, ref)
	for i, h := range e.holders {
		if h.ref == ref {
			e.holders = append(e.holders[:i:i], e.holders[i+1:]...)
			break
		}
	}
	if len(e.holders) == 0 {
		t.remove(e)
		if etf.Equal(e.resource, resourceGlobal) {
			t.globalDown = true
		}
	}
	return true
}

func (t *lockTable) remove(e *lockEntry) {
	h := etf.HashTerm(e.resource)
	b := t.byHash[h]
	for i, x := range b {
		if x == e {
			b = append(b[:i:i], b[i+1:]...)
			break
		}
	}
	if len(b) == 0 {
		delete(t.byHash, h)
	} else {
		t.byHash[h] = b
	}
}
