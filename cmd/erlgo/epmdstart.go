package main

import (
	"fmt"
	"os"

	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/node"
)

// startEPMDUsage documents -start-epmd of `erlgo node`.
const startEPMDUsage = `what to start when no EPMD answers on the port:
  auto      OTP's epmd from PATH (what erl starts), else "erlgo epmd" (this binary); both detached, they outlive the node
  system    OTP's epmd from PATH, detached
  erlgo     this binary's "erlgo epmd", detached
  embedded  an EPMD inside this process: it stops with the node, and erl nodes registered in it become unreachable
  false     nothing: fail when no EPMD runs (like erl -start_epmd false)`

// epmdStartOption turns -start-epmd into the node option. A detached
// daemon is the default because a node's exit must not take other nodes'
// registrations with it (erl nodes never register again).
func epmdStartOption(mode string) (opt node.Option, what string, err error) {
	self := func() ([]string, error) {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("-start-epmd %s: cannot find this program: %w", mode, err)
		}
		return []string{exe, "epmd"}, nil
	}
	var cmd []string
	switch mode {
	case "auto":
		if cmd = epmd.DefaultDaemonCommand(); cmd == nil {
			if cmd, err = self(); err != nil {
				return nil, "", err
			}
		}
	case "system":
		if cmd = epmd.DefaultDaemonCommand(); cmd == nil {
			return nil, "", fmt.Errorf("-start-epmd system: no epmd on PATH (install erlang-base, or use -start-epmd erlgo)")
		}
	case "erlgo":
		if cmd, err = self(); err != nil {
			return nil, "", err
		}
	case "embedded":
		return node.WithEmbeddedEPMD(), "embedded", nil
	case "false":
		return node.WithoutEPMDStart(), "none", nil
	default:
		return nil, "", fmt.Errorf("-start-epmd %q: want auto, system, erlgo, embedded or false", mode)
	}
	return node.WithEPMDDaemon(cmd...), "daemon " + cmd[0], nil
}
