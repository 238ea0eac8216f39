package epmd

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dialT(t testing.TB, port int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(waitFor)))
	return c
}

// roundTrip writes raw bytes and returns everything read until the server
// closes the connection.
func roundTrip(t testing.TB, port int, raw []byte) []byte {
	t.Helper()
	c := dialT(t, port)
	_, err := c.Write(raw)
	require.NoError(t, err)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	return got
}

// readN reads exactly n bytes.
func readN(t testing.TB, c net.Conn, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := io.ReadFull(c, b)
	require.NoError(t, err)
	return b
}

// expectClosed asserts the server closes c without sending anything.
func expectClosed(t testing.TB, c net.Conn) {
	t.Helper()
	got, err := io.ReadAll(c)
	if err != nil && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("reading until close: %v", err)
	}
	require.Equal(t, 0, len(got), "server answered %q", got)
}

func aliveFrame(name string, port uint16, highest uint16, extra []byte) []byte {
	r := &AliveRequest{Port: port, NodeType: NodeNormal, HighestVersion: highest, LowestVersion: 5, Name: name, Extra: extra}
	return r.AppendFrame(nil)
}

func fixedNow(sec int64) func() time.Time {
	return func() time.Time { return time.Unix(sec, 0) }
}

func TestServerWithOurClient(t *testing.T) {
	srv, port := startServer(t, ServerConfig{})
	c := &Client{Port: port, Logger: testLogger(t)}
	ctx := ctxT(t)

	reg, err := c.Register(ctx, Registration{Name: "alpha", Port: 4370, NodeType: NodeHidden, Extra: []byte{1, 2, 3}})
	require.NoError(t, err)
	require.True(t, reg.Creation() >= 4, "creation %d", reg.Creation())

	info, err := c.PortPlease(ctx, "alpha")
	require.NoError(t, err)
	assert.Equal(t, NodeInfo{Port: 4370, NodeType: NodeHidden, HighestVersion: 6, LowestVersion: 5, Name: "alpha", Extra: []byte{1, 2, 3}}, info)

	_, err = c.PortPlease(ctx, "nobody")
	assert.ErrorIs(t, err, ErrNotRegistered)

	_, err = c.Register(ctx, Registration{Name: "alpha", Port: 1})
	assert.ErrorIs(t, err, ErrNameTaken)

	epmdPort, names, err := c.Names(ctx)
	require.NoError(t, err)
	assert.Equal(t, port, epmdPort)
	assert.Equal(t, []NameEntry{{"alpha", 4370}}, names)
	assert.Equal(t, names, srv.Names())

	dump, err := c.Dump(ctx)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(dump, "active name     <alpha> at port 4370, fd = "), dump)

	ans, err := c.Kill(ctx)
	require.NoError(t, err)
	assert.Equal(t, "NO", ans)

	_, err = c.Stop(ctx, "alpha")
	assert.ErrorIs(t, err, ErrProtocol) // refused without relaxed checks

	first := reg.Creation()
	require.NoError(t, reg.Close())
	eventually(t, func() bool {
		_, err := c.PortPlease(ctx, "alpha")
		return err != nil
	}, "alpha unregistered after close")

	reg2, err := c.Register(ctx, Registration{Name: "alpha", Port: 4371})
	require.NoError(t, err)
	assert.Equal(t, first+1, reg2.Creation(), "re-registration bumps the creation")
	require.NoError(t, reg2.Close())

	eventually(t, func() bool { return len(srv.Names()) == 0 }, "empty registry")
	ans, err = c.Kill(ctx)
	require.NoError(t, err)
	assert.Equal(t, "OK", ans)
	select {
	case <-srv.Done():
	case <-time.After(waitFor):
		t.Fatal("server did not stop after KILL")
	}
}

