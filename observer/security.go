package observer

import (
	"crypto/subtle"
	"net/http"
	"regexp"
)

// tokenCookie carries the access token once the page was opened with
// ?token=...: HttpOnly and SameSite=Strict, so other sites' pages neither
// read nor send it.
const tokenCookie = "erlgo_observer_token"

// killHeader must be on every kill request. A page of another origin
// cannot set it without a CORS preflight, which the handler never
// grants: this is what stops cross-site request forgery.
const killHeader = "X-Erlgo-Observer"

// reasonPattern is what a kill reason may be: an unquoted atom.
var reasonPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9_@]{0,254}$`)

// requireToken wraps h so that only requests carrying token (Bearer
// header, the cookie, or ?token= which sets the cookie) get through.
func requireToken(token string, h http.Handler) http.Handler {
	want := []byte(token)
	match := func(got string) bool { return subtle.ConstantTimeCompare([]byte(got), want) == 1 }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Get("token"); q != "" && match(q) {
			http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: token, Path: "/",
				HttpOnly: true, SameSite: http.SameSiteStrictMode})
			h.ServeHTTP(w, r) // the page drops ?token from the address bar
			return
		}
		if a := r.Header.Get("Authorization"); a != "" && match(trimBearer(a)) {
			h.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(tokenCookie); err == nil && match(c.Value) {
			h.ServeHTTP(w, r)
			return
		}
		http.Error(w, "observer: token required (open the URL printed at start, with ?token=...)", http.StatusUnauthorized)
	})
}

func trimBearer(s string) string {
	const p = "Bearer "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return ""
}
