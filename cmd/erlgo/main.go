// Command erlgo is the erlgo command-line tool:
//
//	erlgo node -name go@127.0.0.1 -setcookie C   run the demo node (erl's flag spellings work)
//	erlgo epmd [-daemon] -port 4369              run just the EPMD server (detached with -daemon)
//	erlgo bench [-quick]                         compare erlgo against BEAM
//	erlgo observer -node N -cookie C             inspect a node over HTTP
//	erlgo new -with-app App ./myproject          generate a project (see erlgo new -h)
//	erlgo soak -duration 10m                     soak against real erl and elixir
//	erlgo version                                module, Go and OTP versions, distribution flags
//	erlgo help [command]                         usage of erlgo or of a command
//
// Install it with go install github.com/erlgo/erlgo/cmd/erlgo@latest.
// Every command takes -h; help goes to stdout and exits 0, a bad command
// line exits 2, a failure 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
)

// command is one erlgo subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string) error
}

func commands() []command {
	return []command{
		{"node", "run the demo node (starts a detached EPMD when none runs)", runNode},
		{"epmd", "run the EPMD server standalone (-daemon: detached)", runEPMD},
		{"bench", "run the benchmark workloads against BEAM side by side", runBench},
		{"observer", "inspect a running Go or BEAM node over HTTP", runObserver},
		{"new", "generate a new project: a node, applications, supervisors, actors", runNew},
		{"soak", "soak a Go node against real erl and elixir nodes (-duration)", runSoak},
		{"version", "print the erlgo, Go and supported OTP versions and the distribution flags", runVersion},
		{"help", "show the usage of erlgo or of a command (erlgo help node)", nil},
	}
}

// usage prints the command list to w.
func usage(w io.Writer) {
	fmt.Fprint(w, "erlgo runs Go nodes that join Erlang and Elixir clusters.\n\nusage: erlgo <command> [flags]\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	_ = tw.Flush()
	fmt.Fprint(w, `
Run "erlgo <command> -h" for a command's flags. A first node:

  erlgo node -name go@127.0.0.1 -setcookie secret
  erl -noshell -name me@127.0.0.1 -setcookie secret \
      -eval "io:format(\"~p~n\", [net_adm:ping('go@127.0.0.1')]), halt()."   # prints pong

make demo runs erlgo node as go@127.0.0.1 on EPMD port 4369 with a random cookie;
override with GONODE=name@host ERL_EPMD_PORT=port ERLGO_COOKIE=cookie make demo.
`)
}

func main() { os.Exit(run(os.Args[1:])) }

// run runs the command line args and returns the exit status: 0, 1 when
// the command failed, 2 for a command line it cannot run.
func run(args []string) int {
	if len(args) == 0 {
		usage(os.Stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(os.Stdout)
		return 0
	case "help":
		return help(args[1:])
	}
	for _, c := range commands() {
		if c.name == args[0] && c.run != nil {
			return exitStatus(c.name, c.run(args[1:]))
		}
	}
	fmt.Fprintf(os.Stderr, "erlgo: unknown command %q\n\n", args[0])
	usage(os.Stderr)
	return 2
}

// help is `erlgo help [command]`: the command's usage is its -h.
func help(args []string) int {
	if len(args) == 0 {
		usage(os.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] && c.run != nil {
			return exitStatus(c.name, c.run([]string{"-h"}))
		}
	}
	fmt.Fprintf(os.Stderr, "erlgo help: unknown command %q\n\n", args[0])
	usage(os.Stderr)
	return 2
}

// exitStatus turns a command's error into the exit status, printing it
// unless the command has printed it already.
func exitStatus(name string, err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(os.Stderr, "erlgo %s: %v\n", name, err)
	return 1
}
