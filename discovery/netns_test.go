package discovery

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
)

// Hosts in network namespaces, for the strategies whose nodes share one
// alive name (DNSA, DNSSRV: basename@host): each host is a namespace
// with its own loopback and its own epmd, joined to the test's namespace
// by a veth pair (10.78.K.1 on the test's side, 10.78.K.2 inside) with a
// default route back, so the Go node in the test process and the BEAM
// nodes in the namespaces reach each other as across a network. Every
// epmd uses the same (free) port, as every host's epmd uses 4369.

var subnetSeq atomic.Int32

// requireNetns fails under CI (skips elsewhere) when namespaces cannot be
// made: not root, or no ip.
func requireNetns(t *testing.T) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "not root"
	} else if _, err := exec.LookPath("ip"); err != nil {
		why = "ip not found"
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("DNS strategy tests need network namespaces (root, ip) but %s and CI is set", why)
	}
	t.Skipf("DNS strategy tests need network namespaces (root, ip): %s (set CI to make this a failure)", why)
}

func run(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// nsCluster is the namespaces of one test and what they share.
type nsCluster struct {
	epmd   int
	cookie string
	id     string
	dir    string
}

// nsHost is one namespace: addr is the BEAM side's address, gw the test
// side's.
type nsHost struct {
	ns, addr, gw string
}

func newNSCluster(t *testing.T) *nsCluster {
	requireNetns(t)
	return &nsCluster{dir: peerDir(t), epmd: erltest.StartEPMD(t), cookie: "c" + uniq(), id: uniq()}
}

// host makes a namespace with its veth link, route and epmd; it and
// everything in it are removed when the test ends.
func (c *nsCluster) host(t *testing.T) *nsHost {
	t.Helper()
	k := int((int32(os.Getpid())*7+subnetSeq.Add(1))%250) + 1
	tag := strconv.Itoa(os.Getpid()%100000) + "_" + strconv.Itoa(k)
	h := &nsHost{ns: "erlgo-dc-" + tag, addr: fmt.Sprintf("10.78.%d.2", k), gw: fmt.Sprintf("10.78.%d.1", k)}
	devRoot, devNS := "edc"+tag+"r", "edc"+tag+"n" // IFNAMSIZ: at most 15 bytes
	run(t, "ip", "netns", "add", h.ns)
	t.Cleanup(func() { removeNamespace(h.ns) })
	run(t, "ip", "link", "add", devRoot, "type", "veth", "peer", "name", devNS, "netns", h.ns)
	run(t, "ip", "addr", "add", h.gw+"/24", "dev", devRoot)
	run(t, "ip", "link", "set", devRoot, "up")
	run(t, "ip", "-n", h.ns, "addr", "add", h.addr+"/24", "dev", devNS)
	run(t, "ip", "-n", h.ns, "link", "set", devNS, "up")
	run(t, "ip", "-n", h.ns, "link", "set", "lo", "up")
	run(t, "ip", "-n", h.ns, "route", "add", "default", "via", h.gw)
	c.startEPMD(t, h)
	return h
}

// startEPMD runs epmd on the cluster's port inside the namespace and
// waits until it answers there.
func (c *nsCluster) startEPMD(t *testing.T, h *nsHost) {
	t.Helper()
	port := strconv.Itoa(c.epmd)
	cmd := exec.Command("ip", "netns", "exec", h.ns, "epmd", "-port", port)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	deadline := time.Now().Add(waitFor)
	for exec.Command("ip", "netns", "exec", h.ns, "epmd", "-port", port, "-names").Run() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("epmd in %s does not answer", h.ns)
		}
		time.Sleep(20 * time.Millisecond) // polling for readiness
	}
}

// peer starts erl node alive<id>@<host's address> inside the namespace.
func (c *nsCluster) peer(t *testing.T, h *nsHost, alive string, o peerOpts) *peer {
	o.ns = h.ns
	return startPeer(t, c.dir, c.epmd, alive+c.id+"@"+h.addr, c.cookie, o)
}

// removeNamespace kills what still runs in ns and deletes it; its veth
// end goes with it, and the test side's end with that.
func removeNamespace(ns string) {
	if out, err := exec.Command("ip", "netns", "pids", ns).Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	_ = exec.Command("ip", "netns", "del", ns).Run()
}
