package cron

import (
	"container/heap"
	"slices"
	"strings"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// job is one scheduled job. Only the cron process touches it.
type job struct {
	name     string
	spec     string
	sched    Schedule
	action   Action
	fallback etf.Term

	enabled  bool
	next     time.Time // zero while disabled or when the schedule has ended
	lastRun  time.Time
	lastErr  error
	runs     uint64
	failures uint64
	running  bool  // a run is still going (see JobInfo.Running)
	idx      int   // position in the queue, -1 when not queued
	key      int64 // next.Unix(), compared by the heap (cheaper than time.Time)
}

// table holds the jobs by name and the enabled ones in a min-heap by next
// run time, so a tick costs O(due jobs x log n), not O(n).
type table struct {
	jobs map[string]*job
	q    queue
}

func newTable() *table { return &table{jobs: make(map[string]*job)} }

// add schedules j from now; it fails for a taken name or a schedule that
// never fires.
func (t *table) add(j *job, now time.Time) error {
	if _, ok := t.jobs[j.name]; ok {
		return ErrJobExists
	}
	j.idx = -1
	if j.enabled {
		if j.next = j.sched.Next(now); j.next.IsZero() {
			return ErrNoNextRun
		}
		heap.Push(&t.q, j)
	}
	t.jobs[j.name] = j
	return nil
}

func (t *table) remove(name string) bool {
	j, ok := t.jobs[name]
	if !ok {
		return false
	}
	t.unqueue(j)
	delete(t.jobs, name)
	return true
}

// setEnabled enables (scheduling from now) or disables a job.
func (t *table) setEnabled(name string, on bool, now time.Time) error {
	j, ok := t.jobs[name]
	switch {
	case !ok:
		return ErrNoJob
	case j.enabled == on:
		return nil
	}
	j.enabled = on
	if !on {
		t.unqueue(j)
		j.next = time.Time{}
		return nil
	}
	if j.next = j.sched.Next(now); !j.next.IsZero() {
		heap.Push(&t.q, j)
	}
	return nil
}

func (t *table) unqueue(j *job) {
	if j.idx >= 0 {
		heap.Remove(&t.q, j.idx)
	}
}

// earliest returns the next run time of all jobs.
func (t *table) earliest() (time.Time, bool) {
	if len(t.q) == 0 {
		return time.Time{}, false
	}
	return t.q[0].next, true
}

// due calls run for every job due at now, with the time it was due, and
// reschedules it from now: a job overdue by several runs (a late wake-up,
// a clock jump) runs once, and the runs it missed are skipped.
func (t *table) due(now time.Time, run func(j *job, at time.Time)) {
	for len(t.q) > 0 && !t.q[0].next.After(now) {
		j := t.q[0]
		at := j.next
		if j.next = j.sched.Next(now); j.next.IsZero() {
			heap.Pop(&t.q)
		} else {
			j.key = j.next.Unix()
			heap.Fix(&t.q, 0)
		}
		run(j, at)
	}
}

// list returns the jobs sorted by name.
func (t *table) list() []JobInfo {
	out := make([]JobInfo, 0, len(t.jobs))
	for _, j := range t.jobs {
		out = append(out, j.info())
	}
	slices.SortFunc(out, func(a, b JobInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (j *job) info() JobInfo {
	return JobInfo{Name: j.name, Spec: j.spec, Next: j.next, Enabled: j.enabled,
		LastRun: j.lastRun, LastErr: j.lastErr, Runs: j.runs, Failures: j.failures,
		Running: j.running}
}

// queue is a container/heap of jobs ordered by next run time.
type queue []*job

func (q queue) Len() int { return len(q) }

func (q queue) Less(i, k int) bool { return q[i].key < q[k].key }

func (q queue) Swap(i, k int) {
	q[i], q[k] = q[k], q[i]
	q[i].idx, q[k].idx = i, k
}

func (q *queue) Push(x any) {
	j := x.(*job)
	j.idx, j.key = len(*q), j.next.Unix()
	*q = append(*q, j)
}

func (q *queue) Pop() any {
	old := *q
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	j.idx = -1
	return j
}
