package epmd

import (
	"os"
	"strconv"
	"strings"
)

// DefaultPort is the well-known EPMD port.
const DefaultPort = 4369

// EnvPort is the environment variable that overrides the EPMD port for
// both erl and epmd.
const EnvPort = "ERL_EPMD_PORT"

// PortFromEnv returns the EPMD port from ERL_EPMD_PORT, or DefaultPort when
// the variable is unset. OTP's erl crashes on a non-numeric value and the
// epmd binary silently uses atoi's 0; neither is useful for a library, so
// a value that is not a port number in 1..65535 also yields DefaultPort.
func PortFromEnv() int {
	p, ok := ParsePort(os.Getenv(EnvPort))
	if !ok {
		return DefaultPort
	}
	return p
}

// ParsePort parses a decimal TCP port number (surrounding blanks allowed)
// and reports whether it is in 1..65535.
func ParsePort(s string) (int, bool) {
	p, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || p < 1 || p > 65535 {
		return 0, false
	}
	return p, true
}
