package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
)

// tlsFlags are the TLS distribution flags of `erlgo node`: erlgo's own
// (-tls-cert, -tls-key, -tls-ca, -tls-verify) or erl's (-proto_dist
// inet_tls with -ssl_dist_optfile, see distOptFile).
type tlsFlags struct {
	cert, key, ca, verify string
	protoDist, optFile    string
}

func (t *tlsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.cert, "tls-cert", "", "TLS distribution: PEM certificate presented to peers, in both roles (like erl -proto_dist inet_tls)")
	fs.StringVar(&t.key, "tls-key", "", "PEM private key of -tls-cert (default: read from the -tls-cert file)")
	fs.StringVar(&t.ca, "tls-ca", "", "PEM CA certificates peers are verified against (default: the system roots)")
	fs.StringVar(&t.verify, "tls-verify", "peer", "peer: verify the peer in both roles and require a client certificate (verify_peer, fail_if_no_peer_cert); none: verify nothing")
	fs.StringVar(&t.protoDist, "proto_dist", "", "erl's distribution protocol: inet_tcp (plain, the default) or inet_tls (TLS: give -ssl_dist_optfile or -tls-cert)")
	fs.StringVar(&t.optFile, "ssl_dist_optfile", "", "erl's TLS distribution options file, [{server, Opts}, {client, Opts}] as inet_tls_dist reads it (implies -proto_dist inet_tls)")
}

// config returns the TLS configuration the flags ask for, or nil for
// plain TCP distribution; log gets what an optfile holds that erlgo
// leaves out.
func (t *tlsFlags) config(log *slog.Logger) (*tls.Config, error) {
	fromFlags := t.cert != "" || t.key != "" || t.ca != ""
	var cfg *tls.Config
	var err error
	switch {
	case t.optFile != "" && fromFlags:
		return nil, errors.New("give -ssl_dist_optfile or the -tls-* flags, not both")
	case t.optFile != "":
		cfg, err = readDistOptFile(t.optFile, log)
	case fromFlags:
		cfg, err = t.flagConfig()
	}
	if err != nil {
		return nil, err
	}
	switch t.protoDist {
	case "", "inet_tls":
	case "inet_tcp":
		if cfg != nil {
			return nil, errors.New("-proto_dist inet_tcp with TLS options: use -proto_dist inet_tls, or drop the TLS options")
		}
	default:
		return nil, fmt.Errorf("-proto_dist %q: erlgo speaks inet_tcp and inet_tls", t.protoDist)
	}
	if t.protoDist == "inet_tls" && cfg == nil {
		return nil, errors.New("-proto_dist inet_tls needs a certificate: give -ssl_dist_optfile or -tls-cert")
	}
	return cfg, nil
}

// flagConfig builds the configuration of -tls-cert, -tls-key, -tls-ca
// and -tls-verify: one certificate for both roles, one CA set.
func (t *tlsFlags) flagConfig() (*tls.Config, error) {
	if t.cert == "" {
		return nil, errors.New("-tls-key and -tls-ca need -tls-cert")
	}
	var o sslOpts
	o.certFile, o.keyFile, o.caFile = t.cert, t.key, t.ca
	switch t.verify {
	case "peer", "verify_peer":
		o.verifyPeer, o.failIfNoPeerCert = true, true
	case "none", "verify_none":
	default:
		return nil, fmt.Errorf("-tls-verify %q: want peer or none", t.verify)
	}
	return buildTLS(&o, &o)
}

// sslOpts are the ssl options of one role that erlgo maps onto
// crypto/tls.
type sslOpts struct {
	certFile, keyFile, caFile string
	verifyPeer                bool
	failIfNoPeerCert          bool
	sni                       string // server_name_indication: a host name, or "" for the default
	sniDisabled               bool   // server_name_indication disable: no host name check
	minVersion, maxVersion    uint16 // versions
}

// buildTLS merges the server and client options into one tls.Config:
// the server fields apply when accepting, the client ones when dialling.
func buildTLS(server, client *sslOpts) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if server.certFile != "" {
		pair, err := loadPair(server.certFile, server.keyFile)
		if err != nil {
			return nil, fmt.Errorf("server certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if server.caFile != "" {
		pool, err := loadPool(server.caFile)
		if err != nil {
			return nil, fmt.Errorf("server cacertfile: %w", err)
		}
		cfg.ClientCAs = pool
	}
	switch {
	case server.verifyPeer && server.failIfNoPeerCert:
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	case server.verifyPeer:
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	if err := clientTLS(cfg, client); err != nil {
		return nil, err
	}
	cfg.MinVersion, cfg.MaxVersion = versionRange(server, client)
	return cfg, nil
}

// clientTLS sets the dialling side of cfg from the client options.
func clientTLS(cfg *tls.Config, client *sslOpts) error {
	if client.certFile != "" {
		pair, err := loadPair(client.certFile, client.keyFile)
		if err != nil {
			return fmt.Errorf("client certificate: %w", err)
		}
		// Presented whenever the server asks, whatever CAs it names, as
		// OTP's ssl client does.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &pair, nil }
	}
	if client.caFile != "" {
		pool, err := loadPool(client.caFile)
		if err != nil {
			return fmt.Errorf("client cacertfile: %w", err)
		}
		cfg.RootCAs = pool
	}
	cfg.ServerName = client.sni // "" lets dist use the peer's host part
	switch {
	case !client.verifyPeer:
		cfg.InsecureSkipVerify = true // verify_none, OTP 25's client default
	case client.sniDisabled:
		// verify_peer without a host name: the chain is checked, the name
		// is not, as OTP's ssl does with server_name_indication disable.
		cfg.InsecureSkipVerify = true
		roots := cfg.RootCAs
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return verifyChain(cs, roots) }
	}
	return nil
}

// verifyChain verifies the peer's chain against roots, host name aside.
func verifyChain(cs tls.ConnectionState, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("tls: the server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	return err
}

// versionRange intersects the roles' versions options (OTP allows only
// one set in practice; erlgo takes the narrower range of the two).
func versionRange(a, b *sslOpts) (lo, hi uint16) {
	for _, o := range []*sslOpts{a, b} {
		if o.minVersion > lo {
			lo = o.minVersion
		}
		if o.maxVersion != 0 && (hi == 0 || o.maxVersion < hi) {
			hi = o.maxVersion
		}
	}
	if lo == 0 {
		lo = tls.VersionTLS12 // as OTP 25's default versions
	}
	return lo, hi
}

// loadPair reads a certificate and its key; with no key file the key is
// read from the certificate file, as OTP does without keyfile.
func loadPair(certFile, keyFile string) (tls.Certificate, error) {
	if keyFile == "" {
		keyFile = certFile
	}
	return tls.LoadX509KeyPair(certFile, keyFile)
}

func loadPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return pool, nil
}
