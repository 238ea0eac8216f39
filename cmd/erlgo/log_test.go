package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestNodeLogJSON runs `erlgo node -log-format json -v` through a node
// start (EPMD registration, cluster services), a connection from a real
// erl (ping, rpc), erlang:disconnect_node/1 and a stop, and checks every
// line of its log: one JSON object whose keys (nested ones included)
// never repeat, node= in particular. The CLI reports the connection at
// Info, the library's own lines are Debug.
func TestNodeLogJSON(t *testing.T) {
	recs := runLoggedNode(t, "-log-format", "json", "-v")
	var libDebug, up, down bool
	for _, r := range recs {
		msg, _ := r["msg"].(string)
		switch {
		case msg == "dist: connection up" && r["level"] == "DEBUG":
			libDebug = true
		case msg == "connection up" && r["level"] == "INFO":
			up = true
		case msg == "connection down" && r["level"] == "INFO":
			down = true
		}
	}
	if !libDebug || !up || !down {
		t.Errorf("want dist: connection up at DEBUG (%v), connection up (%v) and down (%v) at INFO", libDebug, up, down)
	}
}

// TestNodeLogDefault: at the default level the log holds the CLI's
// connection lines and nothing from the library (which logs routine
// events at Debug), in text unless -log-format json.
func TestNodeLogDefault(t *testing.T) {
	recs := runLoggedNode(t, "-log-format", "json")
	var msgs []string
	for _, r := range recs {
		msg, _ := r["msg"].(string)
		msgs = append(msgs, fmt.Sprint(r["level"], " ", msg))
		if r["level"] == "DEBUG" {
			t.Errorf("Debug record at the default level: %v", r)
		}
		if r["level"] == "INFO" && msg != "connection up" && msg != "connection down" {
			t.Errorf("the library logs %q at Info", msg)
		}
	}
	if strings.Join(msgs, "|") != "INFO connection up|INFO connection down" {
		t.Errorf("records: %q, want the connection up and down", msgs)
	}
}

// runLoggedNode runs a Go node with logArgs while a real erl pings it,
// calls it and disconnects, stops it, and returns its log records,
// failing on a line that is not a JSON object with distinct keys.
func runLoggedNode(t *testing.T, logArgs ...string) []map[string]any {
	t.Helper()
	env, port := privateEPMD(t)
	cookie := uniq("cookie")
	goName := uniq("golog") + "@127.0.0.1"
	gn, _ := startGoNode(t, env, append([]string{"-name", goName, "-setcookie", cookie, "-epmd-port", strconv.Itoa(port),
		"-start-epmd", "false", "-listen", "127.0.0.1:0"}, logArgs...)...)
	out := runErl(t, env, fmt.Sprintf(`Go = '%s', io:format("ping=~p~n", [net_adm:ping(Go)]),
		io:format("rpc=~p~n", [rpc:call(Go, demo, add, [1, 2])]),
		io:format("disconnect=~p~n", [erlang:disconnect_node(Go)]), halt().`, goName),
		"-name", uniq("logerl")+"@127.0.0.1", "-setcookie", cookie)
	for _, want := range []string{"ping=pong", "rpc=3", "disconnect=true"} {
		if !strings.Contains(out, want) {
			t.Fatalf("erl lacks %q:\n%s", want, out)
		}
	}
	gn.waitStderr(t, `"connection down"`)
	gn.stop(t)
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(gn.stderr.String()), "\n") {
		if line == "" {
			continue
		}
		if err := distinctKeys([]byte(line)); err != nil {
			t.Errorf("%v in %s", err, line)
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not a JSON record: %s", line)
		}
		recs = append(recs, r)
	}
	return recs
}

// distinctKeys reports a key that repeats inside one JSON object, at any
// depth (encoding/json would silently keep the last one).
func distinctKeys(line []byte) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key := k.(string)
				if seen[key] {
					return fmt.Errorf("key %q repeated", key)
				}
				seen[key] = true
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for dec.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	return walk()
}
