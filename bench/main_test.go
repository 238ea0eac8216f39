package bench

import (
	"context"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// peerFlag makes the test binary act as `erlgo bench -peer`, so the go-go
// side can re-execute it as its receiving node.
const peerFlag = "-erlgo-bench-peer"

// TestMain runs the peer mode when asked, and otherwise checks that sides
// leave no goroutines behind: every erl reader, node process and peer must
// be gone after Close.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == peerFlag {
		if err := RunPeer(context.Background(), os.Args[2:], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	sharedEnv.Close()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// sharedEnv is the tests' one Env: erlgo_bench.erl is compiled once and one
// private epmd serves every named node, which keeps the suite short.
var sharedEnv = &Env{PeerCommand: []string{os.Args[0], peerFlag}}
