package node

import (
	"bufio"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// TestNodesExcludesRealHiddenPeer: with a visible erl and a hidden erl
// (erl -hidden) connected, Nodes lists only the visible one (OTP's
// nodes()), ConnectedNodes both (nodes(connected)), HiddenNodes the hidden
// one (nodes(hidden)).
func TestNodesExcludesRealHiddenPeer(t *testing.T) {
	needErl(t)
	port := startEPMD(t)
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	cookie := "cookie" + id
	vis := startErl(t, port, "vis"+id, cookie)
	n := distNode(t, "go"+id+"@127.0.0.1", port, cookie)
	if err := n.Connect(t.Context(), vis.name); err != nil {
		t.Fatal(err)
	}
	hidden := etf.Atom("hid" + id + "@127.0.0.1")
	// The hidden erl dials the Go node (which runs no net_kernel, so no
	// ping) and prints "connected"; it stays up until stdin closes.
	cmd := exec.Command("erl", "-noshell", "-hidden", "-name", string(hidden), "-setcookie", cookie,
		"-eval", `true = net_kernel:connect_node('`+string(n.Name())+`'), io:format("connected~n"), io:get_line(""), halt().`)
	cmd.Env = erltest.EnvWithEPMD(port)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stdin.Close(); _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	connected := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			t.Log("erl:", sc.Text())
			if strings.TrimSpace(sc.Text()) == "connected" {
				close(connected)
			}
		}
	}()
	select {
	case <-connected:
	case <-time.After(60 * time.Second):
		t.Fatal("hidden erl did not connect")
	}
	// connect_node returns on erl's side once its handshake is done; the Go side
	// books the accepted connection a moment later.
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(n.ConnectedNodes(), hidden) {
		if time.Now().After(deadline) {
			t.Fatalf("hidden erl never listed: %v", n.ConnectedNodes())
		}
		time.Sleep(time.Millisecond)
	}
	sorted := func(l []etf.Atom) []etf.Atom { slices.Sort(l); return l }
	for _, tc := range []struct {
		name      string
		got, want []etf.Atom
	}{
		{"Nodes", n.Nodes(), []etf.Atom{vis.name}},
		{"ConnectedNodes", sorted(n.ConnectedNodes()), sorted([]etf.Atom{vis.name, hidden})},
		{"HiddenNodes", n.HiddenNodes(), []etf.Atom{hidden}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
