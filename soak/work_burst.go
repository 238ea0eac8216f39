package soak

import (
	"context"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Bursts: sender/receiver pairs with per-pair sequence numbers, checked
// on the receiving side (Go receivers here, erlgo_soak:rx/6 on BEAM). A
// pair's end marker travels after its data, so when it arrives every
// message that was not lost has arrived too.

// pairResult is what a receiver saw of one pair.
type pairResult struct {
	id, n, got, reordered, bad int
}

func (t *tally) addPair(dir string, r pairResult) {
	t.add(func(t *tally) {
		t.reordered += r.reordered
		t.badPayload += r.bad
		switch {
		case r.got < r.n:
			t.lost += r.n - r.got
			t.addErr(fmt.Sprintf("%s pair %d: %d of %d messages lost", dir, r.id, r.n-r.got, r.n))
		case r.got > r.n:
			t.badPayload += r.got - r.n
			t.addErr(fmt.Sprintf("%s pair %d: %d messages more than the %d sent", dir, r.id, r.got-r.n, r.n))
		}
		if r.reordered > 0 {
			t.addErr(fmt.Sprintf("%s pair %d: %d messages out of order", dir, r.id, r.reordered))
		}
		if r.bad > 0 {
			t.addErr(fmt.Sprintf("%s pair %d: %d unexpected or corrupted messages", dir, r.id, r.bad))
		}
	})
}

// burstTo runs pairs Go senders -> receivers on peer.
func (r *run) burstTo(ctx context.Context, peer *beamPeer, phase, pairs, msgs int, t *tally) {
	dir := "go->" + peer.kind
	srv := node.Name{Name: beamServer, Node: etf.Atom(peer.name)}
	reply, err := r.call(ctx, srv, etf.Tuple{etf.Atom("start_rx"), phase, pairs})
	if err != nil {
		t.control(dir+" start_rx", err)
		return
	}
	rt, ok := reply.(etf.Tuple)
	var targets etf.List
	if ok && len(rt) == 2 {
		targets, ok = rt[1].(etf.List)
	}
	if !ok || len(targets) != pairs {
		t.control(dir+" start_rx", fmt.Errorf("bad reply %s", etf.Format(reply)))
		return
	}
	coll := rt[0]
	done := make(chan int, pairs)
	for i, tgt := range targets {
		to := tgt
		if a, isAtom := tgt.(etf.Atom); isAtom {
			to = node.Name{Name: a, Node: etf.Atom(peer.name)}
		}
		if _, err := r.g.n.Spawn(&sender{to: to, id: i + 1, n: msgs, done: done}); err != nil {
			t.control(dir+" spawn sender", err)
			done <- 0
		}
	}
	for range targets {
		select {
		case <-done:
		case <-ctx.Done():
			t.control(dir+" senders", ctx.Err())
			return
		}
	}
	t.add(func(t *tally) { t.messages += pairs * msgs })
	reply, err = r.callTimeout(ctx, srv, etf.Tuple{etf.Atom("collect"), coll, int(r.cfg.Deadline / time.Millisecond)}, r.cfg.Deadline+10*time.Second)
	if err != nil {
		t.control(dir+" collect", err)
		return
	}
	rt, ok = reply.(etf.Tuple)
	var results etf.List
	if ok && len(rt) == 2 {
		results, ok = rt[1].(etf.List)
	}
	if !ok {
		t.control(dir+" collect", fmt.Errorf("bad reply %s", etf.Format(reply)))
		return
	}
	seen := map[int]bool{}
	for _, e := range results {
		f, ok := e.(etf.Tuple)
		if !ok || len(f) != 5 {
			t.control(dir+" collect", fmt.Errorf("bad pair result %s", etf.Format(e)))
			continue
		}
		var v [5]int
		for i := range f {
			v[i], _ = intOf(f[i])
		}
		seen[v[0]] = true
		t.addPair(dir, pairResult{id: v[0], n: v[1], got: v[2], reordered: v[3], bad: v[4]})
	}
	for id := 1; id <= pairs; id++ {
		if !seen[id] {
			t.addPair(dir, pairResult{id: id, n: msgs}) // end marker never arrived: all counted lost
		}
	}
}

// sender is a Go process that sends n sequenced messages and an end
// marker to one receiver, then ends.
type sender struct {
	to    etf.Term
	id, n int
	done  chan<- int
}

func (s *sender) Init(p *node.Process) error { return p.Send(p.Self(), atomSoak) }

func (s *sender) HandleMessage(p *node.Process, _ etf.Term) error {
	sent := 0
	defer func() { s.done <- sent }()
	seqs := make([]int, s.n)
	for i := range seqs {
		seqs[i] = i
	}
	if testHookSend != nil {
		seqs = testHookSend(seqs)
	}
	for _, seq := range seqs {
		if err := p.Send(s.to, etf.Tuple{atomSoak, s.id, seq, payload(seq)}); err != nil {
			return err
		}
		sent++
	}
	if err := p.Send(s.to, etf.Tuple{atomSoakEnd, s.id, s.n}); err != nil {
		return err
	}
	return &node.ExitError{Reason: node.Normal}
}

func (s *sender) Terminate(*node.Process, etf.Term) {}

// burstFrom runs pairs senders on peer -> Go receivers. Odd pairs are
// addressed by registered name, even ones by pid, as on the BEAM side.
func (r *run) burstFrom(ctx context.Context, peer *beamPeer, phase, pairs, msgs int, t *tally) {
	dir := peer.kind + "->go"
	results := make(chan pairResult, pairs)
	var targets etf.List
	var pids []etf.PID
	defer func() {
		for _, pid := range pids { // receivers still waiting after a failure
			_ = r.g.n.Exit(pid, node.Kill)
		}
	}()
	for id := 1; id <= pairs; id++ {
		rx := &receiver{id: id, results: results}
		var opts []node.SpawnOption
		name := etf.Atom(fmt.Sprintf("soak_rx_%s_%d_%d", peer.kind, phase, id))
		if id%2 == 1 {
			opts = append(opts, node.WithName(name))
		}
		pid, err := r.g.n.Spawn(rx, opts...)
		if err != nil {
			t.control(dir+" spawn receiver", err)
			return
		}
		pids = append(pids, pid)
		if id%2 == 1 {
			targets = append(targets, etf.Tuple{id, etf.Tuple{name, r.g.n.Name()}})
		} else {
			targets = append(targets, etf.Tuple{id, pid})
		}
	}
	srv := node.Name{Name: beamServer, Node: etf.Atom(peer.name)}
	if _, err := r.call(ctx, srv, etf.Tuple{etf.Atom("start_tx"), targets, msgs}); err != nil {
		t.control(dir+" start_tx", err)
		return
	}
	t.add(func(t *tally) { t.messages += pairs * msgs })
	timeout := time.NewTimer(r.cfg.Deadline)
	defer timeout.Stop()
	seen := map[int]bool{}
	for len(seen) < pairs {
		select {
		case res := <-results:
			seen[res.id] = true
			t.addPair(dir, res)
		case <-timeout.C:
			for id := 1; id <= pairs; id++ {
				if !seen[id] {
					t.addPair(dir, pairResult{id: id, n: msgs})
				}
			}
			return
		case <-ctx.Done():
			t.control(dir+" receive", ctx.Err())
			return
		}
	}
	pids = nil // all ended by themselves
}

// receiver is a Go process checking one pair's sequence and payloads.
type receiver struct {
	id                        int
	next, got, reordered, bad int
	results                   chan<- pairResult
}

func (x *receiver) Init(*node.Process) error { return nil }

func (x *receiver) HandleMessage(_ *node.Process, msg etf.Term) error {
	m, ok := msg.(etf.Tuple)
	if ok && len(m) == 4 && m[0] == atomSoak {
		id, _ := intOf(m[1])
		seq, okSeq := intOf(m[2])
		if id != x.id || !okSeq {
			x.bad++
			return nil
		}
		x.got++
		if !etf.Equal(m[3], payload(seq)) {
			x.bad++
		}
		if seq >= x.next {
			x.next = seq + 1
		} else {
			x.reordered++
		}
		return nil
	}
	if ok && len(m) == 3 && m[0] == atomSoakEnd {
		n, _ := intOf(m[2])
		x.results <- pairResult{id: x.id, n: n, got: x.got, reordered: x.reordered, bad: x.bad}
		return &node.ExitError{Reason: node.Normal}
	}
	x.bad++
	return nil
}

func (x *receiver) Terminate(*node.Process, etf.Term) {}
