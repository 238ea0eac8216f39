package pg

import (
	"slices"
	"sync"

	"github.com/erlgo/erlgo/etf"
)

// group is one row of the scope's table: every member and the local ones
// (OTP's ETS row {Group, AllPids, LocalPids}). A pid joined twice appears
// twice, as in OTP.
type group struct {
	name  etf.Term
	all   []etf.PID
	local []etf.PID
}

// table is written by the scope process only and read by any goroutine.
type table struct {
	mu     sync.RWMutex
	groups map[uint64][]*group
}

func newTable() *table { return &table{groups: make(map[uint64][]*group)} }

// reset empties the table (a restarted scope starts from nothing, as pg
// does with a new ETS table).
func (t *table) reset() {
	t.mu.Lock()
	t.groups = make(map[uint64][]*group)
	t.mu.Unlock()
}

func (t *table) find(name etf.Term) *group {
	for _, g := range t.groups[etf.HashTerm(name)] {
		if etf.Equal(g.name, name) {
			return g
		}
	}
	return nil
}

func (t *table) members(name etf.Term, local bool) []etf.PID {
	t.mu.RLock()
	defer t.mu.RUnlock()
	g := t.find(name)
	if g == nil {
		return nil
	}
	if local {
		return slices.Clone(g.local)
	}
	return slices.Clone(g.all)
}

func (t *table) names() []etf.Term {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []etf.Term
	for _, b := range t.groups {
		for _, g := range b {
			out = append(out, g.name)
		}
	}
	return out
}

func (t *table) snapshot() []group {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []group
	for _, b := range t.groups {
		for _, g := range b {
			out = append(out, group{name: g.name, all: slices.Clone(g.all), local: slices.Clone(g.local)})
		}
	}
	return out
}

// join adds pids to the group (and to its local list when local).
func (t *table) join(name etf.Term, pids []etf.PID, local bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	g := t.find(name)
	if g == nil {
		g = &group{name: name}
		h := etf.HashTerm(name)
		t.groups[h] = append(t.groups[h], g)
	}
	g.all = append(slices.Clone(pids), g.all...)
	if local {
		g.local = append(slices.Clone(pids), g.local...)
	}
}

// leave removes one occurrence of each pid; the row goes when empty.
func (t *table) leave(name etf.Term, pids []etf.PID, local bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	g := t.find(name)
	if g == nil {
		return false
	}
	g.all = subtract(g.all, pids)
	if local {
		g.local = subtract(g.local, pids)
	}
	if len(g.all) == 0 && len(g.local) == 0 {
		h := etf.HashTerm(name)
		t.groups[h] = slices.DeleteFunc(t.groups[h], func(x *group) bool { return x == g })
		if len(t.groups[h]) == 0 {
			delete(t.groups, h)
		}
	}
	return true
}

// replaceRemote swaps old for new pids of a remote peer (sync).
func (t *table) replaceRemote(name etf.Term, oldPids, newPids []etf.PID) {
	t.mu.Lock()
	g := t.find(name)
	t.mu.Unlock()
	if g == nil {
		t.join(name, newPids, false)
		return
	}
	t.mu.Lock()
	g.all = append(slices.Clone(newPids), subtract(g.all, oldPids)...)
	t.mu.Unlock()
}

// subtract is Erlang's A -- B: removes the first occurrence in a of each
// element of b.
func subtract(a, b []etf.PID) []etf.PID {
	out := slices.Clone(a)
	for _, x := range b {
		if i := slices.Index(out, x); i >= 0 {
			out = slices.Delete(out, i, i+1)
		}
	}
	return out
}
