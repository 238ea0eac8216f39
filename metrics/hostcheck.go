package metrics

import (
	"net"
	"net/http"
	"strings"
)

// loopbackOnly answers 403 to requests not addressed to a loopback host
// name (localhost, 127.0.0.0/8, ::1): binding to loopback keeps other
// machines out, this keeps out web pages reaching the port through DNS
// rebinding. It is the rule observer.LoopbackOnly applies; it is repeated
// here so that metrics does not pull in the observer and the interop
// services it imports.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			http.Error(w, "metrics: requests must address localhost", http.StatusForbidden)
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
