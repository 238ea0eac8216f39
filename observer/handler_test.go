package observer

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

const testCookie = "obs-secret-cookie-7f3a"

// idle is a Behavior that ignores every message.
var idle = node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil })

// quiet keeps node logs out of test output.
func quiet() node.Option { return node.WithLogger(slog.New(slog.DiscardHandler)) }

func startLocal(t testing.TB, name string) *node.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := node.Start(ctx, name, node.WithCookie(testCookie), node.WithoutDistribution(), quiet())
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = n.Stop(ctx)
	})
	return n
}

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestHandlerLocal(t *testing.T) {
	n := startLocal(t, "obs_handler@127.0.0.1")
	for _, name := range []etf.Atom{"obs_worker_b", "obs_worker_a"} {
		_, err := n.Spawn(idle, node.WithName(name))
		require.NoError(t, err)
	}
	anon, err := n.Spawn(idle) // anonymous: listed too
	require.NoError(t, err)
	srv := httptest.NewServer(Handler(n))
	t.Cleanup(srv.Close)

	tests := []struct {
		path   string
		status int
		check  func(t *testing.T, body string)
	}{
		{"/api/node", http.StatusOK, func(t *testing.T, body string) {
			var info NodeInfo
			require.NoError(t, json.Unmarshal([]byte(body), &info))
			require.Equal(t, "obs_handler@127.0.0.1", info.Name)
			require.Equal(t, KindErlgo, info.Kind)
			require.NotEmpty(t, info.GoVersion)
			require.Positive(t, info.Goroutines)
			require.Positive(t, info.GOMAXPROCS)
			require.Positive(t, info.HeapBytes)
			require.GreaterOrEqual(t, info.ProcessCount, 3)
			require.Equal(t, len(info.Registered), info.RegisteredCount)
			require.Contains(t, info.Registered, "obs_worker_a")
			require.NotNil(t, info.ConnectedNodes)
		}},
		{"/api/processes?sort=name&limit=10", http.StatusOK, func(t *testing.T, body string) {
			var pl ProcessList
			require.NoError(t, json.Unmarshal([]byte(body), &pl))
			require.Equal(t, "all", pl.Scope)
			require.GreaterOrEqual(t, pl.Total, 3)
			var names, pids []string
			for _, p := range pl.Processes {
				require.NotEmpty(t, p.PID)
				require.NotNil(t, p.Memory, p.PID)
				require.NotNil(t, p.MessageQueueLen, p.PID)
				require.NotEmpty(t, p.CurrentFunction, p.PID)
				pids = append(pids, p.PID)
				if p.Name != "" {
					names = append(names, p.Name)
				}
			}
			require.Contains(t, names, "obs_worker_a")
			require.Contains(t, names, "obs_worker_b")
			require.Contains(t, pids, anon.String())
			require.True(t, slices.IsSorted(names))
		}},
		{"/api/processes?filter=WORKER_A", http.StatusOK, func(t *testing.T, body string) {
			var pl ProcessList
			require.NoError(t, json.Unmarshal([]byte(body), &pl))
			require.Equal(t, 1, pl.Total)
			require.Equal(t, "obs_worker_a", pl.Processes[0].Name)
		}},
		{"/api/processes?limit=1", http.StatusOK, func(t *testing.T, body string) {
			var pl ProcessList
			require.NoError(t, json.Unmarshal([]byte(body), &pl))
			require.Len(t, pl.Processes, 1)
		}},
		{"/api/processes?sort=bogus", http.StatusBadRequest, func(t *testing.T, body string) {
			require.Contains(t, body, `"error"`)
		}},
		{"/api/processes?limit=-3", http.StatusBadRequest, nil},
		{"/api/network", http.StatusOK, func(t *testing.T, body string) {
			var ni NetworkInfo
			require.NoError(t, json.Unmarshal([]byte(body), &ni))
			require.Equal(t, "obs_handler@127.0.0.1", ni.Name)
			require.NotNil(t, ni.Visible, "a Go node tells visible from hidden peers")
			require.Contains(t, body, `"visible":[]`)
		}},
		{"/", http.StatusOK, func(t *testing.T, body string) {
			require.Contains(t, body, "erlgo observer")
			require.Contains(t, body, "api/processes")
		}},
		{"/api/nope", http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.path, "/"), func(t *testing.T) {
			status, body := get(t, srv, tt.path)
			require.Equal(t, tt.status, status, body)
			require.NotContains(t, body, testCookie)
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}
}

func TestHandlerRejectsPost(t *testing.T) {
	n := startLocal(t, "obs_post@127.0.0.1")
	srv := httptest.NewServer(Handler(n))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Post(srv.URL+"/api/node", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

// failing is a Source whose node cannot be reached.
type failing struct{}

var errUnreachable = errors.New("unreachable")

func (failing) Node(context.Context) (NodeInfo, error) { return NodeInfo{}, errUnreachable }
func (failing) Processes(_ context.Context, q Query) (ProcessList, error) {
	if _, err := q.normalize(); err != nil {
		return ProcessList{}, err
	}
	return ProcessList{}, errUnreachable
}
func (failing) Network(context.Context) (NetworkInfo, error) { return NetworkInfo{}, errUnreachable }

func TestHandlerSourceErrors(t *testing.T) {
	srv := httptest.NewServer(Handler(nil, WithSource(failing{}), WithLogger(slog.New(slog.DiscardHandler))))
	t.Cleanup(srv.Close)
	tests := []struct {
		path   string
		status int
	}{
		{"/api/node", http.StatusBadGateway},
		{"/api/processes", http.StatusBadGateway},
		{"/api/processes?sort=heap", http.StatusBadRequest},
		{"/api/network", http.StatusBadGateway},
	}
	for _, tt := range tests {
		status, body := get(t, srv, tt.path)
		require.Equal(t, tt.status, status, tt.path)
		var eb errorBody
		require.NoError(t, json.Unmarshal([]byte(body), &eb))
		require.NotEmpty(t, eb.Error)
	}
}
