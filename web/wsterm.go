package web

import (
	"fmt"

	"github.com/coder/websocket"

	"github.com/erlgo/erlgo/etf"
)

// Atoms of the WebSocket messages.
const (
	atomWebSocket = etf.Atom("websocket")
	atomWSSend    = etf.Atom("websocket_send")
	atomWSClose   = etf.Atom("websocket_close")
	atomWSClosed  = etf.Atom("websocket_closed")
	atomText      = etf.Atom("text")
	atomBinary    = etf.Atom("binary")
)

// MessageType is a WebSocket data frame's type.
type MessageType = websocket.MessageType

// The message types.
const (
	Text   = websocket.MessageText
	Binary = websocket.MessageBinary
)

// Message is a frame from the client as the handler process receives
// it: {websocket, Conn, {text | binary, Data}}. ParseMessage reads one.
type Message struct {
	Conn etf.PID
	Type MessageType
	Data []byte
}

// Term returns {websocket, Conn, {text | binary, Data}}.
func (m Message) Term() etf.Term {
	return etf.Tuple{atomWebSocket, m.Conn, etf.Tuple{typeAtom(m.Type), etf.Binary(m.Data)}}
}

func typeAtom(t MessageType) etf.Atom {
	if t == Text {
		return atomText
	}
	return atomBinary
}

// ParseMessage reports whether msg is a client frame
// {websocket, Conn, {text | binary, Data}} and returns it.
func ParseMessage(msg etf.Term) (Message, bool) {
	t, ok := msg.(etf.Tuple)
	if !ok || len(t) != 3 || t[0] != atomWebSocket {
		return Message{}, false
	}
	pid, ok := t[1].(etf.PID)
	if !ok {
		return Message{}, false
	}
	typ, data, err := parseFrame(t[2])
	if err != nil {
		return Message{}, false
	}
	return Message{Conn: pid, Type: typ, Data: data}, true
}

// parseFrame reads {text | binary, IoData}.
func parseFrame(t etf.Term) (MessageType, []byte, error) {
	f, ok := t.(etf.Tuple)
	if !ok || len(f) != 2 {
		return 0, nil, fmt.Errorf("frame is not {text | binary, Data}: %s", etf.Format(t))
	}
	var typ MessageType
	switch f[0] {
	case atomText:
		typ = Text
	case atomBinary:
		typ = Binary
	default:
		return 0, nil, fmt.Errorf("frame type %s is not text or binary", etf.Format(f[0]))
	}
	data, err := flattenIOData(f[1])
	if err != nil {
		return 0, nil, err
	}
	return typ, data, nil
}

// connCommand is what a process asks of a connection: send a frame, or
// close with a code and a reason.
type connCommand struct {
	send   bool
	typ    MessageType
	data   []byte
	code   websocket.StatusCode
	reason string
}

// parseCommand reads {websocket_send, {text | binary, IoData}},
// websocket_close and {websocket_close, Code, Reason}.
func parseCommand(msg etf.Term) (connCommand, error) {
	if msg == atomWSClose {
		return connCommand{code: websocket.StatusNormalClosure}, nil
	}
	t, ok := msg.(etf.Tuple)
	switch {
	case ok && len(t) == 2 && t[0] == atomWSSend:
		typ, data, err := parseFrame(t[1])
		if err != nil {
			return connCommand{}, err
		}
		return connCommand{send: true, typ: typ, data: data}, nil
	case ok && len(t) == 3 && t[0] == atomWSClose:
		code, ok := t[1].(int)
		// RFC 6455 7.4: 1000-2999 registered (1004-1006, 1015 never sent), 3000-4999 applications.
		if !ok || code < 1000 || code > 4999 || code == 1004 || code == 1005 || code == 1006 || code == 1015 {
			return connCommand{}, fmt.Errorf("close code %s not sendable", etf.Format(t[1]))
		}
		reason, ok := textOf(t[2])
		if !ok || len(reason) > 123 { // a close frame's payload is at most 125 bytes
			return connCommand{}, fmt.Errorf("close reason %s is not text of at most 123 bytes", etf.Format(t[2]))
		}
		return connCommand{code: websocket.StatusCode(code), reason: reason}, nil
	}
	return connCommand{}, fmt.Errorf("not a websocket command: %s", etf.Format(msg))
}
