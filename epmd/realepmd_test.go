package epmd

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erlgo/erlgo/internal/erltest"
)

// These tests run our client against OTP's epmd binary on a private port.

func TestClientAgainstRealEPMD(t *testing.T) {
	t.Parallel()
	port := erltest.StartEPMD(t)
	c := &Client{Port: port, Logger: testLogger(t)}
	ctx := ctxT(t)
	name := uniqueName("goclient")

	reg, err := c.Register(ctx, Registration{Name: name, Port: 4242, NodeType: NodeHidden, Extra: []byte("xtra")})
	require.NoError(t, err)
	require.True(t, reg.Creation() >= 4, "32-bit creation from ALIVE2_X_RESP, got %d", reg.Creation())

	info, err := c.PortPlease(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, NodeInfo{Port: 4242, NodeType: NodeHidden, HighestVersion: 6, LowestVersion: 5, Name: name, Extra: []byte("xtra")}, info)

	_, err = c.PortPlease(ctx, "nobody_"+name)
	assert.ErrorIs(t, err, ErrNotRegistered)

	epmdPort, names, err := c.Names(ctx)
	require.NoError(t, err)
	assert.Equal(t, port, epmdPort)
	assert.Equal(t, []NameEntry{{name, 4242}}, names)

	_, err = c.Register(ctx, Registration{Name: name, Port: 1})
	assert.ErrorIs(t, err, ErrNameTaken)

	// An old-protocol registration gets ALIVE2_RESP with a 1..3 creation.
	old, err := c.Register(ctx, Registration{Name: name + "_v5", Port: 4243, HighestVersion: 5})
	require.NoError(t, err)
	assert.True(t, old.Creation() >= 1 && old.Creation() <= 3, "creation %d", old.Creation())
	require.NoError(t, old.Close())

	dump, err := c.Dump(ctx)
	require.NoError(t, err)
	assert.True(t, strings.Contains(dump, "active name     <"+name+"> at port 4242, fd = "), dump)

	ans, err := c.Kill(ctx)
	require.NoError(t, err)
	assert.Equal(t, "NO", ans, "epmd refuses KILL while nodes are alive")

	first := reg.Creation()
	require.NoError(t, reg.Close())
	eventually(t, func() bool {
		_, err := c.PortPlease(ctx, name)
		return err != nil
	}, "unregistered after close")

	reg2, err := c.Register(ctx, Registration{Name: name, Port: 4244})
	require.NoError(t, err)
	assert.Equal(t, first+1, reg2.Creation(), "epmd bumps the creation on re-registration")
	require.NoError(t, reg2.Close())
}

// TestPublishReregistersAfterRealEPMDRestart: a client-only publication
// survives epmd being killed and restarted on the same port.
func TestPublishReregistersAfterRealEPMDRestart(t *testing.T) {
	t.Parallel()
	port, stopFirst := erltest.StartEPMDStoppable(t)
	name := uniqueName("gorestart")
	p, changes := publishT(t, PublishOptions{Registration: Registration{Name: name, Port: 5001}, Port: port, DisableServer: true})
	require.True(t, !p.Status().Embedded)
	before := p.Creation()

	stopFirst()
	changes.next(t, "registration lost", func(s Status) bool { return !s.Registered })
	erltest.StartEPMDOn(t, port)
	st := changes.next(t, "registered again", registered)
	assert.True(t, !st.Embedded, "client only")
	assert.True(t, st.Creation != before, "new creation")

	info, err := (&Client{Port: port}).PortPlease(ctxT(t), name)
	require.NoError(t, err)
	assert.Equal(t, uint16(5001), info.Port)
}

// TestPublishTakesOverFromRealEPMD: (FallbackEmbedded) when epmd dies and nobody restarts it,
// the publication serves the port itself, and the real epmd tools see it.
func TestPublishTakesOverFromRealEPMD(t *testing.T) {
	t.Parallel()
	port, stopReal := erltest.StartEPMDStoppable(t)
	name := uniqueName("gotakeover")
	// Default ListenHost: all interfaces, like epmd, so that a real epmd
	// started later collides with it.
	p, changes := publishT(t, PublishOptions{Registration: Registration{Name: name, Port: 5002}, Port: port, Fallback: FallbackEmbedded})
	require.True(t, !p.Status().Embedded, "real epmd serves at first")

	stopReal()
	st := changes.next(t, "registered again", registered)
	assert.True(t, st.Embedded, "took the port over")

	// The real epmd binary, as a client, lists us.
	cli := startProc(t, nil, erltest.Tool(t, "epmd"), "-port", strconv.Itoa(port), "-names")
	cli.waitLine(t, "up and running on port "+strconv.Itoa(port))
	cli.waitLine(t, "name "+name+" at port 5002")

	// A restarted epmd finds the port taken and leaves; we keep serving.
	again := startProc(t, nil, erltest.Tool(t, "epmd"), "-port", strconv.Itoa(port))
	select {
	case <-again.exited:
	case <-time.After(waitFor):
		t.Fatal("second epmd did not give up on the taken port")
	}
	assert.True(t, p.Status().Embedded && p.Status().Registered)
}
