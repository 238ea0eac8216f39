package dist

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testCfg(name string) *Config {
	c, err := Config{Name: etf.Atom(name), Cookie: "cookie", Creation: 5, Logger: quietLogger()}.withDefaults()
	if err != nil {
		panic(err)
	}
	return &c
}

type hsOut struct {
	res hsResult
	err error
}

func goClient(nc net.Conn, cfg *Config, peer etf.Atom, opt clientOptions) chan hsOut {
	ch := make(chan hsOut, 1)
	go func() {
		r, err := clientHandshake(nc, cfg, peer, opt)
		ch <- hsOut{r, err}
	}()
	return ch
}

func goServer(nc net.Conn, cfg *Config, opt serverOptions) chan hsOut {
	ch := make(chan hsOut, 1)
	go func() {
		r, err := serverHandshake(nc, cfg, opt)
		ch <- hsOut{r, err}
	}()
	return ch
}

func wait(t *testing.T, ch chan hsOut) hsOut {
	t.Helper()
	select {
	case o := <-ch:
		return o
	case <-time.After(20 * time.Second):
		t.Fatal("handshake did not finish")
	}
	return hsOut{}
}

// TestHandshakeStatuses drives both roles of the handshake against each
// other with every acceptor decision.
func TestHandshakeStatuses(t *testing.T) {
	cases := map[string]struct {
		decide     string
		aliveReply bool
		clientErr  error
		serverErr  error
		aliveTrue  bool
	}{
		"ok":              {decide: statusOK},
		"ok_simultaneous": {decide: statusOKSimultaneous},
		"nok":             {decide: statusNok, clientErr: ErrNok, serverErr: ErrNok},
		"not_allowed":     {decide: statusNotAllowed, clientErr: ErrNotAllowed, serverErr: ErrNotAllowed},
		"alive true":      {decide: statusAlive, aliveReply: true, aliveTrue: true},
		"alive false":     {decide: statusAlive, aliveReply: false, clientErr: ErrAlreadyConnected, serverErr: ErrAlreadyConnected},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			calledAlive := false
			srv := goServer(b, testCfg("b@127.0.0.1"), serverOptions{Decide: func(peer etf.Atom) acceptDecision {
				assert.Equal(t, etf.Atom("a@127.0.0.1"), peer)
				return acceptDecision{Status: tc.decide, OnAliveTrue: func() { calledAlive = true }}
			}})
			cli := goClient(a, testCfg("a@127.0.0.1"), "b@127.0.0.1", clientOptions{AliveAnswer: func() bool { return tc.aliveReply }})
			co := wait(t, cli)
			if tc.clientErr == nil {
				// a failed server closes the pipe only via its return
				require.NoError(t, co.err)
				assert.Equal(t, tc.decide, co.res.Status)
				assert.Equal(t, uint32(5), co.res.PeerCreation)
				assert.Equal(t, DefaultFlags&^FlagMandatory25Digest, co.res.Flags)
			} else {
				require.ErrorIs(t, co.err, tc.clientErr)
				a.Close()
			}
			so := wait(t, srv)
			if tc.serverErr == nil {
				require.NoError(t, so.err)
				assert.Equal(t, etf.Atom("a@127.0.0.1"), so.res.Peer)
			} else {
				require.ErrorIs(t, so.err, tc.serverErr)
			}
			assert.Equal(t, tc.aliveTrue, calledAlive)
		})
	}
}

func TestHandshakeBadCookieBothRoles(t *testing.T) {
	t.Run("acceptor detects", func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		lc := &logCapture{}
		sc := testCfg("b@127.0.0.1")
		sc.Cookie, sc.Logger = "other", lc.logger()
		srv := goServer(b, sc, serverOptions{})
		cli := goClient(a, testCfg("a@127.0.0.1"), "b@127.0.0.1", clientOptions{})
		so := wait(t, srv)
		require.ErrorIs(t, so.err, ErrBadCookie)
		b.Close()
		require.ErrorIs(t, wait(t, cli).err, ErrBadCookie)
		assert.Contains(t, lc.text(), "invalid challenge reply")
	})
	t.Run("initiator detects bad ack", func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		cli := goClient(a, testCfg("a@127.0.0.1"), "b@127.0.0.1", clientOptions{})
		readHS(t, b)
		writeHS(t, b, status{Status: statusOK}.append(nil))
		writeHS(t, b, challenge{Flags: DefaultFlags, Challenge: 77, Creation: 9, Name: "b@127.0.0.1"}.append(nil))
		rep, err := parseChallengeReply(readHS(t, b))
		require.NoError(t, err)
		assert.True(t, digestOK(rep.Digest, 77, "cookie"))
		writeHS(t, b, challengeAck{Digest: genDigest(rep.Challenge, "wrong")}.append(nil))
		require.ErrorIs(t, wait(t, cli).err, ErrBadCookie)
	})
}

