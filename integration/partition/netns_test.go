package partition

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// nsPrefix starts the name of every namespace these tests create; the
// creating process's pid follows, so a later run can tell stale ones.
const nsPrefix = "erlgo-pt-"

var subnetSeq atomic.Int32

// hosts is two network namespaces joined by a veth pair: side A has
// 10.77.N.1/24 on veth devA, side B 10.77.N.2/24 on devB. Each runs its
// own epmd on its own loopback (port 4369 is private to a namespace).
type hosts struct {
	t          *testing.T
	nsA, nsB   string
	devA, devB string
	ipA, ipB   string
}

// requireNetns skips the test when namespaces cannot be made here (not
// root, no ip): under CI (env CI set) it fails instead.
func requireNetns(t *testing.T) {
	t.Helper()
	why := ""
	switch {
	case os.Geteuid() != 0:
		why = "not root"
	default:
		for _, tool := range []string{"ip", "nft"} {
			if _, err := exec.LookPath(tool); err != nil {
				why = tool + " not found"
			}
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("partition tests need network namespaces (root, ip, nft) but %s and CI is set", why)
	}
	t.Skipf("partition tests need network namespaces (root, ip, nft): %s (set CI to make this a failure)", why)
}

// run runs a command and fails the test with its output on error.
func run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// newHosts creates the two namespaces and the veth link between them,
// removed when the test ends (with every process still inside).
func newHosts(t *testing.T) *hosts {
	t.Helper()
	return newHostsWith(t, func(h *hosts) {
		// The veth ends are created inside the namespaces: nothing
		// appears in (or is changed in) the machine's own namespace.
		run(t, "ip", "-n", h.nsA, "link", "add", h.devA, "type", "veth", "peer", "name", h.devB, "netns", h.nsB)
	})
}

// newHostsWith is newHosts with the link made by makeLink (devA in nsA,
// devB in nsB).
func newHostsWith(t *testing.T, makeLink func(h *hosts)) *hosts {
	t.Helper()
	requireNetns(t)
	var b [3]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	n := subnetSeq.Add(1)%250 + 1
	h := &hosts{
		t:    t,
		nsA:  fmt.Sprintf("%s%d-%s-a", nsPrefix, os.Getpid(), id),
		nsB:  fmt.Sprintf("%s%d-%s-b", nsPrefix, os.Getpid(), id),
		devA: "ept" + id + "a", devB: "ept" + id + "b", // IFNAMSIZ: at most 15 bytes
		ipA: fmt.Sprintf("10.77.%d.1", n), ipB: fmt.Sprintf("10.77.%d.2", n),
	}
	for _, ns := range []string{h.nsA, h.nsB} {
		if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("cannot create a network namespace here (set CI to make this a failure): %v: %s", err, out)
			}
			t.Fatalf("ip netns add %s: %v: %s", ns, err, out)
		}
		t.Cleanup(func() { removeNamespace(ns) })
	}
	makeLink(h)
	for _, s := range []struct{ ns, dev, ip string }{{h.nsA, h.devA, h.ipA}, {h.nsB, h.devB, h.ipB}} {
		run(t, "ip", "-n", s.ns, "addr", "add", s.ip+"/24", "dev", s.dev)
		run(t, "ip", "-n", s.ns, "link", "set", s.dev, "up")
		run(t, "ip", "-n", s.ns, "link", "set", "lo", "up")
		h.startEPMD(s.ns)
	}
	return h
}

// startEPMD runs epmd in ns (foreground, killed at cleanup) and waits
// until it answers.
func (h *hosts) startEPMD(ns string) {
	t := h.t
	cmd := exec.Command("ip", "netns", "exec", ns, "epmd", "-port", "4369")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("epmd in %s: %v", ns, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := exec.Command("ip", "netns", "exec", ns, "epmd", "-port", "4369", "-names").Run()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("epmd in %s does not answer: %v", ns, err)
		}
		time.Sleep(50 * time.Millisecond) // polling for readiness
	}
}

// Faults. Each returns once the kernel applies it.

// linkDown sets A's end of the veth down (the peer end loses carrier) or
// back up; the addresses stay.
func (h *hosts) linkDown(down bool) {
	state := "up"
	if down {
		state = "down"
	}
	run(h.t, "ip", "-n", h.nsA, "link", "set", h.devA, state)
}

// drop makes every packet arriving on the namespace's veth vanish, as
// `tc netem loss 100%` on the other end's egress would (netem is not in
// every kernel, this machine's included; nftables' ingress hook is): a
// netdev-family table whose ingress chain drops everything on the device.
func (h *hosts) drop(ns, dev string, on bool) {
	if on {
		run(h.t, "ip", "netns", "exec", ns, "nft",
			fmt.Sprintf(`add table netdev erlgo_pt; add chain netdev erlgo_pt in { type filter hook ingress device "%s" priority 0; policy drop; }`, dev))
		return
	}
	run(h.t, "ip", "netns", "exec", ns, "nft", "delete table netdev erlgo_pt")
}

// loseAll drops both directions: A->B and B->A.
func (h *hosts) loseAll(on bool) {
	h.drop(h.nsB, h.devB, on)
	h.drop(h.nsA, h.devA, on)
}

// loseBtoA drops B->A only: what B sends is lost, what A sends arrives.
func (h *hosts) loseBtoA(on bool) { h.drop(h.nsA, h.devA, on) }

// healed flushes both neighbour caches (entries that failed during the
// fault would refuse the first connections with EHOSTUNREACH for a while:
// a kernel matter, not the nodes') and waits until each side reaches the
// other's epmd over TCP, so the reconnect that follows measures the nodes.
func (h *hosts) healed() {
	t := h.t
	for _, ns := range []string{h.nsA, h.nsB} {
		run(t, "ip", "-n", ns, "neigh", "flush", "all")
	}
	for _, s := range []struct{ ns, ip string }{{h.nsA, h.ipB}, {h.nsB, h.ipA}} {
		deadline := time.Now().Add(15 * time.Second)
		for {
			err := exec.Command("ip", "netns", "exec", s.ns, "timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/"+s.ip+"/4369").Run()
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s cannot reach %s:4369 after healing: %v", s.ns, s.ip, err)
			}
			time.Sleep(50 * time.Millisecond) // polling for the link to carry traffic
		}
	}
}

// removeNamespace kills what still runs in ns and deletes it (its veth
// end goes with it).
func removeNamespace(ns string) {
	if out, err := exec.Command("ip", "netns", "pids", ns).Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	for range 50 {
		if exec.Command("ip", "netns", "del", ns).Run() == nil {
			return
		}
		time.Sleep(20 * time.Millisecond) // the killed processes are leaving
	}
}

// removeStaleNamespaces deletes namespaces left by a test process that no
// longer runs (a crashed or killed run), identified by the pid in the name.
func removeStaleNamespaces() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], nsPrefix) {
			continue
		}
		pidStr, _, _ := strings.Cut(strings.TrimPrefix(f[0], nsPrefix), "-")
		pid, err := strconv.Atoi(pidStr)
		if err == nil && pid != os.Getpid() && syscall.Kill(pid, 0) == nil {
			continue // its test process still runs
		}
		removeNamespace(f[0])
	}
}
