package epmd

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erlgo/erlgo/internal/erltest"
)

// statusRecorder collects OnChange calls.
type statusRecorder chan Status

func (r statusRecorder) record(s Status) { r <- s }

// next waits for the next status change matching cond.
func (r statusRecorder) next(t testing.TB, what string, cond func(Status) bool) Status {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case s := <-r:
			if cond(s) {
				return s
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func publishT(t testing.TB, opts PublishOptions) (*Publication, statusRecorder) {
	t.Helper()
	rec := make(statusRecorder, 100)
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	opts.OnChange = rec.record
	if opts.RetryInterval == 0 {
		opts.RetryInterval = 50 * time.Millisecond
	}
	p, err := Publish(ctxT(t), opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p, rec
}

func registered(s Status) bool { return s.Registered }

// TestPublishEmbeddedAndTakeover: the first node finds no EPMD and serves
// one; the second registers in it as a client; when the first closes, the
// second takes the port over and registers again with a new creation.
func TestPublishEmbeddedAndTakeover(t *testing.T) {
	port := erltest.FreePort(t)
	a, _ := publishT(t, PublishOptions{Registration: Registration{Name: "a", Port: 1001}, Port: port, Fallback: FallbackEmbedded, ListenHost: "127.0.0.1"})
	require.True(t, a.Status().Embedded, "first node serves EPMD")
	require.True(t, a.Server() != nil)

	b, bChanges := publishT(t, PublishOptions{Registration: Registration{Name: "b", Port: 1002}, Port: port, Fallback: FallbackEmbedded, ListenHost: "127.0.0.1"})
	require.True(t, !b.Status().Embedded, "second node is a client")

	c := &Client{Port: port}
	_, names, err := c.Names(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, []NameEntry{{"b", 1002}, {"a", 1001}}, names)

	_, err = Publish(ctxT(t), PublishOptions{Registration: Registration{Name: "a", Port: 1}, Port: port, Fallback: FallbackEmbedded, Logger: testLogger(t)})
	assert.ErrorIs(t, err, ErrNameTaken)

	before := b.Creation()
	require.NoError(t, a.Close())
	require.True(t, a.Server() == nil)
	bChanges.next(t, "b loses its registration", func(s Status) bool { return !s.Registered })
	st := bChanges.next(t, "b registers again", registered)
	assert.True(t, st.Embedded, "b took the port over")
	assert.True(t, st.Creation != before, "creation changed (%d)", st.Creation)
	assert.Equal(t, st, b.Status())

	info, err := c.PortPlease(ctxT(t), "b")
	require.NoError(t, err)
	assert.Equal(t, uint16(1002), info.Port)
	_, err = c.PortPlease(ctxT(t), "a")
	assert.ErrorIs(t, err, ErrNotRegistered)
}

func TestPublishDisableServer(t *testing.T) {
	port := erltest.FreePort(t)
	_, err := Publish(ctxT(t), PublishOptions{Registration: Registration{Name: "x", Port: 1}, Port: port, DisableServer: true, Logger: testLogger(t)})
	assert.ErrorIs(t, err, ErrUnreachable)
}

func TestPublishInvalidName(t *testing.T) {
	_, err := Publish(ctxT(t), PublishOptions{Registration: Registration{Name: "bad\x00", Port: 1}, Port: erltest.FreePort(t), Fallback: FallbackEmbedded, Logger: testLogger(t)})
	assert.ErrorIs(t, err, ErrInvalidName)
}

// TestPublishCloseIsPrompt closes while the keeper is retrying.
func TestPublishCloseIsPrompt(t *testing.T) {
	srv, port := startServer(t, ServerConfig{})
	p, changes := publishT(t, PublishOptions{Registration: Registration{Name: "x", Port: 1}, Port: port, DisableServer: true, RetryInterval: time.Hour})
	require.NoError(t, srv.Close())
	changes.next(t, "registration lost", func(s Status) bool { return !s.Registered })
	done := make(chan struct{})
	go func() { _ = p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatal("Close hung while retrying")
	}
	_, _, err := (&Client{Port: port}).Names(context.Background())
	assert.ErrorIs(t, err, ErrUnreachable, "no server was started: DisableServer")
}

// TestPublishTakeoverRace: two clients lose their EPMD at once; exactly
// one takes the port over and the other registers in it.
func TestPublishTakeoverRace(t *testing.T) {
	port := erltest.FreePort(t)
	opts := func(name string) PublishOptions {
		return PublishOptions{Registration: Registration{Name: name, Port: 1}, Port: port, Fallback: FallbackEmbedded, ListenHost: "127.0.0.1"}
	}
	owner, _ := publishT(t, opts("owner"))
	b, bChanges := publishT(t, opts("b"))
	c, cChanges := publishT(t, opts("c"))
	require.True(t, owner.Status().Embedded && !b.Status().Embedded && !c.Status().Embedded)

	require.NoError(t, owner.Close())
	bs := bChanges.next(t, "b registered again", registered)
	cs := cChanges.next(t, "c registered again", registered)
	assert.True(t, bs.Embedded != cs.Embedded, "exactly one serves: b=%v c=%v", bs.Embedded, cs.Embedded)
	_, names, err := (&Client{Port: port}).Names(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, 2, len(names), "%v", names)
}
