package erltest

import (
	"crypto/tls"
	"net"
	"os"
	"strings"
	"testing"
)

// TestPKIHandshake: both roles of PKI.TLS complete a mutually verified
// TLS handshake, and the optfile names the PEM files it wrote.
func TestPKIHandshake(t *testing.T) {
	p := NewPKI(t)
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	cli := p.TLS.Clone()
	cli.ServerName = "127.0.0.1"
	errc := make(chan error, 1)
	go func() { errc <- tls.Server(b, p.TLS).Handshake() }()
	if err := tls.Client(a, cli).Handshake(); err != nil {
		t.Fatalf("client: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server: %v", err)
	}
	conf, err := os.ReadFile(p.SSLDistOptFile(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cert.pem", "key.pem", "ca.pem", "verify_peer", "fail_if_no_peer_cert"} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("optfile lacks %s:\n%s", want, conf)
		}
	}
}
