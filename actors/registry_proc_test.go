package actors_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// regPeerEnv, when set in the environment, makes TestRegistryTwoProcesses
// run as the peer OS process: "name cookie epmdPort parentNode".
const regPeerEnv = "ERLGO_TEST_REGISTRY_PEER"

// TestRegistryTwoProcesses: registered types between Go nodes in two OS
// processes. The test binary runs itself again as the peer (a node with
// the same registry, a shop actor and a forwarder back to this node),
// ready when it prints READY.
func TestRegistryTwoProcesses(t *testing.T) {
	if spec := os.Getenv(regPeerEnv); spec != "" {
		runRegistryPeer(t, spec)
		return
	}
	c := newCluster(t)
	n, _ := c.regNode(t, shopRegistry(t))
	in := inbox(t, n, "orders", 4)
	peerName := fmt.Sprintf("go_regpeer_%d_%d@127.0.0.1", os.Getpid(), erlSeq.Add(1))
	cmd := exec.Command(os.Args[0], "-test.run=^TestRegistryTwoProcesses$", "-test.count=1")
	cmd.Env = append(erltest.EnvWithEPMD(c.epmd),
		regPeerEnv+"="+strings.Join([]string{peerName, c.cookie, strconv.Itoa(c.epmd), string(n.Name())}, " "))
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = stdin.Close() // the peer stops its node and exits
		select {
		case <-exited:
		case <-time.After(erlWait):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "READY" {
				close(ready)
			}
		}
		exited <- cmd.Wait()
	}()
	select {
	case <-ready:
	case <-time.After(2 * erlWait):
		t.Fatal("peer process not ready")
	}

	ctx, cancel := context.WithTimeout(context.Background(), erlWait)
	defer cancel()
	shopAt := etf.Tuple{etf.Atom("shop"), etf.Atom(peerName)}
	waitCalls(t, ctx, n, shopAt)
	o, err := actors.Call[Order](ctx, n, shopAt, Order{ID: 3, Item: "ink", Price: 4})
	require.NoError(t, err)
	require.Equal(t, Order{ID: 3, Item: "ink", Price: 8}, o)
	_, err = actors.Call[Order](ctx, n, shopAt, etf.Atom("reply_oos"))
	require.ErrorIs(t, err, ErrOutOfStock)
	require.NoError(t, n.Send(etf.Tuple{etf.Atom("fwd"), etf.Atom(peerName)}, Point{X: 7, Y: 8}))
	require.Equal(t, Point{X: 7, Y: 8}, recv(t, in), "sent to the peer, forwarded back: still a Point")
}

// runRegistryPeer is the peer process: a node with shopRegistry, the shop
// actor and "fwd", which sends every message to the parent's "orders"
// (so the value crosses twice, each way decoded into its Go type and
// encoded again). It runs until stdin closes.
func runRegistryPeer(t *testing.T, spec string) {
	f := strings.Fields(spec)
	require.Len(t, f, 4)
	port, err := strconv.Atoi(f[2])
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), erlWait)
	defer cancel()
	n, err := node.Start(ctx, f[0], node.WithCookie(f[1]), node.WithEPMD("127.0.0.1", port),
		node.WithLogger(quiet()), node.WithRegistry(shopRegistry(t)))
	require.NoError(t, err)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), erlWait)
		defer cancel()
		_ = n.Stop(ctx)
	}()
	_, err = actors.Spawn(n, shop{}, node.WithName("shop"))
	require.NoError(t, err)
	parent := etf.Tuple{etf.Atom("orders"), etf.Atom(f[3])}
	_, err = n.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		if _, ok := msg.(Point); !ok {
			return fmt.Errorf("fwd: got %T, want Point", msg)
		}
		return p.Send(parent, msg)
	}), node.WithName("fwd"))
	require.NoError(t, err)
	fmt.Println("READY")
	_, _ = io.Copy(io.Discard, os.Stdin)
}
