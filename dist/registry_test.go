package dist

import (
	"errors"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

type regOrder struct {
	ID    int
	Item  string
	Price float64
}

func testRegistry(tb testing.TB, opts ...etf.RegistryOption) *etf.Registry {
	r := etf.NewRegistry(opts...)
	if err := etf.Register[regOrder](r, "Elixir.Shop.Order"); err != nil {
		tb.Fatal(err)
	}
	return r
}

// regConn returns an encoding Conn and a packet decoder that share reg,
// as the two ends of a connection would (each its own registry value).
func regConn(tb testing.TB, enc, dec *etf.Registry) (*Conn, *packetDecoder) {
	cfg, err := Config{Name: "a@127.0.0.1", Cookie: "c", Registry: enc}.withDefaults()
	if err != nil {
		tb.Fatal(err)
	}
	c := &Conn{cfg: &cfg, flags: DefaultFlags}
	c.initEncoder()
	d := newPacketDecoder(1 << 20)
	d.reg = dec
	return c, d
}

// decodeAll decodes every packet of c.wbuf and empties it.
func decodeAll(tb testing.TB, c *Conn, d *packetDecoder) []Message {
	var out []Message
	for _, p := range packets(tb, c.wbuf) {
		m, ok, err := d.decode(p)
		if err != nil {
			tb.Fatal(err)
		}
		if ok {
			out = append(out, m)
		}
	}
	c.wbuf = c.wbuf[:0]
	return out
}

// TestRegistryPayloads: send payloads through the registry arrive as the
// Go value; misfits arrive as a *Mismatched with the raw term (or none
// when rejected) and are not malformed packets; other payloads (spawn
// arguments, exit reasons) stay terms.
func TestRegistryPayloads(t *testing.T) {
	o := regOrder{ID: 1, Item: "book", Price: 9.5}
	misfit := etf.Map{{Key: etf.Atom("__struct__"), Value: etf.Atom("Elixir.Shop.Order")}, {Key: etf.Atom("id"), Value: 2}}
	to := pid("b@127.0.0.1", 1)
	for _, tc := range []struct {
		name   string
		reject bool
	}{{"deliver", false}, {"reject", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []etf.RegistryOption
			if tc.reject {
				opts = append(opts, etf.WithRejectMismatch())
			}
			c, d := regConn(t, testRegistry(t), testRegistry(t, opts...))
			for _, ctl := range []Control{Send{To: to}, RegSend{From: pid("a@127.0.0.1", 2), To: "x"}} {
				if err := c.appendMessage(ctl, o, true); err != nil {
					t.Fatal(err)
				}
				if err := c.appendMessage(ctl, misfit, true); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.appendMessage(Exit{From: pid("a@127.0.0.1", 3), To: to, Reason: o}, nil, false); err != nil {
				t.Fatal(err)
			}
			ms := decodeAll(t, c, d)
			if len(ms) != 5 {
				t.Fatalf("%d messages", len(ms))
			}
			for i := 0; i < 4; i += 2 {
				if ms[i].Payload != any(o) {
					t.Errorf("message %d: %#v", i, ms[i])
				}
				mm, ok := ms[i+1].Payload.(*Mismatched)
				if !ok || !errors.Is(mm.Err, etf.ErrMismatch) || errors.Is(mm.Err, etf.ErrRejected) != tc.reject {
					t.Fatalf("misfit %d: payload %#v", i, ms[i+1].Payload)
				}
				if tc.reject != (mm.Term == nil) || (!tc.reject && !etf.Equal(mm.Term, misfit)) {
					t.Errorf("misfit %d: term %#v", i, mm.Term)
				}
			}
			if r := ms[4].Control.(Exit).Reason; !etf.Equal(r, mustTerm(t, o)) {
				t.Errorf("exit reason %#v, want the term", r)
			}
		})
	}
}

func mustTerm(tb testing.TB, v any) etf.Term {
	t, err := testRegistry(tb).ToTerm(v)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// FuzzRegistryPayload feeds arbitrary payload bytes after a SEND control
// to a decoder with a registry: no panic, and a payload that decodes
// without the registry decodes with it (as the Go value, the same term,
// or a reported misfit), never as a malformed packet.
func FuzzRegistryPayload(f *testing.F) {
	r := testRegistry(f)
	for _, v := range []any{regOrder{ID: 1, Item: "a", Price: 1}, 42, etf.Tuple{etf.Atom("x"), 1},
		etf.Map{{Key: etf.Atom("__struct__"), Value: etf.Atom("Elixir.Shop.Order")}}} {
		b, err := r.Encode(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[1:])
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		ctl, err := etf.AppendTerm(nil, etf.Tuple{2, etf.Atom(""), pid("b@127.0.0.1", 1)})
		if err != nil {
			t.Fatal(err)
		}
		body := append(ctl, payload...)
		plain := newPacketDecoder(1 << 20)
		withReg := newPacketDecoder(1 << 20)
		withReg.reg = r
		_, errPlain := plain.body(&plain.plain, &plain.fastP, body, false)
		m, errReg := withReg.body(&withReg.plain, &withReg.fastP, body, false)
		if (errPlain == nil) != (errReg == nil) {
			t.Fatalf("plain %v, registry %v", errPlain, errReg)
		}
		if errReg == nil && m.Payload == nil {
			t.Fatal("no payload")
		}
	})
}

// BenchmarkDecodeSendFrameRegistry is BenchmarkDecodeSendFrame with a
// registry on the decoder: a registered struct ("order", the bytes path)
// and payloads that name nothing registered ("int", "pidint"), which
// should cost about what they cost without one ("-noreg").
func BenchmarkDecodeSendFrameRegistry(b *testing.B) {
	for _, tc := range []struct {
		name    string
		payload etf.Term
		reg     bool
	}{
		{"order", regOrder{ID: 1, Item: "book", Price: 9.5}, true},
		{"order-map-noreg", regOrder{ID: 1, Item: "book", Price: 9.5}, false},
		{"int", 42, true},
		{"int-noreg", 42, false},
		{"pidint", etf.Tuple{pid("a@127.0.0.1", 5), 42}, true},
		{"pidint-noreg", etf.Tuple{pid("a@127.0.0.1", 5), 42}, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var dec *etf.Registry
			if tc.reg {
				dec = testRegistry(b)
			}
			c, d := regConn(b, testRegistry(b), dec)
			c.flags = DefaultFlags &^ FlagSendSender
			benchDecodeSend(b, c, d, tc.payload)
		})
	}
}
