// Spec: Distribution Protocol / EPMD Protocol, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#epmd-protocol

package epmd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"syscall"
	"time"
)

// serverConn is one accepted connection.
type serverConn struct {
	c     net.Conn
	fd    int // for DUMP; -1 when the conn has no file descriptor
	local bool
}

// writeTimeout bounds every answer; answers are small, so only a peer that
// never reads can hit it.
const writeTimeout = 10 * time.Second

func isTemporaryAcceptErr(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ENOBUFS) ||
		errors.Is(err, syscall.ENOMEM)
}

// connFD returns the OS descriptor of c, or -1.
func connFD(c net.Conn) int {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	_ = raw.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// readFrame reads one length-prefixed request, however it is split across
// TCP segments. The length is checked before anything is allocated.
func readFrame(r io.Reader) ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("reading length: %w", err)
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	if n < 1 || n > MaxRequestLen {
		return nil, fmt.Errorf("invalid packet size %d", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("got partial packet only: %w", err)
	}
	return body, nil
}

// handle serves one connection: one request, then close, except for a
// successful ALIVE2_REQ whose socket stays open for the node's lifetime.
func (s *Server) handle(sc *serverConn) {
	defer s.untrack(sc)
	defer sc.c.Close()
	sc.fd = connFD(sc.c)
	sc.local = s.cfg.IsLocal(sc.c.RemoteAddr(), sc.c.LocalAddr())
	log := s.log.With("remote", sc.c.RemoteAddr().String())

	_ = sc.c.SetDeadline(time.Now().Add(s.cfg.RequestTimeout))
	body, err := readFrame(sc.c)
	if err != nil {
		s.logClose(log, "bad or incomplete request", err)
		return
	}
	req, err := ParseRequest(body)
	if err != nil {
		log.Warn("epmd: closing connection: rejected request", "err", err)
		return
	}
	_ = sc.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	switch r := req.(type) {
	case *AliveRequest:
		s.serveAlive(sc, r, log)
	case *PortPleaseRequest:
		s.servePortPlease(sc, r, log)
	case *NamesRequest:
		s.serveNames(sc, log)
	case *DumpRequest:
		if s.requireLocal(sc, "DUMP_REQ", log) {
			s.serveDump(sc, log)
		}
	case *KillRequest:
		if s.requireLocal(sc, "KILL_REQ", log) {
			s.serveKill(sc, log)
		}
	case *StopRequest:
		if s.requireLocal(sc, "STOP_REQ", log) {
			s.serveStop(sc, r, log)
		}
	}
}

// logClose logs why a connection closed; a client that connects and goes
// away without a word (port probes) is only worth a debug line.
func (s *Server) logClose(log *slog.Logger, msg string, err error) {
	if errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		log.Debug("epmd: connection closed before a request", "err", err)
		return
	}
	log.Warn("epmd: closing connection: "+msg, "err", err)
}

func (s *Server) requireLocal(sc *serverConn, what string, log *slog.Logger) bool {
	if !sc.local {
		log.Warn("epmd: closing connection: " + what + " from non-local address")
	}
	return sc.local
}

func (s *Server) reply(sc *serverConn, b []byte, what string, log *slog.Logger) bool {
	if _, err := sc.c.Write(b); err != nil {
		log.Warn("epmd: failed to send "+what, "err", err)
		return false
	}
	return true
}

// errorCreation is the creation epmd puts in a refused ALIVE2 answer.
const errorCreation = 99

func (s *Server) serveAlive(sc *serverConn, r *AliveRequest, log *slog.Logger) {
	if !s.requireLocal(sc, "ALIVE2_REQ", log) {
		return
	}
	log = log.With("name", r.Name, "port", r.Port)
	if err := ValidateAlive(r); err != nil {
		log.Warn("epmd: refusing registration", "err", err)
		s.reply(sc, appendAliveResp(nil, r.HighestVersion, 1, errorCreation), "ALIVE2 refusal", log)
		return
	}
	e := s.reg.register(r, sc.fd, sc)
	if e == nil {
		log.Warn("epmd: refusing registration: name already occupied")
		s.reply(sc, appendAliveResp(nil, r.HighestVersion, 1, errorCreation), "ALIVE2 refusal", log)
		return
	}
	creation := e.creation()
	if !s.reply(sc, appendAliveResp(nil, r.HighestVersion, 0, creation), "ALIVE2 answer", log) {
		s.reg.unregister(e)
		return
	}
	log.Debug("epmd: registered", "creation", creation, "type", r.NodeType,
		"highest", r.HighestVersion, "lowest", r.LowestVersion)
	// The registration lives as long as the socket: no deadline, and any
	// read result (close, error or unexpected bytes) ends it.
	_ = sc.c.SetDeadline(time.Time{})
	var buf [64]byte
	n, err := sc.c.Read(buf[:])
	if s.reg.unregister(e) {
		stopping := false
		select {
		case <-s.done:
			stopping = true
		default:
		}
		switch {
		case stopping:
			log.Debug("epmd: unregistered: server stopping")
		case n > 0:
			log.Warn("epmd: unregistered: got more than expected on registration socket", "bytes", n)
		case errors.Is(err, io.EOF):
			log.Debug("epmd: unregistered: connection closed")
		default:
			log.Debug("epmd: unregistered", "err", err)
		}
	}
}

