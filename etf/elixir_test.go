package etf

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
)

// exUser mirrors MyApp.User in testdata/elixir_mapping.exs.
type exUser struct {
	_     ElixirStruct `etf:"Elixir.MyApp.User"`
	Name  string       `etf:"name"`
	Age   int          `etf:"age"`
	Roles []string     `etf:"roles"`
	Email *string      `etf:"email"`
}

type exNested struct {
	Tags []Atom           `etf:"tags"`
	Meta map[string][]any `etf:"meta"`
}

// elixirCases are the Go twins of MappingCases.cases() in the script: the
// same names, values Go marshals to exactly (===) the Elixir value, and
// types the Elixir encoding unmarshals into.
func elixirCases() []struct {
	name string
	val  any
	opts []Option
} {
	email := "b@x"
	two100 := new(big.Int).Lsh(big.NewInt(1), 100)
	neg64 := new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 64))
	return []struct {
		name string
		val  any
		opts []Option
	}{
		{"user", exUser{Name: "José", Age: 41, Roles: []string{"admin", "dev"}}, nil},
		{"users", []exUser{{Name: "a", Age: 1}, {Name: "b", Age: 2, Email: &email}}, nil},
		{"keyword", Keyword{{"timeout", 5000}, {"name", "x"}, {"debug", true}}, nil},
		{"charlist", "héllo", []Option{WithStringsAsCharlists()}},
		{"string", "héllo ✓", nil},
		{"mixed_map", map[any]any{"a": 1, Atom("b"): 2.5}, nil},
		{"big", two100, nil},
		{"neg_big", neg64, nil},
		{"int64", int64(-123456789012), nil},
		{"record", Point{X: 1, Y: 2}, nil},
		{"atoms", []any{nil, true, false, Atom("ok")}, nil},
		{"nested", exNested{Tags: []Atom{"a", "b"}, Meta: map[string][]any{"k": {1, 2.0, "three"}}}, nil},
	}
}

// TestElixirMapping runs one elixir process: it decodes what Elixir's
// term_to_binary produced for each case into the Go type, and Elixir checks
// that what Go's Marshal produced is === to its own value.
func TestElixirMapping(t *testing.T) {
	elixir := erltest.Tool(t, "elixir")
	cases := elixirCases()

	var stdin bytes.Buffer
	for _, c := range cases {
		b, err := Marshal(c.val, c.opts...)
		if err != nil {
			t.Fatalf("%s: Marshal: %v", c.name, err)
		}
		fmt.Fprintf(&stdin, "%s %X\n", c.name, b)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, elixir, "testdata/elixir_mapping.exs")
	cmd.Stdin = &stdin
	cmd.Dir = "."
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no ~/.mix or ~/.hex side effects
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("elixir: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}

	fromElixir := map[string][]byte{}
	checks := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 3)
		switch {
		case len(f) == 3 && f[0] == "term":
			b, err := hex.DecodeString(f[2])
			if err != nil {
				t.Fatalf("bad hex from elixir: %q", sc.Text())
			}
			fromElixir[f[1]] = b
		case len(f) >= 3 && f[0] == "check":
			checks[f[1]] = strings.Join(f[2:], " ")
		}
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Go -> Elixir.
			if got, ok := checks[c.name]; !ok {
				t.Errorf("elixir printed no check for %s (stderr: %s)", c.name, stderr.String())
			} else if got != "ok" {
				t.Errorf("Elixir received a different value from Go's Marshal: %s", got)
			}
			// Elixir -> Go.
			b, ok := fromElixir[c.name]
			if !ok {
				t.Fatalf("elixir printed no term for %s", c.name)
			}
			p := reflect.New(reflect.TypeOf(c.val))
			if err := Unmarshal(b, p.Interface()); err != nil {
				t.Fatalf("Unmarshal of Elixir's encoding: %v", err)
			}
			got, err := ToTerm(p.Elem().Interface(), c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ToTerm(c.val, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if !Equal(got, want) {
				t.Fatalf("decoded %#v\nwant    %#v", p.Elem().Interface(), c.val)
			}
		})
	}

	// Spot checks on the typed values, beyond term equality.
	var u exUser
	if err := Unmarshal(fromElixir["user"], &u); err != nil {
		t.Fatal(err)
	}
	if u.Name != "José" || u.Age != 41 || u.Email != nil || !reflect.DeepEqual(u.Roles, []string{"admin", "dev"}) {
		t.Errorf("user = %+v", u)
	}
	var opts struct {
		Timeout int    `etf:"timeout"`
		Name    string `etf:"name"`
		Debug   bool   `etf:"debug"`
	}
	if err := Unmarshal(fromElixir["keyword"], &opts); err != nil {
		t.Fatal(err)
	}
	if opts.Timeout != 5000 || opts.Name != "x" || !opts.Debug {
		t.Errorf("keyword into struct = %+v", opts)
	}
	var s string
	if err := Unmarshal(fromElixir["charlist"], &s); err != nil || s != "héllo" {
		t.Errorf("charlist into string = %q, %v", s, err)
	}
}
