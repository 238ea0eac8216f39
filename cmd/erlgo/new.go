package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/erlgo/erlgo/internal/gen"
)

// newAbout ends `erlgo new -h`.
const newAbout = `
Generates a ready project in DIR: go.mod, cmd/<name>/main.go (a full cluster member),
one package per application under apps/ with its supervisors, actors and a test,
a Makefile and a README. <name> is the module path's last element; the module path
defaults to DIR's base name. Without -with-app, -with-sup and -with-actor the project
has one application named after it with one actor, worker.

  erlgo new -with-app Shop -with-sup Shop:Orders -with-actor Orders:Order \
      -with-actor Shop:Cart -with-web -with-observer -with-peer ./shop

A parent is an application (its root supervisor, <app>_sup) or a supervisor declared
before. Each actor is a gen_server registered under its snake-case name that answers
ping with pong and counts casts. The erlgo version in go.mod is this binary's (as go
install recorded it), else latest, resolved by go mod tidy; -erlgo-path DIR uses a
local checkout instead (a replace directive, and its go.sum so that it builds offline).`

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// runNew is `erlgo new`.
func runNew(args []string) error {
	fs := newFlagSet("new", "[flags] DIR", newAbout)
	var o gen.Options
	var apps, sups, acts listFlag
	var force bool
	fs.StringVar(&o.Module, "module", "", "module path (default: DIR's base name)")
	fs.Var(&apps, "with-app", "add an application `Name` (repeatable)")
	fs.Var(&sups, "with-sup", "add a supervisor `Parent:Sup` under an application or a supervisor (repeatable)")
	fs.Var(&acts, "with-actor", "add an actor `Parent:Actor` under an application or a supervisor (repeatable)")
	fs.BoolVar(&o.Web, "with-web", false, "add a web worker and an HTTP server (-http flag of the node)")
	fs.BoolVar(&o.Observer, "with-observer", false, "serve the observer page (-observer flag of the node)")
	fs.BoolVar(&o.Peer, "with-peer", false, "add scripts/peer.erl and scripts/peer.exs, which call the node from erl and elixir")
	fs.StringVar(&o.ErlgoVersion, "erlgo-version", moduleVersion(), "version of github.com/erlgo/erlgo to require")
	fs.StringVar(&o.ErlgoPath, "erlgo-path", "", "use the erlgo checkout in this directory (replace directive)")
	fs.BoolVar(&force, "force", false, "write into a non-empty directory, overwriting files of the same names")
	// parseFlags refuses positional arguments; DIR is the one this command takes.
	args, dir, err := splitDir(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "erlgo new: %v (see erlgo new -h)\n", err)
		return errUsage
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if dir == "" {
		fmt.Fprintln(os.Stderr, "erlgo new: which directory? (erlgo new [flags] DIR)")
		return errUsage
	}
	o.Apps, o.Sups, o.Actors = apps, sups, acts
	err = generate(dir, o, force)
	if errors.Is(err, gen.ErrBadName) {
		// A name in the command line: a usage error, like a bad flag.
		fmt.Fprintf(os.Stderr, "erlgo new: %v\n", err)
		return errUsage
	}
	return err
}

// splitDir takes the one positional argument out of args, wherever it is
// (flags may follow it, unlike flag.Parse wants).
func splitDir(args []string) (rest []string, dir string, err error) {
	boolFlags := map[string]bool{"with-web": true, "with-observer": true, "with-peer": true, "force": true, "h": true, "help": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case a == "--":
			return nil, "", errors.New("-- is not supported")
		case strings.HasPrefix(a, "-") && len(a) > 1:
			rest = append(rest, a)
			if !hasValue && !boolFlags[name] && i+1 < len(args) {
				i++
				rest = append(rest, args[i])
			}
		case dir != "":
			return nil, "", fmt.Errorf("two directories: %q and %q", dir, a)
		default:
			dir = a
		}
	}
	return rest, dir, nil
}

// generate plans, renders and writes the project, then says what to do.
func generate(dir string, o gen.Options, force bool) error {
	if o.Module == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		o.Module = filepath.Base(abs)
	}
	if o.ErlgoPath != "" {
		abs, err := filepath.Abs(o.ErlgoPath)
		if err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(abs, "go.mod")); err != nil {
			return fmt.Errorf("-erlgo-path: %w", err)
		}
		o.ErlgoPath = abs
	}
	p, err := gen.Plan(o)
	if err != nil {
		return err
	}
	files, err := p.Files()
	if err != nil {
		return err
	}
	if err := gen.Write(dir, files, force); err != nil {
		return err
	}
	fmt.Printf("erlgo new: module %s in %s\n", p.Module, dir)
	for _, name := range gen.SortedNames(files) {
		fmt.Printf("  %s\n", name)
	}
	tidy := " && go mod tidy"
	if o.ErlgoPath != "" {
		tidy = ""
	}
	fmt.Printf("next: cd %s%s && make test && make run\n", dir, tidy)
	return nil
}

// moduleVersion is the version of erlgo this binary was built from, as go
// install records it, else "latest" (a local build is "(devel)").
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path == "github.com/erlgo/erlgo" &&
		bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "latest"
}
