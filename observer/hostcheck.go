package observer

import (
	"net"
	"net/http"
	"strings"
)

// LoopbackOnly wraps h so that it answers only requests addressed to a
// loopback host name (localhost, 127.0.0.0/8, ::1), with 403 otherwise.
// Binding to 127.0.0.1 keeps other machines out; this keeps out web pages
// that reach the port through DNS rebinding (a foreign name resolving to
// 127.0.0.1). Do not use it behind a reverse proxy that rewrites Host.
func LoopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			http.Error(w, "observer: requests must address localhost", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func loopbackHost(hostport string) bool {
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
