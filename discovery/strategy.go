package discovery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/erlgo/erlgo/etf"
)

// Strategy lists the nodes a cluster should contain. It only names
// candidates; Start connects to them, retries and reports what happens. A
// Strategy is called from one goroutine at a time, once per poll, and may
// block until ctx ends.
//
// When Nodes returns an error, the names it returned too are still tried
// but no node is forgotten: a DNS server that fails for a moment must not
// make the cluster forget its members.
type Strategy interface {
	Nodes(ctx context.Context) ([]etf.Atom, error)
}

// StrategyFunc adapts a function to Strategy.
type StrategyFunc func(ctx context.Context) ([]etf.Atom, error)

// Nodes calls f.
func (f StrategyFunc) Nodes(ctx context.Context) ([]etf.Atom, error) { return f(ctx) }

// Sentinel errors, matched with errors.Is.
var (
	// ErrBadNodeName: a candidate is not a valid node name (alive@host,
	// both parts non-empty, one '@', at most 255 characters).
	ErrBadNodeName = errors.New("discovery: bad node name")
	// ErrMalformedHosts: a .hosts.erlang file is not a sequence of atoms,
	// each ended by a full stop, as net_adm:host_file/0 needs.
	ErrMalformedHosts = errors.New("discovery: malformed .hosts.erlang")
	// ErrNoHostsFile: no .hosts.erlang was found where net_adm looks.
	ErrNoHostsFile = errors.New("discovery: no .hosts.erlang found")
	// ErrStrategyPanic: a Strategy panicked; the loop recovered and polls
	// again at the next interval.
	ErrStrategyPanic = errors.New("discovery: strategy panicked")
	// ErrLookup: a host or DNS name could not be looked up.
	ErrLookup = errors.New("discovery: lookup failed")
)

// maxAtom is the longest atom BEAM accepts, in characters.
const maxAtom = 255

// checkNodeName applies the rules a node name must meet before it is worth
// dialling: those of dist's name check (alive@host, both non-empty, one
// '@', a valid atom), so a bad name fails here with a clear error instead of
// once per retry.
func checkNodeName(name string) error {
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxAtom ||
		strings.IndexByte(name, 0) >= 0 {
		return fmt.Errorf("%w: %q", ErrBadNodeName, name)
	}
	alive, host, ok := strings.Cut(name, "@")
	if !ok || alive == "" || host == "" || strings.IndexByte(host, '@') >= 0 {
		return fmt.Errorf("%w: %q (want alive@host)", ErrBadNodeName, name)
	}
	return nil
}

// nodeName joins alive and host and checks the result.
func nodeName(alive, host string) (etf.Atom, error) {
	name := alive + "@" + host
	if err := checkNodeName(name); err != nil {
		return "", err
	}
	return etf.Atom(name), nil
}

// static is the Static strategy.
type static struct {
	names []etf.Atom
	err   error
}

// Static is a fixed list of node names, libcluster's Epmd strategy (which,
// despite its name, takes a static list of nodes). Invalid names are
// reported by every Nodes call, wrapping ErrBadNodeName, and never tried.
func Static(names ...etf.Atom) Strategy {
	s := &static{}
	var errs []error
	for _, n := range names {
		if err := checkNodeName(string(n)); err != nil {
			errs = append(errs, err)
			continue
		}
		s.names = append(s.names, n)
	}
	s.err = errors.Join(errs...)
	return s
}

func (s *static) Nodes(context.Context) ([]etf.Atom, error) {
	return append([]etf.Atom(nil), s.names...), s.err
}

// Union lists the nodes of every strategy, each once. A failing strategy
// contributes its error (and whatever names it did return); the others
// still count.
func Union(strategies ...Strategy) Strategy {
	return StrategyFunc(func(ctx context.Context) ([]etf.Atom, error) {
		seen := make(map[etf.Atom]struct{})
		var out []etf.Atom
		var errs []error
		for _, s := range strategies {
			names, err := s.Nodes(ctx)
			if err != nil {
				errs = append(errs, err)
			}
			for _, n := range names {
				if _, dup := seen[n]; !dup {
					seen[n] = struct{}{}
					out = append(out, n)
				}
			}
		}
		return out, errors.Join(errs...)
	})
}
