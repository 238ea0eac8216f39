// Package gen generates a new erlgo project: the code behind `erlgo new`.
//
// Plan turns Options (the command's flags) into a Project, checking every
// name; Project.Files renders it from the text/template files embedded
// under templates/ (Go output is gofmt'ed); Write puts the files in a
// directory, refusing a non-empty one unless forced. A project is a
// module with a command cmd/<name> (a full cluster member started with
// cluster.Start), one package per application under apps/ (a root
// supervisor, the supervisors and actors of the flags, and a test that
// starts a node on loopback and calls the actors), a Makefile and a
// README; optionally a web worker, the observer and peer scripts for erl
// and elixir.
package gen

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// ErrNotEmpty is Write's error for a directory that already holds files.
var ErrNotEmpty = errors.New("gen: directory is not empty")

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"quote": func(s string) string { return fmt.Sprintf("%q", s) },
}).ParseFS(templateFS, "templates/*.tmpl"))

// data is what one template sees: the project, and the application,
// supervisor or actor the file is about.
type data struct {
	P *Project
	A *App
	S *Sup
	X *Actor
}

// Files renders the project: relative slash-separated path -> contents.
func (p *Project) Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	add := func(name, tmpl string, d data) error {
		d.P = p
		var b bytes.Buffer
		if err := templates.ExecuteTemplate(&b, tmpl, d); err != nil {
			return fmt.Errorf("gen: %s: %w", name, err)
		}
		src := b.Bytes()
		if strings.HasSuffix(name, ".go") {
			f, err := format.Source(src)
			if err != nil {
				return fmt.Errorf("gen: %s does not parse (a template bug): %w\n%s", name, err, src)
			}
			src = f
		}
		out[name] = src
		return nil
	}
	top := []struct{ name, tmpl string }{
		{"go.mod", "go.mod.tmpl"},
		{"Makefile", "Makefile.tmpl"},
		{"README.md", "README.md.tmpl"},
		{".gitignore", "gitignore.tmpl"},
		{path.Join("cmd", p.Cmd, "main.go"), "main.go.tmpl"},
	}
	if p.Peer {
		top = append(top, struct{ name, tmpl string }{"scripts/peer.erl", "peer.erl.tmpl"},
			struct{ name, tmpl string }{"scripts/peer.exs", "peer.exs.tmpl"})
	}
	for _, f := range top {
		if err := add(f.name, f.tmpl, data{}); err != nil {
			return nil, err
		}
	}
	for _, a := range p.Apps {
		dir := path.Join("apps", a.Pkg)
		if err := add(path.Join(dir, "app.go"), "app.go.tmpl", data{A: a}); err != nil {
			return nil, err
		}
		if err := add(path.Join(dir, "app_test.go"), "app_test.go.tmpl", data{A: a}); err != nil {
			return nil, err
		}
		for _, s := range append([]*Sup{a.Root}, a.Sups()...) {
			if err := add(path.Join(dir, s.File+".go"), "sup.go.tmpl", data{A: a, S: s}); err != nil {
				return nil, err
			}
		}
		for _, x := range a.Actors() {
			if err := add(path.Join(dir, x.File+".go"), "actor.go.tmpl", data{A: a, X: x}); err != nil {
				return nil, err
			}
		}
		if p.Web && a == p.FirstApp() {
			if err := add(path.Join(dir, "web.go"), "web.go.tmpl", data{A: a}); err != nil {
				return nil, err
			}
		}
	}
	if p.ErlgoPath != "" {
		sum, err := os.ReadFile(filepath.Join(p.ErlgoPath, "go.sum"))
		if err != nil {
			return nil, fmt.Errorf("gen: erlgo checkout: %w", err)
		}
		out["go.sum"] = sum // erlgo's dependencies, so the project builds offline
	}
	return out, nil
}

// Write writes files under dir, creating it. A dir that exists and holds
// anything is refused with ErrNotEmpty unless force is set; with force,
// files of the same names are overwritten and others left alone.
func Write(dir string, files map[string][]byte, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0 && !force:
		return fmt.Errorf("%w: %s (use -force to write into it)", ErrNotEmpty, dir)
	}
	for _, name := range SortedNames(files) {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// SortedNames returns the file names in order, for listing what was written.
func SortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
