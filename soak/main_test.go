package soak

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that a run leaves no goroutine behind: the Go node, its
// processes and the peer readers must all be gone when Run returns.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
