package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/internal/erltest"
)

// TestNodeTLSErl: `erlgo node` runs TLS distribution from its own flags
// (-tls-cert/-tls-key/-tls-ca/-tls-verify peer, net_ticktime from
// -kernel net_ticktime 2) and from erl's (-proto_dist inet_tls
// -ssl_dist_optfile, -ticktime 2), with mutual authentication against
// erl -proto_dist inet_tls nodes whose optfile requires client
// certificates both ways. In each: erl A pings the Go node (Go accepts
// and verifies A's client certificate), makes 2000 calls to its echo
// server with 4 KiB binaries, idles past net_ticktime and is still
// connected, then has Go send to a process on erl B, so Go dials B and B
// verifies Go's client certificate. An erl whose certificate comes from
// another CA gets pang, and Go logs the refused TLS handshake.
func TestNodeTLSErl(t *testing.T) {
	erltest.Tool(t, "erl")
	pki := erltest.NewPKI(t)
	optFile := pki.SSLDistOptFile(t)
	files := func(name string) string { return filepath.Join(pki.Dir, name) }
	cases := map[string][]string{
		"flags": {"-tls-cert", files("cert.pem"), "-tls-key", files("key.pem"), "-tls-ca", files("ca.pem"),
			"-tls-verify", "peer", "-kernel", "net_ticktime", "2"},
		"optfile": {"-proto_dist", "inet_tls", "-ssl_dist_optfile", optFile, "-ticktime", "2"},
	}
	for name, tlsArgs := range cases {
		t.Run(name, func(t *testing.T) {
			env, port := privateEPMD(t)
			cookie := uniq("cookie")
			goName := uniq("gotls") + "@127.0.0.1"
			args := append([]string{"-name", goName, "-setcookie", cookie, "-epmd-port", strconv.Itoa(port),
				"-start-epmd", "false", "-no-global", "-listen", "127.0.0.1:0"}, tlsArgs...)
			gn, line := startGoNode(t, env, args...)
			if !strings.Contains(line, "tls, net_ticktime 2s") {
				t.Errorf("ready line does not say tls, net_ticktime 2s: %s", line)
			}
			erlTLS := []string{"-proto_dist", "inet_tls", "-ssl_dist_optfile", optFile, "-kernel", "net_ticktime", "2", "-setcookie", cookie}

			bName := uniq("b") + "@127.0.0.1"
			b := startProc(t, env, append(append([]string{erltest.Tool(t, "erl"), "-noshell", "-start_epmd", "false", "-name", bName}, erlTLS...),
				"-eval", `register(b_recv, self()), io:format("b ready~n"),
				receive {echo, M} -> io:format("b got ~p from ~p~n", [M, nodes()]) after 60000 -> io:format("b timeout~n") end, halt().`)...)
			b.waitLine(t, "b ready")

			script := fmt.Sprintf(`Go = '%s', B = '%s',
				io:format("ping=~p~n", [net_adm:ping(Go)]),
				Bin = binary:copy(<<7>>, 4096),
				Bad = [I || I <- lists:seq(1, 2000), gen_server:call({echo, Go}, {I, Bin}) =/= {I, Bin}],
				io:format("bad_calls=~p~n", [length(Bad)]),
				timer:sleep(5000),
				io:format("after_idle=~p~n", [lists:member(Go, nodes())]),
				BPid = rpc:call(B, erlang, whereis, [b_recv]),
				{echo, Go} ! {BPid, over_tls},
				io:format("sent~n"), halt().`, goName, bName)
			out := runErl(t, env, script, append([]string{"-name", uniq("a") + "@127.0.0.1"}, erlTLS...)...)
			for _, want := range []string{"ping=pong", "bad_calls=0", "after_idle=true", "sent"} {
				if !strings.Contains(out, want) {
					t.Fatalf("erl A lacks %q:\n%s\nGo stderr:\n%s", want, out, gn.stderr.String())
				}
			}
			if line := b.waitLine(t, "b "); !strings.Contains(line, "b got over_tls") || !strings.Contains(line, goName) {
				t.Fatalf("erl B: %s (want the echo from %s over its own connection)\nGo stderr:\n%s", line, goName, gn.stderr.String())
			}

			out = runErl(t, env, fmt.Sprintf(`io:format("ping=~p~n", [net_adm:ping('%s')]), halt().`, goName),
				"-name", uniq("stranger")+"@127.0.0.1", "-setcookie", cookie,
				"-proto_dist", "inet_tls", "-ssl_dist_optfile", strangerOptFile(t), "-kernel", "net_ticktime", "2")
			if !strings.Contains(out, "ping=pang") {
				t.Fatalf("an erl with a certificate of another CA: %s", out)
			}
			gn.stop(t)
			if !strings.Contains(gn.stderr.String(), "TLS handshake failed on accept") {
				t.Errorf("Go node did not log the refused handshake:\n%s", gn.stderr.String())
			}
		})
	}
}

// strangerOptFile is an optfile with a certificate from a CA of its own,
// which does not verify the server (verify_none), so only the Go node's
// check of the client certificate can refuse it.
func strangerOptFile(t *testing.T) string {
	other := erltest.NewPKI(t)
	f := func(n string) string { return filepath.Join(other.Dir, n) }
	conf := fmt.Sprintf("[{server, [{certfile, %q}, {keyfile, %q}]},\n {client, [{certfile, %q}, {keyfile, %q}, {verify, verify_none}]}].\n",
		f("cert.pem"), f("key.pem"), f("cert.pem"), f("key.pem"))
	path := filepath.Join(other.Dir, "stranger.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
