package dist

import (
	"errors"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// splitName splits "alive@host" and checks both parts are non-empty and the
// whole is a valid atom (at most 255 characters, no NUL).
func splitName(name string) (alive, host string, err error) {
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 255 ||
		strings.IndexByte(name, 0) >= 0 {
		return "", "", ErrBadName
	}
	i := strings.IndexByte(name, '@')
	if i <= 0 || i == len(name)-1 {
		return "", "", ErrBadName
	}
	alive, host = name[:i], name[i+1:]
	if strings.IndexByte(host, '@') >= 0 {
		return "", "", ErrBadName
	}
	return alive, host, nil
}

// isLongHost reports whether host is a long-name host: it contains a dot
// or is an IP address (OTP accepts a parseable address for -name).
func isLongHost(host string) bool {
	if strings.IndexByte(host, '.') >= 0 {
		return true
	}
	_, err := netip.ParseAddr(host)
	return err == nil
}

// checkAcceptedName applies OTP's rules to the name of a peer that
// connected to us: alive@host with both parts non-empty. The accepting
// side of OTP's handshake (dist_util) checks no more than that: long vs
// short names are checked only when dialling out (inet_tcp_dist's
// splitnode), so a long-name BEAM node accepts erl_call's "c17@shorthost"
// and answers its rpc; so do we.
func checkAcceptedName(peer string) error {
	_, _, err := splitName(peer)
	return err
}

// checkPeerName applies OTP's rules to the name of a peer we dial: name@host with both
// parts non-empty, and long names never mixed with short names ("System
// (NOT) running to use fully qualified hostnames").
func checkPeerName(self, peer string) error {
	_, myHost, err := splitName(self)
	if err != nil {
		return err
	}
	_, host, err := splitName(peer)
	if err != nil {
		return err
	}
	if isLongHost(myHost) != isLongHost(host) {
		if isLongHost(myHost) {
			return errors.Join(ErrBadName, errors.New("hostname "+host+" is illegal: system running to use fully qualified hostnames"))
		}
		return errors.Join(ErrBadName, errors.New("hostname "+host+" is illegal: system NOT running to use fully qualified hostnames"))
	}
	return nil
}
