package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/internal/erltest"
)

// erlWithHome runs a distributed erl with HOME=home (and a private epmd),
// so that it reads home/.erlang.cookie, evaluating expr; it returns the
// combined output and whether erl got to run expr.
func erlWithHome(t *testing.T, home, expr string) (string, bool) {
	t.Helper()
	erl := erltest.Tool(t, "erl")
	port := erltest.StartEPMD(t)
	ctx, cancel := context.WithTimeout(context.Background(), erltest.Wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-start_epmd", "false", "-name", uniq("ck")+"@127.0.0.1",
		"-eval", expr+", halt().")
	cmd.Env = append(erltest.EnvWithEPMD(port), "HOME="+home)
	cmd.Dir = t.TempDir() // a refusing erl writes erl_crash.dump here
	out, err := cmd.CombinedOutput()
	return string(out), err == nil && strings.Contains(string(out), "EVAL_OK")
}

// TestCookieFilePermissions is defect 7 of issue 12: the cookie file is
// checked like erl checks it, and real erl with the same HOME agrees.
func TestCookieFilePermissions(t *testing.T) {
	t.Setenv("ERLGO_COOKIE", "")
	tests := []struct {
		name   string
		mode   os.FileMode
		refuse bool
	}{
		{"world readable", 0o644, true},
		{"group readable", 0o440, true},
		{"others writable", 0o602, true},
		{"owner read-write", 0o600, false},
		{"owner read-only", 0o400, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("HOME", home)
			path := filepath.Join(home, cookieFileName)
			if err := os.WriteFile(path, []byte("SECRETCOOKIEVALUE\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			want := "Cookie file " + path + " must be accessible by owner only"
			cookie, source, err := resolveCookie("")
			out, erlRan := erlWithHome(t, home, `io:format("cookie=~s~nEVAL_OK~n", [erlang:get_cookie()])`)
			if tt.refuse {
				if err == nil || err.Error() != want {
					t.Fatalf("erlgo: got %q, %v; want the error %q", cookie, err, want)
				}
				if erlRan || !strings.Contains(out, want) {
					t.Fatalf("real erl does not refuse the same way (ran=%v):\n%s", erlRan, out)
				}
				return
			}
			if err != nil || cookie != "SECRETCOOKIEVALUE" || source != path {
				t.Fatalf("erlgo: got %q from %q, %v", cookie, source, err)
			}
			if !erlRan || !strings.Contains(out, "cookie=SECRETCOOKIEVALUE") {
				t.Fatalf("real erl does not accept it:\n%s", out)
			}
		})
	}
}

// TestCookieFileCreated: a missing cookie file is created like erl's: 20
// upper-case letters, mode 0400; it is used, and real erl reads the same
// cookie from it.
func TestCookieFileCreated(t *testing.T) {
	t.Setenv("ERLGO_COOKIE", "")
	home := t.TempDir()
	t.Setenv("HOME", home)
	path := filepath.Join(home, cookieFileName)
	cookie, source, err := resolveCookie("")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Z]{20}$`).MatchString(cookie) || !strings.Contains(source, "created") {
		t.Fatalf("generated cookie %q from %q", cookie, source)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o400 {
		t.Fatalf("cookie file: %v %v, want mode 0400", fi.Mode(), err)
	}
	again, source2, err := resolveCookie("")
	if err != nil || again != cookie || source2 != path {
		t.Fatalf("second read: %q from %q, %v", again, source2, err)
	}
	out, ok := erlWithHome(t, home, `io:format("cookie=~s~nEVAL_OK~n", [erlang:get_cookie()])`)
	if !ok || !strings.Contains(out, "cookie="+cookie) {
		t.Fatalf("real erl with the same HOME reads another cookie:\n%s", out)
	}

	// erl's own generated file, read back by erlgo: the same shape.
	erlHome := t.TempDir()
	out, ok = erlWithHome(t, erlHome, `io:format("cookie=~s~nEVAL_OK~n", [erlang:get_cookie()])`)
	if !ok {
		t.Fatalf("erl: %s", out)
	}
	efi, err := os.Stat(filepath.Join(erlHome, cookieFileName))
	if err != nil || efi.Mode().Perm() != fi.Mode().Perm() {
		t.Fatalf("erl creates its cookie file with mode %v (%v), erlgo with %v", efi.Mode().Perm(), err, fi.Mode().Perm())
	}
	t.Setenv("HOME", erlHome)
	ec, _, err := resolveCookie("")
	if err != nil || !strings.Contains(out, "cookie="+ec) || len(ec) != len(cookie) {
		t.Fatalf("erlgo reads %q (%v) from erl's file; erl said:\n%s", ec, err, out)
	}
}

func TestCookieFileNotRegular(t *testing.T) {
	t.Setenv("ERLGO_COOKIE", "")
	home := t.TempDir()
	t.Setenv("HOME", home)
	path := filepath.Join(home, cookieFileName)
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	_, _, err := resolveCookie("")
	if err == nil || err.Error() != "Cookie file "+path+" is of type directory" {
		t.Fatalf("got %v", err)
	}
}

// TestNodeRefusesWorldReadableCookie runs the real binary: `erlgo node`
// exits with erl's message instead of starting with a readable cookie.
func TestNodeRefusesWorldReadableCookie(t *testing.T) {
	exe := buildErlgo(t)
	home := t.TempDir()
	path := filepath.Join(home, cookieFileName)
	if err := os.WriteFile(path, []byte("READABLECOOKIE"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), erltest.Wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "node", "-name", uniq("ck")+"@127.0.0.1", "-start-epmd", "false",
		"-epmd-port", "1") // never reached: the cookie check comes first
	cmd.Env = append(os.Environ(), "HOME="+home, "ERLGO_COOKIE=")
	out, err := cmd.CombinedOutput()
	want := "Cookie file " + path + " must be accessible by owner only"
	if err == nil || !strings.Contains(string(out), want) {
		t.Fatalf("erlgo node with a 0644 cookie file: %v\n%s", err, out)
	}
}
