package observer

import (
	"net/http"

	"github.com/erlgo/erlgo/internal/httpguard"
)

// LoopbackOnly wraps h so that it answers only requests addressed to a
// loopback host name (localhost, 127.0.0.0/8, ::1), with 403 otherwise.
// Binding to 127.0.0.1 keeps other machines out; this keeps out web pages
// that reach the port through DNS rebinding (a foreign name resolving to
// 127.0.0.1). Do not use it behind a reverse proxy that rewrites Host.
func LoopbackOnly(h http.Handler) http.Handler { return httpguard.LoopbackOnly("observer", h) }
