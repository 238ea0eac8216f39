package soak

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill cmd when the runner dies, so that a
// killed runner leaves no epmd behind (the BEAM nodes also halt on stdin
// EOF).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