// TestHandshakeAcceptsOtherNameForms plays erl_call (a C node naming
// itself with a short host, "c17@vm") and a long-name peer against short-
// and long-name acceptors: like OTP's dist_util, the accepting side checks
// only alive@host, never long vs short (that is checked when dialling).
func TestHandshakeAcceptsOtherNameForms(t *testing.T) {
	cases := map[string]struct{ self, peer string }{
		"short peer, long node": {"b@127.0.0.1", "c17@vm"},
		"erl_call style":        {"b@host.example", "erl_call_123_0@vm"},
		"long peer, short node": {"b@vm", "x@127.0.0.1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			srv := goServer(b, testCfg(tc.self), serverOptions{})
			writeHS(t, a, sendName{Version: 6, Flags: DefaultFlags, Creation: 5, Name: tc.peer}.append(nil))
			st, err := parseStatus(readHS(t, a))
			require.NoError(t, err)
			assert.Equal(t, statusOK, st.Status)
			ch, err := parseChallenge(readHS(t, a))
			require.NoError(t, err)
			writeHS(t, a, challengeReply{Challenge: 7, Digest: genDigest(ch.Challenge, "cookie")}.append(nil))
			_, err = parseChallengeAck(readHS(t, a))
			require.NoError(t, err)
			so := wait(t, srv)
			require.NoError(t, so.err)
			assert.Equal(t, etf.Atom(tc.peer), so.res.Peer)
		})
	}
	// Dialling out still refuses to mix the forms, as OTP does.
	require.ErrorIs(t, checkPeerName("b@127.0.0.1", "c17@vm"), ErrBadName)
}

// TestHandshakeV5 plays an OTP 23/24 initiator: 'n' (v5, HANDSHAKE_23),
// then 'c' with the high flag word and the creation.
func TestHandshakeV5(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	srv := goServer(b, testCfg("b@127.0.0.1"), serverOptions{})
	writeHS(t, a, sendName{Version: 5, Flags: DefaultFlags & 0xffffffff, Name: "old@127.0.0.1"}.append(nil))
	st, err := parseStatus(readHS(t, a))
	require.NoError(t, err)
	assert.Equal(t, statusOK, st.Status)
	ch, err := parseChallenge(readHS(t, a))
	require.NoError(t, err)
	assert.Equal(t, "b@127.0.0.1", ch.Name)
	writeHS(t, a, complement{FlagsHigh: uint32(DefaultFlags >> 32), Creation: 1234}.append(nil))
	writeHS(t, a, challengeReply{Challenge: 99, Digest: genDigest(ch.Challenge, "cookie")}.append(nil))
	ack, err := parseChallengeAck(readHS(t, a))
	require.NoError(t, err)
	assert.True(t, digestOK(ack.Digest, 99, "cookie"))
	so := wait(t, srv)
	require.NoError(t, so.err)
	assert.Equal(t, uint32(1234), so.res.PeerCreation)
	assert.Equal(t, etf.Atom("old@127.0.0.1"), so.res.Peer)
	assert.True(t, so.res.Flags.Has(FlagSpawn|FlagV4NC))
}

