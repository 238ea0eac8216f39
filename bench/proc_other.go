//go:build !linux

package bench

import "os/exec"

// dieWithParent is a no-op where the kernel offers no parent-death signal;
// erl nodes still halt when their stdin closes.
func dieWithParent(*exec.Cmd) {}
