package node

import (
	"errors"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

func TestParseGenMessages(t *testing.T) {
	pid := etf.PID{Node: "a@h", ID: 1}
	from := etf.Tuple{pid, etf.Ref{Node: "a@h", ID: [5]uint32{1}}}
	req := etf.Atom("req")

	if f, r, ok := ParseGenCall(etf.Tuple{GenCall, from, req}); !ok || !etf.Equal(f, from) || r != req {
		t.Fatalf("ParseGenCall: %v %v %v", f, r, ok)
	}
	// From is not checked by ParseGenCall (ParseFrom does).
	if f, _, ok := ParseGenCall(etf.Tuple{GenCall, etf.Atom("nofrom"), req}); !ok || f != etf.Atom("nofrom") {
		t.Fatalf("ParseGenCall with a bad From: %v %v", f, ok)
	}
	if f, r, ok := ParseSystem(etf.Tuple{System, from, req}); !ok || !etf.Equal(f, from) || r != req {
		t.Fatalf("ParseSystem: %v %v %v", f, r, ok)
	}
	if r, ok := ParseGenCast(etf.Tuple{GenCast, req}); !ok || r != req {
		t.Fatalf("ParseGenCast: %v %v", r, ok)
	}
	for _, bad := range []etf.Term{
		nil, req, etf.List{GenCall, from, req},
		etf.Tuple{GenCall, from}, etf.Tuple{GenCall, from, req, req},
		etf.Tuple{GenCast, from, req}, etf.Tuple{System, from, req},
	} {
		if _, _, ok := ParseGenCall(bad); ok {
			t.Errorf("ParseGenCall accepted %#v", bad)
		}
	}
	for _, bad := range []etf.Term{nil, etf.Tuple{GenCast}, etf.Tuple{GenCast, req, req}, etf.Tuple{GenCall, req}} {
		if _, ok := ParseGenCast(bad); ok {
			t.Errorf("ParseGenCast accepted %#v", bad)
		}
	}
	for _, bad := range []etf.Term{etf.Tuple{GenCall, from, req}, etf.Tuple{System, from}} {
		if _, _, ok := ParseSystem(bad); ok {
			t.Errorf("ParseSystem accepted %#v", bad)
		}
	}
	if m := GenCallMsg(pid, from[1], req); !etf.Equal(m, etf.Tuple{GenCall, from, req}) {
		t.Errorf("GenCallMsg: %#v", m)
	}
	if m := SystemMsg(pid, from[1], req); !etf.Equal(m, etf.Tuple{System, from, req}) {
		t.Errorf("SystemMsg: %#v", m)
	}
	if m := GenCastMsg(req); !etf.Equal(m, etf.Tuple{GenCast, req}) {
		t.Errorf("GenCastMsg: %#v", m)
	}
}

func TestParseFromAndTagAlias(t *testing.T) {
	pid := etf.PID{Node: "a@h", ID: 1}
	ref := etf.Ref{Node: "a@h", ID: [5]uint32{7}}
	aliasTag := etf.ImproperList{Elems: []etf.Term{etf.Atom("alias")}, Tail: ref}
	cases := []struct {
		name  string
		tag   etf.Term
		alias bool
	}{
		{"plain ref", ref, false},
		{"[alias|Ref]", aliasTag, true},
		{"[[alias|Ref]|x]", etf.ImproperList{Elems: []etf.Term{aliasTag}, Tail: etf.Atom("x")}, true},
		{"[[alias|Ref], x]", etf.List{aliasTag, etf.Atom("x")}, true},
		{"[alias, Ref]", etf.List{etf.Atom("alias"), ref}, false},
		{"[other|Ref]", etf.ImproperList{Elems: []etf.Term{etf.Atom("other")}, Tail: ref}, false},
		{"[alias|notref]", etf.ImproperList{Elems: []etf.Term{etf.Atom("alias")}, Tail: etf.Atom("x")}, false},
		{"empty list", etf.List{}, false},
		{"atom", etf.Atom("t"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			from := etf.Tuple{pid, tc.tag}
			p, tag, ok := ParseFrom(from)
			if !ok || p != pid || !etf.Equal(tag, tc.tag) {
				t.Fatalf("ParseFrom: %v %v %v", p, tag, ok)
			}
			r, ok := TagAlias(tc.tag)
			if ok != tc.alias || (ok && r != ref) {
				t.Fatalf("TagAlias: %v %v", r, ok)
			}
			to, msg, err := ReplyTarget(from, etf.Atom("ok"))
			if err != nil || !etf.Equal(msg, etf.Tuple{tc.tag, etf.Atom("ok")}) {
				t.Fatalf("ReplyTarget: %v %v", msg, err)
			}
			want := etf.Term(pid)
			if tc.alias {
				want = etf.Alias(ref)
			}
			if to != want {
				t.Fatalf("ReplyTarget to %#v, want %#v", to, want)
			}
		})
	}
	for _, bad := range []etf.Term{nil, etf.Atom("nofrom"), etf.Tuple{pid}, etf.Tuple{etf.Atom("x"), ref}, etf.Tuple{pid, ref, ref}} {
		if _, _, ok := ParseFrom(bad); ok {
			t.Errorf("ParseFrom accepted %#v", bad)
		}
		if _, _, err := ReplyTarget(bad, nil); !errors.Is(err, ErrBadTarget) {
			t.Errorf("ReplyTarget(%#v): %v", bad, err)
		}
	}
}

// FuzzGenParse feeds decoded terms to the protocol parsers: they must not
// panic, and what they accept must rebuild to the same message.
func FuzzGenParse(f *testing.F) {
	pid := etf.PID{Node: "a@h", ID: 1}
	ref := etf.Ref{Node: "a@h", ID: [5]uint32{7}}
	aliasTag := etf.ImproperList{Elems: []etf.Term{etf.Atom("alias")}, Tail: ref}
	for _, seed := range []etf.Term{
		GenCallMsg(pid, ref, etf.Atom("req")),
		GenCallMsg(pid, aliasTag, etf.Tuple{1, 2}),
		GenCallMsg(pid, etf.List{aliasTag, etf.Atom("x")}, etf.Atom("req")),
		GenCallMsg(pid, etf.ImproperList{Elems: []etf.Term{aliasTag}, Tail: etf.Atom("x")}, etf.Atom("req")),
		etf.Tuple{GenCall, etf.Atom("nofrom"), etf.Atom("req")},
		GenCastMsg(etf.Atom("c")),
		SystemMsg(pid, ref, etf.Atom("get_state")),
	} {
		b, err := etf.Encode(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, err := etf.Decode(b)
		if err != nil {
			return
		}
		if from, req, ok := ParseGenCall(msg); ok {
			if pid, tag, ok := ParseFrom(from); ok {
				if !etf.Equal(GenCallMsg(pid, tag, req), msg) {
					t.Fatalf("GenCallMsg does not rebuild %#v", msg)
				}
				if _, _, err := ReplyTarget(from, nil); err != nil {
					t.Fatalf("ReplyTarget rejects a From ParseFrom accepted: %v", err)
				}
			} else if _, _, err := ReplyTarget(from, nil); err == nil {
				t.Fatalf("ReplyTarget accepts a From ParseFrom rejected: %#v", from)
			}
		}
		if from, req, ok := ParseSystem(msg); ok {
			if pid, tag, ok := ParseFrom(from); ok && !etf.Equal(SystemMsg(pid, tag, req), msg) {
				t.Fatalf("SystemMsg does not rebuild %#v", msg)
			}
		}
		if req, ok := ParseGenCast(msg); ok && !etf.Equal(GenCastMsg(req), msg) {
			t.Fatalf("GenCastMsg does not rebuild %#v", msg)
		}
	})
}
