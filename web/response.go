package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/erlgo/erlgo/etf"
)

// Response is a worker's answer. Status 0 means 200. With Stream set the
// status and headers are sent at once and the body is what Stream writes,
// each Write flushed to the client as it arrives (see ChunkWriter); Body
// is then ignored.
//
// Across nodes a Response travels as
//
//	{web_response, Status, [{Name, Value}], Body}   % Body is iodata
//	{web_stream, Status, [{Name, Value}]}            % then chunks, see the package doc
//
// which is also what a BEAM gen_server replies.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	Stream func(ctx context.Context, w *ChunkWriter) error
}

// MarshalTerm implements etf.Marshaler: {web_response, ...} or, for a
// stream, {web_stream, ...}.
func (r *Response) MarshalTerm() (etf.Term, error) {
	headers := make(etf.List, 0, len(r.Header))
	for name, vs := range r.Header {
		for _, v := range vs {
			headers = append(headers, etf.Tuple{etf.Binary(name), etf.Binary(v)})
		}
	}
	if r.Stream != nil {
		return etf.Tuple{atomStream, r.status(), headers}, nil
	}
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	return etf.Tuple{atomResponse, r.status(), headers, etf.Binary(body)}, nil
}

func (r *Response) status() int {
	if r.Status == 0 {
		return http.StatusOK
	}
	return r.Status
}

// reply is a worker's answer as the handler uses it.
type reply struct {
	status int
	header http.Header
	body   []byte
	stream bool
}

// parseReply reads a worker's reply: a *Response (a Go worker on this
// node) or one of the two terms. Anything else is ErrBadReply.
func parseReply(t etf.Term) (reply, error) {
	if r, ok := t.(*Response); ok {
		return reply{status: r.status(), header: r.Header, body: r.Body, stream: r.Stream != nil}, nil
	}
	tu, ok := t.(etf.Tuple)
	if !ok || len(tu) < 3 || (tu[0] != atomResponse || len(tu) != 4) && (tu[0] != atomStream || len(tu) != 3) {
		return reply{}, fmt.Errorf("%w: %s", ErrBadReply, etf.Format(t))
	}
	var rp reply
	status, ok := tu[1].(int)
	if !ok || status < 100 || status > 999 {
		return reply{}, fmt.Errorf("%w: status %s", ErrBadReply, etf.Format(tu[1]))
	}
	rp.status, rp.header, rp.stream = status, http.Header{}, tu[0] == atomStream
	if err := parseHeaders(tu[2], rp.header); err != nil {
		return reply{}, fmt.Errorf("%w: %w", ErrBadReply, err)
	}
	if !rp.stream {
		body, err := flattenIOData(tu[3])
		if err != nil {
			return reply{}, fmt.Errorf("%w: body: %w", ErrBadReply, err)
		}
		rp.body = body
	}
	return rp, nil
}

// parseHeaders adds a [{Name, Value}] list to h. Names and values are
// binaries, charlists or atoms; a name or value net/http would refuse to
// write (CR, LF, NUL, a bad name character) is an error, so a worker
// cannot split a response.
func parseHeaders(t etf.Term, h http.Header) error {
	l, ok := etf.AsList(t)
	if !ok {
		return fmt.Errorf("headers are not a list: %s", etf.Format(t))
	}
	for _, e := range l {
		kv, ok := e.(etf.Tuple)
		if !ok || len(kv) != 2 {
			return fmt.Errorf("header is not {Name, Value}: %s", etf.Format(e))
		}
		name, ok1 := textOf(kv[0])
		value, ok2 := textOf(kv[1])
		if !ok1 || !ok2 || !validHeaderName(name) || strings.ContainsAny(value, "\r\n\x00") {
			return fmt.Errorf("bad header %s", etf.Format(e))
		}
		h.Add(name, value)
	}
	return nil
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// textOf reads a binary, a charlist or an atom as a string.
func textOf(t etf.Term) (string, bool) {
	switch v := t.(type) {
	case etf.Binary:
		return string(v), true
	case etf.Charlist:
		return string(v), true
	case etf.Atom:
		return string(v), true
	case nil:
		return "", true // [] decodes to nil
	}
	if l, ok := etf.AsList(t); ok {
		b, err := flattenIOData(l)
		return string(b), err == nil
	}
	return "", false
}

// flattenIOData flattens iodata (etf.AppendIOData) into one slice, never
// nil (an empty body is an empty binary).
func flattenIOData(t etf.Term) ([]byte, error) {
	out, err := etf.AppendIOData(nil, t)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}