func TestHandshakeRefusals(t *testing.T) {
	cases := map[string]struct {
		msg     []byte
		logWant string
	}{
		"missing UNLINK_ID and V4_NC": {
			msg:     sendName{Version: 6, Flags: DefaultFlags &^ (FlagUnlinkID | FlagV4NC), Creation: 1, Name: "x@127.0.0.1"}.append(nil),
			logWant: "UNLINK_ID",
		},
		"v5 without HANDSHAKE_23": {
			msg: sendName{Version: 5, Flags: FlagExtendedReferences, Name: "x@127.0.0.1"}.append(nil),
		},
		"empty alive": {
			msg:     sendName{Version: 6, Flags: DefaultFlags, Creation: 1, Name: "@127.0.0.1"}.append(nil),
			logWant: "disallowed node name",
		},
		"no host": {
			msg: sendName{Version: 6, Flags: DefaultFlags, Creation: 1, Name: "x"}.append(nil),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			lc := &logCapture{}
			sc := testCfg("b@127.0.0.1")
			sc.Logger = lc.logger()
			srv := goServer(b, sc, serverOptions{})
			writeHS(t, a, tc.msg)
			st, err := parseStatus(readHS(t, a))
			require.NoError(t, err)
			assert.Equal(t, statusNotAllowed, st.Status)
			require.ErrorIs(t, wait(t, srv).err, ErrNotAllowed)
			if tc.logWant != "" {
				assert.Contains(t, lc.text(), tc.logWant)
			}
		})
	}
}

func TestHandshakeInitiatorChecks(t *testing.T) {
	cases := map[string]struct {
		ch   challenge
		want error
	}{
		"peer lacks mandatory flags":     {challenge{Flags: DefaultFlags &^ FlagBigCreation &^ FlagMandatory25Digest, Name: "b@127.0.0.1"}, ErrNotAllowed},
		"peer answers with another name": {challenge{Flags: DefaultFlags, Name: "other@127.0.0.1"}, ErrBadName},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			lc := &logCapture{}
			cc := testCfg("a@127.0.0.1")
			cc.Logger = lc.logger()
			cli := goClient(a, cc, "b@127.0.0.1", clientOptions{})
			readHS(t, b)
			writeHS(t, b, status{Status: statusOK}.append(nil))
			writeHS(t, b, tc.ch.append(nil))
			require.ErrorIs(t, wait(t, cli).err, tc.want)
			if tc.want == ErrNotAllowed {
				assert.Contains(t, lc.text(), "BIG_CREATION")
			}
		})
	}
}

func TestHandshakeDigestFlagExpands(t *testing.T) {
	// A peer that sends only MANDATORY_25_DIGEST for the OTP 25 set (plus
	// the OTP 26 flags) is accepted.
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	cli := goClient(a, testCfg("a@127.0.0.1"), "b@127.0.0.1", clientOptions{})
	readHS(t, b)
	writeHS(t, b, status{Status: statusOK}.append(nil))
	writeHS(t, b, challenge{Flags: FlagMandatory25Digest | Mandatory26Flags | FlagPublished, Challenge: 1, Name: "b@127.0.0.1"}.append(nil))
	rep, err := parseChallengeReply(readHS(t, b))
	require.NoError(t, err)
	writeHS(t, b, challengeAck{Digest: genDigest(rep.Challenge, "cookie")}.append(nil))
	o := wait(t, cli)
	require.NoError(t, o.err)
	assert.True(t, o.res.Flags.Has(Mandatory25Flags))
	assert.False(t, o.res.Flags.Has(FlagFragments))
}

func TestHandshakeNameMe(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	srv := goServer(b, testCfg("b@127.0.0.1"), serverOptions{AssignName: func(host string) (etf.Atom, uint32) {
		return etf.Atom("dyn@" + host), 4242
	}})
	cli := goClient(a, testCfg("ignored@10.0.0.1"), "b@127.0.0.1", clientOptions{NameMe: true})
	co := wait(t, cli)
	require.NoError(t, co.err)
	assert.Equal(t, etf.Atom("dyn@10.0.0.1"), co.res.Name)
	assert.Equal(t, uint32(4242), co.res.Creation)
	assert.Equal(t, statusNamed, co.res.Status)
	so := wait(t, srv)
	require.NoError(t, so.err)
	assert.Equal(t, etf.Atom("dyn@10.0.0.1"), so.res.Peer)
	assert.Equal(t, uint32(4242), so.res.PeerCreation)
}

