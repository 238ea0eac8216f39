//go:build unix

package epmd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// detach puts the daemon in a session of its own, as setsid(2) in
// `epmd -daemon` does: no controlling terminal, and the terminal's or this
// process group's signals (Ctrl-C) do not reach it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}

// lockPort serializes daemon starts for one port across the processes of
// this machine, with an flock on a file in the temp directory. Without it
// two nodes starting at once both start an epmd; Linux lets both bind the
// port (SO_REUSEADDR, neither listening yet), one listen fails, and OTP's
// epmd then stays alive without a port: a stray daemon nobody can stop
// with `epmd -kill`.
func lockPort(ctx context.Context, port int) (unlock func(), err error) {
	path := filepath.Join(os.TempDir(), "erlgo-epmd-"+strconv.Itoa(port)+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("epmd: daemon start lock: %w", err)
	}
	delay := time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); _ = f.Close() }, nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			_ = f.Close()
			return nil, fmt.Errorf("epmd: daemon start lock %s: %w", path, err)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			_ = f.Close()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}
