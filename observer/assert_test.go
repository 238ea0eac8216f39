package observer

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// checks is a minimal stand-in for testify's require (testify's own
// dependencies are missing from go.sum); call sites keep testify's names.
type checks struct{}

var require checks

func failf(t testing.TB, msg []any, format string, args ...any) {
	t.Helper()
	s := fmt.Sprintf(format, args...)
	if len(msg) > 0 {
		s += ": " + fmt.Sprint(msg...)
	}
	t.Fatal(s)
}

func (checks) NoError(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		failf(t, msg, "unexpected error: %v", err)
	}
}

func (checks) Equal(t testing.TB, want, got any, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		failf(t, msg, "want %#v, got %#v", want, got)
	}
}

func (checks) True(t testing.TB, ok bool, msg ...any) {
	t.Helper()
	if !ok {
		failf(t, msg, "condition is false")
	}
}

func (checks) Nil(t testing.TB, v any, msg ...any) {
	t.Helper()
	if v != nil && !reflect.ValueOf(v).IsNil() {
		failf(t, msg, "want nil, got %#v", v)
	}
}

func (checks) NotNil(t testing.TB, v any, msg ...any) {
	t.Helper()
	if v == nil || reflect.ValueOf(v).IsNil() {
		failf(t, msg, "want non-nil")
	}
}

func (checks) NotEmpty(t testing.TB, s string, msg ...any) {
	t.Helper()
	if s == "" {
		failf(t, msg, "want non-empty string")
	}
}

func (checks) Len(t testing.TB, v any, n int, msg ...any) {
	t.Helper()
	if l := reflect.ValueOf(v).Len(); l != n {
		failf(t, msg, "want length %d, got %d (%v)", n, l, v)
	}
}

func Positive[T cmp.Ordered](t testing.TB, v T, msg ...any) {
	t.Helper()
	var zero T
	if v <= zero {
		failf(t, msg, "want > 0, got %v", v)
	}
}

func AtLeast[T cmp.Ordered](t testing.TB, v, min T, msg ...any) {
	t.Helper()
	if v < min {
		failf(t, msg, "want >= %v, got %v", min, v)
	}
}

// Contains checks a substring of a string or an element of a []string.
func (checks) Contains(t testing.TB, in any, want string, msg ...any) {
	t.Helper()
	switch v := in.(type) {
	case string:
		if !strings.Contains(v, want) {
			failf(t, msg, "%q does not contain %q", v, want)
		}
	case []string:
		if !slices.Contains(v, want) {
			failf(t, msg, "%q does not contain %q", v, want)
		}
	default:
		failf(t, msg, "Contains: unsupported %T", in)
	}
}

func (checks) NotContains(t testing.TB, s, unwanted string, msg ...any) {
	t.Helper()
	if strings.Contains(s, unwanted) {
		failf(t, msg, "%q contains %q", s, unwanted)
	}
}
