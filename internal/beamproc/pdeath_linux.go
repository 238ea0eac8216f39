package beamproc

import (
	"os/exec"
	"syscall"
)

// DieWithParent makes the kernel kill cmd when the calling process dies, so
// that a killed runner leaves no epmd behind (the BEAM nodes also halt on
// stdin EOF). Call it before cmd.Start; it replaces cmd.SysProcAttr.
func DieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
