package actors_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// Minimal assertions (testify's go.sum entries are incomplete in this
// module; the helpers below are all these tests need).

func eq(t testing.TB, want, got any, msg ...any) {
	t.Helper()
	if reflect.DeepEqual(want, got) || termEqual(want, got) {
		return
	}
	t.Fatalf("%s: got %#v, want %#v", label(msg), got, want)
}

func ok(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", label(msg), err)
	}
}

func fails(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: expected an error", label(msg))
	}
}

func is(t testing.TB, err, target error, msg ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v is not %v", label(msg), err, target)
	}
}

func truth(t testing.TB, cond bool, msg ...any) {
	t.Helper()
	if !cond {
		t.Fatalf("%s: condition is false", label(msg))
	}
}

func label(msg []any) string {
	if len(msg) == 0 {
		return "assertion"
	}
	return fmt.Sprint(msg...)
}

// termEqual is etf.Equal, false for Go values it cannot compare.
func termEqual(a, b any) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return etf.Equal(a, b)
}
