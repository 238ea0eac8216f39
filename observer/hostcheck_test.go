package observer

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoopbackOnly(t *testing.T) {
	h := LoopbackOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tests := []struct {
		host string
		want int
	}{
		{"127.0.0.1:9911", http.StatusOK},
		{"localhost:9911", http.StatusOK},
		{"LOCALHOST", http.StatusOK},
		{"localhost.:9911", http.StatusOK},
		{"[::1]:9911", http.StatusOK},
		{"127.1.2.3", http.StatusOK},
		{"evil.example:9911", http.StatusForbidden},
		{"localhost.evil.example", http.StatusForbidden},
		{"10.0.0.1:9911", http.StatusForbidden},
		{"", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/node", nil)
			r.Host = tt.host
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			require.Equal(t, tt.want, w.Code)
		})
	}
}
