package observer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
)

// scanChunk is how many pids one process_info rpc covers, so that no
// single request or answer grows with the node's process count.
const scanChunk = 10000

// processInfoFun is fun erlang:process_info/2: an external fun needs no
// code loaded on the target (unlike observer_backend), so
// lists:zipwith(Fun, Pids, Items) makes the target do the per-process work
// in one call per chunk.
var processInfoFun = etf.Export{Module: "erlang", Function: "process_info", Arity: 2}

// sortItems maps a Query.Sort to the process_info item it sorts by.
var sortItems = map[string]etf.Atom{
	"mailbox":    "message_queue_len",
	"memory":     "memory",
	"reductions": "reductions",
	"name":       "registered_name",
}

// candidate is one process seen in the key pass.
type candidate struct {
	pid  etf.PID
	key  uint64
	name string
}

// beamProcesses lists a BEAM node's processes in two passes: erlang:
// processes/0 and the sort key alone for every pid (a few bytes each, in
// chunks), then the full items for the top q.Limit only. So the busiest
// mailbox is found among 100k processes without shipping 100k full rows.
func (r *remoteSource) beamProcesses(ctx context.Context, q Query) (ProcessList, error) {
	t, err := r.rpc(ctx, "erlang", "processes")
	if err != nil {
		return ProcessList{}, fmt.Errorf("observer: %s: erlang:processes: %w", r.target, err)
	}
	pids, ok := t.(etf.List)
	if !ok {
		return ProcessList{}, fmt.Errorf("observer: %s: erlang:processes answered %s", r.target, etf.Format(t))
	}
	pl := ProcessList{Scope: "all", Total: len(pids)}
	if len(pids) > r.scanLimit {
		pids, pl.Truncated = pids[:r.scanLimit], true
	}

	// A filter needs the names too: process_info(Pid, [Key, registered_name]).
	var item etf.Term = sortItems[q.Sort]
	if q.Filter != "" && q.Sort != "name" {
		item = etf.List{sortItems[q.Sort], etf.Atom("registered_name")}
	}
	var cands []candidate
	for start := 0; start < len(pids); start += r.chunk {
		chunk := pids[start:min(start+r.chunk, len(pids))]
		answers, err := r.processInfo(ctx, chunk, item)
		if err != nil {
			return ProcessList{}, err
		}
		for i, a := range answers {
			c, ok := keyOf(chunk[i], a)
			if ok && (q.Filter == "" || q.matches(c.name, c.pid.String())) {
				cands = append(cands, c)
			}
		}
	}
	if q.Filter != "" {
		pl.Total = len(cands)
	}
	slices.SortStableFunc(cands, func(a, b candidate) int { // ties keep pid order
		if q.Sort == "name" {
			if c := cmp.Compare(boolInt(a.name == ""), boolInt(b.name == "")); c != 0 {
				return c
			}
			return cmp.Compare(a.name, b.name)
		}
		return cmp.Compare(b.key, a.key)
	})
	ps, err := r.topInfo(ctx, cands, q.Limit)
	if err != nil {
		return ProcessList{}, err
	}
	// Re-sort on the fresh values of the second pass.
	pl.Processes = sortProcesses(ps, q)
	return pl, nil
}

// topInfo reads the full process_info of the first limit candidates. A
// candidate that exited between the ranking pass and this one (a short-lived
// process: BEAM has many) answers undefined and is replaced by the next
// one, so the list is short only when fewer live processes are left.
func (r *remoteSource) topInfo(ctx context.Context, cands []candidate, limit int) ([]ProcessInfo, error) {
	ps := make([]ProcessInfo, 0, min(len(cands), limit))
	for len(ps) < limit && len(cands) > 0 {
		batch := cands[:min(len(cands), limit-len(ps))]
		cands = cands[len(batch):]
		pids := make(etf.List, len(batch))
		for i, c := range batch {
			pids[i] = c.pid
		}
		answers, err := r.processInfo(ctx, pids, processInfoItems)
		if err != nil {
			return nil, err
		}
		for i, a := range answers {
			pid, _ := pids[i].(etf.PID)
			if p, ok := beamProcessInfo(pid, a); ok {
				ps = append(ps, p)
			}
		}
	}
	return ps, nil
}

// processInfo calls erlang:process_info(Pid, item) for each pid on the
// target and returns the answers in pid order.
func (r *remoteSource) processInfo(ctx context.Context, pids etf.List, item etf.Term) (etf.List, error) {
	if len(pids) == 0 {
		return nil, nil
	}
	items := make(etf.List, len(pids))
	for i := range items {
		items[i] = item
	}
	t, err := r.rpc(ctx, "lists", "zipwith", processInfoFun, pids, items)
	if errors.Is(err, interop.ErrUndef) {
		// A Go node serving BEAM's BIFs has no lists module: one call per
		// pid.
		return r.processInfoEach(ctx, pids, item)
	}
	if err != nil {
		return nil, fmt.Errorf("observer: %s: process_info: %w", r.target, err)
	}
	answers, ok := t.(etf.List)
	if !ok || len(answers) != len(pids) {
		return nil, fmt.Errorf("observer: %s: process_info answered %d items for %d pids", r.target, len(answers), len(pids))
	}
	return answers, nil
}

// processInfoEach is processInfo without lists:zipwith.
func (r *remoteSource) processInfoEach(ctx context.Context, pids etf.List, item etf.Term) (etf.List, error) {
	answers := make(etf.List, len(pids))
	for i, pid := range pids {
		a, err := r.rpc(ctx, "erlang", "process_info", pid, item)
		if err != nil {
			return nil, fmt.Errorf("observer: %s: process_info: %w", r.target, err)
		}
		answers[i] = a
	}
	return answers, nil
}

// keyOf reads a process_info answer of the key pass: {Item, Value}, or
// a list of them; [] for registered_name of an unnamed process, undefined
// for a dead one (ok false).
func keyOf(pidTerm etf.Term, a etf.Term) (candidate, bool) {
	pid, ok := pidTerm.(etf.PID)
	if !ok || a == etf.Atom("undefined") {
		return candidate{}, false
	}
	c := candidate{pid: pid}
	items, isList := a.(etf.List)
	if !isList {
		items = etf.List{a}
	}
	for _, it := range items {
		if kv, ok := it.(etf.Tuple); ok && len(kv) == 2 {
			if name, ok := kv[1].(etf.Atom); ok {
				c.name = string(name)
			} else if kv[0] != etf.Atom("registered_name") {
				c.key = toUint(kv[1])
			}
		}
	}
	return c, true
}
