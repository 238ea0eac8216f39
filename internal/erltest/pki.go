package erltest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a throwaway CA and one leaf certificate (server and client
// auth, SANs 127.0.0.1 and localhost) for TLS distribution tests, shared
// by both sides: Go through TLS, erl through SSLDistOptFile.
type PKI struct {
	// Dir holds the PEM files: ca.pem, cert.pem, key.pem.
	Dir string
	// TLS presents the leaf and verifies the peer against the CA, in
	// both roles (RequireAndVerifyClientCert when accepting).
	TLS *tls.Config
}

// NewPKI makes a PKI in a fresh t.TempDir(), valid for a day.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatalf("test PKI: %v", err)
		}
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "erlgo test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	must(err)
	ca, err := x509.ParseCertificate(caDER)
	must(err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost", "127.0.0.1"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	must(err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	must(err)

	dir := t.TempDir()
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	must(os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600))
	must(os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600))
	must(os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600))

	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	must(err)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &PKI{Dir: dir, TLS: &tls.Config{
		Certificates: []tls.Certificate{pair},
		RootCAs:      pool, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert,
		MinVersion: tls.VersionTLS12,
	}}
}

// SSLDistOptFile writes an erl -ssl_dist_optfile that uses the PKI and
// verifies peers both ways (verify_peer; fail_if_no_peer_cert when
// accepting) and returns its path.
func (p *PKI) SSLDistOptFile(t testing.TB) string {
	t.Helper()
	files := fmt.Sprintf(`{certfile, %q}, {keyfile, %q}, {cacertfile, %q}, {verify, verify_peer}`,
		filepath.Join(p.Dir, "cert.pem"), filepath.Join(p.Dir, "key.pem"), filepath.Join(p.Dir, "ca.pem"))
	path := filepath.Join(p.Dir, "ssl_dist.conf")
	conf := "[{server, [" + files + ", {fail_if_no_peer_cert, true}]},\n {client, [" + files + "]}].\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatalf("ssl_dist_optfile: %v", err)
	}
	return path
}
