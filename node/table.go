package node

import (
	"sync"

	"github.com/erlgo/erlgo/etf"
)

// The process and alias tables are sharded maps: a send looks its target up
// under one shard's read lock, so independent pairs rarely touch the same
// lock (a single RWMutex would put every send on one contended cache line).
const shardCount = 64

type procShard struct {
	mu sync.RWMutex
	m  map[uint64]*Process
	_  [32]byte // keep shards on separate cache lines
}

type procTable struct{ shards [shardCount]procShard }

func pidKey(pid etf.PID) uint64 { return uint64(pid.Serial)<<32 | uint64(pid.ID) }

func (t *procTable) shard(k uint64) *procShard { return &t.shards[k%shardCount] }

func (t *procTable) get(k uint64) *Process {
	s := t.shard(k)
	s.mu.RLock()
	p := s.m[k]
	s.mu.RUnlock()
	return p
}

func (t *procTable) put(k uint64, p *Process) {
	s := t.shard(k)
	s.mu.Lock()
	if s.m == nil {
		s.m = make(map[uint64]*Process)
	}
	s.m[k] = p
	s.mu.Unlock()
}

func (t *procTable) del(k uint64) {
	s := t.shard(k)
	s.mu.Lock()
	delete(s.m, k)
	s.mu.Unlock()
}

// all returns a snapshot of every live process.
func (t *procTable) all() []*Process {
	var out []*Process
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.RLock()
		for _, p := range s.m {
			out = append(out, p)
		}
		s.mu.RUnlock()
	}
	return out
}

// aliasEntry is an active alias: messages sent to it go to owner, or to the
// Call waiting on it.
type aliasEntry struct {
	owner *Process
	mode  AliasMode
	call  *pendingCall // non-nil while a Call waits for a reply on this alias
}

type aliasShard struct {
	mu sync.RWMutex
	m  map[etf.Ref]*aliasEntry
	_  [32]byte
}

type aliasTable struct{ shards [shardCount]aliasShard }

func (t *aliasTable) shard(r etf.Ref) *aliasShard { return &t.shards[r.ID[0]%shardCount] }

func (t *aliasTable) get(r etf.Ref) *aliasEntry {
	s := t.shard(r)
	s.mu.RLock()
	e := s.m[r]
	s.mu.RUnlock()
	return e
}

func (t *aliasTable) put(r etf.Ref, e *aliasEntry) {
	s := t.shard(r)
	s.mu.Lock()
	if s.m == nil {
		s.m = make(map[etf.Ref]*aliasEntry)
	}
	s.m[r] = e
	s.mu.Unlock()
}

// del removes the alias and returns the entry it had.
func (t *aliasTable) del(r etf.Ref) *aliasEntry {
	s := t.shard(r)
	s.mu.Lock()
	e := s.m[r]
	delete(s.m, r)
	s.mu.Unlock()
	return e
}

// lookupForReply is lookupForSend under one write lock instead of a read
// lock and then a write lock: for the alias of a call's tag (Reply), which
// is nearly always a reply-mode alias that the lookup removes, that is two
// atomics and a map lookup fewer.
func (t *aliasTable) lookupForReply(r etf.Ref) *aliasEntry {
	s := t.shard(r)
	s.mu.Lock()
	e := s.m[r]
	if e != nil && (e.mode == AliasReply || e.mode == AliasReplyDemonitor) {
		delete(s.m, r)
	}
	s.mu.Unlock()
	return e
}

// takeIfReply removes and returns the entry when it is a reply-mode alias
// (deactivated by its first message), else returns it without removing.
func (t *aliasTable) lookupForSend(r etf.Ref) *aliasEntry {
	s := t.shard(r)
	s.mu.RLock()
	e := s.m[r]
	s.mu.RUnlock()
	if e == nil || (e.mode != AliasReply && e.mode != AliasReplyDemonitor) {
		return e
	}
	s.mu.Lock()
	if s.m[r] != e { // lost a race with another reply: only one gets through
		s.mu.Unlock()
		return nil
	}
	delete(s.m, r)
	s.mu.Unlock()
	return e
}
