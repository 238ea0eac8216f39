//go:build linux

package partition

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// A delay wire: `tc qdisc ... netem delay` needs sch_netem, which this
// machine's kernel (and so CI's) does not have. Instead each namespace
// gets a TUN device in place of the veth end, and this test process
// carries IP packets between the two devices, each one due `delay` after
// it was read. Order is kept per direction, as on a real link.

const (
	tunSetIff = 0x400454ca // TUNSETIFF
	iffTun    = 0x0001
	iffNoPI   = 0x1000
)

// wire copies packets between two TUN devices with a fixed one-way delay.
type wire struct {
	delay  time.Duration
	a, b   *os.File
	wg     sync.WaitGroup
	closed chan struct{}
}

// newWiredHosts is newHosts with a TUN wire of the given one-way delay
// instead of the veth pair.
func newWiredHosts(t *testing.T, delay time.Duration) *hosts {
	t.Helper()
	h := newHostsWith(t, func(h *hosts) {
		for _, s := range []struct{ ns, dev string }{{h.nsA, h.devA}, {h.nsB, h.devB}} {
			run(t, "ip", "-n", s.ns, "tuntap", "add", "dev", s.dev, "mode", "tun")
		}
	})
	w := &wire{delay: delay, closed: make(chan struct{})}
	var err error
	if w.a, err = openTun(h.nsA, h.devA); err != nil {
		t.Fatal(err)
	}
	if w.b, err = openTun(h.nsB, h.devB); err != nil {
		_ = w.a.Close()
		t.Fatal(err)
	}
	w.wg.Add(2)
	go w.carry(w.a, w.b)
	go w.carry(w.b, w.a)
	t.Cleanup(w.close)
	return h
}

// openTun opens the TUN device dev of namespace ns: the device is looked
// up in the network namespace of the thread that opens /dev/net/tun, so a
// locked thread enters ns for the open and goes back after.
func openTun(ns, dev string) (*os.File, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return nil, err
	}
	defer self.Close()
	target, err := os.Open("/run/netns/" + ns)
	if err != nil {
		return nil, err
	}
	defer target.Close()
	if err := setns(target); err != nil {
		return nil, fmt.Errorf("setns %s: %w", ns, err)
	}
	fd, openErr := syscall.Open("/dev/net/tun", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err := setns(self); err != nil {
		// The thread is in the wrong namespace: it must not be reused.
		// Returning while locked (no unlock) would be the alternative;
		// failing loudly is simpler.
		panic(fmt.Sprintf("partition: cannot return to the test's network namespace: %v", err))
	}
	if openErr != nil {
		return nil, openErr
	}
	var req [40]byte // struct ifreq: name[16], flags short
	copy(req[:15], dev)
	*(*uint16)(unsafe.Pointer(&req[16])) = iffTun | iffNoPI
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), tunSetIff, uintptr(unsafe.Pointer(&req[0]))); e != 0 {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("TUNSETIFF %s: %w", dev, e)
	}
	if err := syscall.SetNonblock(fd, true); err != nil { // so reads go through the poller and Close ends them
		_ = syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), dev), nil
}

// sysSetns is setns(2)'s number; package syscall does not name it.
var sysSetns = map[string]uintptr{"amd64": 308, "arm64": 268, "riscv64": 268, "386": 346, "arm": 375, "ppc64le": 350, "s390x": 339}

func setns(f *os.File) error {
	nr, ok := sysSetns[runtime.GOARCH]
	if !ok {
		return fmt.Errorf("setns: unknown syscall number on %s", runtime.GOARCH)
	}
	if _, _, e := syscall.Syscall(nr, f.Fd(), syscall.CLONE_NEWNET, 0); e != 0 {
		return e
	}
	return nil
}

type packet struct {
	due  time.Time
	data []byte
}

// carry moves packets from src to dst, each delay after it was read.
// A full queue drops the packet, as a full router queue would.
func (w *wire) carry(src, dst *os.File) {
	defer w.wg.Done()
	q := make(chan packet, 4096)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for p := range q {
			if d := time.Until(p.due); d > 0 {
				select {
				case <-time.After(d): // the delay is what this wire is for
				case <-w.closed:
					return
				}
			}
			_, _ = dst.Write(p.data) // a device that is down drops it
		}
	}()
	buf := make([]byte, 65536)
	for {
		n, err := src.Read(buf)
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				select {
				case <-w.closed:
				default:
					time.Sleep(10 * time.Millisecond) // e.g. EIO while the device is down
					continue
				}
			}
			break
		}
		select {
		case q <- packet{due: time.Now().Add(w.delay), data: append([]byte(nil), buf[:n]...)}:
		default:
		}
	}
	close(q)
	wg.Wait()
}

func (w *wire) close() {
	close(w.closed)
	_ = w.a.Close()
	_ = w.b.Close()
	w.wg.Wait()
}
