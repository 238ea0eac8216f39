package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erlterm"
)

// errOptFile wraps every problem with an -ssl_dist_optfile: erl refuses to
// start its distribution with such a file, and so does erlgo.
var errOptFile = errors.New("bad ssl_dist_optfile")

// ignoredSSLOpts are ssl options an optfile may carry that change nothing
// crypto/tls does differently enough to matter for distribution: they are
// accepted (erl accepts them) and logged at Debug.
var ignoredSSLOpts = map[etf.Atom]bool{
	"secure_renegotiate": true, "reuse_sessions": true, "honor_cipher_order": true,
	"depth": true, "log_level": true, "log_alert": true, "hibernate_after": true,
	"keep_secrets": true, "padding_check": true, "beast_mitigation": true,
}

// readDistOptFile reads an ssl_dist_optfile the way inet_tls_dist does:
// one term, a list of {server, Opts} and {client, Opts}, whose options are
// ssl's. The options erlgo maps are certfile, keyfile, cacertfile,
// verify, fail_if_no_peer_cert, server_name_indication and versions;
// others are logged and left out (Warn when they could change who is
// accepted: ciphers, crl_check, verify_fun, ...).
func readDistOptFile(path string, log *slog.Logger) (*tls.Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errOptFile, err)
	}
	terms, err := erlterm.Consult(b)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errOptFile, path, err)
	}
	if len(terms) != 1 {
		return nil, fmt.Errorf("%w %s: want one term, [{server, Opts}, {client, Opts}], found %d", errOptFile, path, len(terms))
	}
	roles, ok := terms[0].(etf.List)
	if !ok {
		return nil, fmt.Errorf("%w %s: want a list [{server, Opts}, {client, Opts}], found %s", errOptFile, path, etf.Format(terms[0]))
	}
	var server, client sslOpts
	for _, r := range roles {
		t, ok := r.(etf.Tuple)
		if !ok || len(t) != 2 {
			return nil, fmt.Errorf("%w %s: want {server, Opts} or {client, Opts}, found %s", errOptFile, path, etf.Format(r))
		}
		opts, ok := t[1].(etf.List)
		if !ok {
			return nil, fmt.Errorf("%w %s: options of %s must be a list, found %s", errOptFile, path, etf.Format(t[0]), etf.Format(t[1]))
		}
		var dst *sslOpts
		switch t[0] {
		case etf.Atom("server"):
			dst = &server
		case etf.Atom("client"):
			dst = &client
		default:
			return nil, fmt.Errorf("%w %s: unknown role %s (want server or client)", errOptFile, path, etf.Format(t[0]))
		}
		if err := dst.set(opts, log); err != nil {
			return nil, fmt.Errorf("%w %s: %s: %w", errOptFile, path, t[0], err)
		}
	}
	cfg, err := buildTLS(&server, &client)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errOptFile, path, err)
	}
	return cfg, nil
}

// set applies one role's option list.
func (o *sslOpts) set(opts etf.List, log *slog.Logger) error {
	for _, opt := range opts {
		t, ok := opt.(etf.Tuple)
		if !ok || len(t) != 2 {
			return fmt.Errorf("option %s is not {Key, Value}", etf.Format(opt))
		}
		key, ok := t[0].(etf.Atom)
		if !ok {
			return fmt.Errorf("option key %s is not an atom", etf.Format(t[0]))
		}
		if err := o.setOne(key, t[1], log); err != nil {
			return fmt.Errorf("{%s, %s}: %w", key, etf.Format(t[1]), err)
		}
	}
	return nil
}

func (o *sslOpts) setOne(key etf.Atom, v etf.Term, log *slog.Logger) error {
	var err error
	switch key {
	case "certfile":
		o.certFile, err = fileName(v)
	case "keyfile":
		o.keyFile, err = fileName(v)
	case "cacertfile":
		o.caFile, err = fileName(v)
	case "verify":
		switch v {
		case etf.Atom("verify_peer"):
			o.verifyPeer = true
		case etf.Atom("verify_none"):
			o.verifyPeer = false
		default:
			err = errors.New("want verify_peer or verify_none")
		}
	case "fail_if_no_peer_cert":
		o.failIfNoPeerCert, err = boolean(v)
	case "server_name_indication":
		if v == etf.Atom("disable") {
			o.sniDisabled = true
		} else {
			o.sni, err = fileName(v)
		}
	case "versions":
		o.minVersion, o.maxVersion, err = versions(v)
	case "password":
		err = errors.New("encrypted keys are not supported: give an unencrypted keyfile")
	default:
		if ignoredSSLOpts[key] {
			log.Debug("ssl_dist_optfile: option has no effect in erlgo", "option", string(key))
		} else {
			log.Warn("ssl_dist_optfile: option not supported by erlgo, left out", "option", string(key))
		}
	}
	return err
}

// fileName takes a string option: a charlist or a binary.
func fileName(v etf.Term) (string, error) {
	switch s := v.(type) {
	case etf.Charlist:
		return string(s), nil
	case etf.Binary:
		return string(s), nil
	case etf.List:
		if len(s) == 0 {
			return "", nil // "" reads as [] once a charlist is empty
		}
	}
	return "", errors.New("want a string")
}

func boolean(v etf.Term) (bool, error) {
	switch v {
	case etf.Atom("true"):
		return true, nil
	case etf.Atom("false"):
		return false, nil
	}
	return false, errors.New("want true or false")
}

// tlsVersions are ssl's names of the protocol versions.
var tlsVersions = map[etf.Atom]uint16{
	"tlsv1": tls.VersionTLS10, "tlsv1.1": tls.VersionTLS11,
	"tlsv1.2": tls.VersionTLS12, "tlsv1.3": tls.VersionTLS13,
}

// versions turns a versions list into the range it spans.
func versions(v etf.Term) (lo, hi uint16, err error) {
	l, ok := v.(etf.List)
	if !ok || len(l) == 0 {
		return 0, 0, errors.New("want a list of versions, e.g. ['tlsv1.3']")
	}
	for _, e := range l {
		a, _ := e.(etf.Atom)
		ver, ok := tlsVersions[a]
		if !ok {
			return 0, 0, fmt.Errorf("unknown version %s", etf.Format(e))
		}
		if lo == 0 || ver < lo {
			lo = ver
		}
		if ver > hi {
			hi = ver
		}
	}
	return lo, hi, nil
}
