package beamproc

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// epmdTries is how many free ports StartEPMD tries before giving up.
const epmdTries = 5

// EPMD is a private `epmd -port P` started by StartEPMD; BEAM nodes find
// it through ERL_EPMD_PORT, so a run never touches a user's EPMD on 4369.
type EPMD struct {
	// Port is the loopback port epmd listens on.
	Port int

	cmd  *exec.Cmd
	tail *TailBuffer
	done chan struct{}
}

// StartEPMD starts the epmd program bin on a free loopback port and
// returns once it listens there; wait bounds each attempt.
//
// A port probed free can be taken before epmd binds it, and a plain
// connect would then succeed against that other listener. So epmd runs
// with -d -d and StartEPMD reads its own report: "entering the main
// select() loop" means this epmd listens; an exit (e.g. "already
// running") means try another port.
func StartEPMD(ctx context.Context, bin string, wait time.Duration) (*EPMD, error) {
	var lastErr error
	for range epmdTries {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		e, err := startEPMDOn(ctx, bin, port, wait)
		if e != nil || ctx.Err() != nil {
			return e, err
		}
		lastErr = err
	}
	return nil, lastErr
}

// startEPMDOn starts epmd on port and waits for its verdict: the running
// EPMD, or nil and why it did not take the port (the process reaped).
func startEPMDOn(ctx context.Context, bin string, port int, wait time.Duration) (*EPMD, error) {
	cmd := exec.Command(bin, "-d", "-d", "-port", strconv.Itoa(port))
	DieWithParent(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start epmd: %w", err)
	}
	e := &EPMD{Port: port, cmd: cmd, tail: NewTailBuffer(2048), done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		// Keep reading after the verdict: with -d -d epmd logs every
		// request, and a full pipe would block it.
		sc := bufio.NewScanner(stderr)
		announced := false
		for sc.Scan() {
			_, _ = e.tail.Write([]byte(sc.Text() + "\n"))
			if !announced && strings.Contains(sc.Text(), "entering the main select() loop") {
				announced = true
				close(ready)
			}
		}
		_ = cmd.Wait() // after the pipe is read to its end: Wait closes it
		close(e.done)
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ready:
		return e, nil
	case <-e.done:
		return nil, fmt.Errorf("epmd -port %d exited: %s", port, e.tail.String())
	case <-timer.C:
		e.Stop()
		return nil, fmt.Errorf("epmd -port %d: not ready after %v", port, wait)
	case <-ctx.Done():
		e.Stop()
		return nil, ctx.Err()
	}
}

// Stop kills epmd and waits until it is reaped. It is safe on a nil EPMD
// and idempotent.
func (e *EPMD) Stop() {
	if e == nil {
		return
	}
	_ = e.cmd.Process.Kill()
	<-e.done
}
