package beamproc

import (
	"net"
	"os"
	"strconv"
)

// FreePort returns a loopback TCP port that was free a moment ago. Another
// program may take it before the caller binds it, so callers that can tell
// (see StartEPMD) try again with a new port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// EnvWithEPMD is the current environment plus ERL_EPMD_PORT=port, for
// starting erl or elixir against a private epmd.
func EnvWithEPMD(port int) []string {
	return append(os.Environ(), "ERL_EPMD_PORT="+strconv.Itoa(port))
}
