package dist

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

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testPKI is a throwaway CA and one leaf certificate (server and client
// auth, SANs 127.0.0.1 and localhost) shared by both sides.
type testPKI struct {
	dir               string // PEM files: ca.pem, cert.pem, key.pem
	serverTLS, client *tls.Config
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "erlgo test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost", "127.0.0.1"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)

	dir := t.TempDir()
	write := func(name, typ string, der []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
	}
	write("ca.pem", "CERTIFICATE", caDER)
	write("cert.pem", "CERTIFICATE", leafDER)
	write("key.pem", "PRIVATE KEY", keyDER)

	pair, err := tls.X509KeyPair(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	cfg := &tls.Config{
		Certificates: []tls.Certificate{pair},
		RootCAs:      pool, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert,
		MinVersion: tls.VersionTLS12,
	}
	return &testPKI{dir: dir, serverTLS: cfg, client: cfg}
}

// optFile writes an -ssl_dist_optfile verifying peers both ways.
func (p *testPKI) optFile(t *testing.T) string {
	t.Helper()
	opts := func() string {
		return fmt.Sprintf(`[{certfile, %q}, {keyfile, %q}, {cacertfile, %q}, {verify, verify_peer}]`,
			filepath.Join(p.dir, "cert.pem"), filepath.Join(p.dir, "key.pem"), filepath.Join(p.dir, "ca.pem"))
	}
	server := fmt.Sprintf(`[{certfile, %q}, {keyfile, %q}, {cacertfile, %q}, {verify, verify_peer}, {fail_if_no_peer_cert, true}]`,
		filepath.Join(p.dir, "cert.pem"), filepath.Join(p.dir, "key.pem"), filepath.Join(p.dir, "ca.pem"))
	path := filepath.Join(p.dir, "ssl_dist.conf")
	require.NoError(t, os.WriteFile(path, []byte("[{server, "+server+"},\n {client, "+opts()+"}].\n"), 0o600))
	return path
}

func TestTLSInMemory(t *testing.T) {
	pki := newTestPKI(t)
	n := newMemNet()
	rb := newRecorder()
	a := n.node(t, Config{Name: "a@127.0.0.1", TLS: pki.client}, newRecorder())
	n.node(t, Config{Name: "b@127.0.0.1", TLS: pki.serverTLS}, rb)
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, etf.Atom("over_tls")))
	assert.True(t, etf.Equal(etf.Atom("over_tls"), rb.waitMsg(t).Payload))
}

// TestErlTLS runs the distribution over TLS with erl started with
// -proto_dist inet_tls, in both directions, both sides verifying.
func TestErlTLS(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	pki := newTestPKI(t)
	ep := erltest.StartEPMD(t)
	cookie := uniq("c")
	erl := startErl(t, ep, erlOpts{cookie: cookie, extra: []string{"-proto_dist", "inet_tls", "-ssl_dist_optfile", pki.optFile(t)}})
	g := startGo(t, ep, Config{Cookie: cookie, TLS: pki.serverTLS})

	t.Run("go dials erl", func(t *testing.T) {
		c, err := g.m.Connect(ctxT(t), erl.name)
		require.NoError(t, err)
		_, isTLS := c.nc.(*tls.Conn)
		assert.True(t, isTLS)
		msg := etf.Tuple{etf.Atom("tls"), etf.Binary("payload")}
		assert.True(t, etf.Equal(msg, echo(t, g, c, msg)))
		require.NoError(t, c.Close())
		<-c.Done()
		g.rec.waitUp(t)
		g.rec.waitDown(t)
		erl.waitGone(g.name)
	})
	t.Run("erl dials go", func(t *testing.T) {
		assert.Equal(t, "CONNECT true", erl.do("connect "+string(g.name), "CONNECT"))
		c := g.rec.waitUp(t)
		erl.do("send "+string(g.name)+" goproc", "SENT")
		g.waitPayload(t) // erl sends it twice
		g.waitPayload(t)
		msg := etf.Atom("back_over_tls")
		assert.True(t, etf.Equal(msg, echo(t, g, c, msg)))
	})
}
