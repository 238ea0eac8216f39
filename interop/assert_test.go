package interop

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// checker stands in for testify's require/assert (testify's dependencies
// are missing from go.sum); call sites use testify's names.
type checker struct{ fatal bool }

var (
	require = checker{fatal: true}
	assert  = checker{fatal: false}
)

func (c checker) fail(t testing.TB, msg string, extra []any) {
	t.Helper()
	if len(extra) > 0 {
		if f, ok := extra[0].(string); ok {
			msg += ": " + fmt.Sprintf(f, extra[1:]...)
		}
	}
	if c.fatal {
		t.Fatal(msg)
	}
	t.Error(msg)
}

func (c checker) NoError(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		c.fail(t, fmt.Sprintf("unexpected error: %v", err), msg)
	}
}

func (c checker) Error(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err == nil {
		c.fail(t, "expected an error", msg)
	}
}

func (c checker) ErrorIs(t testing.TB, err, target error, msg ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		c.fail(t, fmt.Sprintf("error %v is not %v", err, target), msg)
	}
}

func (c checker) Equal(t testing.TB, want, got any, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		c.fail(t, fmt.Sprintf("got %#v, want %#v", got, want), msg)
	}
}

func (c checker) True(t testing.TB, cond bool, msg ...any) {
	t.Helper()
	if !cond {
		c.fail(t, "condition is false", msg)
	}
}

func (c checker) Len(t testing.TB, v any, n int, msg ...any) {
	t.Helper()
	if l := reflect.ValueOf(v).Len(); l != n {
		c.fail(t, fmt.Sprintf("length %d, want %d", l, n), msg)
	}
}
