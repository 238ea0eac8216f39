package discovery

import (
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erlterm"
)

// The reader for .hosts.erlang. net_adm:host_file/0 reads the file with
// file:path_consult/2, so it is a sequence of Erlang terms, each ended by a
// full stop (read here by internal/erlterm, as file:consult reads them);
// net_adm:world/0 then needs every term to be an atom (a string host
// crashes it with badarg, anything else with function_clause), so any
// other term is refused with the line it is on and a clearer message.

// maxHostsFile bounds the file read: a hosts list is a few lines, and a
// runaway file must not be held in memory.
const maxHostsFile = erlterm.MaxInput

// errNotAtom ends the reading at the first term that is not a host atom.
var errNotAtom = errors.New("not a host atom")

// ParseHosts parses the contents of a .hosts.erlang file and returns its
// host names in order. An error wraps ErrMalformedHosts and names the line.
func ParseHosts(data []byte) ([]string, error) {
	var hosts []string
	var bad error
	err := erlterm.ConsultEach(data, func(t etf.Term, line int) error {
		switch v := t.(type) {
		case etf.Atom:
			hosts = append(hosts, string(v))
			return nil
		case etf.Charlist:
			bad = fmt.Errorf("line %d: host %q is a string; net_adm:world/0 needs an atom ('%s')", line, string(v), string(v))
		default:
			bad = fmt.Errorf("line %d: expected a host atom, found %s", line, etf.Format(t))
		}
		return errNotAtom
	})
	switch {
	case errors.Is(err, errNotAtom):
		return nil, fmt.Errorf("%w: %w", ErrMalformedHosts, bad)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrMalformedHosts, err)
	}
	return hosts, nil
}
