package node

import (
	"testing"

	"github.com/erlgo/erlgo/etf"
)

func TestLinkState(t *testing.T) {
	a, b, c := etf.PID{ID: 1}, etf.PID{ID: 2}, etf.PID{ID: 3}
	m := linkMap{a: linkActive, b: unlinkingWith(7)}
	for _, tc := range []struct {
		name      string
		pid       etf.PID
		active    bool
		unlinking bool
		isUnlink7 bool
	}{
		{"active link", a, true, false, false},
		{"unlink 7 in flight", b, false, true, true},
		{"no link", c, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := m[tc.pid]
			_, exists := m[tc.pid]
			if got := m.active(tc.pid); got != tc.active {
				t.Errorf("active = %v", got)
			}
			if got := exists && st.unlinking(); got != tc.unlinking {
				t.Errorf("unlinking = %v", got)
			}
			if got := exists && st.isUnlink(7); got != tc.isUnlink7 {
				t.Errorf("isUnlink(7) = %v", got)
			}
			if exists && st.isUnlink(8) {
				t.Error("isUnlink(8) on a link waiting for 7")
			}
		})
	}
	if linkActive.isUnlink(0) {
		t.Error("an active link reads as waiting for unlink id 0")
	}
}
