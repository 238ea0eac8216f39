package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/erlgo/erlgo/etf"
)

// DNSOption configures DNSA and DNSSRV.
type DNSOption func(*dnsConfig)

type dnsConfig struct {
	resolver       *net.Resolver
	network        string
	resolveTargets bool
}

// WithResolver makes lookups go through r (default net.DefaultResolver).
// Tests point r's Dial at their own DNS server; deployments may use it to
// pick a server or the pure Go resolver.
func WithResolver(r *net.Resolver) DNSOption { return func(c *dnsConfig) { c.resolver = r } }

// WithNetwork chooses the address records DNSA uses: "ip4" (A, the
// default), "ip6" (AAAA; the nodes must run inet6_tcp distribution) or
// "ip" (both).
func WithNetwork(network string) DNSOption { return func(c *dnsConfig) { c.network = network } }

// ResolveTargets makes DNSSRV resolve each SRV target to its addresses
// (as DNSA does, see WithNetwork) and list basename@address: for nodes
// started as -name basename@$(POD_IP), the usual shape of a Kubernetes
// Deployment behind a headless service, whose SRV targets are per-pod
// names (10-1-2-3.app.default.svc.cluster.local) no node is named after.
func ResolveTargets() DNSOption { return func(c *dnsConfig) { c.resolveTargets = true } }

func newDNSConfig(opts []DNSOption) dnsConfig {
	c := dnsConfig{resolver: net.DefaultResolver, network: "ip4"}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// notFound reports whether err is the DNS's authoritative "no such name"
// (NXDOMAIN, or the name without records of the type): the name has no
// members now, which is an answer, not a failure. A Kubernetes headless
// service with no ready pod answers so.
func notFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

type dnsA struct {
	name, basename string
	c              dnsConfig
}

// DNSA resolves name to its addresses (A records; see WithNetwork) and
// lists basename@address for each: one DNS name for many hosts, every node
// on them named basename (libcluster's DNSPoll, a Kubernetes headless
// service's A records with nodes started as -name basename@$(POD_IP)). A
// name that does not exist is an empty cluster; a failed lookup fails the
// poll, wrapping ErrLookup, and the nodes already known are kept.
func DNSA(name, basename string, opts ...DNSOption) Strategy {
	return &dnsA{name: name, basename: basename, c: newDNSConfig(opts)}
}

func (d *dnsA) Nodes(ctx context.Context) ([]etf.Atom, error) {
	addrs, err := d.c.resolver.LookupNetIP(ctx, d.c.network, d.name)
	if err != nil {
		if notFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrLookup, d.name, err)
	}
	var out []etf.Atom
	var errs []error
	seen := make(map[etf.Atom]bool)
	for _, a := range addrs {
		n, err := nodeName(d.basename, a.Unmap().String())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, errors.Join(errs...)
}

type dnsSRV struct {
	name, basename string
	c              dnsConfig
}

// DNSSRV looks up the SRV records of name (the full name, e.g.
// "_erlang._tcp.app.default.svc.cluster.local") and lists basename@target
// for each target host, its trailing dot removed. This is the Kubernetes
// headless-service convention (libcluster's Kubernetes.DNSSRV): a
// StatefulSet's pods have stable DNS names pod-N.service.namespace.svc.
// cluster.local, the SRV records of a named port list them, and each pod
// runs its node as -name basename@pod-N.service.namespace.svc.cluster.local.
// The records' ports are not used: a node's port comes from its host's
// EPMD. A name that does not exist is an empty cluster; a failed lookup
// fails the poll, wrapping ErrLookup, and the nodes already known are
// kept. When the answer holds some invalid targets, the valid ones are
// listed and the poll reports the rest.
func DNSSRV(name, basename string, opts ...DNSOption) Strategy {
	return &dnsSRV{name: name, basename: basename, c: newDNSConfig(opts)}
}

func (d *dnsSRV) Nodes(ctx context.Context) ([]etf.Atom, error) {
	_, srvs, err := d.c.resolver.LookupSRV(ctx, "", "", d.name)
	if err != nil && len(srvs) == 0 {
		if notFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrLookup, d.name, err)
	}
	var errs []error
	if err != nil { // Go kept the well-formed records of a partly bad answer
		errs = append(errs, fmt.Errorf("%w: %s: %w", ErrLookup, d.name, err))
	}
	var hosts []string
	for _, s := range srvs {
		if s.Target == "." { // RFC 2782: the service is decidedly not available
			continue
		}
		hosts = append(hosts, strings.TrimSuffix(s.Target, "."))
	}
	if d.c.resolveTargets {
		var err error
		if hosts, err = d.addresses(ctx, hosts); err != nil {
			errs = append(errs, err)
		}
	}
	var out []etf.Atom
	seen := make(map[etf.Atom]bool)
	for _, h := range hosts {
		n, err := nodeName(d.basename, h)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, errors.Join(errs...)
}

// addresses resolves SRV targets to their addresses, in order; a target
// that does not resolve is reported and skipped.
func (d *dnsSRV) addresses(ctx context.Context, targets []string) ([]string, error) {
	var out []string
	var errs []error
	for _, t := range targets {
		addrs, err := d.c.resolver.LookupNetIP(ctx, d.c.network, t)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: SRV target %s: %w", ErrLookup, t, err))
			continue
		}
		for _, a := range addrs {
			out = append(out, a.Unmap().String())
		}
	}
	return out, errors.Join(errs...)
}