func TestServerExactBytes(t *testing.T) {
	const now = 1_700_000_000
	_, port := startServer(t, ServerConfig{Now: fixedNow(now)})

	// Version 6: ALIVE2_X_RESP with the full counter (now + 1).
	c6 := dialT(t, port)
	_, err := c6.Write(aliveFrame("six", 1000, 6, []byte("ex")))
	require.NoError(t, err)
	assert.Equal(t, []byte{118, 0, 0x65, 0x53, 0xf1, 0x01}, readN(t, c6, 6))

	// Version 5: ALIVE2_RESP with creation (now+1)%3+1 in 16 bits.
	c5 := dialT(t, port)
	_, err = c5.Write(aliveFrame("five", 1001, 5, nil))
	require.NoError(t, err)
	assert.Equal(t, []byte{121, 0, 0, byte((now+1)%3 + 1)}, readN(t, c5, 4))

	// PORT2_RESP echoes everything exactly.
	got := roundTrip(t, port, (&PortPleaseRequest{Name: "six"}).AppendFrame(nil))
	assert.Equal(t, []byte{119, 0, 0x03, 0xe8, 77, 0, 0, 6, 0, 5, 0, 3, 's', 'i', 'x', 0, 2, 'e', 'x'}, got)
	// A NUL-terminated name (old clients) finds it too.
	got2 := roundTrip(t, port, []byte{0, 5, 'z', 's', 'i', 'x', 0})
	assert.Equal(t, got, got2)
	assert.Equal(t, []byte{119, 1}, roundTrip(t, port, (&PortPleaseRequest{Name: "none"}).AppendFrame(nil)))

	// NAMES: port, then newest first.
	want := binary.BigEndian.AppendUint32(nil, uint32(port))
	want = append(want, "name five at port 1001\nname six at port 1000\n"...)
	assert.Equal(t, want, roundTrip(t, port, []byte{0, 1, 'n'}))

	// DUMP: NUL after every line; old names after active ones.
	require.NoError(t, c5.Close())
	var dump []byte
	eventually(t, func() bool {
		dump = roundTrip(t, port, []byte{0, 1, 'd'})
		return bytes.Contains(dump, []byte("old/unused"))
	}, "five listed as old")
	text := string(dump[4:])
	lines := strings.SplitAfter(text, "\x00")
	require.Equal(t, 3, len(lines), "%q", text)
	assert.True(t, strings.HasPrefix(lines[0], "active name     <six> at port 1000, fd = "), lines[0])
	assert.True(t, strings.HasSuffix(lines[0], "\n\x00"), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "old/unused name <five>, port = 1001, fd = "), lines[1])
	assert.True(t, strings.HasSuffix(lines[1], " \n\x00"), lines[1])
	assert.Equal(t, "", lines[2])
}

func TestServerCreation(t *testing.T) {
	tests := []struct {
		name    string
		now     int64
		highest uint16
		want    []uint32 // creations of successive registrations
	}{
		{"v6 counts from the clock", 1000, 6, []uint32{1001, 1002, 1003}},
		{"v6 never below 4", 0, 6, []uint32{4, 5}},
		{"v6 wraps past 0..3", 0xffffffff, 6, []uint32{4, 5}},
		{"v5 cycles 1..3", 1000, 5, []uint32{1001%3 + 1, 1002%3 + 1, 1003%3 + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, port := startServer(t, ServerConfig{Now: fixedNow(tt.now)})
			c := &Client{Port: port}
			ctx := ctxT(t)
			for i, want := range tt.want {
				reg, err := c.Register(ctx, Registration{Name: "n", Port: 1, HighestVersion: tt.highest})
				if err != nil && i > 0 { // the previous close may not be processed yet
					eventually(t, func() bool {
						reg, err = c.Register(ctx, Registration{Name: "n", Port: 1, HighestVersion: tt.highest})
						return err == nil
					}, "re-registration")
				}
				require.NoError(t, err)
				assert.Equal(t, want, reg.Creation(), "registration %d", i)
				require.NoError(t, reg.Close())
			}
		})
	}
}

// TestServerPartialWrites sends every request one byte per write.
func TestServerPartialWrites(t *testing.T) {
	_, port := startServer(t, ServerConfig{Now: fixedNow(2000)})
	slow := func(c net.Conn, b []byte) {
		for i := range b {
			_, err := c.Write(b[i : i+1])
			require.NoError(t, err)
		}
	}
	c := dialT(t, port)
	slow(c, aliveFrame("slowpoke", 7777, 6, []byte("extra")))
	assert.Equal(t, []byte{118, 0, 0, 0, 0x07, 0xd1}, readN(t, c, 6))

	q := dialT(t, port)
	slow(q, (&PortPleaseRequest{Name: "slowpoke"}).AppendFrame(nil))
	got, err := io.ReadAll(q)
	require.NoError(t, err)
	assert.Equal(t, []byte{119, 0, 0x1e, 0x61}, got[:4])

	n := dialT(t, port)
	slow(n, []byte{0, 1, 'n'})
	got, err = io.ReadAll(n)
	require.NoError(t, err)
	assert.Equal(t, "name slowpoke at port 7777\n", string(got[4:]))
}

