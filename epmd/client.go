// Spec: Distribution Protocol / EPMD Protocol, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#epmd-protocol

package epmd

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultHost is the EPMD host a zero Client talks to. Registration must
// go to the local EPMD anyway (epmd refuses ALIVE2 from remote peers).
const DefaultHost = "127.0.0.1"

// maxListing bounds a NAMES or DUMP answer the client reads.
const maxListing = 4 << 20

// Client talks to one EPMD. The zero value talks to 127.0.0.1 on the port
// from ERL_EPMD_PORT (default 4369). A Client holds no connection between
// calls and is safe for concurrent use.
type Client struct {
	// Host is the EPMD host; empty means DefaultHost. To look up a node
	// on another host, use a Client whose Host is that node's host.
	Host string
	// Port is the EPMD port; zero means PortFromEnv().
	Port int
	// Dial opens connections; nil means a net.Dialer.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// Logger receives debug lines; nil means slog.Default().
	Logger *slog.Logger
}

// Registration describes a node to register with ALIVE2_REQ.
type Registration struct {
	// Name is the alive part of the node name (before '@').
	Name string
	// Port is the node's distribution listen port.
	Port uint16
	// NodeType is NodeNormal or NodeHidden; zero means NodeNormal.
	NodeType NodeType
	// Protocol is ProtocolTCP (0).
	Protocol byte
	// HighestVersion and LowestVersion are the distribution protocol
	// versions; zero means DefaultHighestVersion / DefaultLowestVersion.
	HighestVersion uint16
	LowestVersion  uint16
	// Extra is opaque data returned to whoever looks the node up; at most
	// MaxSymLen bytes.
	Extra []byte
}

// NodeInfo is what PORT_PLEASE2 returns about a registered node.
type NodeInfo struct {
	Port           uint16
	NodeType       NodeType
	Protocol       byte
	HighestVersion uint16
	LowestVersion  uint16
	Name           string
	Extra          []byte
}

func (r Registration) withDefaults() Registration {
	if r.NodeType == 0 {
		r.NodeType = NodeNormal
	}
	if r.HighestVersion == 0 {
		r.HighestVersion = DefaultHighestVersion
	}
	if r.LowestVersion == 0 {
		r.LowestVersion = DefaultLowestVersion
	}
	return r
}

