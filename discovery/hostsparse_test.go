package discovery

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// hostsCases are .hosts.erlang contents with what ParseHosts must give
// (ok false: ErrMalformedHosts). TestParseHostsLikeConsult checks each
// against file:consult/1 on a real BEAM node as net_adm uses it.
var hostsCases = []struct {
	name, text string
	hosts      []string
	ok         bool
}{
	{"quoted", "'a.example.com'.\n'b.example.com'.\n", []string{"a.example.com", "b.example.com"}, true},
	{"bare", "localhost.\nhost_2@x.\n", []string{"localhost", "host_2@x"}, true},
	{"comments", "%% hosts\n'a'. % first\n\n  'b' . %last", []string{"a", "b"}, true},
	{"no final newline", "'10.0.0.1'.", []string{"10.0.0.1"}, true},
	{"escapes", `'a\x41b'. '\101\s\x{42}'. '\^a'. 'q\'q'.` + "\n", []string{"aAb", "A B", "\x01", "q'q"}, true},
	{"unicode", "'höst'.\n'\\x{1F600}'.\n", []string{"höst", "\U0001F600"}, true},
	{"latin1 bare", "ßtrasse.\n", []string{"ßtrasse"}, true},
	{"empty atom", "''.\n", []string{""}, true},
	{"empty file", "", nil, true},
	{"only comments", "% nothing\n", nil, true},
	{"string", "\"a.example.com\".\n", nil, false},
	{"missing stop", "'a'\n", nil, false},
	{"dots unquoted", "a.example.com.\n", nil, false},
	{"stop glued", "'a'.'b'.\n", nil, false},
	{"unterminated", "'a.\n", nil, false},
	{"number", "1.\n", nil, false},
	{"tuple", "{host, a}.\n", nil, false},
	{"variable", "Host.\n", nil, false},
	{"reserved", "case.\n", nil, false},
	{"long atom", "'" + strings.Repeat("h", 256) + "'.\n", nil, false},
	{"255 atom", "'" + strings.Repeat("h", 255) + "'.\n", []string{strings.Repeat("h", 255)}, true},
	{"bad hex", `'\x{110000}'.` + "\n", nil, false},
	{"list", "['a', 'b'].\n", nil, false},
}

func TestParseHosts(t *testing.T) {
	for _, tc := range hostsCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseHosts([]byte(tc.text))
			if !tc.ok {
				if !errors.Is(err, ErrMalformedHosts) || !strings.Contains(err.Error(), "line ") {
					t.Fatalf("ParseHosts = %q, %v; want ErrMalformedHosts naming the line", got, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.hosts) {
				t.Fatalf("ParseHosts = %q, %v; want %q", got, err, tc.hosts)
			}
		})
	}
}

// TestParseHostsLikeConsult: for every case, file:consult/1 on a real
// BEAM node accepts the file with only atoms exactly when ParseHosts
// accepts it, with the same atoms (world/0 crashes on any other term).
func TestParseHostsLikeConsult(t *testing.T) {
	c := newLoopCluster(t)
	p := c.peer(t, "consult", 2, peerOpts{})
	dir := t.TempDir()
	for i, tc := range hostsCases {
		path := filepath.Join(dir, "hosts"+itoa(i))
		if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := p.lp.WriteLine("consult " + path); err != nil {
			t.Fatal(err)
		}
		beam := p.expect("")
		hosts, err := ParseHosts([]byte(tc.text))
		switch {
		case err != nil && beam != "error" && beam != "nonatoms":
			t.Errorf("%s: ParseHosts refuses (%v), BEAM's consult gives %s", tc.name, err, beam)
		case err == nil:
			l := make(etf.List, len(hosts))
			for i, h := range hosts {
				l[i] = etf.Atom(h)
			}
			if want := "hosts " + etf.FormatW(l); beam != want {
				t.Errorf("%s: ParseHosts gives %s, BEAM's consult %s", tc.name, want, beam)
			}
		}
	}
}

// FuzzParseHosts: any input is parsed or refused with ErrMalformedHosts,
// never a panic, and whatever parses is atoms that print back and parse
// to the same hosts.
func FuzzParseHosts(f *testing.F) {
	for _, tc := range hostsCases {
		f.Add([]byte(tc.text))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		hosts, err := ParseHosts(data)
		if err != nil {
			if !errors.Is(err, ErrMalformedHosts) {
				t.Fatalf("error %v does not wrap ErrMalformedHosts", err)
			}
			return
		}
		var b strings.Builder
		for _, h := range hosts {
			b.WriteString(etf.FormatW(etf.Atom(h)) + ".\n")
		}
		again, err := ParseHosts([]byte(b.String()))
		if err != nil || !slices.Equal(again, hosts) {
			t.Fatalf("hosts %q print as %q, which parses to %q, %v", hosts, b.String(), again, err)
		}
	})
}
