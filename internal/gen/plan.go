package gen

import (
	"fmt"
	"go/token"
	"path"
	"strings"
)

// mainImports are the package names main.go imports besides the
// applications': an application of one of these names would clash.
var mainImports = map[string]bool{
	"actors": true, "cluster": true, "epmd": true, "node": true, "observer": true,
	"context": true, "errors": true, "flag": true, "fmt": true, "slog": true, "net": true,
	"http": true, "os": true, "signal": true, "filepath": true, "strings": true,
	"syscall": true, "time": true, "main": true,
}

// Options says what to generate; the repeated flags of `erlgo new` map
// one to one onto its fields.
type Options struct {
	// Module is the module path; its last element names the command
	// (cmd/<name>) and the node (<name>@127.0.0.1).
	Module string
	// Apps are the applications (-with-app Name). With no Apps, Sups and
	// Actors, the project has one application named after the module with
	// one actor, Worker.
	Apps []string
	// Sups are "Parent:Sup" (-with-sup): a supervisor under an
	// application's root supervisor or under another supervisor.
	Sups []string
	// Actors are "Parent:Actor" (-with-actor): a gen_server under an
	// application's root supervisor or under a supervisor.
	Actors []string
	// Web adds a web worker and an HTTP listener (-with-web), Observer the
	// observer page (-with-observer), Peer scripts/peer.erl and
	// scripts/peer.exs (-with-peer).
	Web, Observer, Peer bool
	// ErlgoVersion is the version of github.com/erlgo/erlgo in go.mod.
	ErlgoVersion string
	// ErlgoPath, when set, adds a replace directive to this directory (a
	// checkout of erlgo) and copies its go.sum.
	ErlgoPath string
	// GoVersion is go.mod's go directive (default: DefaultGoVersion).
	GoVersion string
}

// DefaultGoVersion is the go directive of a generated go.mod: erlgo's own.
const DefaultGoVersion = "1.25"

// Project is the planned project the templates render.
type Project struct {
	Module, Cmd, Alive  string
	ErlgoVersion        string
	ErlgoPath           string
	GoVersion           string
	Web, Observer, Peer bool
	Apps                []*App
}

// App is one application: a package apps/<Pkg> with a root supervisor.
type App struct {
	Go, Pkg, Atom string
	Root          *Sup
	// Web is set on the application that hosts the web worker.
	Web bool
	// First is the first actor of the application's tree (nil if none):
	// the one the generated tests and peer scripts call.
	First *Actor
}

// Sup is a supervisor and its children in start order.
type Sup struct {
	Go, Atom, File string
	// Root is set on an application's root supervisor.
	Root     bool
	Children []Child
}

// Child is one child of a supervisor: Sup or Actor is set.
type Child struct {
	Sup   *Sup
	Actor *Actor
}

// Actor is a generated gen_server.
type Actor struct {
	Go, Atom, File string
}

// Sups lists the application's supervisors below its root, depth first.
func (a *App) Sups() []*Sup {
	var out []*Sup
	var walk func(s *Sup)
	walk = func(s *Sup) {
		for _, c := range s.Children {
			if c.Sup != nil {
				out = append(out, c.Sup)
				walk(c.Sup)
			}
		}
	}
	walk(a.Root)
	return out
}

// Actors lists the application's actors, depth first in start order.
func (a *App) Actors() []*Actor {
	var out []*Actor
	var walk func(s *Sup)
	walk = func(s *Sup) {
		for _, c := range s.Children {
			if c.Actor != nil {
				out = append(out, c.Actor)
			} else {
				walk(c.Sup)
			}
		}
	}
	walk(a.Root)
	return out
}

// FirstApp is the application that hosts the web worker and that the
// peer scripts call: the first with an actor, else the first.
func (p *Project) FirstApp() *App {
	for _, a := range p.Apps {
		if a.First != nil {
			return a
		}
	}
	return p.Apps[0]
}

// planner resolves names while Plan adds components.
type planner struct {
	p      *Project
	parent map[string]*Sup // component name (as given) -> its supervisor
	appOf  map[*Sup]*App
	atoms  map[string]string // registered name -> what took it
	types  map[*App]map[string]bool
}

