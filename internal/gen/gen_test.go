package gen

import (
	"errors"
	"go/format"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlanRefuses(t *testing.T) {
	app := func(flags ...string) Options {
		o := Options{Module: "example.com/p", Apps: []string{"Shop"}}
		for _, f := range flags {
			kind, spec, _ := strings.Cut(f, "=")
			switch kind {
			case "app":
				o.Apps = append(o.Apps, spec)
			case "sup":
				o.Sups = append(o.Sups, spec)
			case "actor":
				o.Actors = append(o.Actors, spec)
			}
		}
		return o
	}
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"empty module", Options{}, "empty module path"},
		{"empty element", Options{Module: "a//b"}, "empty element"},
		{"dot element", Options{Module: "a/.b"}, "dot"},
		{"space in module", Options{Module: "a b"}, "character"},
		{"command starts with a digit", Options{Module: "example.com/1x"}, "must start with a letter"},
		{"app with a dash", app("app=my-app"), "want a letter"},
		{"actor starts with a digit", app("actor=Shop:1x"), "want a letter"},
		{"non-ASCII actor", app("actor=Shop:Café"), "want a letter"},
		{"no colon", app("actor=Worker"), "want Parent:Name"},
		{"unknown parent", app("actor=Nope:Worker"), `no application or supervisor "Nope"`},
		{"sup without app", Options{Module: "p", Sups: []string{"A:B"}}, "need an application"},
		{"same actor twice", app("actor=Shop:Worker", "actor=Shop:Worker"), "already has a type Worker"},
		{"same atom, two spellings", app("actor=Shop:MyWorker", "actor=Shop:my_worker"), "already has a type"},
		{"same atom in two apps", app("app=Billing", "actor=Shop:Worker", "actor=Billing:Worker"), "would both register worker"},
		{"root supervisor's name", app("actor=Shop:ShopSup"), "would both register shop_sup"},
		{"node's own name", app("actor=Shop:Rex"), "a name the node itself registers"},
		{"net_kernel", app("actor=Shop:NetKernel"), "net_kernel"},
		{"clashes with func App", app("actor=Shop:App"), "already has a type App"},
		{"clashes with a constructor", app("sup=Shop:Orders", "actor=Shop:NewOrders"), "already has a type NewOrders"},
		{"same package", app("app=shop"), "share package apps/shop"},
		{"keyword package", app("app=Func"), "Go keyword"},
		{"package main imports", app("app=Cluster"), "a package cmd/p/main.go imports"},
		{"sup twice", app("sup=Shop:Orders", "sup=Shop:Orders"), "declared twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Plan(c.o)
			if !errors.Is(err, ErrBadName) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Plan: %v; want ErrBadName mentioning %q", err, c.want)
			}
		})
	}
}

