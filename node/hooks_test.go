package node

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// hookRecord collects what Hooks report.
type hookRecord struct {
	mu        sync.Mutex
	calls     []error
	ups, down []etf.Atom
}

func (r *hookRecord) hooks() Hooks {
	return Hooks{
		CallDone: func(d time.Duration, err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if d <= 0 {
				err = errors.New("non-positive duration")
			}
			r.calls = append(r.calls, err)
		},
		ConnUp: func(peer etf.Atom, hidden bool) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.ups = append(r.ups, peer)
		},
		ConnDown: func(peer etf.Atom, hidden bool) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.down = append(r.down, peer)
		},
	}
}

func (r *hookRecord) snapshot() (calls []error, ups, down []etf.Atom) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.calls...), append([]etf.Atom(nil), r.ups...), append([]etf.Atom(nil), r.down...)
}

func TestHooks(t *testing.T) {
	a, b := goPair(t)
	ctx := context.Background()
	var rec hookRecord
	remove := a.AddHooks(rec.hooks())
	if _, err := b.Spawn(echoServer(), WithName("echo")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Call(ctx, Name{"echo", b.Name()}, etf.Atom("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Call(ctx, Name{"nobody", b.Name()}, etf.Atom("x")); !errors.Is(err, ErrNoProc) {
		t.Fatalf("call to nobody: %v", err)
	}
	if _, err := a.WaitDown(ctx, Name{"nobody", b.Name()}); err != nil {
		t.Fatal(err) // a monitor only: not a call, not reported
	}
	calls, ups, _ := rec.snapshot()
	if len(calls) != 2 || calls[0] != nil || !errors.Is(calls[1], ErrNoProc) {
		t.Fatalf("CallDone got %v, want [nil noproc]", calls)
	}
	if len(ups) != 1 || ups[0] != b.Name() {
		t.Fatalf("ConnUp got %v", ups)
	}
	if err := a.Disconnect(b.Name()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitFor)
	for {
		if _, _, d := rec.snapshot(); len(d) == 1 && d[0] == b.Name() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no ConnDown")
		}
		time.Sleep(5 * time.Millisecond)
	}
	remove()
	remove() // idempotent
	if _, err := a.Call(ctx, Name{"echo", b.Name()}, etf.Atom("x")); err != nil {
		t.Fatal(err)
	}
	if calls, ups, _ := rec.snapshot(); len(calls) != 2 || len(ups) != 1 {
		t.Fatalf("removed hooks still ran: calls %v, ups %v", calls, ups)
	}
}
