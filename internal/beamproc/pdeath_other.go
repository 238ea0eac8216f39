//go:build !linux

package beamproc

import "os/exec"

// DieWithParent is a no-op where the kernel offers no parent-death signal;
// the BEAM nodes still halt when their stdin closes.
func DieWithParent(*exec.Cmd) {}
