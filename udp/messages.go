package udp

import (
	"net/netip"

	"github.com/erlgo/erlgo/etf"
)

var atomUDP = etf.Atom("udp")

// Datagram is one datagram received: gen_udp's {udp, Socket, IP, Port,
// Data}.
type Datagram struct {
	Socket *Socket
	IP     netip.Addr
	Port   int
	Data   []byte
}

// Addr is the sender's address and port.
func (d Datagram) Addr() netip.AddrPort { return netip.AddrPortFrom(d.IP, uint16(d.Port)) }

// Term returns {udp, Socket, IP, Port, Data}, Socket as its pid and IP as
// inet's tuple ({A, B, C, D}, or eight 16-bit groups for IPv6).
func (d Datagram) Term() etf.Term {
	return etf.Tuple{atomUDP, d.Socket.ID(), ipTuple(d.IP), d.Port, d.Data}
}

// MarshalTerm sends d to other nodes as Term.
func (d Datagram) MarshalTerm() (etf.Term, error) { return d.Term(), nil }

func ipTuple(ip netip.Addr) etf.Tuple {
	ip = ip.Unmap()
	if ip.Is4() {
		b := ip.As4()
		return etf.Tuple{int(b[0]), int(b[1]), int(b[2]), int(b[3])}
	}
	b := ip.As16()
	t := make(etf.Tuple, 8)
	for i := range t {
		t[i] = int(b[2*i])<<8 | int(b[2*i+1])
	}
	return t
}
