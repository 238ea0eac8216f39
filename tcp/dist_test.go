package tcp

import (
	"bufio"
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/internal/ownertest"
	"github.com/erlgo/erlgo/node"
)

// forwarder is a connection handler that forwards the socket's messages
// to a process on another node, unchanged: they travel as gen_tcp's
// tuples.
type forwarder struct{ to node.Name }

func (forwarder) Init(*node.Process) error { return nil }
func (f forwarder) HandleMessage(p *node.Process, msg etf.Term) error {
	switch msg.(type) {
	case Data, Closed:
		return p.Send(f.to, msg)
	}
	return nil
}
func (forwarder) Terminate(*node.Process, etf.Term) {}

// The messages arrive on a real erl node as {tcp, Socket, Data} and
// {tcp_closed, Socket}, Socket a pid of the Go node, also after the
// connections (TCP and distribution) idled past net_ticktime (2 s on
// both nodes): the erl node sees one nodeup and no nodedown.
func TestMessagesToErlAcrossTicks(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "tcp_sink.erl")
	epmd := erltest.StartEPMD(t)
	seq := ownertest.UniqueName("")
	cookie := "tcp-ticks-" + seq + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	erlName := "tcpsink" + seq + "@127.0.0.1"
	cmd := exec.Command(erl, "-noshell", "-name", erlName, "-setcookie", cookie, "-kernel", "net_ticktime", "2",
		"-pa", dir, "-eval", "tcp_sink:start()")
	cmd.Env = erltest.EnvWithEPMD(epmd)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- strings.TrimSpace(sc.Text())
		}
		close(lines)
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok || l != want {
				t.Fatalf("erl printed %q (open %v), want %q", l, ok, want)
			}
		case <-time.After(waitFor):
			t.Fatalf("erl did not print %q", want)
		}
	}
	expect("ready")

	goName := "tcpgo" + seq + "@127.0.0.1"
	n := localNodeDist(t, goName, cookie, epmd)
	o := startOwner(t, n, true)
	l := o.listen(t, WithPacket(Line), WithHandler(func(*Socket) node.Behavior {
		return forwarder{to: node.Name{Name: "sink", Node: etf.Atom(erlName)}}
	}))
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("one\n")); err != nil {
		t.Fatal(err)
	}
	expect("nodeup " + goName)
	expect("tcp one " + goName)
	time.Sleep(5 * time.Second) // the behaviour under test: idle past net_ticktime
	if _, err := c.Write([]byte("two\n")); err != nil {
		t.Fatal(err)
	}
	expect("tcp two " + goName)
	c.Close()
	expect("closed " + goName)
}

// localNodeDist starts a distributed node with a 2 s tick time.
func localNodeDist(t *testing.T, name, cookie string, epmd int) *node.Node {
	t.Helper()
	n, err := node.Start(context.Background(), name, node.WithCookie(cookie), node.WithEPMD("127.0.0.1", epmd),
		node.WithTickTime(2*time.Second), node.WithLogger(ownertest.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		_ = n.Stop(ctx)
	})
	return n
}
