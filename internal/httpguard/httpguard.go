// Package httpguard holds the request checks erlgo's HTTP endpoints (the
// observer, metrics) share, so the rule is written once.
package httpguard

import (
	"net"
	"net/http"
	"strings"
)

// LoopbackOnly wraps h so that it answers only requests addressed to a
// loopback host name (localhost, 127.0.0.0/8, ::1), with 403 and the
// text "<label>: requests must address localhost" otherwise. Binding to
// loopback keeps other machines out; this keeps out web pages that reach
// the port through DNS rebinding (a foreign name resolving to 127.0.0.1).
// It does not suit a reverse proxy that rewrites Host.
func LoopbackOnly(label string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !LoopbackHost(r.Host) {
			http.Error(w, label+": requests must address localhost", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// LoopbackHost reports whether hostport (a request's Host, with or
// without a port) names a loopback host.
func LoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
