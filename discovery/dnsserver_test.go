package discovery

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// dnsServer is a tiny authoritative DNS server over UDP on a free
// loopback port, for the DNS strategies' tests: it answers A and SRV
// questions from tables the test changes at will, and can be told to
// answer an rcode or garbage instead. Only what Go's resolver asks is
// implemented (one question, no EDNS, no TCP).
type dnsServer struct {
	conn net.PacketConn
	mu   sync.Mutex
	a    map[string][]netip.Addr
	srv  map[string][]string // name -> SRV targets
	// rcode, when non-zero, is answered to every question (2 SERVFAIL,
	// 3 NXDOMAIN); garbage makes it answer bytes that are no DNS message.
	rcode   int
	garbage bool
	// raw, when set, is answered to every question as is, but for the
	// first two bytes (the query's ID, so the resolver reads the rest).
	raw     []byte
	queries int
	wg      sync.WaitGroup
}

func newDNSServer(t testing.TB) *dnsServer {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &dnsServer{conn: conn, a: map[string][]netip.Addr{}, srv: map[string][]string{}}
	s.wg.Go(s.serve)
	t.Cleanup(func() { _ = conn.Close(); s.wg.Wait() })
	return s
}

// resolver is a pure Go resolver that asks only this server. Its
// connections close when the lookup is cancelled: Go's resolver otherwise
// waits out its own timeout (5 s per try) on a server that answers
// garbage, long after the caller gave up, and goleak would see it.
func (s *dnsServer) resolver() *net.Resolver {
	addr := s.conn.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "udp", addr)
		if err == nil {
			context.AfterFunc(ctx, func() { _ = c.Close() })
		}
		return c, err
	}}
}

func (s *dnsServer) setA(name string, addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.a[name] = nil
	for _, a := range addrs {
		s.a[name] = append(s.a[name], netip.MustParseAddr(a))
	}
}

// remove deletes every record of name: questions get NXDOMAIN.
func (s *dnsServer) remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.a, name)
	delete(s.srv, name)
}

func (s *dnsServer) setSRV(name string, targets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.srv[name] = targets
}

func (s *dnsServer) setFault(rcode int, garbage bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcode, s.garbage = rcode, garbage
}

func (s *dnsServer) setRaw(resp []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw = resp
}

// response returns the server's answer to the resolver's query for name and
// type, as a fuzz seed.
func (s *dnsServer) response(name string, qtype uint16) []byte {
	q := []byte{0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	q = appendName(q, name)
	q = append(q, byte(qtype>>8), byte(qtype), 0, 1)
	resp, _ := s.answer(q)
	return resp
}

func (s *dnsServer) queryCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

func (s *dnsServer) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp, err := s.answer(buf[:n]); err == nil {
			_, _ = s.conn.WriteTo(resp, from)
		}
	}
}

const (
	typeA   = 1
	typeSRV = 33
)

// answer builds the response to one query.
func (s *dnsServer) answer(q []byte) ([]byte, error) {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil, errors.New("not a one-question query")
	}
	name, end, err := readName(q, 12)
	if err != nil || end+4 > len(q) {
		return nil, errors.New("bad question")
	}
	name = strings.ToLower(name)
	qtype := binary.BigEndian.Uint16(q[end:])
	question := q[12 : end+4]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries++
	if s.garbage {
		return []byte{q[0], q[1], 0x81, 0x80, 0, 1, 0, 9, 0xde, 0xad}, nil
	}
	if s.raw != nil {
		resp := append([]byte{q[0], q[1]}, s.raw[min(2, len(s.raw)):]...)
		return resp, nil
	}
	rcode := s.rcode
	var answers [][]byte
	if rcode == 0 {
		answers = s.records(name, qtype)
		if answers == nil && s.a[name] == nil && s.srv[name] == nil {
			rcode = 3 // NXDOMAIN
		}
	}
	resp := binary.BigEndian.AppendUint16(nil, binary.BigEndian.Uint16(q))
	flags := 0x8000 | 0x0400 | 0x0080 | uint16(q[2]&1)<<8 | uint16(rcode) // QR AA RA, RD copied
	resp = binary.BigEndian.AppendUint16(resp, flags)
	resp = binary.BigEndian.AppendUint16(resp, 1)
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(answers)))
	resp = append(resp, 0, 0, 0, 0)
	resp = append(resp, question...)
	for _, a := range answers {
		resp = append(resp, a...)
	}
	return resp, nil
}

// records are the answer records for name and type, each pointing back at
// the question's name (offset 12).
func (s *dnsServer) records(name string, qtype uint16) [][]byte {
	var out [][]byte
	rr := func(typ uint16, rdata []byte) {
		r := []byte{0xC0, 12}
		r = binary.BigEndian.AppendUint16(r, typ)
		r = binary.BigEndian.AppendUint16(r, 1) // IN
		r = binary.BigEndian.AppendUint32(r, 0) // TTL
		r = binary.BigEndian.AppendUint16(r, uint16(len(rdata)))
		out = append(out, append(r, rdata...))
	}
	switch qtype {
	case typeA:
		for _, a := range s.a[name] {
			if a.Is4() {
				b := a.As4()
				rr(typeA, b[:])
			}
		}
	case typeSRV:
		for _, target := range s.srv[name] {
			rd := []byte{0, 10, 0, 10, 0x11, 0x11} // priority, weight, port
			rr(typeSRV, appendName(rd, target))
		}
	}
	return out
}

// readName reads an uncompressed name at off (queries are not
// compressed) and returns it with a trailing dot, and the offset after it.
func readName(msg []byte, off int) (string, int, error) {
	var b strings.Builder
	for {
		if off >= len(msg) {
			return "", 0, errors.New("short name")
		}
		l := int(msg[off])
		off++
		if l == 0 {
			break
		}
		if l > 63 || off+l > len(msg) {
			return "", 0, errors.New("bad label")
		}
		b.Write(msg[off : off+l])
		b.WriteByte('.')
		off += l
	}
	if b.Len() == 0 {
		return ".", off, nil
	}
	return b.String(), off, nil
}

// appendName encodes name as labels; "." is the root. Labels are written
// as given, so a test can serve names Go's resolver must refuse.
func appendName(b []byte, name string) []byte {
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if l == "" {
			continue
		}
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}
