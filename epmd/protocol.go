// Spec: Distribution Protocol / EPMD Protocol, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#epmd-protocol

package epmd

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Request and response codes of the EPMD protocol (OTP erl_dist_protocol).
const (
	codeAlive2Req   byte = 120 // 'x'
	codeAlive2XResp byte = 118 // 'v', creation:32 (HighestVersion >= 6)
	codeAlive2Resp  byte = 121 // 'y', creation:16 (older nodes)
	codePort2Req    byte = 122 // 'z'
	codePort2Resp   byte = 119 // 'w'
	codeNamesReq    byte = 110 // 'n'
	codeDumpReq     byte = 100 // 'd'
	codeKillReq     byte = 107 // 'k'
	codeStopReq     byte = 115 // 's'
)

// Limits, as in OTP's epmd_int.h.
const (
	// MaxNameChars is the longest node name EPMD accepts, in characters
	// (a node name is an atom).
	MaxNameChars = 255
	// MaxSymLen is the longest node name or Extra field in bytes
	// (255 characters of up to 4 UTF-8 bytes).
	MaxSymLen = 255 * 4
	// MaxRequestLen is the largest value of the 2-byte length prefix the
	// server accepts; epmd's input buffer is 3*MaxSymLen bytes including
	// the prefix and a spare byte.
	MaxRequestLen = 3*MaxSymLen - 3
)

// NodeType is the node type byte of ALIVE2_REQ and PORT2_RESP.
type NodeType byte

// Node types.
const (
	NodeNormal NodeType = 77 // 'M': a normal (visible) Erlang node
	NodeHidden NodeType = 72 // 'H': a hidden node (C node, tooling)
)

// String returns "normal", "hidden" or the number.
func (t NodeType) String() string {
	switch t {
	case NodeNormal:
		return "normal"
	case NodeHidden:
		return "hidden"
	}
	return fmt.Sprintf("NodeType(%d)", byte(t))
}

// ProtocolTCP is the only protocol value in use (TCP/IPv4, also used for
// IPv6 and TLS distribution).
const ProtocolTCP byte = 0

// Default distribution protocol versions a node registers with: OTP 23+
// nodes speak version 6; 5 is kept as the lowest so that PORT2_RESP tells
// older peers they can still talk to us.
const (
	DefaultHighestVersion uint16 = 6
	DefaultLowestVersion  uint16 = 5
)

// Request is one parsed EPMD request (the part after the 2-byte length).
// The concrete types are *AliveRequest, *PortPleaseRequest, *NamesRequest,
// *DumpRequest, *KillRequest and *StopRequest.
type Request interface {
	// AppendFrame appends the request with its 2-byte length prefix.
	AppendFrame(b []byte) []byte
}

// AliveRequest is ALIVE2_REQ: register a node.
type AliveRequest struct {
	Port           uint16
	NodeType       NodeType
	Protocol       byte
	HighestVersion uint16
	LowestVersion  uint16
	Name           string
	Extra          []byte
}

// PortPleaseRequest is PORT_PLEASE2_REQ: look up a node by name (the part
// before '@').
type PortPleaseRequest struct{ Name string }

// NamesRequest is NAMES_REQ.
type NamesRequest struct{}

// DumpRequest is DUMP_REQ.
type DumpRequest struct{}

// KillRequest is KILL_REQ.
type KillRequest struct{}

// StopRequest is STOP_REQ (unregister a name; honoured only with
// relaxed command checks).
type StopRequest struct{ Name string }

func appendFrame(b []byte, body ...[]byte) []byte {
	n := 0
	for _, p := range body {
		n += len(p)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	for _, p := range body {
		b = append(b, p...)
	}
	return b
}

// AppendFrame implements Request. The caller must keep Name and Extra
// within MaxSymLen bytes (Client validates this).
func (r *AliveRequest) AppendFrame(b []byte) []byte {
	n := 13 + len(r.Name) + len(r.Extra)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	return appendNode(append(b, codeAlive2Req), r)
}

// appendNode appends the node description ALIVE2_REQ and PORT2_RESP share:
// PortNo, NodeType, Protocol, HighestVersion, LowestVersion, Nlen, NodeName,
// Elen, Extra.
func appendNode(b []byte, n *AliveRequest) []byte {
	b = binary.BigEndian.AppendUint16(b, n.Port)
	b = append(b, byte(n.NodeType), n.Protocol)
	b = binary.BigEndian.AppendUint16(b, n.HighestVersion)
	b = binary.BigEndian.AppendUint16(b, n.LowestVersion)
	b = binary.BigEndian.AppendUint16(b, uint16(len(n.Name)))
	b = append(b, n.Name...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(n.Extra)))
	return append(b, n.Extra...)
}

// AppendFrame implements Request.
func (r *PortPleaseRequest) AppendFrame(b []byte) []byte {
	return appendFrame(b, []byte{codePort2Req}, []byte(r.Name))
}

// AppendFrame implements Request.
func (*NamesRequest) AppendFrame(b []byte) []byte { return appendFrame(b, []byte{codeNamesReq}) }

// AppendFrame implements Request.
func (*DumpRequest) AppendFrame(b []byte) []byte { return appendFrame(b, []byte{codeDumpReq}) }

// AppendFrame implements Request.
func (*KillRequest) AppendFrame(b []byte) []byte { return appendFrame(b, []byte{codeKillReq}) }

