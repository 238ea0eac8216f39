package metrics

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// FuzzPprofPath: any path and query under /debug/pprof/ answers a status
// the handler documents, never a panic (CPU profiles longer than a
// millisecond are left out to keep the fuzzer fast).
func FuzzPprofPath(f *testing.F) {
	for _, s := range []string{"", "goroutine?debug=1", "goroutine?debug=2", "heap?gc=1", "allocs", "nosuch", "profile?seconds=abc",
		"profile?seconds=-1", "profile?seconds=0.0001", "threadcreate?debug=x", "%zz", "goroutine?debug=99999999999999999999"} {
		f.Add(s)
	}
	h := PprofHandler()
	f.Fuzz(func(t *testing.T, rest string) {
		req, err := http.NewRequest(http.MethodGet, "http://localhost/debug/pprof/"+rest, nil)
		if err != nil {
			return // not a URL: net/http would not get this far
		}
		if strings.HasPrefix(strings.TrimPrefix(req.URL.Path, "/debug/pprof/"), "profile") {
			sec, err := strconv.ParseFloat(req.FormValue("seconds"), 64)
			if err == nil && sec > 0.001 || req.FormValue("seconds") == "" {
				return // a real CPU profile (30 s without seconds)
			}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusConflict:
		default:
			t.Fatalf("%q: status %d", rest, w.Code)
		}
	})
}
