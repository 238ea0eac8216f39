package partition

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs the Go agent when the binary was re-executed as one
// (envAgent set), else the tests, after removing namespaces that a
// crashed earlier run left behind.
func TestMain(m *testing.M) {
	if os.Getenv(envAgent) != "" {
		os.Exit(runAgent())
	}
	if os.Geteuid() == 0 {
		removeStaleNamespaces()
	}
	goleak.VerifyTestMain(m)
}
