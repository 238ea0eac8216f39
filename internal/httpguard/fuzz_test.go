package httpguard

import (
	"net"
	"strings"
	"testing"
)

// FuzzLoopbackHost: any Host header either is refused or names loopback
// (localhost, or a loopback IP literal, with an optional port); never a
// panic.
func FuzzLoopbackHost(f *testing.F) {
	for _, s := range []string{"localhost", "localhost:9100", "LOCALHOST.", "127.0.0.1:80", "127.1.2.3", "[::1]:9",
		"::1", "evil.example", "127.0.0.1.evil.example", "localhost.evil", "[::ffff:127.0.0.1]:1", "", ":80", "[", "0.0.0.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		if !LoopbackHost(host) {
			return
		}
		h := host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			h = hh
		}
		h = strings.TrimSuffix(strings.Trim(h, "[]"), ".")
		if ip := net.ParseIP(h); !strings.EqualFold(h, "localhost") && (ip == nil || !ip.IsLoopback()) {
			t.Fatalf("%q accepted as loopback", host)
		}
	})
}
