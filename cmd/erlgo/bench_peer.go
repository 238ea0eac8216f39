package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/erlgo/erlgo/bench"
)

// runBenchPeer hosts the receiving erlgo node of the go-go side: the bench
// runner re-executes itself as `erlgo bench -peer ...` so that the two Go
// nodes are separate OS processes, as the loopback workloads require. It
// is not listed in the help: only the runner starts it.
func runBenchPeer(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return bench.RunPeer(ctx, args, os.Stdin, os.Stdout)
}
