package discovery

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

func lookup(t testing.TB, s Strategy) ([]etf.Atom, error) {
	t.Helper()
	return lookupWithin(t, s, 5*time.Second)
}

// lookupWithin bounds a lookup that is expected to fail (a server that
// answers garbage is waited out until the deadline).
func lookupWithin(t testing.TB, s Strategy, d time.Duration) ([]etf.Atom, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return s.Nodes(ctx)
}

// TestDNSStrategies: the names DNSA and DNSSRV make of good answers, and
// the errors of bad ones, from an in-process DNS server.
func TestDNSStrategies(t *testing.T) {
	d := newDNSServer(t)
	res := WithResolver(d.resolver())
	d.setA("app.test.", "10.1.0.1", "10.1.0.2", "10.1.0.1")
	d.setSRV("_erl._tcp.app.test.", "pod-0.app.test.", "pod-1.app.test.", ".")
	d.setSRV("_bad._tcp.app.test.", "pod-0.app.test.", "bad name.app.test.")
	d.setA("pod-0.app.test.", "10.1.0.7")

	cases := []struct {
		name    string
		s       Strategy
		want    []etf.Atom
		wantErr error
	}{
		{"A", DNSA("app.test.", "app", res), []etf.Atom{"app@10.1.0.1", "app@10.1.0.2"}, nil},
		{"A without trailing dot", DNSA("app.test", "app", res), []etf.Atom{"app@10.1.0.1", "app@10.1.0.2"}, nil},
		{"A NXDOMAIN is no nodes", DNSA("none.test.", "app", res), nil, nil},
		{"A NODATA is no nodes", DNSA("_erl._tcp.app.test.", "app", res), nil, nil}, // the name has SRV records only
		{"A bad basename", DNSA("app.test.", "a@b", res), nil, ErrBadNodeName},
		{"SRV", DNSSRV("_erl._tcp.app.test.", "app", res), []etf.Atom{"app@pod-0.app.test", "app@pod-1.app.test"}, nil},
		{"SRV NXDOMAIN is no nodes", DNSSRV("_none._tcp.app.test.", "app", res), nil, nil},
		{"SRV ResolveTargets", DNSSRV("_erl._tcp.app.test.", "app", res, ResolveTargets()), []etf.Atom{"app@10.1.0.7"}, ErrLookup}, // pod-1 has no A record
		{"SRV invalid target: the valid ones and an error", DNSSRV("_bad._tcp.app.test.", "app", res), []etf.Atom{"app@pod-0.app.test"}, ErrLookup},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := lookup(t, tc.s)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("nodes = %v, want %v", got, tc.want)
			}
		})
	}
	for _, fault := range []struct {
		name    string
		rcode   int
		garbage bool
	}{{"SERVFAIL", 2, false}, {"REFUSED", 5, false}, {"garbage", 0, true}} {
		t.Run(fault.name, func(t *testing.T) {
			d.setFault(fault.rcode, fault.garbage)
			defer d.setFault(0, false)
			for _, s := range []Strategy{DNSA("app.test.", "app", res), DNSSRV("_erl._tcp.app.test.", "app", res)} {
				if got, err := lookupWithin(t, s, 300*time.Millisecond); !errors.Is(err, ErrLookup) || got != nil {
					t.Errorf("%T: %v, %v; want ErrLookup and no nodes", s, got, err)
				}
			}
		})
	}
}

// TestLoopSurvivesBadDNS: while the DNS server fails (SERVFAIL, garbage)
// the loop keeps the nodes it knows and keeps polling; an authoritative
// "no such name" empties the list; a good answer later is picked up.
func TestLoopSurvivesBadDNS(t *testing.T) {
	d := newDNSServer(t)
	n, err := node.Start(context.Background(), "dns"+uniq()+"@127.0.0.1", node.WithoutDistribution(), node.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop(context.Background()) })
	ev := newEvents()
	r := startRunner(t, n, DNSA("app.test.", "app", WithResolver(d.resolver())), ev,
		WithPollInterval(50*time.Millisecond), WithLookupTimeout(300*time.Millisecond))
	candidates := func() []etf.Atom {
		var out []etf.Atom
		for _, s := range r.Status() {
			out = append(out, s.Node)
		}
		return out
	}
	d.setA("app.test.", "10.1.0.1")
	eventually(t, "app@10.1.0.1 listed", func() bool { return slices.Equal(candidates(), []etf.Atom{"app@10.1.0.1"}) })
	for _, fault := range []struct {
		rcode   int
		garbage bool
	}{{2, false}, {0, true}} {
		d.setFault(fault.rcode, fault.garbage)
		q := d.queryCount()
		eventually(t, "three failed polls", func() bool { return d.queryCount() >= q+3 })
		if got := candidates(); !slices.Equal(got, []etf.Atom{"app@10.1.0.1"}) {
			t.Fatalf("after failed polls (rcode %d, garbage %v) candidates = %v, want the known node kept", fault.rcode, fault.garbage, got)
		}
	}
	d.setFault(0, false)
	d.remove("app.test.") // NXDOMAIN
	eventually(t, "list emptied by NXDOMAIN", func() bool { return len(candidates()) == 0 })
	d.setA("app.test.", "10.1.0.2")
	eventually(t, "app@10.1.0.2 listed", func() bool { return slices.Equal(candidates(), []etf.Atom{"app@10.1.0.2"}) })
	select {
	case <-r.Done():
		t.Fatal("loop ended")
	default:
	}
}