func TestHandshakeSetupTimeout(t *testing.T) {
	for _, role := range []string{"initiator", "acceptor"} {
		t.Run(role, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			cfg := testCfg("a@127.0.0.1")
			cfg.SetupTimeout = 200 * time.Millisecond
			var ch chan hsOut
			if role == "initiator" {
				ch = goClient(a, cfg, "b@127.0.0.1", clientOptions{})
				readHS(t, b) // then silence
			} else {
				ch = goServer(a, cfg, serverOptions{}) // silence
			}
			require.ErrorIs(t, wait(t, ch).err, ErrSetupTimeout)
		})
	}
}

// Manager-level arbitration, deterministic: a dial of ours is pending (its
// Dial blocks) when the peer's handshake arrives.
func TestSimultaneousArbitration(t *testing.T) {
	cases := map[string]struct {
		self, peer string
		status     string
	}{
		"peer name greater: ok_simultaneous, ours aborted": {"a@127.0.0.1", "b@127.0.0.1", statusOKSimultaneous},
		"our name greater: nok":                            {"b@127.0.0.1", "a@127.0.0.1", statusNok},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			release := make(chan struct{})
			dialing := make(chan struct{})
			rec := newRecorder()
			m, err := NewManager(Config{Name: etf.Atom(tc.self), Cookie: "cookie", Logger: quietLogger(), SetupTimeout: 2 * time.Second,
				Dial: func(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
					close(dialing)
					<-release
					return nil, 0, errors.New("dial released")
				}}, rec)
			require.NoError(t, err)
			defer m.Close()
			connRes := make(chan hsOut, 1)
			go func() {
				c, err := m.Connect(context.Background(), etf.Atom(tc.peer))
				var r hsResult
				if c != nil {
					r.Peer = c.Peer()
				}
				connRes <- hsOut{r, err}
			}()
			<-dialing
			a, b := net.Pipe()
			defer a.Close()
			go func() { _, _ = m.ServeConn(b) }()
			o := wait(t, goClient(a, testCfg(tc.peer), etf.Atom(tc.self), clientOptions{}))
			close(release)
			if tc.status == statusNok {
				require.ErrorIs(t, o.err, ErrNok)
				// Our own dial then fails (released with an error).
				require.Error(t, wait(t, connRes).err)
				return
			}
			require.NoError(t, o.err)
			assert.Equal(t, statusOKSimultaneous, o.res.Status)
			// Connect returns the accepted connection.
			r := wait(t, connRes)
			require.NoError(t, r.err)
			assert.Equal(t, etf.Atom(tc.peer), r.res.Peer)
		})
	}
}

// TestAliveReplacesOldConnection: a node we are connected to reconnects
// (it restarted): we answer alive, it says true, the old connection goes
// down with ErrReplaced and the new one is up.
func TestAliveReplacesOldConnection(t *testing.T) {
	n := newMemNet()
	rb := newRecorder()
	a := n.node(t, Config{Name: "a@127.0.0.1"}, newRecorder())
	b := n.node(t, Config{Name: "b@127.0.0.1"}, rb)
	_, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	old := rb.waitUp(t)
	waitRegistered(t, b, "a@127.0.0.1")

	for _, answer := range []bool{false, true} {
		x, y := net.Pipe()
		go func() { _, _ = b.ServeConn(y) }()
		o := wait(t, goClient(x, testCfg("a@127.0.0.1"), "b@127.0.0.1", clientOptions{AliveAnswer: func() bool { return answer }}))
		if !answer {
			require.ErrorIs(t, o.err, ErrAlreadyConnected)
			x.Close()
			continue
		}
		require.NoError(t, o.err)
		assert.Equal(t, statusAlive, o.res.Status)
		require.ErrorIs(t, rb.waitDown(t), ErrReplaced)
		nc := rb.waitUp(t)
		assert.True(t, nc != old)
		waitRegistered(t, b, "a@127.0.0.1")
		c, ok := b.Conn("a@127.0.0.1")
		require.True(t, ok)
		assert.Same(t, nc, c)
		x.Close()
	}
}

// waitRegistered waits until m hands out its connection to peer: the
// accepting side announces a connection (HandleConnUp) before it installs
// it, and a second handshake from the same peer in between is refused as
// a duplicate (nok) instead of being answered alive.
func waitRegistered(t *testing.T, m *Manager, peer etf.Atom) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := m.Conn(peer); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never registered its connection to %s", m.cfg.Name, peer)
		}
		time.Sleep(time.Millisecond)
	}
}
