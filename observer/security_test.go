package observer

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestToken(t *testing.T) {
	n := startLocal(t, "obs_token@127.0.0.1")
	const token = "s3cret-t0ken"
	srv := httptest.NewServer(Handler(n, WithToken(token)))
	t.Cleanup(srv.Close)
	do := func(path string, mod func(*http.Request)) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		if mod != nil {
			mod(req)
		}
		resp, err := http.DefaultTransport.RoundTrip(req) // no cookie jar, no redirects
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	require.Equal(t, http.StatusUnauthorized, do("/api/node", nil).StatusCode)
	require.Equal(t, http.StatusUnauthorized, do("/", nil).StatusCode)
	require.Equal(t, http.StatusUnauthorized, do("/api/node?token=wrong", nil).StatusCode)
	require.Equal(t, http.StatusUnauthorized, do("/api/node", func(r *http.Request) { r.Header.Set("Authorization", "Bearer wrong") }).StatusCode)
	require.Equal(t, http.StatusOK, do("/api/node", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }).StatusCode)

	// Opening the page with ?token= sets the cookie the page then uses.
	resp := do("/?token="+token, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var c *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == tokenCookie {
			c = k
		}
	}
	require.NotNil(t, c)
	require.True(t, c.HttpOnly)
	require.Equal(t, http.SameSiteStrictMode, c.SameSite)
	require.Equal(t, http.StatusOK, do("/api/processes", func(r *http.Request) { r.AddCookie(c) }).StatusCode)
	require.Equal(t, http.StatusUnauthorized, do("/api/processes", func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: tokenCookie, Value: "forged"})
	}).StatusCode)
}

func TestLocalInspector(t *testing.T) {
	n := startLocal(t, "obs_localinsp@127.0.0.1")
	srv := httptest.NewServer(Handler(n, WithLogger(quietLogger())))
	t.Cleanup(srv.Close)
	pid, err := n.Spawn(idle)
	require.NoError(t, err)
	status, body := get(t, srv, "/api/process?pid="+pid.String())
	require.Equal(t, http.StatusOK, status, body)
	var d ProcessDetail
	require.NoError(t, json.Unmarshal([]byte(body), &d))
	require.Equal(t, pid.String(), d.PID)
	require.Equal(t, "waiting", d.Status)
	require.Equal(t, 0, *d.MessageQueueLen)

	for path, want := range map[string]int{
		"/api/process":                      http.StatusBadRequest,
		"/api/process?pid=junk":             http.StatusBadRequest,
		"/api/process?pid=<other@host.1.0>": http.StatusNotFound,
		"/api/process?pid=" + pid.String():  http.StatusOK,
		"/api/applications":                 http.StatusOK,
		"/api/connections":                  http.StatusOK,
		"/api/config":                       http.StatusOK,
		"/api/history":                      http.StatusOK,
	} {
		status, body := get(t, srv, path)
		require.Equal(t, want, status, "%s: %s", path, body)
	}

	// A Source that is not an Inspector serves lists only.
	lists := httptest.NewServer(Handler(nil, WithSource(failing{}), WithLogger(quietLogger())))
	t.Cleanup(lists.Close)
	status, _ = get(t, lists, "/api/process?pid="+pid.String())
	require.Equal(t, http.StatusNotImplemented, status)
	_, cfg := get(t, lists, "/api/config")
	require.JSONEq(t, `{"read_only":false,"inspect":false}`, cfg)
}

// TestHistoryRing: samples are kept in a bounded ring, taken at most once
// a second, and a failing source gives gap samples.
func TestHistoryRing(t *testing.T) {
	n := startLocal(t, "obs_hist@127.0.0.1")
	_, err := n.Spawn(idle)
	require.NoError(t, err)
	var h history
	now := time.Now()
	for i := range historySize + 50 {
		h.sample(context.Background(), Local(n), now.Add(time.Duration(i)*time.Second))
	}
	s := h.sample(context.Background(), Local(n), now.Add(time.Duration(historySize+49)*time.Second+time.Millisecond))
	require.Len(t, s, historySize, "bounded, and no sample within a second of the last")
	require.Equal(t, now.Add(50*time.Second), s[0].Time, "oldest dropped first")
	require.Positive(t, s[len(s)-1].Processes)
	require.NotNil(t, s[len(s)-1].RunQueue)

	var down history
	s = down.sample(context.Background(), failing{}, now)
	require.Equal(t, []Sample{{Time: now, Down: true}}, s)
}
