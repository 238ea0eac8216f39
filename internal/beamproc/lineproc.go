package beamproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// ErrExited is returned (wrapped, with the tail of stderr) by ReadLine once
// the process has ended and every line it printed has been read.
var ErrExited = errors.New("process exited")

// maxLine bounds one stdout line; a BEAM helper's result lines are short,
// but a crash report printed on one line can be long.
const maxLine = 1 << 20

// LineProc is an OS process driven by a line protocol: the caller writes
// command lines to its stdin and reads answer lines from its stdout; stderr
// is kept for error messages. Closing stdin asks it to halt (the helpers
// erlgo drives halt on EOF), which is how Kill stops it politely.
type LineProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *TailBuffer
	route  func(string) bool
	done   chan struct{}
}

// Options configure Start. The zero value is usable.
type Options struct {
	// Stderr receives the process's stderr; nil means a new 4 KiB
	// TailBuffer. Passing one lets Route add stray stdout lines to it.
	Stderr *TailBuffer
	// Route, when set, sees every stdout line first, on the reader
	// goroutine, and returns whether ReadLine should get it too. It must
	// not block: the process stalls while its stdout is not read.
	Route func(line string) bool
}

// Start starts cmd (with DieWithParent) with pipes on stdin and stdout and
// returns at once; readiness is the caller's protocol (typically a first
// line read with ReadLine). cmd must not have Stdin, Stdout or Stderr set.
func Start(cmd *exec.Cmd, o Options) (*LineProc, error) {
	if o.Stderr == nil {
		o.Stderr = NewTailBuffer(4096)
	}
	DieWithParent(cmd)
	p := &LineProc{cmd: cmd, lines: make(chan string, 16), stderr: o.Stderr, route: o.Route, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	go p.read(stdout)
	return p, nil
}

// read feeds stdout lines to Route and ReadLine until EOF, then reaps the
// process: Done closes before the line channel, once every line is queued.
func (p *LineProc) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for sc.Scan() {
		line := sc.Text()
		if p.route == nil || p.route(line) {
			p.lines <- line
		}
	}
	_ = p.cmd.Wait()
	close(p.done)
	close(p.lines)
}

// WriteLine writes line and a newline to the process's stdin.
func (p *LineProc) WriteLine(line string) error {
	_, err := io.WriteString(p.stdin, line+"\n")
	return err
}

// ReadLine returns the next stdout line (one Route kept). After the
// process has exited and its lines are read it returns ErrExited with the
// tail of stderr; on cancellation, ctx's error.
func (p *LineProc) ReadLine(ctx context.Context) (string, error) {
	select {
	case line, ok := <-p.lines:
		if !ok {
			return "", fmt.Errorf("%w: %s", ErrExited, p.Stderr())
		}
		return line, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Stderr returns the kept tail of stderr, trimmed of surrounding space.
func (p *LineProc) Stderr() string { return strings.TrimSpace(p.stderr.String()) }

// Done is closed once the process has exited and been reaped.
func (p *LineProc) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited.
func (p *LineProc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill closes stdin, waits up to grace for the process to halt on its
// own, then kills it; it returns once the process is reaped. Lines not yet
// read are discarded. It is safe on a nil LineProc and idempotent.
func (p *LineProc) Kill(grace time.Duration) {
	if p == nil {
		return
	}
	_ = p.stdin.Close()
	go func() { // drain so the reader goroutine can finish
		for range p.lines {
		}
	}()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
		return
	case <-timer.C:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}
