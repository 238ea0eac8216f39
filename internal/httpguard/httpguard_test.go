package httpguard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestLoopbackOnly(t *testing.T) {
	h := LoopbackOnly("test", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	for host, want := range map[string]int{
		"localhost": http.StatusTeapot, "LOCALHOST:80": http.StatusTeapot, "localhost.": http.StatusTeapot,
		"127.0.0.1:9100": http.StatusTeapot, "127.1.2.3": http.StatusTeapot, "[::1]:9100": http.StatusTeapot, "::1": http.StatusTeapot,
		"evil.example:9100": http.StatusForbidden, "10.0.0.1": http.StatusForbidden, "": http.StatusForbidden,
		"localhost.evil.example": http.StatusForbidden, "[::ffff:10.0.0.1]:1": http.StatusForbidden,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %q: %d, want %d", host, w.Code, want)
		}
	}
}
