package epmd

import (
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erlgo/erlgo/internal/erltest"
)

// TestDaemonExitKeepsItsCause: ErrDaemonExited wraps the daemon's exit
// (fmt.Errorf "%w: ... %w"), so callers can read its exit status with
// errors.As; an exit with status 0 (what the real epmd does on a taken port)
// reads as such, not as %!w(<nil>).
func TestDaemonExitKeepsItsCause(t *testing.T) {
	erltest.Tool(t, "epmd")
	l, err := net.Listen("tcp", "0.0.0.0:0")
	require.NoError(t, err)
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port

	for _, tc := range []struct {
		name    string
		command []string // nil: the real epmd
		port    int
		status  int // exit status
	}{
		{"real epmd on a taken port", nil, taken, 0},
		{"command exits 1", []string{"false"}, erltest.FreePort(t), 1},
		{"command exits 0", []string{"true"}, erltest.FreePort(t), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StartDaemon(ctxT(t), DaemonConfig{Command: tc.command, Port: tc.port, Logger: testLogger(t)})
			require.ErrorIs(t, err, ErrDaemonExited)
			assert.NotContains(t, err.Error(), "%!w")
			var ee *exec.ExitError
			if tc.status == 0 {
				assert.False(t, errors.As(err, &ee), "%v", err)
				assert.Contains(t, err.Error(), "exit status 0")
				return
			}
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, tc.status, ee.ExitCode(), "%v", err)
		})
	}
}

// TestValidateNameKeepsItsCause: ErrInvalidName and the specific reason are
// both in the chain.
func TestValidateNameKeepsItsCause(t *testing.T) {
	for _, name := range []string{"", "a\x00b", "\xff", strings.Repeat("a", MaxSymLen+1)} {
		err := ValidateName(name)
		require.ErrorIs(t, err, ErrInvalidName, "%q", name)
		w, ok := err.(interface{ Unwrap() []error })
		require.True(t, ok, "%q: %T wraps one error", name, err)
		errs := w.Unwrap()
		require.Len(t, errs, 2, "%q", name)
		assert.Same(t, ErrInvalidName, errs[0], "%q", name)
		assert.EqualError(t, errs[1], checkNameChars([]byte(name)).Error(), "%q", name)
	}
}
