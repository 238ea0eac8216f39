package discovery

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// toLoopback dials 127.0.0.1 whatever the host, keeping the port.
func toLoopback(ctx context.Context, network, address string) (net.Conn, error) {
	_, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
}

// TestEPMDScanHosts: names from a real epmd per host, in host order; a
// host that does not answer (TEST-NET-1, or ”) adds nothing and is no
// error unless no host answered; WithShortNames cuts the host at its
// first dot as world/0 on an -sname node does.
func TestEPMDScanHosts(t *testing.T) {
	erltest.RequireTools(t, "epmd")
	port := erltest.StartEPMD(t)
	ctx := context.Background()
	for _, name := range []string{"n1", "n2"} {
		reg, err := (&epmd.Client{Port: port}).Register(ctx, epmd.Registration{Name: name, Port: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = reg.Close() })
	}
	scan := func(hosts []string, opts ...ScanOption) ([]etf.Atom, error) {
		opts = append([]ScanOption{WithEPMDPort(port), WithScanTimeout(300 * time.Millisecond)}, opts...)
		names, err := EPMDScan(hosts, opts...).Nodes(ctx)
		slices.Sort(names)
		return names, err
	}
	cases := []struct {
		name    string
		hosts   []string
		opts    []ScanOption
		want    []etf.Atom
		wantErr error
	}{
		{"two hosts", []string{"127.0.0.1", "localhost"}, nil,
			[]etf.Atom{"n1@127.0.0.1", "n1@localhost", "n2@127.0.0.1", "n2@localhost"}, nil},
		{"one host silent", []string{"192.0.2.1", "127.0.0.1", ""}, nil, []etf.Atom{"n1@127.0.0.1", "n2@127.0.0.1"}, nil},
		{"no host answers", []string{"192.0.2.1", ""}, nil, nil, ErrLookup},
		{"short names", []string{"app1.example.com", "app2"}, []ScanOption{WithShortNames(), WithEPMDDial(toLoopback)},
			[]etf.Atom{"n1@app1", "n1@app2", "n2@app1", "n2@app2"}, nil},
		{"long names", []string{"app1.example.com"}, []ScanOption{WithEPMDDial(toLoopback)},
			[]etf.Atom{"n1@app1.example.com", "n2@app1.example.com"}, nil},
		{"no hosts", nil, nil, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := scan(tc.hosts, tc.opts...)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("nodes = %v, want %v", got, tc.want)
			}
		})
	}
}
