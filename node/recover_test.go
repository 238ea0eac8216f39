package node

import (
	"errors"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

func TestRecover(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	pr.do(func(p *Process) error {
		var err error
		func() {
			defer Recover(&err, p, "test panic")
			panic("boom")
		}()
		var ee *ExitError
		if !errors.As(err, &ee) || !etf.Equal(ee.Reason, etf.Tuple{etf.Atom("panic"), []byte("boom")}) {
			t.Errorf("Recover set %v, want exit {panic, <<\"boom\">>}", err)
		}
		err = nil
		func() {
			defer Recover(&err, p, "no panic")
		}()
		if err != nil {
			t.Errorf("Recover without a panic set %v", err)
		}
		func() {
			defer Recover(nil, p, "log only")
			panic(42)
		}()
		return nil
	})
	// A panicking handler exits with the same reason.
	down := watch(t, n, pr.pid)
	pr.async(func(*Process) error { panic("boom") })
	if r := down(); !etf.Equal(r, etf.Tuple{etf.Atom("panic"), []byte("boom")}) {
		t.Fatalf("exit reason %v", r)
	}
}