// TestServerRejects checks that malformed input closes the connection
// without an answer and leaves the server serving.
func TestServerRejects(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
	}{
		{"length 0", []byte{0, 0}},
		{"length 65535", []byte{0xff, 0xff, 'n'}},
		{"length just over the limit", append([]byte{byte((MaxRequestLen + 1) >> 8), byte((MaxRequestLen + 1) & 0xff)}, make([]byte, MaxRequestLen+1)...)},
		{"garbage code", []byte{0, 3, 0xee, 1, 2}},
		{"old ALIVE_REQ", []byte{0, 4, 'a', 0, 1, 'x'}},
		{"alive too short", []byte{0, 5, 'x', 1, 2, 3, 4}},
		{"alive name overflows", append([]byte{0, 14}, aliveBody(200, "a", 0, "")...)},
		{"alive name with NUL", aliveFrame("a\x00b", 1, 6, nil)},
		{"port please bad UTF-8", []byte{0, 2, 'z', 0xff}},
		{"truncated body", []byte{0, 9, 'n'}},
	}
	_, port := startServer(t, ServerConfig{RequestTimeout: 2 * time.Second})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialT(t, port)
			_, err := c.Write(tt.raw)
			require.NoError(t, err)
			if tt.name == "truncated body" {
				require.NoError(t, c.(*net.TCPConn).CloseWrite())
			}
			expectClosed(t, c)
			got := roundTrip(t, port, []byte{0, 1, 'n'})
			assert.Equal(t, 4, len(got), "server still answers NAMES")
		})
	}
}

func TestServerRefusesInvalidRegistration(t *testing.T) {
	_, port := startServer(t, ServerConfig{})
	tests := []struct {
		name  string
		frame []byte
		want  []byte
	}{
		{"invalid UTF-8", aliveFrame("\xc0\xaf", 1, 6, nil), []byte{118, 1, 0, 0, 0, 99}},
		{"256 characters", aliveFrame(strings.Repeat("x", 256), 1, 6, nil), []byte{118, 1, 0, 0, 0, 99}},
		{"extra too long", aliveFrame("x", 1, 6, make([]byte, MaxSymLen+1)), []byte{118, 1, 0, 0, 0, 99}},
		{"old version refused", aliveFrame("\xff", 1, 5, nil), []byte{121, 1, 0, 99}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, roundTrip(t, port, tt.frame))
		})
	}
}

func TestServerUnregistersOnExtraBytes(t *testing.T) {
	srv, port := startServer(t, ServerConfig{})
	c := dialT(t, port)
	_, err := c.Write(aliveFrame("chatty", 1, 6, nil))
	require.NoError(t, err)
	readN(t, c, 6)
	require.Equal(t, 1, len(srv.Names()))
	_, err = c.Write([]byte("more"))
	require.NoError(t, err)
	expectClosed(t, c)
	eventually(t, func() bool { return len(srv.Names()) == 0 }, "chatty unregistered")
}

// TestServerNonLocalPeer simulates a remote peer through the IsLocal seam:
// it may look nodes up and list names, but not register, dump or kill.
func TestServerNonLocalPeer(t *testing.T) {
	var mu sync.Mutex
	remote := false
	srv, port := startServer(t, ServerConfig{IsLocal: func(r, l net.Addr) bool {
		mu.Lock()
		defer mu.Unlock()
		return !remote && IsLocalPeer(r, l)
	}})
	ctx := ctxT(t)
	c := &Client{Port: port}
	reg, err := c.Register(ctx, Registration{Name: "local", Port: 9})
	require.NoError(t, err)
	defer reg.Close()

	mu.Lock()
	remote = true
	mu.Unlock()

	_, err = c.Register(ctx, Registration{Name: "intruder", Port: 9})
	assert.ErrorIs(t, err, ErrProtocol)
	_, err = c.Dump(ctx)
	assert.ErrorIs(t, err, ErrProtocol)
	_, err = c.Kill(ctx)
	assert.ErrorIs(t, err, ErrProtocol)
	_, names, err := c.Names(ctx)
	require.NoError(t, err)
	assert.Equal(t, []NameEntry{{"local", 9}}, names)
	info, err := c.PortPlease(ctx, "local")
	require.NoError(t, err)
	assert.Equal(t, uint16(9), info.Port)
	assert.Equal(t, []NameEntry{{"local", 9}}, srv.Names())
}

