package bench

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that sides leave no goroutines behind: every erl reader,
// node process and peer must be gone after Close.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
