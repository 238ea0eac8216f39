package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/dist"
)

// runCLI runs the built erlgo with args and returns stdout, stderr and
// the exit status.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(buildErlgo(t), args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// TestHelpExitsZero: -h, -help, --help and `help` print the usage on
// stdout and exit 0, for erlgo and every command, as Go tools do for
// `go help`; a bad command line exits 2 with the reason on stderr.
func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"-help"}, {"--help"}, {"help"}} {
		out, errOut, code := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, "usage: erlgo <command>") || errOut != "" {
			t.Errorf("erlgo %v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
		}
	}
	for _, c := range commands() {
		if c.run == nil {
			continue
		}
		for _, args := range [][]string{{c.name, "-h"}, {c.name, "-help"}, {"help", c.name}} {
			out, errOut, code := runCLI(t, args...)
			if code != 0 || !strings.HasPrefix(out, "usage: erlgo "+c.name) || errOut != "" {
				t.Errorf("erlgo %v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
			}
		}
	}
	for _, args := range [][]string{{}, {"bogus"}, {"help", "bogus"}, {"node", "-bogus"}, {"epmd", "extra"},
		{"node", "-kernel", "inet_dist_listen_min", "9000"}, {"node", "-kernel"}, {"node"}, {"node", "-name", "a", "-sname", "b"}, {"node", "-ticktime", "0"}, {"node", "-start_epmd", "maybe"}} {
		_, errOut, code := runCLI(t, args...)
		if code != 2 || errOut == "" {
			t.Errorf("erlgo %v: exit %d, want 2 and a reason on stderr: %s", args, code, errOut)
		}
	}
}

// TestUsageAligned: every command's summary starts in the same column.
func TestUsageAligned(t *testing.T) {
	out, _, _ := runCLI(t, "-h")
	col := -1
	for _, c := range commands() {
		i := strings.Index(out, "  "+c.name+" ")
		if i < 0 {
			t.Fatalf("usage lacks %s:\n%s", c.name, out)
		}
		line := out[i:]
		line = line[:strings.IndexByte(line, '\n')]
		at := strings.Index(line, c.summary)
		if col == -1 {
			col = at
		}
		if at != col {
			t.Errorf("summary of %s at column %d, others at %d:\n%s", c.name, at, col, out)
		}
	}
}

// TestVersion: the module from the build info, the Go version, the OTP
// range and the distribution flags.
func TestVersion(t *testing.T) {
	out, _, code := runCLI(t, "version")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"erlgo github.com/erlgo/erlgo", "go " + runtime.Version(), "otp 25 or later",
		dist.DefaultFlags.String(), "MANDATORY_25_DIGEST"} {
		if !strings.Contains(out, want) {
			t.Errorf("version lacks %q:\n%s", want, out)
		}
	}
}

func TestErlArgs(t *testing.T) {
	got, err := erlArgs([]string{"-name", "a@b", "-kernel", "net_ticktime", "20", "-hidden", "--", "-kernel", "x"})
	if err != nil || strings.Join(got, " ") != "-name a@b -ticktime 20 -hidden -- -kernel x" {
		t.Fatalf("got %q, %v", got, err)
	}
	for _, bad := range [][]string{{"-kernel", "net_ticktime"}, {"-kernel", "dist_auto_connect", "never"}} {
		if _, err := erlArgs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTickTimeValue(t *testing.T) {
	for in, want := range map[string]time.Duration{"2": 2 * time.Second, "60": time.Minute, "90s": 90 * time.Second, "1m": time.Minute} {
		var v tickTimeValue
		if err := v.Set(in); err != nil || time.Duration(v) != want {
			t.Errorf("%q: %v, %v; want %v", in, time.Duration(v), err, want)
		}
	}
	for _, in := range []string{"0", "-3", "1.5s", "500ms", "x"} {
		var v tickTimeValue
		if err := v.Set(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// TestNodeErlSpellings: a node started with erl's own spellings (-sname,
// -setcookie, -hidden, -kernel net_ticktime, -start_epmd false,
// -erl_epmd_port, -noshell) is reached by a real erl with the same ones,
// as a hidden node (erl itself is visible), and stays connected past
// net_ticktime 2.
func TestNodeErlSpellings(t *testing.T) {
	env, port := privateEPMD(t)
	cookie := uniq("cookie")
	sname := uniq("gosn")
	gn, ready := startGoNode(t, env, "-sname", sname, "-setcookie", cookie, "-hidden", "-kernel", "net_ticktime", "2",
		"-start_epmd", "false", "-erl_epmd_port", strconv.Itoa(port), "-noshell", "-no-global")
	if !strings.Contains(ready, "hidden, tcp, net_ticktime 2s") || !strings.Contains(ready, "epmd port "+strconv.Itoa(port)) {
		t.Errorf("ready line: %s", ready)
	}
	full := strings.Fields(ready)[2]
	out := runErl(t, env, fmt.Sprintf(`Go = '%s', io:format("ping=~p~n", [net_adm:ping(Go)]),
		timer:sleep(5000),
		io:format("hidden=~p visible=~p~n", [lists:member(Go, nodes(hidden)), lists:member(Go, nodes())]), halt().`, full),
		"-sname", uniq("esn"), "-setcookie", cookie, "-kernel", "net_ticktime", "2") // visible: the hidden flag is the Go node's
	if !strings.Contains(out, "ping=pong") || !strings.Contains(out, "hidden=true visible=false") {
		t.Fatalf("erl: %s\nGo stderr:\n%s", out, gn.stderr.String())
	}
	gn.stop(t)
}

// TestUsageExample runs the two commands `erlgo -h` shows a newcomer, as
// printed (against a private EPMD): the erl one must print pong.
func TestUsageExample(t *testing.T) {
	out, _, _ := runCLI(t, "-h")
	_, example, ok := strings.Cut(out, "A first node:\n\n")
	if !ok {
		t.Fatalf("no example in:\n%s", out)
	}
	example, _, _ = strings.Cut(example, "\n\n")
	lines := strings.SplitN(example, "\n", 2)
	goArgs := strings.Fields(lines[0])
	if len(goArgs) < 3 || goArgs[0] != "erlgo" || goArgs[1] != "node" {
		t.Fatalf("first example line: %q", lines[0])
	}
	env, port := privateEPMD(t)
	gn, _ := startGoNode(t, env, append(goArgs[2:], "-epmd-port", strconv.Itoa(port), "-start-epmd", "false")...)
	erlLine, _, _ := strings.Cut(lines[1], "#") // the comment says what it prints
	cmd := exec.Command("bash", "-c", strings.TrimSpace(erlLine))
	cmd.Env, cmd.Dir = env, t.TempDir()
	got, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != "pong" {
		t.Fatalf("%s\n-> %v\n%s", erlLine, err, got)
	}
	gn.stop(t)
}
