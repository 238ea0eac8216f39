package web

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// FuzzTerms: any term a peer sends as a reply, a chunk, a request or a
// WebSocket command gives a value or a clear error, never a panic; what
// parses as a reply never carries a header net/http would refuse or
// that could split the response.
func FuzzTerms(f *testing.F) {
	seeds := []etf.Term{
		etf.Tuple{atomResponse, 200, etf.List{etf.Tuple{etf.Binary("content-type"), etf.Binary("text/plain")}}, etf.List{etf.Binary("a"), 98, etf.Charlist("cd")}},
		etf.Tuple{atomResponse, 200, etf.List{etf.Tuple{etf.Binary("x"), etf.Binary("a\r\nb")}}, etf.Binary("")},
		etf.Tuple{atomResponse, 99, nil, etf.Binary("")},
		etf.Tuple{atomStream, 206, etf.List{etf.Tuple{etf.Atom("x-a"), etf.Charlist("b")}}},
		etf.Tuple{atomResponse, 200, nil, etf.ImproperList{Elems: []etf.Term{etf.Binary("a")}, Tail: etf.Binary("b")}},
		etf.Tuple{atomRequest, etf.Map{{Key: etf.Atom("method"), Value: etf.Binary("GET")}, {Key: etf.Atom("headers"), Value: etf.List{etf.Tuple{etf.Binary("a"), etf.Binary("b")}}}}},
		etf.Tuple{atomWSSend, etf.Tuple{atomText, etf.Binary("hi")}},
		etf.Tuple{atomWSClose, 4000, etf.Binary("bye")},
		atomWSClose,
		etf.Tuple{atomWebSocket, etf.PID{Node: "a@b", ID: 1}, etf.Tuple{atomBinary, etf.List{1, 2}}},
		etf.Tuple{atomChunk, etf.List{etf.List{etf.List{256}}}},
	}
	for _, s := range seeds {
		b, err := etf.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		term, err := etf.Decode(data)
		if err != nil {
			return
		}
		if rep, err := parseReply(term); err == nil {
			for name, vs := range rep.header {
				for _, v := range vs {
					if !validHeaderName(name) || bytes.ContainsAny([]byte(v), "\r\n\x00") {
						t.Fatalf("header %q: %q accepted", name, v)
					}
				}
			}
			if rep.status < 100 || rep.status > 999 {
				t.Fatalf("status %d accepted", rep.status)
			}
			_ = http.StatusText(rep.status)
		}
		if req, err := ParseRequest(term); err == nil && req.Method == "" {
			t.Fatal("request without a method accepted")
		}
		if cmd, err := parseCommand(term); err == nil && !cmd.send && (cmd.code < 1000 || cmd.code > 4999 || len(cmd.reason) > 123) {
			t.Fatalf("close %d %q accepted", cmd.code, cmd.reason)
		}
		_, _ = ParseMessage(term)
		if t2, ok := term.(etf.Tuple); ok && len(t2) == 2 {
			_, _ = flattenIOData(t2[1])
		}
	})
}

// A request survives the trip to a term and back.
func TestRequestTermRoundTrip(t *testing.T) {
	in := &Request{Method: "PATCH", Path: "/a/b", Query: "q=1", Header: http.Header{"X-Two": {"1", "2"}, "Accept": {"*/*"}},
		Body: []byte("body"), Host: "example.com", RemoteAddr: "10.0.0.1:5"}
	term, err := in.MarshalTerm()
	if err != nil {
		t.Fatal(err)
	}
	// Through the wire encoding, as a remote worker gets it.
	b, err := etf.Marshal(term)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := etf.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ParseRequest(decoded)
	if err != nil {
		t.Fatal(err)
	}
	if out.Method != in.Method || out.Path != in.Path || out.Query != in.Query || string(out.Body) != "body" ||
		out.Host != in.Host || out.RemoteAddr != in.RemoteAddr || len(out.Header["X-Two"]) != 2 || out.Header.Get("Accept") != "*/*" {
		t.Fatalf("round trip: %+v", out)
	}
}
