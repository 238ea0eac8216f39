package observer

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// FuzzParsePID: any pid text a client sends is parsed or refused with
// ErrBadQuery, never a panic.
func FuzzParsePID(f *testing.F) {
	for _, s := range []string{"<a@b.1.2>", "<0.42.0>", "<>", "<..>", "<a@b.c.1.99999999999>", "a@b.1.2", "<a@b.-1.2>", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		node, _, _, err := parsePID(s)
		if err != nil && !errors.Is(err, ErrBadQuery) {
			t.Fatalf("%q: %v", s, err)
		}
		if err == nil && !strings.HasPrefix(s, "<"+node+".") {
			t.Fatalf("%q: node %q", s, node)
		}
	})
}

// FuzzKillRequest: any body and pid sent to POST /api/kill is a clear
// 4xx (or the kill), never a panic nor a 5xx.
func FuzzKillRequest(f *testing.F) {
	for _, s := range []string{`{"pid":"<x@y.1.0>"}`, `{"pid":"<x@y.1.0>","reason":"shutdown"}`, `{"pid":1}`, `{`, `null`,
		`{"pid":"<x@y.1.0>","reason":"'quoted'"}`, strings.Repeat(`{"pid":"`, 1000)} {
		f.Add(s)
	}
	n := startLocal(f, "obs_fuzzkill@127.0.0.1")
	h := Handler(n, WithLogger(quietLogger()))
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/kill", strings.NewReader(body))
		req.Header.Set(killHeader, "kill")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%q: %d %s", body, w.Code, w.Body)
		}
	})
}

// FuzzBEAMAnswers: whatever term a target answers, reading it as a
// process_info, node_info or application answer does not panic.
func FuzzBEAMAnswers(f *testing.F) {
	seeds := []etf.Term{
		etf.List{etf.Tuple{etf.Atom("registered_name"), etf.Atom("x")}, etf.Tuple{etf.Atom("message_queue_len"), 3},
			etf.Tuple{etf.Atom("dictionary"), etf.List{etf.Tuple{etf.Atom("$initial_call"), etf.Tuple{etf.Atom("supervisor"), etf.Atom("m"), 1}}}},
			etf.Tuple{etf.Atom("links"), etf.List{etf.PID{Node: "a@b", ID: 1}}}, etf.Tuple{etf.Atom("current_function"), etf.Tuple{1, 2, 3}}},
		etf.Tuple{etf.Atom("ok"), etf.List{etf.Tuple{etf.Atom("address"), etf.Tuple{etf.Atom("net_address"), etf.Tuple{etf.Tuple{127, 0, 0, 1}, 4370}}}}},
		etf.Tuple{etf.Atom("registered_name"), etf.List{}},
		etf.Atom("undefined"),
		etf.List{1, etf.Tuple{}, etf.Tuple{etf.Atom("memory")}},
	}
	for _, s := range seeds {
		b, err := etf.Encode(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	pid := etf.PID{Node: "t@h", ID: 1}
	f.Fuzz(func(t *testing.T, b []byte) {
		term, err := etf.Decode(b)
		if err != nil {
			return
		}
		l, _ := term.(etf.List)
		d := detailFromItems(pid, l)
		_ = d.otpStyle()
		_, _ = beamProcessInfo(pid, term)
		_, _ = keyOf(pid, term)
		_ = addressText(term)
		_ = termString(term)
		_ = formatMFA(term)
		_, _ = okList(term)
		d.setMessages(l, len(l))
		if len(d.Messages) > messagesShown {
			t.Fatalf("%d messages kept", len(d.Messages))
		}
	})
}
