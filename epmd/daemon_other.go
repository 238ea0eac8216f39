//go:build !unix

package epmd

import (
	"context"
	"os/exec"
)

// detach does nothing where there are no Unix sessions; the daemon still
// has no standard streams and is never waited for by its parent's exit.
func detach(*exec.Cmd) {}

// lockPort does not serialize daemon starts here; a daemon that loses the
// port race is then detected only when it exits.
func lockPort(context.Context, int) (func(), error) { return func() {}, nil }
