package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/etf"
)

// ScanOption configures EPMDScan and HostsFile.
type ScanOption func(*epmdScan)

// WithEPMDPort sets the EPMD port asked on every host (default
// epmd.PortFromEnv(): $ERL_EPMD_PORT, else 4369, as erl).
func WithEPMDPort(port int) ScanOption { return func(s *epmdScan) { s.port = port } }

// WithShortNames names the nodes found alive@host-up-to-the-first-dot, as
// net_adm:world/0 does on a node started with -sname. The default is long
// names (the host exactly as listed), right for a node started with a
// dotted host or an IP address.
func WithShortNames() ScanOption { return func(s *epmdScan) { s.short = true } }

// WithScanTimeout bounds each host's NAMES request (default 5 s).
func WithScanTimeout(d time.Duration) ScanOption { return func(s *epmdScan) { s.timeout = d } }

// WithEPMDDial makes the NAMES requests dial through dial (default a
// net.Dialer): to reach hosts through a tunnel, or, in tests, to map names
// the system resolver does not know.
func WithEPMDDial(dial func(ctx context.Context, network, address string) (net.Conn, error)) ScanOption {
	return func(s *epmdScan) { s.dial = dial }
}

// scanParallel bounds the hosts asked at once.
const scanParallel = 8

type epmdScan struct {
	hosts   []string
	port    int
	short   bool
	timeout time.Duration
	dial    func(ctx context.Context, network, address string) (net.Conn, error)
}

func newEPMDScan(hosts []string, opts []ScanOption) *epmdScan {
	s := &epmdScan{hosts: hosts, port: epmd.PortFromEnv(), timeout: 5 * time.Second}
	for _, o := range opts {
		o(s)
	}
	return s
}

// EPMDScan lists the nodes registered in the EPMD of each host (NAMES, as
// net_adm:names/1 asks), named alive@host: net_adm:world_list/1. As there,
// a host whose EPMD does not answer contributes no nodes and is not an
// error; Nodes fails (wrapping ErrLookup and the causes) only when no host
// answered, so a local network failure does not make the loop forget the
// nodes it knows. Every registered name is listed, also one that does not
// accept connections from the scanning host; connecting to it simply
// fails and is retried with back-off, as world/0 would get pang.
func EPMDScan(hosts []string, opts ...ScanOption) Strategy {
	return newEPMDScan(append([]string(nil), hosts...), opts)
}

func (s *epmdScan) Nodes(ctx context.Context) ([]etf.Atom, error) {
	return s.scan(ctx, s.hosts)
}

// scan asks every host at once (at most scanParallel at a time) and keeps
// the hosts' order in the result.
func (s *epmdScan) scan(ctx context.Context, hosts []string) ([]etf.Atom, error) {
	if len(hosts) == 0 {
		return nil, nil
	}
	found := make([][]etf.Atom, len(hosts))
	errs := make([]error, len(hosts))
	sem := make(chan struct{}, scanParallel)
	var wg sync.WaitGroup
	for i, h := range hosts {
		if h == "" { // '' is an atom, but no host (and an empty Client.Host means 127.0.0.1)
			errs[i] = fmt.Errorf("%w: empty host name", ErrLookup)
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			found[i], errs[i] = s.host(ctx, h)
		})
	}
	wg.Wait()
	var out []etf.Atom
	answered := false
	for i := range hosts {
		if errs[i] == nil {
			answered = true
		}
		out = append(out, found[i]...)
	}
	if !answered {
		return nil, fmt.Errorf("%w: no EPMD answered: %w", ErrLookup, errors.Join(errs...))
	}
	return out, nil
}

// host lists one host's nodes; names that do not make a valid node name
// (EPMD accepts any bytes) are skipped, as dialling them cannot work.
func (s *epmdScan) host(ctx context.Context, host string) ([]etf.Atom, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	c := &epmd.Client{Host: host, Port: s.port, Dial: s.dial}
	_, names, err := c.Names(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", host, err)
	}
	nodeHost := host
	if s.short {
		nodeHost, _, _ = strings.Cut(host, ".")
	}
	var out []etf.Atom
	for _, e := range names {
		if n, err := nodeName(e.Name, nodeHost); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}