func (s *Server) servePortPlease(sc *serverConn, r *PortPleaseRequest, log *slog.Logger) {
	info, ok := s.reg.lookup(r.Name)
	if !ok {
		log.Debug("epmd: PORT2_REQ for unknown name", "name", r.Name)
		s.reply(sc, []byte{codePort2Resp, 1}, "PORT2_RESP", log)
		return
	}
	log.Debug("epmd: PORT2_REQ", "name", r.Name, "port", info.Port)
	s.reply(sc, appendPort2Resp(nil, &info), "PORT2_RESP", log)
}

// epmdPort is the port reported by NAMES and DUMP.
func (s *Server) epmdPort(sc *serverConn) uint32 {
	if s.cfg.Port != 0 {
		return uint32(s.cfg.Port)
	}
	if a, ok := sc.c.LocalAddr().(*net.TCPAddr); ok {
		return uint32(a.Port)
	}
	return 0
}

func (s *Server) serveNames(sc *serverConn, log *slog.Logger) {
	active, _ := s.reg.snapshot()
	b := binary.BigEndian.AppendUint32(nil, s.epmdPort(sc))
	for _, e := range active {
		// Parsed by erl_epmd and by epmd -names: keep the exact syntax.
		b = append(b, "name "...)
		b = append(b, e.name...)
		b = append(b, " at port "...)
		b = strconv.AppendUint(b, uint64(e.port), 10)
		b = append(b, '\n')
	}
	log.Debug("epmd: NAMES_REQ", "names", len(active))
	s.reply(sc, b, "NAMES_RESP", log)
}

func (s *Server) serveDump(sc *serverConn, log *slog.Logger) {
	active, old := s.reg.snapshot()
	b := binary.BigEndian.AppendUint32(nil, s.epmdPort(sc))
	// epmd includes each line's terminating NUL in the answer.
	for _, e := range active {
		b = fmt.Appendf(b, "active name     <%s> at port %d, fd = %d\n\x00", e.name, e.port, e.fd)
	}
	for _, e := range old {
		b = fmt.Appendf(b, "old/unused name <%s>, port = %d, fd = %d \n\x00", e.name, e.port, e.fd)
	}
	log.Debug("epmd: DUMP_REQ")
	s.reply(sc, b, "DUMP_RESP", log)
}

func (s *Server) serveKill(sc *serverConn, log *slog.Logger) {
	if !s.cfg.RelaxedCommandCheck && s.reg.count() > 0 {
		log.Warn("epmd: disallowed KILL_REQ, live nodes")
		s.reply(sc, []byte("NO"), "KILL answer", log)
		return
	}
	s.reply(sc, []byte("OK"), "KILL answer", log)
	log.Warn("epmd: got KILL_REQ - terminating")
	s.closeNoWait(true) // Close would wait for this very goroutine
}

func (s *Server) serveStop(sc *serverConn, r *StopRequest, log *slog.Logger) {
	if !s.cfg.RelaxedCommandCheck {
		log.Warn("epmd: disallowed STOP_REQ, no relaxed command check")
		return
	}
	owner, ok := s.reg.unregisterName(r.Name)
	if !ok {
		s.reply(sc, []byte("NOEXIST"), "STOP answer", log)
		return
	}
	if owner != nil {
		_ = owner.c.Close() // its goroutine sees the close and exits
	}
	log.Debug("epmd: stopped", "name", r.Name)
	s.reply(sc, []byte("STOPPED"), "STOP answer", log)
}
