package dist

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// checker is a minimal stand-in for testify's require/assert: testify's
// own dependencies (go-spew, go-difflib, yaml) are missing from go.sum, so
// importing it breaks the test build. The call sites use testify's names.
type checker struct{ fatal bool }

var (
	require = checker{fatal: true}
	assert  = checker{fatal: false}
)

func (c checker) fail(t testing.TB, msg string, extra []any) bool {
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
	return false
}

func (c checker) NoError(t testing.TB, err error, msg ...any) bool {
	t.Helper()
	if err != nil {
		return c.fail(t, fmt.Sprintf("unexpected error: %v", err), msg)
	}
	return true
}

func (c checker) Error(t testing.TB, err error, msg ...any) bool {
	t.Helper()
	if err == nil {
		return c.fail(t, "expected an error", msg)
	}
	return true
}

func (c checker) ErrorIs(t testing.TB, err, target error, msg ...any) bool {
	t.Helper()
	if !errors.Is(err, target) {
		return c.fail(t, fmt.Sprintf("error %v is not %v", err, target), msg)
	}
	return true
}

func (c checker) Equal(t testing.TB, want, got any, msg ...any) bool {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		return c.fail(t, fmt.Sprintf("not equal:\nwant %#v\ngot  %#v", want, got), msg)
	}
	return true
}

func (c checker) True(t testing.TB, v bool, msg ...any) bool {
	t.Helper()
	if !v {
		return c.fail(t, "expected true", msg)
	}
	return true
}

func (c checker) False(t testing.TB, v bool, msg ...any) bool {
	t.Helper()
	if v {
		return c.fail(t, "expected false", msg)
	}
	return true
}

func (c checker) Same(t testing.TB, want, got any, msg ...any) bool {
	t.Helper()
	if want != got {
		return c.fail(t, fmt.Sprintf("not the same: %p vs %p", want, got), msg)
	}
	return true
}

func (c checker) NotNil(t testing.TB, v any, msg ...any) bool {
	t.Helper()
	if v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
		return c.fail(t, "expected non-nil", msg)
	}
	return true
}

func (c checker) Len(t testing.TB, v any, n int, msg ...any) bool {
	t.Helper()
	if l := reflect.ValueOf(v).Len(); l != n {
		return c.fail(t, fmt.Sprintf("length %d, want %d", l, n), msg)
	}
	return true
}

func (c checker) Contains(t testing.TB, s, sub string, msg ...any) bool {
	t.Helper()
	if !strings.Contains(s, sub) {
		return c.fail(t, fmt.Sprintf("%q does not contain %q", s, sub), msg)
	}
	return true
}
