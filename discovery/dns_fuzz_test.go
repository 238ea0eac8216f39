package discovery

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzDNSAnswers: whatever a DNS server answers (here any bytes behind
// the query's ID), DNSA and DNSSRV (with and without ResolveTargets)
// return valid node names or an ErrLookup/ErrBadNodeName error, never a
// panic. Seeds: real A and SRV answers of the test server, a truncated
// one, NXDOMAIN, an SRV target that is no host.
func FuzzDNSAnswers(f *testing.F) {
	seeds := newDNSServer(f)
	seeds.setA("app.test.", "10.1.0.1", "10.1.0.2")
	seeds.setSRV("_erl._tcp.app.test.", "pod-0.app.test.", ".", "a@b.app.test.")
	a := seeds.response("app.test.", typeA)
	srv := seeds.response("_erl._tcp.app.test.", typeSRV)
	f.Add(a)
	f.Add(srv)
	f.Add(a[:len(a)-3])
	f.Add(seeds.response("none.test.", typeA))
	f.Add([]byte{0, 0, 0x81, 0x80, 0, 1, 0, 1})

	d := newDNSServer(f)
	res := WithResolver(d.resolver())
	strategies := []Strategy{
		DNSA("app.test.", "app", res),
		DNSSRV("_erl._tcp.app.test.", "app", res),
		DNSSRV("_erl._tcp.app.test.", "app", res, ResolveTargets()),
	}
	// The harness must reach the strategies: a real answer served raw
	// gives its nodes.
	d.setRaw(a)
	if names, err := lookup(f, strategies[0]); err != nil || len(names) != 2 {
		f.Fatalf("raw A answer: %v, %v; want two nodes", names, err)
	}
	f.Fuzz(func(t *testing.T, resp []byte) {
		d.setRaw(resp)
		for _, s := range strategies {
			// A bad answer is ignored by the resolver, which then waits
			// for a good one: the deadline ends that.
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			names, err := s.Nodes(ctx)
			cancel()
			if err != nil && !errors.Is(err, ErrLookup) && !errors.Is(err, ErrBadNodeName) {
				t.Fatalf("%T: error %v is neither ErrLookup nor ErrBadNodeName", s, err)
			}
			for _, n := range names {
				if err := checkNodeName(string(n)); err != nil {
					t.Fatalf("%T listed %q: %v", s, n, err)
				}
			}
		}
	})
}
