package observer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// TestObserverUnderLoad: several pages polling at once an observer of a
// Go node with thousands of processes that keep receiving messages; every
// answer is complete and the node keeps working.
func TestObserverUnderLoad(t *testing.T) {
	const procs, pollers, rounds = 2000, 6, 12
	port := erltest.FreePort(t)
	target := startDist(t, "obs_load@127.0.0.1", port)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	svc, err := interop.Start(ctx, target)
	require.NoError(t, err)
	t.Cleanup(svc.Stop)
	RegisterRPC(svc, target)
	pids := make([]etf.PID, procs)
	for i := range pids {
		pids[i], err = target.Spawn(idle)
		require.NoError(t, err)
	}
	obs := startDist(t, "obs_loadviewer@127.0.0.1", port, node.WithHidden(), node.WithoutEPMD())
	connect(t, obs, target.Name())
	srv := httptest.NewServer(Handler(obs, WithTarget(target.Name()), WithLogger(quietLogger())))
	t.Cleanup(srv.Close)

	// Traffic on the target while it is observed.
	stop := make(chan struct{})
	var traffic sync.WaitGroup
	traffic.Add(1)
	go func() {
		defer traffic.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = target.Send(pids[i%procs], etf.Tuple{etf.Atom("tick"), i})
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, pollers*rounds*4)
	for w := range pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				for _, path := range []string{"/api/processes?sort=reductions&limit=100", "/api/history",
					"/api/process?pid=" + pids[(w*rounds+r)%procs].String(), "/api/connections"} {
					resp, err := srv.Client().Get(srv.URL + path)
					if err != nil {
						errs <- err
						continue
					}
					var v any
					derr := json.NewDecoder(resp.Body).Decode(&v)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || derr != nil {
						errs <- fmt.Errorf("%s: %d %v", path, resp.StatusCode, derr)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	traffic.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	pl, err := Remote(obs, target.Name()).Processes(ctx, Query{Sort: "reductions", Limit: 10})
	require.NoError(t, err)
	require.GreaterOrEqual(t, pl.Total, procs)
	require.Positive(t, *pl.Processes[0].Reductions, "the busiest process first")
}
