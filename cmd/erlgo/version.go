package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/erlgo/erlgo/dist"
)

// The OTP releases erlgo interoperates with: the handshake requires the
// mandatory flags OTP 25 and 26 define (older nodes are refused, as an
// OTP 26 node refuses them), and the protocol goes up to OTP 28's
// ALTACT_SIG_SEND, used when the peer offers it.
const (
	minOTP = 25
	maxOTP = 28
)

// runVersion is `erlgo version`.
func runVersion(args []string) error {
	fs := newFlagSet("version", "", "Prints the module version (as go install recorded it), the Go toolchain,\nthe OTP releases erlgo talks to and the distribution flags it offers.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Print(versionText())
	return nil
}

// versionText is what `erlgo version` prints.
func versionText() string {
	mod, rev := "(unknown)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		mod = bi.Main.Path + " " + bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					rev += " (modified)"
				}
			}
		}
	}
	out := fmt.Sprintf("erlgo %s\n", mod)
	if rev != "" {
		out += fmt.Sprintf("revision %s\n", rev)
	}
	out += fmt.Sprintf("go %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	out += fmt.Sprintf("otp %d or later (features up to OTP %d; handshake versions 5 and 6)\n", minOTP, maxOTP)
	out += fmt.Sprintf("distribution flags offered %#x: %s\n", uint64(dist.DefaultFlags), dist.DefaultFlags)
	out += fmt.Sprintf("distribution flags required %#x: %s\n", uint64(dist.MandatoryFlags), dist.MandatoryFlags)
	if os.Getenv("ERL_EPMD_PORT") != "" {
		out += fmt.Sprintf("epmd port %s (from $ERL_EPMD_PORT)\n", os.Getenv("ERL_EPMD_PORT"))
	}
	return out
}
