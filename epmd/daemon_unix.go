//go:build unix

package epmd

import (
	"os/exec"
	"syscall"
)

// detach puts the daemon in a session of its own, as setsid(2) in
// `epmd -daemon` does: no controlling terminal, and the terminal's or this
// process group's signals (Ctrl-C) do not reach it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
