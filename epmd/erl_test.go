package epmd

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erlgo/erlgo/internal/erltest"
)

// TestRealErlInOurServer points real erl nodes (long and short names) at
// our server: they register, OTP's epmd binary lists them through it, a
// second erl node finds and pings the first, and erl's own EPMD client
// parses our PORT2 and NAMES answers about a Go registration.
func TestRealErlInOurServer(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	epmdBin := erltest.Tool(t, "epmd")
	srv, port := startServer(t, ServerConfig{})
	env := []string{EnvPort + "=" + strconv.Itoa(port)}
	cookie := uniqueName("cookie")

	goName := uniqueName("goreg")
	goReg, err := (&Client{Port: port}).Register(ctxT(t), Registration{Name: goName, Port: 6001})
	require.NoError(t, err)
	t.Cleanup(func() { _ = goReg.Close() })

	hostname, err := os.Hostname()
	require.NoError(t, err)
	short, _, _ := strings.Cut(hostname, ".")

	tests := []struct {
		name   string
		flag   string
		suffix string // appended to -name/-sname argument
		host   string // host part of the resulting node name
	}{
		{"long names", "-name", "@127.0.0.1", "127.0.0.1"},
		{"short names", "-sname", "", short},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := uniqueName("a"), uniqueName("b")
			erlArgs := func(name, eval string) []string {
				return []string{"-noshell", "-start_epmd", "false", tt.flag, name + tt.suffix, "-setcookie", cookie, "-eval", eval}
			}
			nodeA := startProc(t, env, erl, erlArgs(a, `io:format("ready~n").`)...)
			nodeA.waitLine(t, "ready")
			info, ok := srv.Lookup(a)
			require.True(t, ok, "%s registered in our server", a)
			assert.Equal(t, NodeNormal, info.NodeType)
			assert.Equal(t, uint16(6), info.HighestVersion)
			require.True(t, info.Port != 0)

			// OTP's epmd binary as a client of our server (port from env).
			names := startProc(t, env, epmdBin, "-names")
			names.waitLine(t, "up and running on port "+strconv.Itoa(port))
			names.waitLine(t, fmt.Sprintf("name %s at port %d", a, info.Port))

			eval := fmt.Sprintf(`
				io:format("ping=~p~n", [net_adm:ping('%s@%s')]),
				io:format("pp=~p~n", [erl_epmd:port_please("%s", "127.0.0.1")]),
				{ok, Names} = net_adm:names("127.0.0.1"),
				io:format("names=~p~n", [lists:member({"%s", 6001}, Names)]),
				halt().`, a, tt.host, goName, goName)
			nodeB := startProc(t, env, erl, erlArgs(b, eval)...)
			assert.Equal(t, "ping=pong", nodeB.waitLine(t, "ping="))
			assert.Equal(t, "pp={port,6001,6}", nodeB.waitLine(t, "pp="))
			assert.Equal(t, "names=true", nodeB.waitLine(t, "names="))
		})
	}
}

// TestRealErlInEmbeddedServer is the Go-only-host case: a Go node's
// Publish runs the embedded EPMD, a real erl node registers in it and
// finds the Go node through it; closing the Go node's publication drops
// the erl node's registration too (as killing epmd would).
func TestRealErlInEmbeddedServer(t *testing.T) {
	t.Parallel()
	erl := erltest.Tool(t, "erl")
	port := erltest.FreePort(t)
	goName := uniqueName("goembedded")
	p, _ := publishT(t, PublishOptions{Registration: Registration{Name: goName, Port: 6002}, Port: port, Fallback: FallbackEmbedded, ListenHost: "127.0.0.1"})
	require.True(t, p.Status().Embedded)

	a := uniqueName("a")
	eval := fmt.Sprintf(`io:format("pp=~p~n", [erl_epmd:port_please("%s", "127.0.0.1")]).`, goName)
	nodeA := startProc(t, []string{EnvPort + "=" + strconv.Itoa(port)}, erl,
		"-noshell", "-start_epmd", "false", "-name", a+"@127.0.0.1", "-setcookie", uniqueName("c"), "-eval", eval)
	assert.Equal(t, "pp={port,6002,6}", nodeA.waitLine(t, "pp="))

	c := &Client{Port: port}
	info, err := c.PortPlease(ctxT(t), a)
	require.NoError(t, err)
	assert.Equal(t, NodeNormal, info.NodeType)

	require.NoError(t, p.Close())
	_, _, err = c.Names(ctxT(t))
	assert.ErrorIs(t, err, ErrUnreachable, "the embedded EPMD is gone with its owner")
}
