package main

import (
	"fmt"

	"github.com/erlgo/erlgo/bench"
)

// runBenchPeer hosts the receiving erlgo node of the go-go side: the bench
// runner re-executes itself as `erlgo bench -peer ...` so that the two Go
// nodes are separate OS processes, as the loopback workloads require.
func runBenchPeer(args []string) error {
	return fmt.Errorf("bench -peer: %w", bench.ErrNotBuilt)
}
