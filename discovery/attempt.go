package discovery

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"
)

// launchDue starts an attempt for every candidate that is due, up to the
// parallel limit, and returns when the loop must look again (zero: only
// when something else happens, e.g. an attempt ends).
func (r *Runner) launchDue(ctx context.Context) time.Time {
	now := time.Now()
	var wake time.Time
	r.mu.Lock()
	defer r.mu.Unlock()
	due := make([]*candidate, 0)
	for _, c := range r.cands {
		s := &c.status
		if s.Connected || c.inFlight {
			continue
		}
		if s.NextAttempt.After(now) {
			if wake.IsZero() || s.NextAttempt.Before(wake) {
				wake = s.NextAttempt
			}
			continue
		}
		due = append(due, c)
	}
	// Longest waiting first, so a full pipeline serves candidates fairly.
	slices.SortFunc(due, func(a, b *candidate) int { return a.status.NextAttempt.Compare(b.status.NextAttempt) })
	for _, c := range due {
		if r.inFlight >= r.cfg.parallel {
			return time.Time{} // the next attempt result wakes the loop
		}
		r.startAttempt(ctx, c)
	}
	return wake
}

// startAttempt connects to one candidate on its own goroutine; r.mu is
// held.
func (r *Runner) startAttempt(ctx context.Context, c *candidate) {
	r.inFlight++
	c.inFlight = true
	c.status.Attempts++
	c.status.NextAttempt = time.Time{}
	name := c.status.Node
	r.wg.Go(func() {
		actx, cancel := context.WithTimeout(ctx, r.cfg.connectTimeout)
		err := r.n.Connect(actx, name)
		cancel()
		select {
		case r.results <- attemptResult{name: name, c: c, err: err}:
		case <-ctx.Done():
		}
	})
}

// finish records an attempt's result. Success is checked against the
// node's connection list: a connection that came up and went down before
// the result arrived must count as lost, not as up.
func (r *Runner) finish(res attemptResult) {
	r.inFlight--
	up := false
	if res.err == nil {
		up = slices.Contains(r.n.ConnectedNodes(), res.name)
	}
	now := time.Now()
	r.mu.Lock()
	res.c.inFlight = false
	if r.cands[res.name] != res.c { // forgotten meanwhile
		r.mu.Unlock()
		return
	}
	s := &res.c.status
	var ev Event
	var changed bool
	if up {
		ev, changed = r.setLocked(res.c, true, now)
	} else {
		s.Failures++
		s.LastError = res.err
		s.NextAttempt = now.Add(r.cfg.backoff(s.Failures))
	}
	r.mu.Unlock()
	if !up {
		r.log.Debug("discovery: connect failed", "peer", res.name, "failures", s.Failures, "err", res.err)
	}
	if changed {
		r.emit(ev)
	}
}

// backoff is the delay after the given number of consecutive failures:
// minBackoff doubling per failure, capped at maxBackoff, jittered.
func (c *config) backoff(failures int) time.Duration {
	d := c.minBackoff
	for i := 1; i < failures && d < c.maxBackoff; i++ {
		d *= 2
	}
	return jitter(min(d, c.maxBackoff))
}

// jitter spreads d over ±20 %.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