func TestPlanDefault(t *testing.T) {
	p, err := Plan(Options{Module: "example.com/my-svc"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Cmd != "my-svc" || p.Alive != "my-svc" || p.ErlgoVersion != "latest" || p.GoVersion != DefaultGoVersion {
		t.Fatalf("project %+v", p)
	}
	a := p.Apps[0]
	if len(p.Apps) != 1 || a.Go != "MySvc" || a.Pkg != "mysvc" || a.Atom != "my_svc" || a.Root.Atom != "my_svc_sup" {
		t.Fatalf("app %+v", a)
	}
	if as := a.Actors(); len(as) != 1 || *as[0] != (Actor{Go: "Worker", Atom: "worker", File: "worker"}) || a.First != as[0] {
		t.Fatalf("actors %+v", as)
	}
}

// A command named like a package main.go imports gets an application
// with another package name.
func TestPlanDefaultClash(t *testing.T) {
	p, err := Plan(Options{Module: "example.com/node"})
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Apps[0]; a.Pkg != "nodeapp" || a.Atom != "node_app" || p.Alive != "node" {
		t.Fatalf("app %+v, node %s", a, p.Alive)
	}
}

func TestPlanTree(t *testing.T) {
	p, err := Plan(Options{Module: "shop", Apps: []string{"Shop"}, Sups: []string{"Shop:Orders", "Orders:OrderSup"},
		Actors: []string{"Shop:Cart", "OrderSup:Order", "Orders:invoice_worker"}, Web: true})
	if err != nil {
		t.Fatal(err)
	}
	a := p.Apps[0]
	var got []string
	for _, x := range a.Actors() {
		got = append(got, x.Atom)
	}
	// Depth first in start order: Orders (and in it OrderSup) was added before Cart.
	if strings.Join(got, " ") != "order invoice_worker cart" || a.First.Go != "Order" || !a.Web {
		t.Fatalf("actors %v, first %+v, web %v", got, a.First, a.Web)
	}
	if sups := a.Sups(); len(sups) != 2 || sups[0].Atom != "orders" || sups[1].Go != "OrderSup" || sups[1].File != "ordersup" {
		t.Fatalf("sups %+v", sups)
	}
	if _, err := Plan(Options{Module: "shop", Apps: []string{"Shop"}, Actors: []string{"Shop:ShopWeb"}, Web: true}); !errors.Is(err, ErrBadName) {
		t.Fatalf("an actor named like the web handler: %v", err)
	}
}

// TestFiles renders every option and checks the Go files are gofmt'ed
// and no template field went missing; the projects are compiled and run
// by cmd/erlgo's TestNewProject.
func TestFiles(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{
		{Module: "example.com/min", ErlgoVersion: "v1.2.3"},
		{Module: "example.com/all", Apps: []string{"Shop", "Billing"}, Sups: []string{"Shop:Orders"},
			Actors: []string{"Orders:Order", "Billing:Ledger"}, Web: true, Observer: true, Peer: true, ErlgoPath: root},
		{Module: "bare", Apps: []string{"Empty"}, Web: true, Peer: true},
	} {
		p, err := Plan(o)
		if err != nil {
			t.Fatal(err)
		}
		files, err := p.Files()
		if err != nil {
			t.Fatal(err)
		}
		for name, src := range files {
			if strings.Contains(string(src), "<no value>") {
				t.Errorf("%s %s: a template field is missing:\n%s", o.Module, name, src)
			}
			if strings.HasSuffix(name, ".go") {
				if f, err := format.Source(src); err != nil || string(f) != string(src) {
					t.Errorf("%s %s: not gofmt'ed (%v)", o.Module, name, err)
				}
			}
		}
		mod := string(files["go.mod"])
		if o.ErlgoPath != "" {
			if !strings.Contains(mod, "replace github.com/erlgo/erlgo => "+root) || files["go.sum"] == nil {
				t.Errorf("go.mod without the replace or no go.sum:\n%s", mod)
			}
		} else if !strings.Contains(mod, "require github.com/erlgo/erlgo "+p.ErlgoVersion) || files["go.sum"] != nil {
			t.Errorf("go.mod:\n%s", mod)
		}
		if o.Peer && (files["scripts/peer.erl"] == nil || files["scripts/peer.exs"] == nil) {
			t.Errorf("%s: no peer scripts", o.Module)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{"a/b.txt": []byte("one")}
	if err := Write(dir, files, false); err != nil {
		t.Fatalf("empty existing dir: %v", err)
	}
	if err := Write(dir, map[string][]byte{"a/b.txt": []byte("two")}, false); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("non-empty dir: %v; want ErrNotEmpty", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a", "b.txt")); string(b) != "one" {
		t.Fatalf("refused Write changed the file: %q", b)
	}
	if err := Write(dir, map[string][]byte{"a/b.txt": []byte("two")}, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a", "b.txt")); string(b) != "two" {
		t.Fatalf("forced Write: %q", b)
	}
	if err := Write(filepath.Join(dir, "new", "deep"), files, false); err != nil {
		t.Fatalf("missing dir: %v", err)
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct{ in, goName, atom, file string }{
		{"Worker", "Worker", "worker", "worker"},
		{"my_worker", "MyWorker", "my_worker", "myworker"},
		{"myWorker", "MyWorker", "my_worker", "myworker"},
		{"HTTPServer", "HTTPServer", "http_server", "httpserver"},
		{"MyHTTPServer2", "MyHTTPServer2", "my_http_server2", "myhttpserver2"},
		{"x", "X", "x", "x"},
		{"Worker2", "Worker2", "worker2", "worker2"},
		{"a__b_", "AB", "a_b", "ab"},
	} {
		if g, a, f := goName(c.in), atomName(c.in), fileName(c.in); g != c.goName || a != c.atom || f != c.file {
			t.Errorf("%s: %s %s %s; want %s %s %s", c.in, g, a, f, c.goName, c.atom, c.file)
		}
	}
}
