package port

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/internal/ownertest"
	"github.com/erlgo/erlgo/node"
)

// A BEAM process on another node writes to a Go port with the message
// form, {Owner, {command, Data}}, as it would to an ERTS port, before and
// after the connection idled past two net_ticktimes; a message naming
// another pid gets the owner badsig, as on BEAM. The port's output reaches
// its Go owner.
func TestRemoteBEAMWritesToPort(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	epmdPort := erltest.StartEPMD(t)
	id := ownertest.UniqueName("")
	cookie := "portcookie" + id
	erlName := "porterl" + id + "@127.0.0.1"
	n, err := node.Start(context.Background(), "portgo"+id+"@127.0.0.1", node.WithCookie(cookie),
		node.WithEPMD("127.0.0.1", epmdPort), node.WithListenAddr("127.0.0.1:0"),
		node.WithTickTime(2*time.Second), node.WithLogger(ownertest.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ownertest.StopNode(t, n) })

	// The writer: registered, it waits for {go, Port, Owner}, writes,
	// waits for again (after the idle), writes an iolist and then a
	// message naming itself instead of the owner.
	code := `register(writer, self()), io:format("ready~n"),
		receive {go, Port, Owner} -> Port ! {Owner, {command, <<"from beam\n">>}},
			receive again -> Port ! {Owner, {command, [<<"io">>, $l, "ist\n"]}},
				Port ! {self(), {command, <<"not the owner\n">>}} end end,
		receive stop -> halt(0) end.`
	cmd := exec.Command(erl, "-noinput", "-name", erlName, "-setcookie", cookie,
		"-kernel", "net_ticktime", "2", "-eval", code)
	cmd.Env = erltest.EnvWithEPMD(epmdPort)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "ready" {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(erltest.Wait):
		t.Fatal("erl did not start")
	}

	o := startOwner(t, n, true)
	pt := o.open(t, "cat", nil, WithLine(100))
	writer := node.Name{Name: "writer", Node: etf.Atom(erlName)}
	if err := n.Send(writer, etf.Tuple{etf.Atom("go"), pt.ID(), o.PID}); err != nil {
		t.Fatal(err)
	}
	if e := o.nextEvent(t, pt); e.kind != "eol" || string(e.data) != "from beam" {
		t.Fatalf("got %+v", e)
	}
	// Idling past two net_ticktimes is the behaviour under test here.
	time.Sleep(5 * time.Second)
	if err := n.Send(writer, etf.Atom("again")); err != nil {
		t.Fatal(err)
	}
	// The badsig is sent at once, the echo comes back through cat: either
	// may be first.
	var echoed, badsig bool
	for range 2 {
		switch e := o.nextEvent(t, pt); {
		case e.kind == "eol" && string(e.data) == "iolist":
			echoed = true
		case e.kind == "EXIT" && e.reason == atomBadsig:
			badsig = true
		default:
			t.Fatalf("got %+v", e)
		}
	}
	if !echoed || !badsig {
		t.Fatalf("echo %v, badsig %v", echoed, badsig)
	}
	if !pt.s.self.IsAlive() {
		t.Fatal("badsig ended the port; ERTS keeps it running")
	}
	if !containsNode(n.Nodes(), etf.Atom(erlName)) {
		t.Fatalf("connection to %s lost: %v", erlName, n.Nodes())
	}
	_ = n.Send(writer, etf.Atom("stop"))
}

func containsNode(nodes []etf.Atom, name etf.Atom) bool {
	for _, x := range nodes {
		if x == name {
			return true
		}
	}
	return false
}
