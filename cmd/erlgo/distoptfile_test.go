package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/internal/erlterm"
	"github.com/erlgo/erlgo/internal/erltest"
)

func writeOptFile(t *testing.T, conf string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ssl_dist.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDistOptFileMapping: the options inet_tls_dist passes to ssl become
// the matching crypto/tls settings, with OTP 25's defaults (verify_none)
// where the file says nothing.
func TestDistOptFileMapping(t *testing.T) {
	pki := erltest.NewPKI(t)
	var logs erltest.SyncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg, err := readDistOptFile(pki.SSLDistOptFile(t), log)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientAuth != tls.RequireAndVerifyClientCert || len(cfg.Certificates) != 1 || cfg.ClientCAs == nil ||
		cfg.RootCAs == nil || cfg.GetClientCertificate == nil || cfg.InsecureSkipVerify {
		t.Errorf("verify_peer both ways, fail_if_no_peer_cert: got %+v", cfg)
	}

	f := func(n string) string { return filepath.Join(pki.Dir, n) }
	cfg, err = readDistOptFile(writeOptFile(t, fmt.Sprintf(`%% defaults, and what erlgo leaves out
[{server, [{certfile, <<"%s">>}, {keyfile, "%s"}, {secure_renegotiate, true}, {ciphers, []}]},
 {client, [{server_name_indication, disable}, {verify, verify_peer}, {cacertfile, "%s"}, {versions, ['tlsv1.3']}]}].`,
		f("cert.pem"), f("key.pem"), f("ca.pem"))), log)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientAuth != tls.NoClientCert || cfg.GetClientCertificate != nil || cfg.VerifyConnection == nil ||
		cfg.MinVersion != tls.VersionTLS13 || cfg.MaxVersion != tls.VersionTLS13 {
		t.Errorf("server verify_none by default, client without a certificate, no host name check, TLS 1.3: got %+v", cfg)
	}
	if !strings.Contains(logs.String(), "level=WARN msg=\"ssl_dist_optfile: option not supported by erlgo, left out\" option=ciphers") ||
		!strings.Contains(logs.String(), "level=DEBUG") {
		t.Errorf("ciphers is not warned about, or secure_renegotiate not noted:\n%s", logs.String())
	}

	cfg, err = readDistOptFile(writeOptFile(t, fmt.Sprintf(`[{client, [{certfile, "%s"}, {keyfile, "%s"}]}].`, f("cert.pem"), f("key.pem"))), log)
	if err != nil || !cfg.InsecureSkipVerify || cfg.GetClientCertificate == nil || len(cfg.Certificates) != 0 {
		t.Errorf("client only, OTP 25's client default verify_none: %+v, %v", cfg, err)
	}
}

// TestDistOptFileRefused: files inet_tls_dist cannot use are refused
// with errOptFile and what is wrong.
func TestDistOptFileRefused(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cases := map[string]string{
		"{server, []}.":                               "want a list",
		"[{server, []}]. [].":                         "want one term",
		"[{peer, []}].":                               "unknown role",
		"[{server, {certfile, \"x\"}}].":              "must be a list",
		"[{server, [verify]}].":                       "not {Key, Value}",
		"[{server, [{verify, yes}]}].":                "verify_peer or verify_none",
		"[{server, [{fail_if_no_peer_cert, 1}]}].":    "true or false",
		"[{server, [{password, \"p\"}]}].":            "encrypted keys",
		"[{client, [{versions, [sslv3]}]}].":          "unknown version",
		"[{server, [{certfile, \"/nonexistent\"}]}].": "no such file",
		"[{server, [}].":                              "syntax error",
	}
	for conf, want := range cases {
		_, err := readDistOptFile(writeOptFile(t, conf), log)
		if !errors.Is(err, errOptFile) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want errOptFile saying %q", conf, err, want)
		}
	}
	_, err := readDistOptFile(writeOptFile(t, "[{server, [}]."), log)
	if !errors.Is(err, erlterm.ErrSyntax) {
		t.Errorf("syntax error does not wrap erlterm.ErrSyntax: %v", err)
	}
	if _, err := readDistOptFile(filepath.Join(t.TempDir(), "missing.conf"), log); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestNodeBadOptFileLikeErl: an optfile with a syntax error stops a real
// erl from starting its distribution (bad_ssl_dist_optfile), and stops
// erlgo node too, with the line it is on.
func TestNodeBadOptFileLikeErl(t *testing.T) {
	path := writeOptFile(t, "[{server, [{certfile, \"c.pem\"}\n  {keyfile, \"k.pem\"}]}].\n")
	ctx, cancel := context.WithTimeout(context.Background(), erltest.Wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, erltest.Tool(t, "erl"), "-noshell", "-start_epmd", "false", "-name", uniq("bad")+"@127.0.0.1",
		"-proto_dist", "inet_tls", "-ssl_dist_optfile", path, "-eval", "halt().")
	cmd.Dir = t.TempDir() // where the failing erl writes erl_crash.dump
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "bad_ssl_dist_optfile") {
		t.Fatalf("erl started with the file: %v\n%s", err, out)
	}
	_, errOut, code := runCLI(t, "node", "-name", uniq("bad")+"@127.0.0.1", "-cookie", "c", "-start-epmd", "false",
		"-proto_dist", "inet_tls", "-ssl_dist_optfile", path)
	if code != 1 || !strings.Contains(errOut, "bad ssl_dist_optfile") || !strings.Contains(errOut, "line 2") {
		t.Fatalf("erlgo node: exit %d: %s", code, errOut)
	}
}

// TestTLSFlagsRefused: TLS flag combinations erlgo cannot run.
func TestTLSFlagsRefused(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, f := range []tlsFlags{
		{protoDist: "inet_tls"},
		{protoDist: "inet6_tls", cert: "c"},
		{protoDist: "inet_tcp", cert: "c"},
		{key: "k"},
		{cert: "c", optFile: "o"},
		{cert: "/nonexistent.pem", verify: "peer"},
		{cert: "c", verify: "sometimes"},
	} {
		if cfg, err := f.config(log); err == nil {
			t.Errorf("%+v accepted: %+v", f, cfg)
		}
	}
	if cfg, err := (&tlsFlags{}).config(log); cfg != nil || err != nil {
		t.Errorf("no TLS flags: %+v, %v", cfg, err)
	}
}
