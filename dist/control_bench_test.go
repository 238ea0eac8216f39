package dist

import (
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// controlBenchCases is one control value per op family, so the encode and
// decode benchmarks cover every branch of the control switch, not only the
// SEND fast path.
func controlBenchCases() map[string]Control {
	a, b := pid("a@127.0.0.1", 5), pid("b@127.0.0.1", 1)
	r := ref("a@127.0.0.1", 9)
	return map[string]Control{
		"send":         Send{To: b},
		"send_tt":      Send{From: a, To: b, Token: etf.Atom("tok")},
		"reg_send":     RegSend{From: a, To: "rex"},
		"link":         Link{From: a, To: b},
		"exit":         Exit{From: a, To: b, Reason: etf.Atom("normal")},
		"monitor_p":    MonitorP{From: a, To: b, Ref: r},
		"monitor_exit": MonitorPExit{From: b, To: a, Ref: r, Reason: etf.Atom("noproc")},
		"spawn_req": SpawnRequest{ReqID: r, From: a, GroupLeader: a,
			Module: "erlang", Function: "apply", Arity: 2, Opts: etf.List{etf.Atom("link")}},
		"spawn_reply": SpawnReply{ReqID: r, To: a, Flags: 1, Result: b},
		"alias_send":  AliasSend{From: a, Alias: r},
		"unlink_id":   UnlinkID{ID: 7, From: a, To: b},
	}
}

// BenchmarkAppendControl encodes each control family into a reused buffer
// (no atom cache, the flags OTP 25 negotiates).
func BenchmarkAppendControl(b *testing.B) {
	for name, ctl := range controlBenchCases() {
		b.Run(name, func(b *testing.B) {
			var e ctlEncoder
			buf := make([]byte, 0, 256)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, _, _, err = e.appendControl(buf[:0], ctl, DefaultFlags); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeControl converts each family's decoded control tuple into
// its typed value (the generic path after the etf Decoder).
func BenchmarkDecodeControl(b *testing.B) {
	for name, ctl := range controlBenchCases() {
		b.Run(name, func(b *testing.B) {
			var e ctlEncoder
			buf, _, _, err := e.appendControl(nil, ctl, DefaultFlags&^FlagExitPayload)
			if err != nil {
				b.Fatal(err)
			}
			t, err := etf.Decode(append([]byte{131}, buf...))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := decodeControl(t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
