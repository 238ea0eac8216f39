package port

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// osProc is the started program and this side's ends of its pipes.
type osProc struct {
	cmd    *exec.Cmd
	stdin  *os.File // write end
	stdout *os.File // read end
	stderr *os.File // read end, StderrSeparate only
}

// startProgram starts name in its own process group (so that a kill
// reaches the children of a shell too) with fresh pipes. The child's pipe
// ends are closed here once it has them, so EOF on stdout means every
// holder of the write end has gone.
func startProgram(name string, args []string, c *config) (_ *osProc, err error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	if len(c.env) > 0 {
		cmd.Env = append(os.Environ(), c.env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var closeAfter, closeOnErr []*os.File
	defer func() {
		for _, f := range closeAfter {
			f.Close()
		}
		if err != nil {
			for _, f := range closeOnErr {
				f.Close()
			}
		}
	}()
	pipe := func() (r, w *os.File, err error) {
		if r, w, err = os.Pipe(); err == nil {
			closeOnErr = append(closeOnErr, r, w)
		}
		return r, w, err
	}
	p := &osProc{cmd: cmd}
	var inR, outW *os.File
	if inR, p.stdin, err = pipe(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	if p.stdout, outW, err = pipe(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	closeAfter = append(closeAfter, inR, outW)
	cmd.Stdin, cmd.Stdout = inR, outW
	switch c.stderr {
	case StderrInherit:
		cmd.Stderr = os.Stderr
	case StderrMerge:
		cmd.Stderr = outW
	case StderrSeparate:
		var errW *os.File
		if p.stderr, errW, err = pipe(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrStart, err)
		}
		closeAfter = append(closeAfter, errW)
		cmd.Stderr = errW
	}
	if err = cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	return p, nil
}

// pid is the program's OS pid, which is also its process group id.
func (p *osProc) pid() int { return p.cmd.Process.Pid }

// signalGroup sends sig to the program's whole process group. ESRCH (the
// group is empty) is not an error.
func (p *osProc) signalGroup(sig syscall.Signal) error {
	err := syscall.Kill(-p.pid(), sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// exitCode is what ERTS reports as exit_status: the exit code, or 128+N
// for a program ended by signal N.
func exitCode(st *os.ProcessState) int {
	if st == nil {
		return -1
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}
