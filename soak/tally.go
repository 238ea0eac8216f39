package soak

import (
	"fmt"
	"math/big"
	"sync"

	"github.com/erlgo/erlgo/etf"
)

// maxErrors bounds the error details kept per phase.
const maxErrors = 12

// tally accumulates one phase's counts from its concurrent workloads.
type tally struct {
	mu                                   sync.Mutex
	messages, calls, churn               int
	lost, reordered, badPayload          int
	failedCalls, failedChurn, failedCtrl int
	errs                                 []string
}

func (t *tally) add(f func(t *tally)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(t)
}

// errorf records one failure detail (the counters say how many there were).
func (t *tally) errorf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.addErr(fmt.Sprintf(format, args...))
}

func (t *tally) addErr(s string) {
	if len(t.errs) < maxErrors {
		t.errs = append(t.errs, s)
	}
}

// control records a failed control step (a setup or collect call that
// failed): it is not traffic, but the phase's counts are then incomplete,
// so it fails the phase too.
func (t *tally) control(what string, err error) {
	t.add(func(t *tally) {
		t.failedCtrl++
		t.addErr(fmt.Sprintf("%s: %v", what, err))
	})
}

// intOf returns t as an int when it is a (small) integer.
func intOf(t etf.Term) (int, bool) {
	switch x := t.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case int32:
		return int(x), true
	case uint8:
		return int(x), true
	case *big.Int:
		if x.IsInt64() {
			return int(x.Int64()), true
		}
	}
	return 0, false
}

// textOf renders a term the BEAM side sent as error detail (binaries as
// text).
func textOf(t etf.Term) string {
	if b, ok := t.([]byte); ok {
		return string(b)
	}
	return etf.Format(t)
}
