// Command erlgo is the erlgo command-line tool:
//
//	erlgo node  -name go@127.0.0.1 -cookie C   run the demo node
//	erlgo epmd  [-daemon] -port 4369           run just the EPMD server (detached with -daemon)
//	erlgo bench [-quick]                       compare erlgo against BEAM
//	erlgo observer -node N -cookie C           inspect a node over HTTP
//	erlgo soak -duration 10m                   soak against real erl and elixir
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
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
		{"soak", "soak a Go node against real erl and elixir nodes (-duration)", runSoak},
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: erlgo <command> [flags]")
	for _, c := range commands() {
		fmt.Fprintf(os.Stderr, "  %-6s %s\n", c.name, c.summary)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	for _, c := range commands() {
		if c.name == os.Args[1] {
			if err := c.run(os.Args[2:]); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					os.Exit(2)
				}
				fmt.Fprintf(os.Stderr, "erlgo %s: %v\n", c.name, err)
				os.Exit(1)
			}
			return
		}
	}
	usage()
	os.Exit(2)
}
