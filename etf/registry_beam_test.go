package etf

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
)

// The Go twins of the modules in testdata/registry.exs.
type shopOrder struct {
	ID    int
	Item  string
	Price float64
}

type shopStatus string

type shopCart struct {
	Owner  string
	Orders []shopOrder
	Placed time.Time
	Status shopStatus
	TTL    time.Duration
}

type shopStockError struct {
	Item string
	Left int
}

func (e shopStockError) Error() string { return fmt.Sprintf("%s: %d left", e.Item, e.Left) }

var errShopOutOfStock = errors.New("out of stock")

func shopRegistry(t testing.TB) *Registry {
	r := NewRegistry()
	noErr(t, Register[shopOrder](r, "Elixir.Shop.Order"))
	noErr(t, Register[shopCart](r, "Elixir.Shop.Cart"))
	noErr(t, Register[shopStatus](r, "Elixir.Shop.Status"))
	noErr(t, Register[shopStockError](r, "Elixir.Shop.StockError"))
	noErr(t, r.RegisterError("out_of_stock", errShopOutOfStock))
	return r
}

var shopPlaced = time.Date(2026, 12, 1, 23, 4, 5, 123456000, time.UTC)

func shopCartValue() shopCart {
	return shopCart{
		Owner:  "ann",
		Orders: []shopOrder{{ID: 1, Item: "book", Price: 9.5}, {ID: 2, Item: "pen", Price: 1}},
		Placed: shopPlaced, Status: "open", TTL: 90 * time.Second,
	}
}

// runLines runs a BEAM program with the given stdin and returns its
// "term NAME HEX" lines decoded and its other lines keyed "kind NAME".
func runLines(t *testing.T, cmd *exec.Cmd, stdin []byte) (terms map[string][]byte, lines map[string]string) {
	t.Helper()
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", cmd.Path, err, out, stderr.String())
	}
	terms, lines = map[string][]byte{}, map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 3)
		if len(f) < 3 {
			continue
		}
		if f[0] == "term" {
			b, err := hex.DecodeString(f[2])
			if err != nil {
				t.Fatalf("bad hex: %q", sc.Text())
			}
			terms[f[1]] = b
			continue
		}
		lines[f[0]+" "+f[1]] = f[2]
	}
	if len(terms) == 0 {
		t.Fatalf("no terms printed; stderr:\n%s", stderr.String())
	}
	return terms, lines
}

// TestRegistryElixir: Go's registered values are real, pattern-matchable
// Elixir structs (and term_to_binary's very bytes), and Elixir's structs
// convert into the registered Go types, mismatches included.
func TestRegistryElixir(t *testing.T) {
	elixir := erltest.Tool(t, "elixir")
	r := shopRegistry(t)
	toElixir := []struct {
		name string
		v    any
	}{
		{"order", shopOrder{ID: 1, Item: "book", Price: 9.5}},
		{"cart", shopCartValue()},
		{"status", shopStatus("open")},
		{"sentinel", errShopOutOfStock},
		{"stock_error", r.ErrorTerm(fmt.Errorf("ctx: %w", shopStockError{Item: "book", Left: 0}))},
	}
	var stdin bytes.Buffer
	for _, c := range toElixir {
		b, err := r.Encode(c.v)
		noErr(t, err, c.name)
		fmt.Fprintf(&stdin, "%s %X\n", c.name, b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	terms, lines := runLines(t, exec.CommandContext(ctx, elixir, "testdata/registry.exs"), stdin.Bytes())

	for _, c := range toElixir {
		if got := lines["check "+c.name]; got != "ok" {
			t.Errorf("Go -> Elixir %s: pattern did not match: %q", c.name, got)
		}
		if got := lines["bytes "+c.name]; got != "same" {
			t.Errorf("Go -> Elixir %s: bytes %q from term_to_binary's", c.name, got)
		}
	}

	fromElixir := []struct {
		name string
		want any
	}{
		{"order", shopOrder{ID: 1, Item: "book", Price: 9.5}},
		{"cart", shopCartValue()},
		{"status", shopStatus("open")},
		{"sentinel", errShopOutOfStock},
		{"stock_error", shopStockError{Item: "book", Left: 0}},
	}
	for _, c := range fromElixir {
		v, matched, err := r.Decode(terms[c.name])
		if err != nil || !matched {
			t.Errorf("Elixir -> Go %s: matched=%v err=%v (%v)", c.name, matched, err, v)
			continue
		}
		if !reflect.DeepEqual(v, c.want) {
			t.Errorf("Elixir -> Go %s: %#v, want %#v", c.name, v, c.want)
		}
	}
	sentinel, _ := Decode(terms["sentinel"])
	if err, ok := r.TermError(sentinel); !ok || !errors.Is(err, errShopOutOfStock) {
		t.Errorf("TermError(sentinel) = %v, %v", err, ok)
	}
	stock, _ := Decode(terms["stock_error"])
	var se shopStockError
	if err, ok := r.TermError(stock); !ok || !errors.As(err, &se) || se.Item != "book" {
		t.Errorf("TermError(stock_error) = %v, %v", err, ok)
	}

	for name, detail := range map[string]error{"missing_field": ErrMissingField, "wrong_type": ErrType, "extra_field": ErrUnknownField} {
		v, matched, err := r.Decode(terms[name])
		raw, _ := Decode(terms[name])
		if matched || !errors.Is(err, ErrMismatch) || !errors.Is(err, detail) || !Equal(v, raw) {
			t.Errorf("Elixir %s: matched=%v err=%v value=%v; want the raw term and a %v mismatch", name, matched, err, v, detail)
		}
	}
}

// TestRegistryErlangRecord: a Go type registered AsRecord is the record
// of -record(order, {id, item, price}) in both directions.
func TestRegistryErlangRecord(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "registry_rec.erl")
	r := NewRegistry()
	noErr(t, Register[shopOrder](r, "order", AsRecord()))
	want := shopOrder{ID: 1, Item: "book", Price: 9.5}
	b, err := r.Encode(want)
	noErr(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-pa", dir, "-eval", "registry_rec:main()")
	terms, lines := runLines(t, cmd, fmt.Appendf(nil, "%X\n", b))
	if got := lines["check order"]; got != "ok" {
		t.Errorf("Go -> erl: record did not match: %q", got)
	}
	v, matched, err := r.Decode(terms["order"])
	if err != nil || !matched || v != any(want) {
		t.Errorf("erl -> Go: %#v, %v, %v", v, matched, err)
	}
}