// Plan checks o and plans the project.
func Plan(o Options) (*Project, error) {
	if err := checkModule(o.Module); err != nil {
		return nil, err
	}
	cmd := path.Base(o.Module)
	p := &Project{Module: o.Module, Cmd: cmd, Alive: nodeAlive(cmd), ErlgoVersion: o.ErlgoVersion,
		ErlgoPath: o.ErlgoPath, GoVersion: o.GoVersion, Web: o.Web, Observer: o.Observer, Peer: o.Peer}
	if p.GoVersion == "" {
		p.GoVersion = DefaultGoVersion
	}
	if p.ErlgoVersion == "" {
		p.ErlgoVersion = "latest"
	}
	pl := &planner{p: p, parent: map[string]*Sup{}, appOf: map[*Sup]*App{}, atoms: map[string]string{}, types: map[*App]map[string]bool{}}
	apps, actorSpecs := o.Apps, o.Actors
	if len(apps) == 0 && len(o.Sups) == 0 && len(o.Actors) == 0 {
		base := strings.Map(func(r rune) rune {
			if strings.ContainsRune("-.~", r) {
				return '_'
			}
			return r
		}, cmd)
		if token.IsKeyword(fileName(base)) || mainImports[fileName(base)] {
			base += "_app" // a command named node or go still gets an application
		}
		apps, actorSpecs = []string{base}, []string{base + ":Worker"}
	}
	if len(apps) == 0 {
		return nil, fmt.Errorf("%w: -with-sup and -with-actor need an application (-with-app)", ErrBadName)
	}
	for _, name := range apps {
		if err := pl.addApp(name); err != nil {
			return nil, err
		}
	}
	for _, spec := range o.Sups {
		if err := pl.addChild("supervisor", spec, true); err != nil {
			return nil, err
		}
	}
	for _, spec := range actorSpecs {
		if err := pl.addChild("actor", spec, false); err != nil {
			return nil, err
		}
	}
	for _, a := range p.Apps {
		if as := a.Actors(); len(as) > 0 {
			a.First = as[0]
		}
	}
	if p.Web {
		a := p.FirstApp()
		a.Web = true
		if err := pl.claim(a.Atom+"_web", "the web handler"); err != nil {
			return nil, err
		}
		if err := pl.claim(a.Atom+"_web_worker", "the web worker"); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// claim reserves a registered name.
func (pl *planner) claim(atom, what string) error {
	if reserved[atom] {
		return fmt.Errorf("%w: %s would register %s, a name the node itself registers", ErrBadName, what, atom)
	}
	if prev, ok := pl.atoms[atom]; ok {
		return fmt.Errorf("%w: %s and %s would both register %s", ErrBadName, prev, what, atom)
	}
	pl.atoms[atom] = what
	return nil
}

// claimType reserves a Go type name (and so its file) in an application.
func (pl *planner) claimType(a *App, goType, what string) error {
	if pl.types[a][strings.ToLower(goType)] {
		return fmt.Errorf("%w: %s: application %s already has a type %s", ErrBadName, what, a.Go, goType)
	}
	pl.types[a][strings.ToLower(goType)] = true
	return nil
}

func (pl *planner) addApp(name string) error {
	if err := checkIdent("application", name); err != nil {
		return err
	}
	a := &App{Go: goName(name), Pkg: fileName(name), Atom: atomName(name)}
	if token.IsKeyword(a.Pkg) || mainImports[a.Pkg] {
		return fmt.Errorf("%w: application %s: package name %s is a Go keyword or a package cmd/%s/main.go imports", ErrBadName, name, a.Pkg, pl.p.Cmd)
	}
	for _, b := range pl.p.Apps {
		if b.Pkg == a.Pkg {
			return fmt.Errorf("%w: applications %s and %s would share package apps/%s", ErrBadName, b.Go, a.Go, a.Pkg)
		}
	}
	if _, dup := pl.parent[name]; dup {
		return fmt.Errorf("%w: %s is declared twice", ErrBadName, name)
	}
	a.Root = &Sup{Go: "Root", Atom: a.Atom + "_sup", File: "root", Root: true}
	// The names app.go, root.go and web.go declare.
	pl.types[a] = map[string]bool{"app": true, "name": true, "root": true, "newroot": true,
		"pages": true, "newweb": true, "webname": true, "webworkername": true, "web": true}
	if err := pl.claim(a.Atom+"_sup", "application "+name+"'s root supervisor"); err != nil {
		return err
	}
	pl.parent[name], pl.appOf[a.Root] = a.Root, a
	pl.p.Apps = append(pl.p.Apps, a)
	return nil
}

// addChild adds "Parent:Name" as a supervisor (sup) or an actor.
func (pl *planner) addChild(kind, spec string, sup bool) error {
	parentName, name, ok := strings.Cut(spec, ":")
	if !ok {
		return fmt.Errorf("%w: %s %q: want Parent:Name", ErrBadName, kind, spec)
	}
	if err := checkIdent(kind, name); err != nil {
		return err
	}
	parent := pl.parent[parentName]
	if parent == nil {
		return fmt.Errorf("%w: %s %q: no application or supervisor %q (declare it first with -with-app or -with-sup)", ErrBadName, kind, spec, parentName)
	}
	if _, dup := pl.parent[name]; dup && sup {
		return fmt.Errorf("%w: %s is declared twice", ErrBadName, name)
	}
	a := pl.appOf[parent]
	goType := goName(name)
	what := kind + " " + name
	if err := pl.claimType(a, goType, what); err != nil {
		return err
	}
	if sup { // its constructor
		if err := pl.claimType(a, "New"+goType, what); err != nil {
			return err
		}
	}
	if err := pl.claim(atomName(name), what); err != nil {
		return err
	}
	if sup {
		s := &Sup{Go: goType, Atom: atomName(name), File: fileName(name)}
		parent.Children = append(parent.Children, Child{Sup: s})
		pl.parent[name], pl.appOf[s] = s, a
		return nil
	}
	parent.Children = append(parent.Children, Child{Actor: &Actor{Go: goType, Atom: atomName(name), File: fileName(name)}})
	return nil
}
