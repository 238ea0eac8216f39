//go:build !unix

package epmd

import "os/exec"

// detach does nothing where there are no Unix sessions; the daemon still
// has no standard streams and is never waited for by its parent's exit.
func detach(*exec.Cmd) {}
