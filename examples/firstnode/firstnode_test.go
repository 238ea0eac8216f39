package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
)

const docPath = "../../docs/first-node.md"

// block is one fenced code block of a Markdown file.
type block struct{ lang, body string }

// fencedBlocks returns the file's fenced code blocks in order.
func fencedBlocks(t *testing.T, path string) []block {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []block
	var cur *block
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimRight(line, "\n")
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &block{lang: strings.TrimPrefix(trimmed, "```")}
		case cur != nil && trimmed == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.body += line
		}
	}
	if cur != nil {
		t.Fatalf("%s: unterminated code block %q", path, cur.lang)
	}
	return out
}

// command returns the body of the sh block whose first word is prog and
// the text blocks after it (what it and the commands before it print).
func command(t *testing.T, blocks []block, prog string) (cmd string, outputs []string) {
	t.Helper()
	for i, b := range blocks {
		if b.lang != "sh" || !strings.HasPrefix(b.body, prog+" ") {
			continue
		}
		for _, o := range blocks[i+1:] {
			if o.lang == "text" {
				outputs = append(outputs, o.body)
			}
		}
		return b.body, outputs
	}
	t.Fatalf("%s: no sh block starting with %q", docPath, prog)
	return "", nil
}

// TestDocShowsThisFile: the document's Go block is main.go from its
// package clause on, so what a reader copies is what this package builds.
func TestDocShowsThisFile(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, code, ok := strings.Cut(string(src), "\npackage main\n")
	if !ok {
		t.Fatal("main.go has no package clause after its doc comment")
	}
	code = "package main\n" + code
	var shown []string
	for _, b := range fencedBlocks(t, docPath) {
		if b.lang == "go" {
			shown = append(shown, b.body)
		}
	}
	if len(shown) != 1 {
		t.Fatalf("%s has %d Go blocks, want 1", docPath, len(shown))
	}
	if shown[0] != code {
		t.Fatalf("%s's Go block differs from main.go; paste main.go from \"package main\" on.\ndoc:\n%s\nmain.go:\n%s",
			docPath, shown[0], code)
	}
}

// TestWalkThrough runs the document's two commands as printed, with its
// node names and cookie made unique and a private EPMD: `go run` starts
// the Go node (ready by its printed line), the elixir command pings it,
// calls greeter and lists nodes and prints exactly the text block after
// it; the Go node prints the text block after that, its last line once it
// has stopped after Ctrl-C (SIGINT to the process group, as a terminal
// sends it).
func TestWalkThrough(t *testing.T) {
	erltest.RequireTools(t, "elixir", "epmd", "go")
	blocks := fencedBlocks(t, docPath)
	goCmd, _ := command(t, blocks, "go")
	exCmd, outputs := command(t, blocks, "elixir")
	if len(outputs) != 2 {
		t.Fatalf("%s: %d text blocks after the elixir command, want 2 (elixir's output, the Go node's)", docPath, len(outputs))
	}
	port := erltest.StartEPMD(t)
	id := strconv.Itoa(os.Getpid()) + "_" + strconv.Itoa(erltest.FreePort(t))
	unique := strings.NewReplacer("go@127.0.0.1", "go"+id+"@127.0.0.1",
		"ex@127.0.0.1", "ex"+id+"@127.0.0.1", "secret", "firstnode"+id).Replace
	exOut := unique(outputs[0])
	goOut := strings.Split(strings.TrimSuffix(unique(outputs[1]), "\n"), "\n")
	if len(goOut) < 2 {
		t.Fatalf("%s: the Go node's output needs its ready line and its last line, has %q", docPath, goOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute) // go run may compile first
	defer cancel()

	goNode := startShell(t, unique(goCmd), port)
	goNode.expect(ctx, t, goOut[0])
	ex := exec.CommandContext(ctx, "bash", "-c", unique(exCmd))
	ex.Env = erltest.EnvWithEPMD(port)
	got, err := ex.CombinedOutput()
	if err != nil || string(got) != exOut {
		t.Fatalf("elixir: %v, printed:\n%s\nwant:\n%s", err, got, exOut)
	}
	for _, w := range goOut[1 : len(goOut)-1] {
		goNode.expect(ctx, t, w)
	}
	if err := syscall.Kill(-goNode.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	goNode.expect(ctx, t, goOut[len(goOut)-1])
	// go run itself exits 1 when interrupted, whatever the program did.
	if rest := goNode.rest(ctx, t); rest != nil {
		t.Fatalf("the Go node printed more after its last line: %q", rest)
	}
}

// shell is a command run through bash in its own process group, with its
// stdout read line by line.
type shell struct {
	name   string // the command line, for messages
	cmd    *exec.Cmd
	lines  chan string
	stderr *erltest.SyncBuffer
	done   chan error
}

// startShell runs command from the module root (where the document's
// `go run ./examples/firstnode` is typed) against the EPMD on port.
func startShell(t *testing.T, command string, port int) *shell {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	s := &shell{name: strings.TrimSpace(command), lines: make(chan string, 16), stderr: &erltest.SyncBuffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command("bash", "-c", command)
	s.cmd.Dir, s.cmd.Env, s.cmd.Stderr = root, erltest.EnvWithEPMD(port), s.stderr
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // go run and the program it builds
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
		s.done <- s.cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		for range s.lines { //nolint:revive // drain so the reader can reach Wait
		}
	})
	return s
}

// expect reads the command's next line and fails unless it is want.
func (s *shell) expect(ctx context.Context, t *testing.T, want string) {
	t.Helper()
	select {
	case l, ok := <-s.lines:
		if !ok {
			t.Fatalf("%s exited before printing %q\nstderr:\n%s", s.name, want, s.stderr.String())
		}
		if l != want {
			t.Fatalf("%s printed %q, want %q\nstderr:\n%s", s.name, l, want, s.stderr.String())
		}
	case <-ctx.Done():
		t.Fatalf("%s did not print %q before %v\nstderr:\n%s", s.name, want, ctx.Err(), s.stderr.String())
	}
}

// rest returns what the command prints until it exits.
func (s *shell) rest(ctx context.Context, t *testing.T) []string {
	t.Helper()
	var out []string
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				<-s.done
				return out
			}
			out = append(out, l)
		case <-ctx.Done():
			t.Fatalf("%s still running: %v\nstderr:\n%s", s.name, ctx.Err(), s.stderr.String())
		}
	}
}
