package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/erlgo/erlgo/etf"
)

// Atoms of the web protocol (see the package documentation for shapes).
const (
	atomRequest  = etf.Atom("web_request")
	atomResponse = etf.Atom("web_response")
	atomStream   = etf.Atom("web_stream")
	atomChunk    = etf.Atom("web_chunk")
	atomEnd      = etf.Atom("web_end")
)

// Request is one HTTP request as a worker sees it. A Go worker on the
// handler's node receives the *Request itself; a worker on another node
// receives its term (MarshalTerm):
//
//	{web_request, #{method => <<"GET">>, path => <<"/a">>, query => <<"x=1">>,
//	                headers => [{<<"accept">>, <<"*/*">>}, ...],
//	                body => <<>>, host => <<"example.com">>,
//	                remote => <<"127.0.0.1:41234">>}}
//
// Header names in the term are lower case (as cowboy gives them); a
// header with several values appears once per value, in order.
type Request struct {
	Method     string
	Path       string
	Query      string // the raw query, without '?'
	Header     http.Header
	Body       []byte
	Host       string
	RemoteAddr string

	// Set only on the handler's own node: the request's context (ended
	// when the client goes away or the handler's timeout passes) and the
	// credit a stream's chunks take from the connection's window.
	ctx    context.Context
	credit chan struct{}
}

// Context returns the request's context: on the handler's node it ends
// when the client goes away or the timeout passes; a Request parsed from
// a term has context.Background.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

// MarshalTerm implements etf.Marshaler: the {web_request, Map} term.
func (r *Request) MarshalTerm() (etf.Term, error) {
	headers := make(etf.List, 0, len(r.Header))
	for name, vs := range r.Header {
		lname := etf.Binary(strings.ToLower(name))
		for _, v := range vs {
			headers = append(headers, etf.Tuple{lname, etf.Binary(v)})
		}
	}
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	return etf.Tuple{atomRequest, etf.Map{
		{Key: etf.Atom("method"), Value: etf.Binary(r.Method)},
		{Key: etf.Atom("path"), Value: etf.Binary(r.Path)},
		{Key: etf.Atom("query"), Value: etf.Binary(r.Query)},
		{Key: etf.Atom("headers"), Value: headers},
		{Key: etf.Atom("body"), Value: etf.Binary(body)},
		{Key: etf.Atom("host"), Value: etf.Binary(r.Host)},
		{Key: etf.Atom("remote"), Value: etf.Binary(r.RemoteAddr)},
	}}, nil
}

// ParseRequest turns what a worker received back into a *Request: the
// *Request itself (a worker on the handler's node) or its term (a worker
// on another node). Anything else is ErrBadRequest.
func ParseRequest(t etf.Term) (*Request, error) {
	switch v := t.(type) {
	case *Request:
		return v, nil
	case etf.Tuple:
		if len(v) == 2 && v[0] == atomRequest {
			if m, ok := v[1].(etf.Map); ok {
				return requestFromMap(m)
			}
		}
	}
	return nil, fmt.Errorf("%w: not {web_request, Map}: %s", ErrBadRequest, etf.Format(t))
}

func requestFromMap(m etf.Map) (*Request, error) {
	r := &Request{Header: http.Header{}}
	fields := []struct {
		key string
		dst *string
	}{{"method", &r.Method}, {"path", &r.Path}, {"query", &r.Query}, {"host", &r.Host}, {"remote", &r.RemoteAddr}}
	for _, f := range fields {
		s, ok := optString(m, f.key)
		if !ok {
			return nil, fmt.Errorf("%w: %s is not a binary", ErrBadRequest, f.key)
		}
		*f.dst = s
	}
	if r.Method == "" {
		return nil, fmt.Errorf("%w: no method", ErrBadRequest)
	}
	if b, ok := m.Get(etf.Atom("body")); ok {
		body, err := flattenIOData(b)
		if err != nil {
			return nil, fmt.Errorf("%w: body: %w", ErrBadRequest, err)
		}
		r.Body = body
	}
	if hs, ok := m.Get(etf.Atom("headers")); ok {
		if err := parseHeaders(hs, r.Header); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
	}
	return r, nil
}

// optString reads a binary or charlist field; a missing field is "".
func optString(m etf.Map, key string) (string, bool) {
	v, ok := m.Get(etf.Atom(key))
	if !ok {
		return "", true
	}
	return textOf(v)
}