func TestIsLocalPeer(t *testing.T) {
	tcp := func(s string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(s), Port: 1} }
	tests := []struct {
		remote, local net.Addr
		want          bool
	}{
		{tcp("127.0.0.1"), tcp("127.0.0.1"), true},
		{tcp("127.1.2.3"), tcp("10.0.0.1"), true},
		{tcp("::1"), tcp("::1"), true},
		{tcp("10.0.0.5"), tcp("10.0.0.5"), true},
		{tcp("::ffff:10.0.0.5"), tcp("10.0.0.5"), true},
		{tcp("10.0.0.6"), tcp("10.0.0.5"), false},
		{&net.UnixAddr{Name: "x"}, tcp("127.0.0.1"), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsLocalPeer(tt.remote, tt.local), "%v -> %v", tt.remote, tt.local)
	}
}

func TestServerMaxConns(t *testing.T) {
	_, port := startServer(t, ServerConfig{MaxConns: 2})
	idle1, idle2 := dialT(t, port), dialT(t, port)
	// Make sure both are accepted and counted before the third arrives:
	// a registration answer proves the handler runs.
	_, err := idle1.Write(aliveFrame("one", 1, 6, nil))
	require.NoError(t, err)
	readN(t, idle1, 6)
	_, err = idle2.Write(aliveFrame("two", 2, 6, nil))
	require.NoError(t, err)
	readN(t, idle2, 6)

	third := dialT(t, port)
	_, _ = third.Write([]byte{0, 1, 'n'})
	expectClosed(t, third)

	require.NoError(t, idle1.Close())
	eventually(t, func() bool {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return false
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(waitFor))
		_, _ = c.Write([]byte{0, 1, 'n'})
		got, _ := io.ReadAll(c)
		return len(got) > 4 // answered, and lists "two"
	}, "a slot frees up")
}

func TestServerRequestTimeout(t *testing.T) {
	_, port := startServer(t, ServerConfig{RequestTimeout: 100 * time.Millisecond})
	c := dialT(t, port)
	_, err := c.Write([]byte{0}) // half a length prefix, then silence
	require.NoError(t, err)
	expectClosed(t, c)
}

func TestServerStopRelaxed(t *testing.T) {
	_, port := startServer(t, ServerConfig{RelaxedCommandCheck: true})
	ctx := ctxT(t)
	c := &Client{Port: port}
	reg, err := c.Register(ctx, Registration{Name: "victim", Port: 1})
	require.NoError(t, err)
	ans, err := c.Stop(ctx, "victim")
	require.NoError(t, err)
	assert.Equal(t, "STOPPED", ans)
	select {
	case <-reg.Done():
	case <-time.After(waitFor):
		t.Fatal("registration socket not closed by STOP")
	}
	ans, err = c.Stop(ctx, "victim")
	require.NoError(t, err)
	assert.Equal(t, "NOEXIST", ans)

	// Relaxed: KILL succeeds even with nodes registered.
	reg2, err := c.Register(ctx, Registration{Name: "other", Port: 1})
	require.NoError(t, err)
	ans, err = c.Kill(ctx)
	require.NoError(t, err)
	assert.Equal(t, "OK", ans)
	<-reg2.Done()
}

func TestServerCloseDropsRegistrations(t *testing.T) {
	srv, port := startServer(t, ServerConfig{})
	reg, err := (&Client{Port: port}).Register(ctxT(t), Registration{Name: "x", Port: 1})
	require.NoError(t, err)
	require.NoError(t, srv.Close())
	select {
	case <-reg.Done():
	case <-time.After(waitFor):
		t.Fatal("registration survived server Close")
	}
	require.ErrorIs(t, srv.Serve(&net.TCPListener{}), ErrServerClosed)
}

// TestServerFlood throws many concurrent garbage and valid connections at
// a small server: it must stay up and keep answering.
func TestServerFlood(t *testing.T) {
	_, port := startServer(t, ServerConfig{MaxConns: 16, RequestTimeout: time.Second})
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err != nil {
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(waitFor))
			switch i % 4 {
			case 0:
				_, _ = c.Write([]byte{0xff, 0xff, 1, 2, 3})
			case 1:
				_, _ = c.Write([]byte(fmt.Sprintf("GET / HTTP/1.0 %d\r\n\r\n", i)))
			case 2:
				_, _ = c.Write([]byte{0, 1, 'n'})
			case 3:
				_, _ = c.Write(aliveFrame(fmt.Sprintf("flood%d", i), 1, 6, nil))
				var ans [6]byte
				_, _ = io.ReadFull(c, ans[:])
				return // closing unregisters
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<16))
		}()
	}
	wg.Wait()
	c := &Client{Port: port}
	eventually(t, func() bool {
		_, names, err := c.Names(context.Background())
		return err == nil && len(names) == 0
	}, "server answers and every flood registration is gone")
}