func (c *Client) addr() string {
	host := c.Host
	if host == "" {
		host = DefaultHost
	}
	port := c.Port
	if port == 0 {
		port = PortFromEnv()
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

func (c *Client) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

// dial connects to EPMD; every failure wraps ErrUnreachable.
func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	addr := c.addr()
	var conn net.Conn
	var err error
	if c.Dial != nil {
		conn, err = c.Dial(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %w", ErrUnreachable, addr, err)
	}
	return conn, nil
}

// exchange writes req on a fresh connection and runs read, all bounded by
// ctx: when ctx is done the pending I/O fails at once. On success the connection is returned
// open (with no deadline) only if keep is set; otherwise it is closed.
func (c *Client) exchange(ctx context.Context, req Request, keep bool, read func(io.Reader) error) (net.Conn, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	// Cancellation and the deadline both reach the socket through this
	// (not through SetDeadline(ctx.Deadline())), so an I/O timeout always
	// comes with ctx.Err() set and is reported as the context's error.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	_, err = conn.Write(req.AppendFrame(nil))
	answer := &countingReader{r: conn}
	if err == nil {
		err = read(answer)
	}
	if err != nil && answer.n == 0 && isReset(err) && ctx.Err() == nil {
		// Reset before EPMD answered a single byte: the kernel completed
		// the handshake for a listening socket nobody accepted from, and
		// that socket then went away (an EPMD killed with our connection
		// in its accept queue, or a listener closed in this process while
		// a child forked by os/exec still held it until its exec). No
		// EPMD served us: unreachable, as a refused dial a moment later.
		err = fmt.Errorf("%w at %s: reset before any answer: %w", ErrUnreachable, conn.RemoteAddr(), err)
	}
	if !stop() || ctx.Err() != nil {
		if err == nil {
			err = ctx.Err()
		}
		err = fmt.Errorf("%w (%w)", err, context.Cause(ctx))
	}
	if err != nil || !keep {
		_ = conn.Close()
		if err != nil {
			return nil, err
		}
		return nil, nil
	}
	_ = conn.SetDeadline(time.Time{})
	return conn, nil
}

// countingReader counts the bytes of EPMD's answer read so far.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// isReset reports whether err is the peer resetting the connection
// (ECONNRESET, or EPIPE for a write after the reset arrived).
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// protoErr wraps a read failure: EOF before the answer means EPMD closed
// the connection without answering.
func protoErr(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: EPMD closed the connection instead of answering %s", ErrProtocol, what)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("epmd: %s: %w", what, err)
	}
	if errors.Is(err, ErrProtocol) || errors.Is(err, ErrNameTaken) || errors.Is(err, ErrNotRegistered) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", ErrProtocol, what, err)
}

// Register registers a node (ALIVE2_REQ) and keeps the registration
// socket open: the node stays registered until Close, or until EPMD goes
// away, which closes Done. The creation comes from ALIVE2_X_RESP (32 bit)
// or, from servers that only speak the old format, ALIVE2_RESP (16 bit).
func (c *Client) Register(ctx context.Context, r Registration) (*Registered, error) {
	r = r.withDefaults()
	if err := ValidateName(r.Name); err != nil {
		return nil, err
	}
	if len(r.Extra) > MaxSymLen {
		return nil, fmt.Errorf("%w: extra is %d bytes, longer than %d", ErrInvalidName, len(r.Extra), MaxSymLen)
	}
	req := r.toAlive()
	var creation uint32
	conn, err := c.exchange(ctx, &req, true, func(rd io.Reader) error {
		var hdr [2]byte
		if _, err := io.ReadFull(rd, hdr[:]); err != nil {
			return err
		}
		var cr []byte
		switch hdr[0] {
		case codeAlive2XResp:
			cr = make([]byte, 4)
		case codeAlive2Resp:
			cr = make([]byte, 2)
		default:
			return fmt.Errorf("%w: unexpected answer code %d to ALIVE2_REQ", ErrProtocol, hdr[0])
		}
		if _, err := io.ReadFull(rd, cr); err != nil {
			return err
		}
		if hdr[1] != 0 {
			return fmt.Errorf("%w: %q (result %d)", ErrNameTaken, r.Name, hdr[1])
		}
		if len(cr) == 4 {
			creation = binary.BigEndian.Uint32(cr)
		} else {
			creation = uint32(binary.BigEndian.Uint16(cr))
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrUnreachable) {
			return nil, err
		}
		return nil, protoErr("ALIVE2_REQ", err)
	}
	reg := &Registered{conn: conn, reg: r, creation: creation, done: make(chan struct{})}
	c.logger().Debug("epmd: registered", "name", r.Name, "port", r.Port, "creation", creation, "epmd", conn.RemoteAddr().String())
	go reg.watch()
	return reg, nil
}

func (r Registration) toAlive() AliveRequest {
	return AliveRequest{
		Port: r.Port, NodeType: r.NodeType, Protocol: r.Protocol,
		HighestVersion: r.HighestVersion, LowestVersion: r.LowestVersion,
		Name: r.Name, Extra: r.Extra,
	}
}

// Registered is a live registration: the open ALIVE2 socket.
type Registered struct {
	conn      net.Conn
	reg       Registration
	creation  uint32
	done      chan struct{}
	closeOnce sync.Once
}

// watch waits for the socket to close. EPMD never sends anything on a
// registration socket, so any read result but data means it is gone.
func (r *Registered) watch() {
	defer close(r.done)
	defer r.closeOnce.Do(func() { _ = r.conn.Close() }) // release the socket even without Close
	var buf [64]byte
	for {
		if _, err := r.conn.Read(buf[:]); err != nil {
			return
		}
	}
}

// Creation returns the creation EPMD allocated for this registration.
func (r *Registered) Creation() uint32 { return r.creation }

// Registration returns what was registered (with defaults filled in).
func (r *Registered) Registration() Registration { return r.reg }

// Done is closed when the registration socket closes: after Close, or
// when EPMD dropped it (EPMD stopped, was killed or restarted).
func (r *Registered) Done() <-chan struct{} { return r.done }

// EPMDAddr returns the address of the EPMD holding the registration.
func (r *Registered) EPMDAddr() net.Addr { return r.conn.RemoteAddr() }

// Close unregisters the node by closing the registration socket, and
// waits until Done is closed. It is idempotent.
func (r *Registered) Close() error {
	r.closeOnce.Do(func() { _ = r.conn.Close() })
	<-r.done
	return nil
}

// PortPlease looks up the node called name (the alive part, without
// "@host") with PORT_PLEASE2_REQ. It returns ErrNotRegistered if EPMD does
// not know the name.
func (c *Client) PortPlease(ctx context.Context, name string) (NodeInfo, error) {
	if err := ValidateName(name); err != nil {
		return NodeInfo{}, err
	}
	var info NodeInfo
	_, err := c.exchange(ctx, &PortPleaseRequest{Name: name}, false, func(rd io.Reader) error {
		var hdr [2]byte
		if _, err := io.ReadFull(rd, hdr[:]); err != nil {
			return err
		}
		if hdr[0] != codePort2Resp {
			return fmt.Errorf("%w: unexpected answer code %d to PORT_PLEASE2_REQ", ErrProtocol, hdr[0])
		}
		if hdr[1] != 0 {
			return fmt.Errorf("%w: %q", ErrNotRegistered, name)
		}
		var fixed [10]byte
		if _, err := io.ReadFull(rd, fixed[:]); err != nil {
			return err
		}
		info.Port = binary.BigEndian.Uint16(fixed[0:])
		info.NodeType = NodeType(fixed[2])
		info.Protocol = fixed[3]
		info.HighestVersion = binary.BigEndian.Uint16(fixed[4:])
		info.LowestVersion = binary.BigEndian.Uint16(fixed[6:])
		n, err := readLenPrefixed(rd, binary.BigEndian.Uint16(fixed[8:]))
		if err != nil {
			return err
		}
		info.Name = string(n)
		var elen [2]byte
		if _, err := io.ReadFull(rd, elen[:]); err != nil {
			if errors.Is(err, io.EOF) { // tolerate servers that omit Elen
				return nil
			}
			return err
		}
		info.Extra, err = readLenPrefixed(rd, binary.BigEndian.Uint16(elen[:]))
		return err
	})
	if err != nil {
		if errors.Is(err, ErrUnreachable) {
			return NodeInfo{}, err
		}
		return NodeInfo{}, protoErr("PORT_PLEASE2_REQ", err)
	}
	return info, nil
}

// readLenPrefixed reads n bytes after checking n against MaxSymLen.
func readLenPrefixed(rd io.Reader, n uint16) ([]byte, error) {
	if int(n) > MaxSymLen {
		return nil, fmt.Errorf("%w: field length %d exceeds %d", ErrProtocol, n, MaxSymLen)
	}
	if n == 0 {
		return nil, nil
	}
	b := make([]byte, n)
	_, err := io.ReadFull(rd, b)
	return b, err
}

// listing sends a request whose answer is EPMDPort:32 then text until
// close (NAMES, DUMP).
func (c *Client) listing(ctx context.Context, req Request, what string) (int, []byte, error) {
	var port uint32
	var text []byte
	_, err := c.exchange(ctx, req, false, func(rd io.Reader) error {
		var hdr [4]byte
		if _, err := io.ReadFull(rd, hdr[:]); err != nil {
			return err
		}
		port = binary.BigEndian.Uint32(hdr[:])
		var err error
		text, err = io.ReadAll(io.LimitReader(rd, maxListing+1))
		if err != nil {
			return err
		}
		if len(text) > maxListing {
			return fmt.Errorf("%w: %s answer longer than %d bytes", ErrProtocol, what, maxListing)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrUnreachable) {
			return 0, nil, err
		}
		return 0, nil, protoErr(what, err)
	}
	return int(port), text, nil
}

// Names lists the registered nodes (NAMES_REQ) and returns the port EPMD
// reports for itself.
func (c *Client) Names(ctx context.Context) (epmdPort int, names []NameEntry, err error) {
	port, text, err := c.listing(ctx, &NamesRequest{}, "NAMES_REQ")
	if err != nil {
		return 0, nil, err
	}
	names, err = ParseNames(string(text))
	return port, names, err
}

// ParseNames parses the text of a NAMES answer: "name N at port P\n"
// lines.
func ParseNames(text string) ([]NameEntry, error) {
	var out []NameEntry
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" {
			continue
		}
		rest, ok := strings.CutPrefix(line, "name ")
		i := strings.LastIndex(rest, " at port ")
		if !ok || i < 0 {
			return nil, fmt.Errorf("%w: bad NAMES line %q", ErrProtocol, line)
		}
		port, err := strconv.Atoi(rest[i+len(" at port "):])
		if err != nil {
			return nil, fmt.Errorf("%w: bad port in NAMES line %q", ErrProtocol, line)
		}
		out = append(out, NameEntry{Name: rest[:i], Port: port})
	}
	return out, nil
}

// Dump returns EPMD's DUMP text (active and old names with their file
// descriptors), with the NUL that epmd sends after each line removed.
// EPMD answers DUMP only to local peers.
func (c *Client) Dump(ctx context.Context) (string, error) {
	_, text, err := c.listing(ctx, &DumpRequest{}, "DUMP_REQ")
	if err != nil {
		return "", err
	}
	return string(bytes.ReplaceAll(text, []byte{0}, nil)), nil
}

// shortAnswer sends req and returns EPMD's short text answer.
func (c *Client) shortAnswer(ctx context.Context, req Request, what string) (string, error) {
	var ans []byte
	_, err := c.exchange(ctx, req, false, func(rd io.Reader) error {
		var err error
		ans, err = io.ReadAll(io.LimitReader(rd, 64))
		if err == nil && len(ans) == 0 {
			err = io.EOF
		}
		return err
	})
	if err != nil {
		if errors.Is(err, ErrUnreachable) {
			return "", err
		}
		return "", protoErr(what, err)
	}
	return string(ans), nil
}

// Kill asks EPMD to stop (KILL_REQ). It returns "OK", or "NO" when EPMD
// refuses because nodes are still registered.
func (c *Client) Kill(ctx context.Context) (string, error) {
	return c.shortAnswer(ctx, &KillRequest{}, "KILL_REQ")
}

// Stop asks EPMD to unregister name (STOP_REQ). It returns "STOPPED" or
// "NOEXIST"; EPMD without relaxed command checks closes the connection
// instead, which returns an ErrProtocol error.
func (c *Client) Stop(ctx context.Context, name string) (string, error) {
	return c.shortAnswer(ctx, &StopRequest{Name: name}, "STOP_REQ")
}
