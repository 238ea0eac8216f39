package observer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

const (
	defaultLimit = 200
	maxLimit     = 10000
)

// normalize fills Query defaults and rejects unknown sort keys.
func (q Query) normalize() (Query, error) {
	switch q.Sort {
	case "":
		q.Sort = "mailbox"
	case "mailbox", "memory", "reductions", "name":
	default:
		return q, fmt.Errorf("%w: sort %q (want mailbox, memory, reductions or name)", ErrBadQuery, q.Sort)
	}
	if q.Limit <= 0 {
		q.Limit = defaultLimit
	}
	q.Limit = min(q.Limit, maxLimit)
	if len(q.Filter) > maxFilter {
		return q, fmt.Errorf("%w: filter longer than %d bytes", ErrBadQuery, maxFilter)
	}
	q.Filter = strings.ToLower(q.Filter)
	return q, nil
}

// maxFilter bounds Query.Filter.
const maxFilter = 200

// matches tells whether a process of that name and pid passes q.Filter
// (already lower-cased by normalize).
func (q Query) matches(name, pid string) bool {
	return q.Filter == "" || strings.Contains(strings.ToLower(name), q.Filter) ||
		strings.Contains(strings.ToLower(pid), q.Filter)
}

// sortProcesses orders ps by q.Sort, largest first (names ascending), with
// pids as the tie-break so the order is stable between polls, then applies
// q.Limit.
func sortProcesses(ps []ProcessInfo, q Query) []ProcessInfo {
	key := func(p ProcessInfo) uint64 {
		switch q.Sort {
		case "memory":
			return deref(p.Memory)
		case "reductions":
			return deref(p.Reductions)
		default:
			if p.MessageQueueLen == nil {
				return 0
			}
			return uint64(max(*p.MessageQueueLen, 0))
		}
	}
	slices.SortStableFunc(ps, func(a, b ProcessInfo) int {
		if q.Sort == "name" {
			// Named processes first, then by pid.
			if c := cmp.Compare(boolInt(a.Name == ""), boolInt(b.Name == "")); c != 0 {
				return c
			}
			if c := cmp.Compare(a.Name, b.Name); c != 0 {
				return c
			}
			return cmp.Compare(a.PID, b.PID)
		}
		if c := cmp.Compare(key(b), key(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.PID, b.PID)
	})
	if len(ps) > q.Limit {
		ps = ps[:q.Limit]
	}
	return ps
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
