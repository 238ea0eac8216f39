package pg

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Minimal assertions (testify's go.sum entries are incomplete in this
// module, so the packages here carry their own).
type requireT struct{}

var require requireT

func (requireT) NoError(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v %v", err, msg)
	}
}

func (requireT) ErrorIs(t testing.TB, err, target error, msg ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v is not %v %v", err, target, msg)
	}
}

func (requireT) Equal(t testing.TB, want, got any, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) && !etf.Equal(want, got) {
		t.Fatalf("want %v, got %v %v", want, got, msg)
	}
}

func (requireT) True(t testing.TB, c bool, msg ...any) {
	t.Helper()
	if !c {
		t.Fatalf("condition false %v", msg)
	}
}

func (requireT) False(t testing.TB, c bool, msg ...any) {
	t.Helper()
	if c {
		t.Fatalf("condition true %v", msg)
	}
}

func (requireT) ElementsMatch(t testing.TB, want, got []etf.Term) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("want %v, got %v", want, got)
	}
	used := make([]bool, len(got))
outer:
	for _, w := range want {
		for i, g := range got {
			if !used[i] && etf.Equal(w, g) {
				used[i] = true
				continue outer
			}
		}
		t.Fatalf("want %v, got %v", want, got)
	}
}

func (requireT) Eventually(t testing.TB, cond func() bool, d, tick time.Duration, msg ...any) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v %v", d, msg)
		}
		time.Sleep(tick)
	}
}