// AppendFrame implements Request.
func (r *StopRequest) AppendFrame(b []byte) []byte {
	return appendFrame(b, []byte{codeStopReq}, []byte(r.Name))
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// ParseRequest parses one request body (the bytes after the 2-byte length
// prefix). It is pure and never panics. It rejects what OTP's epmd closes
// the connection on without answering: unknown codes, short or
// inconsistent ALIVE2 fields, NUL bytes in names, and PORT2 names that are
// not 1..255 characters of UTF-8. Checks that epmd answers with an error
// result (name encoding and length, Extra length, duplicates) are left to
// the server: see ValidateAlive.
func ParseRequest(body []byte) (Request, error) {
	if len(body) == 0 {
		return nil, malformed("empty request")
	}
	switch body[0] {
	case codeAlive2Req:
		return parseAlive(body)
	case codePort2Req:
		name := body[1:]
		if n := len(name); n > 0 && name[n-1] == 0 { // old clients NUL-terminate
			name = name[:n-1]
		}
		if len(name) == 0 {
			return nil, malformed("PORT2_REQ without a name")
		}
		if err := checkNameChars(name); err != nil {
			return nil, malformed("PORT2_REQ: %v", err)
		}
		return &PortPleaseRequest{Name: string(name)}, nil
	case codeNamesReq:
		return &NamesRequest{}, nil
	case codeDumpReq:
		return &DumpRequest{}, nil
	case codeKillReq:
		return &KillRequest{}, nil
	case codeStopReq:
		if len(body) <= 1 {
			return nil, malformed("STOP_REQ without a name")
		}
		name := body[1:]
		for i, c := range name { // epmd treats the name as a C string
			if c == 0 {
				name = name[:i]
				break
			}
		}
		if len(name) == 0 { // epmd would answer NOEXIST; nothing to stop either way
			return nil, malformed("STOP_REQ with an empty name")
		}
		return &StopRequest{Name: string(name)}, nil
	}
	return nil, malformed("unknown request code %d", body[0])
}

func parseAlive(b []byte) (*AliveRequest, error) {
	// Fixed part: code, port:16, type, proto, high:16, low:16, nlen:16,
	// then name, elen:16, extra. epmd insists on at least 14 bytes.
	if len(b) <= 13 {
		return nil, malformed("ALIVE2_REQ too short (%d bytes)", len(b))
	}
	nlen := int(binary.BigEndian.Uint16(b[9:]))
	if nlen+13 > len(b) {
		return nil, malformed("ALIVE2_REQ name length %d exceeds request", nlen)
	}
	elen := int(binary.BigEndian.Uint16(b[11+nlen:]))
	if elen+nlen+13 > len(b) {
		return nil, malformed("ALIVE2_REQ extra length %d exceeds request", elen)
	}
	name := b[11 : 11+nlen]
	for _, c := range name {
		if c == 0 {
			return nil, malformed("ALIVE2_REQ name contains NUL")
		}
	}
	r := &AliveRequest{
		Port:           binary.BigEndian.Uint16(b[1:]),
		NodeType:       NodeType(b[3]),
		Protocol:       b[4],
		HighestVersion: binary.BigEndian.Uint16(b[5:]),
		LowestVersion:  binary.BigEndian.Uint16(b[7:]),
		Name:           string(name),
	}
	if elen > 0 {
		r.Extra = append([]byte(nil), b[13+nlen:13+nlen+elen]...)
	}
	return r, nil
}

// checkNameChars reports whether name is 1..MaxNameChars characters of
// valid UTF-8 (no overlong forms, no surrogates) without NUL bytes.
func checkNameChars(name []byte) error {
	if len(name) == 0 {
		return fmt.Errorf("empty name")
	}
	if len(name) > MaxSymLen {
		return fmt.Errorf("name is %d bytes, longer than %d", len(name), MaxSymLen)
	}
	if !utf8.Valid(name) {
		return fmt.Errorf("name is not valid UTF-8")
	}
	for _, c := range name {
		if c == 0 {
			return fmt.Errorf("name contains NUL")
		}
	}
	if n := utf8.RuneCount(name); n > MaxNameChars {
		return fmt.Errorf("name has %d characters, more than %d", n, MaxNameChars)
	}
	return nil
}

// ValidateName reports, wrapping ErrInvalidName, whether EPMD would refuse
// name: empty, more than 255 characters, invalid UTF-8 or containing NUL.
// name is the alive part only (before '@').
func ValidateName(name string) error {
	if err := checkNameChars([]byte(name)); err != nil {
		return fmt.Errorf("%w %q: %w", ErrInvalidName, name, err)
	}
	return nil
}

// ValidateAlive reports why an EPMD server answers a well-framed
// ALIVE2_REQ with an error result: an invalid name (see ValidateName) or
// an Extra field longer than MaxSymLen bytes.
func ValidateAlive(r *AliveRequest) error {
	if err := ValidateName(r.Name); err != nil {
		return err
	}
	if len(r.Extra) > MaxSymLen {
		return fmt.Errorf("%w: extra is %d bytes, longer than %d", ErrInvalidName, len(r.Extra), MaxSymLen)
	}
	return nil
}

// appendPort2Resp appends a successful PORT2_RESP for n.
func appendPort2Resp(b []byte, n *AliveRequest) []byte {
	return appendNode(append(b, codePort2Resp, 0), n)
}

// appendAliveResp appends the answer to an ALIVE2_REQ: ALIVE2_X_RESP with
// a 32-bit creation for nodes that speak version 6, else ALIVE2_RESP with
// a 16-bit creation.
func appendAliveResp(b []byte, highest uint16, result byte, creation uint32) []byte {
	if highest >= 6 {
		b = append(b, codeAlive2XResp, result)
		return binary.BigEndian.AppendUint32(b, creation)
	}
	b = append(b, codeAlive2Resp, result)
	return binary.BigEndian.AppendUint16(b, uint16(creation))
}
