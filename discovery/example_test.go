package discovery_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/erlgo/erlgo/cluster"
	"github.com/erlgo/erlgo/discovery"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Two Go nodes on one host: the first keeps the second connected from a
// static list and hears its nodeup and nodedown. (A free port for their
// EPMD keeps the example away from a real one on 4369.)
func ExampleStart() {
	ctx := context.Background()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	opts := []node.Option{node.WithCookie("example"), node.WithEPMD("127.0.0.1", port), node.WithEmbeddedEPMD(),
		node.WithLogger(slog.New(slog.DiscardHandler))}
	a, err := node.Start(ctx, "a@127.0.0.1", opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Stop(ctx)
	b, err := node.Start(ctx, "b@127.0.0.1", opts...)
	if err != nil {
		fmt.Println(err)
		return
	}

	events := make(chan discovery.Event, 8)
	r, err := discovery.Start(ctx, a, discovery.Static("b@127.0.0.1"),
		discovery.WithPollInterval(time.Second),
		discovery.OnEvent(func(e discovery.Event) { events <- e }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Stop()
	fmt.Println(<-events)
	fmt.Println(a.Nodes())
	_ = b.Stop(ctx)
	fmt.Println(<-events)
	// Output:
	// {b@127.0.0.1 true}
	// [b@127.0.0.1]
	// {b@127.0.0.1 false}
}

// A .hosts.erlang file as net_adm:world/0 reads it: one atom per host,
// quoted when it has dots, each ended by a full stop.
func ExampleParseHosts() {
	hosts, err := discovery.ParseHosts([]byte(`
% the cluster's machines
'app1.example.com'.
'app2.example.com'.
localhost.
`))
	fmt.Println(hosts, err)
	_, err = discovery.ParseHosts([]byte(`"app3.example.com".`))
	fmt.Println(err)
	// Output:
	// [app1.example.com app2.example.com localhost] <nil>
	// discovery: malformed .hosts.erlang: line 1: host "app3.example.com" is a string; net_adm:world/0 needs an atom ('app3.example.com')
}

// HostsFile is net_adm:world/0: every node registered in the EPMD of every
// host in .hosts.erlang (here the current directory's, else $HOME's). A
// cluster member runs the loop with cluster.WithDiscovery and stops it
// with the member.
func ExampleHostsFile() {
	ctx := context.Background()
	m, err := cluster.Start(ctx, "app@app1.example.com",
		cluster.WithNode(node.WithCookie(os.Getenv("COOKIE"))),
		cluster.WithDiscovery(discovery.HostsFile("")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Stop(ctx)
}

// Every node registered on three hosts' EPMDs (net_adm:world_list/1).
func ExampleEPMDScan() {
	s := discovery.EPMDScan([]string{"10.0.0.1", "10.0.0.2", "10.0.0.3"})
	_ = s // discovery.Start(ctx, n, s)
}

// One DNS name with an A record per host, each running its node as
// app@<address> (a Kubernetes headless service with pods started as
// -name app@$(POD_IP)).
func ExampleDNSA() {
	s := discovery.DNSA("app-headless.default.svc.cluster.local", "app")
	_ = s // discovery.Start(ctx, n, s)
}

// A Kubernetes StatefulSet behind a headless service: the SRV records of
// its named port "epmd" list pod-N.app.default.svc.cluster.local, and pod N
// runs its node as app@pod-N.app.default.svc.cluster.local.
func ExampleDNSSRV() {
	s := discovery.DNSSRV("_epmd._tcp.app.default.svc.cluster.local", "app")
	_ = s // discovery.Start(ctx, n, s)

	// A Deployment's pods are named after their addresses instead
	// (-name app@$(POD_IP)): resolve the SRV targets.
	s = discovery.DNSSRV("_epmd._tcp.app.default.svc.cluster.local", "app", discovery.ResolveTargets())
	_ = s
}

// A strategy of your own: anything that lists node names, here from an
// environment variable, combined with a static seed.
func ExampleStrategyFunc() {
	fromEnv := discovery.StrategyFunc(func(context.Context) ([]etf.Atom, error) {
		var out []etf.Atom
		for _, name := range []string{os.Getenv("PEER_1"), os.Getenv("PEER_2")} {
			if name != "" {
				out = append(out, etf.Atom(name))
			}
		}
		return out, nil
	})
	s := discovery.Union(discovery.Static("seed@10.0.0.1"), fromEnv)
	names, err := s.Nodes(context.Background())
	fmt.Println(names, err)
	// Output:
	// [seed@10.0.0.1] <nil>
}
