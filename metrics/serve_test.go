package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

func get(t *testing.T, url string, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func localNode(t *testing.T) *node.Node {
	return startNode(t, uniq("l"), erltest.FreePort(t), uniq("c"), node.WithoutDistribution())
}

// TestPprof: with WithPprof the goroutine profile answers (text and
// binary), a short CPU profile comes back, and the index lists profiles;
// without it /debug/pprof/ is not served.
func TestPprof(t *testing.T) {
	n := localNode(t)
	base := "http://" + serve(t, n, WithPprof()).Addr().String()
	code, body := get(t, base+"/debug/pprof/goroutine?debug=1", "")
	if code != http.StatusOK || !strings.HasPrefix(body, "goroutine profile: total ") {
		t.Fatalf("goroutine profile: %d %.200q", code, body)
	}
	if !strings.Contains(body, "metrics.(*Server).serve") {
		t.Fatalf("the goroutine profile does not show the metrics server:\n%s", body)
	}
	for _, path := range []string{"/debug/pprof/goroutine", "/debug/pprof/heap?gc=1", "/debug/pprof/profile?seconds=0.1"} {
		code, body := get(t, base+path, "")
		// A binary profile is gzipped protobuf: gzip's magic first.
		if code != http.StatusOK || !strings.HasPrefix(body, "\x1f\x8b") {
			t.Fatalf("%s: %d, %d bytes %.20q", path, code, len(body), body)
		}
	}
	if code, body := get(t, base+"/debug/pprof/", ""); code != http.StatusOK || !strings.Contains(body, `href="goroutine?debug=1"`) {
		t.Fatalf("index: %d %.300q", code, body)
	}
	for path, want := range map[string]int{
		"/debug/pprof/nosuch":              http.StatusNotFound,
		"/debug/pprof/profile?seconds=abc": http.StatusBadRequest,
		"/debug/pprof/profile?seconds=-1":  http.StatusBadRequest,
		"/debug/pprof/profile?seconds=NaN": http.StatusBadRequest,
	} {
		if code, _ := get(t, base+path, ""); code != want {
			t.Errorf("%s: %d, want %d", path, code, want)
		}
	}

	plain := "http://" + serve(t, n).Addr().String()
	if code, _ := get(t, plain+"/debug/pprof/goroutine?debug=1", ""); code != http.StatusNotFound {
		t.Fatalf("pprof served without WithPprof: %d", code)
	}
	if code, _ := get(t, plain+"/metrics", ""); code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
}

// TestServeLoopbackOnly: a non-loopback address is refused unless
// allowed, and a loopback server refuses requests for a foreign host
// name (DNS rebinding).
func TestServeLoopbackOnly(t *testing.T) {
	n := localNode(t)
	ctx := context.Background()
	for _, addr := range []string{"0.0.0.0:0", ":0"} {
		if s, err := Serve(ctx, addr, n); !errors.Is(err, ErrNotLoopback) {
			if s != nil {
				_ = s.Close()
			}
			t.Fatalf("Serve(%q): %v, want ErrNotLoopback", addr, err)
		}
	}
	s, err := Serve(ctx, "0.0.0.0:0", n, WithAllowRemote(), WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	srv := serve(t, n)
	for host, want := range map[string]int{
		"evil.example:80":   http.StatusForbidden,
		"localhost":         http.StatusOK,
		srv.Addr().String(): http.StatusOK,
		"[::1]:9":           http.StatusOK,
	} {
		if code, _ := get(t, srv.URL(), host); code != want {
			t.Errorf("Host %s: %d, want %d", host, code, want)
		}
	}
}

// TestServeStops: the server stops with its context and with its node,
// and its hooks leave the node.
func TestServeStops(t *testing.T) {
	n := localNode(t)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Serve(ctx, "127.0.0.1:0", n)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-s.Done()
	if _, err := http.Get(s.URL()); err == nil {
		t.Fatal("the server still answers after its context ended")
	}

	n2 := localNode(t)
	s2, err := Serve(context.Background(), "127.0.0.1:0", n2)
	if err != nil {
		t.Fatal(err)
	}
	if err := n2.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-s2.Done()
	if err := s2.Close(); err != nil {
		t.Fatal(err) // Close after the node stopped it: no error
	}
}
