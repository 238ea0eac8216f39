package discovery

import (
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// TestManyCandidatesFewUp: 50 listed names of which 3 are real BEAM
// nodes. The loop joins the three and retries the 47 others on a
// doubling back-off, not in a tight loop: over a 3 s window with a
// 100 ms..1 s back-off no ghost is tried more often than the schedule
// allows (7 times even with the shortest jitter), yet every ghost is
// retried.
func TestManyCandidatesFewUp(t *testing.T) {
	c := newLoopCluster(t)
	up := []*peer{c.peer(t, "a", 2, peerOpts{}), c.peer(t, "b", 3, peerOpts{}), c.peer(t, "c", 4, peerOpts{})}
	names := []etf.Atom{up[0].name, up[1].name, up[2].name}
	for i := range 47 {
		names = append(names, etf.Atom("ghost"+itoa(i)+c.id+"@127.0.0."+itoa(10+i%5)))
	}
	n := goNode(t, "go"+c.id+"@127.0.0.1", c.cookie, c.epmd)
	ev := newEvents()
	start := time.Now()
	r := startRunner(t, n, Static(names...), ev, WithBackoff(100*time.Millisecond, time.Second))
	for _, p := range up {
		ev.wait(t, Event{Node: p.name, Up: true})
	}
	time.Sleep(3*time.Second - time.Since(start)) // the window the attempt count is about
	elapsed := time.Since(start)
	// Attempts possible in elapsed: the first at once, then one per
	// back-off step at its shortest (0.8 × 100 ms doubling to 0.8 × 1 s).
	maxAttempts, at := 1, time.Duration(0)
	for d := 100 * time.Millisecond; ; d = min(2*d, time.Second) {
		if at += d * 8 / 10; at > elapsed {
			break
		}
		maxAttempts++
	}
	total := 0
	for _, s := range r.Status() {
		if s.Connected {
			if s.Attempts != 1 {
				t.Errorf("%s: %d attempts, want 1", s.Node, s.Attempts)
			}
			continue
		}
		total += s.Attempts
		if s.Attempts < 2 || s.Attempts > maxAttempts {
			t.Errorf("%s: %d attempts in %v, want 2..%d", s.Node, s.Attempts, elapsed, maxAttempts)
		}
	}
	t.Logf("47 ghosts: %d attempts in %v (at most %d each by the schedule)", total, elapsed.Round(time.Millisecond), maxAttempts)
	if got := len(ev.snapshot()); got != 3 {
		t.Errorf("%d events, want the 3 nodeups", got)
	}
}
