package port

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

// {packet, 1|2|4} against a real BEAM: erl opens its own stdin/stdout as a
// port with the same framing (testdata/port_echo.erl) and echoes; every
// packet, empty and full-size ones included, comes back whole, then the
// close makes erl see eof and halt 0.
func TestPacketEchoErl(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "port_echo.erl")
	for _, tc := range []struct {
		n     int
		sizes []int
	}{
		{1, []int{0, 1, 2, 100, 254, 255}},
		{2, []int{0, 1, 255, 256, 4096, 65535}},
		{4, []int{0, 1, 65535, 65536, 1 << 20, 3<<20 + 7}},
	} {
		t.Run(fmt.Sprintf("packet%d", tc.n), func(t *testing.T) {
			n := localNode(t)
			o := startOwner(t, n, true)
			pt := o.open(t, erl, []string{"-noinput", "-pa", dir, "-s", "port_echo", "start", strconv.Itoa(tc.n)},
				WithPacket(tc.n), WithExitStatus())
			var sent [][]byte
			for i, size := range tc.sizes {
				b := make([]byte, size)
				for j := range b {
					b[j] = byte(i*31 + j)
				}
				sent = append(sent, b)
				if err := o.command(t, pt, b); err != nil {
					t.Fatal(err)
				}
			}
			for i, want := range sent {
				e := o.nextEvent(t, pt)
				if e.kind != "data" || !bytes.Equal(e.data, want) {
					t.Fatalf("packet %d: got %s of %d bytes, want %d bytes", i, e.kind, len(e.data), len(want))
				}
			}
			if err := o.Do(t, func(*node.Process) error { return pt.Close(context.Background()) }); err != nil {
				t.Fatal(err)
			}
			if _, evs := o.drain(t, pt); !sameEvents(evs, []event{{kind: "exit_status", code: 0}, {kind: "EXIT", reason: node.Normal}}) {
				t.Fatalf("events %+v", evs)
			}
		})
	}
}

// {line, L} gives the same messages as ERTS's for the same output: each
// case runs printf under erl's open_port (testdata/port_lines.erl) and
// under Open, and compares.
func TestLineLikeErl(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "port_lines.erl")
	for _, tc := range []struct {
		name string
		l    int
		data string
	}{
		{"short lines", 4, "ab\ncd\n"},
		{"exactly L", 4, "abcd\nefgh\n"},
		{"L plus one", 4, "abcde\n"},
		{"several parts", 4, "abcdefghij\nxy\n"},
		{"multiple of L", 3, "abcdef\n"},
		{"empty lines", 4, "\n\n\nx\n"},
		{"no final newline", 4, "abc\ndefghi"},
		{"only a fragment", 5, "abcdefghijklm"},
		{"crlf", 8, "dos\r\nline\r\n"},
		{"crlf after L bytes", 4, "abcd\r\nab\r\n"},
		{"lone cr is content", 4, "ab\rcd\n"},
		{"two crs", 2, "abc\r\r\n"},
		{"cr at the end after L", 4, "abcd\r"},
		{"cr at the end", 4, "abc\r"},
		{"only crlf", 4, "\r\n"},
		{"binary bytes", 4, "\x00\xff\x01\n\xfe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(erl, "-noinput", "-pa", dir, "-s", "port_lines", "start",
				strconv.Itoa(tc.l), strings.ToUpper(hex.EncodeToString([]byte(printfFormat(tc.data))))).Output()
			if err != nil {
				t.Fatalf("erl: %v\n%s", err, out)
			}
			want := strings.TrimSuffix(string(out), "end\n")
			n := localNode(t)
			o := startOwner(t, n, true)
			pt := o.open(t, "printf", []string{printfFormat(tc.data)}, WithLine(tc.l))
			_, evs := o.drain(t, pt)
			var got strings.Builder
			for _, e := range evs[:len(evs)-1] {
				fmt.Fprintf(&got, "%s %s\n", e.kind, strings.ToUpper(hex.EncodeToString(e.data)))
			}
			if got.String() != want {
				t.Fatalf("erlgo:\n%s\nerl:\n%s", got.String(), want)
			}
		})
	}
}

// printfFormat is a printf format that prints data exactly: letters and
// digits as they are, every other byte as an octal escape.
func printfFormat(data string) string {
	var b strings.Builder
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03o", c)
		}
	}
	return b.String()
}

// Bad messages to a port get what ERTS gives them: the owner receives an
// exit signal badsig and the port keeps running, or (a {packet, 1}
// command over 255 bytes) the port exits einval. testdata/port_sigs.erl
// runs the cases on erl; the same cases run here and the lines must match.
func TestBadMessagesLikeErl(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "port_sigs.erl")
	out, err := exec.Command(erl, "-noinput", "-pa", dir, "-s", "port_sigs", "start").Output()
	if err != nil {
		t.Fatalf("erl: %v\n%s", err, out)
	}
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if name, rest, ok := strings.Cut(line, ": "); ok {
			want[name] = rest
		}
	}
	n := localNode(t)
	other := startOwner(t, n, true)
	for _, tc := range []struct {
		name string
		opts []Option
		send func(p *node.Process, pt *Port) error
	}{
		{"other_sender", nil, func(_ *node.Process, pt *Port) error {
			return other.Do(t, func(q *node.Process) error {
				return q.Send(pt.ID(), etf.Tuple{q.Self(), etf.Tuple{atomCommand, []byte("x\n")}})
			})
		}},
		{"bad_data", nil, func(p *node.Process, pt *Port) error {
			return p.Send(pt.ID(), etf.Tuple{p.Self(), etf.Tuple{atomCommand, etf.Atom("foo")}})
		}},
		{"junk", nil, func(p *node.Process, pt *Port) error { return p.Send(pt.ID(), etf.Atom("foo")) }},
		{"connect_junk", nil, func(p *node.Process, pt *Port) error {
			return p.Send(pt.ID(), etf.Tuple{p.Self(), etf.Tuple{atomConnect, etf.Atom("foo")}})
		}},
		{"iolist", nil, func(p *node.Process, pt *Port) error {
			return p.Send(pt.ID(), etf.Tuple{p.Self(), etf.Tuple{atomCommand,
				etf.List{int('a'), etf.List{[]byte("b")}, etf.Charlist("c\n")}}})
		}},
		{"packet1_too_big", []Option{WithPacket(1)}, func(p *node.Process, pt *Port) error {
			return p.Send(pt.ID(), etf.Tuple{p.Self(), etf.Tuple{atomCommand, make([]byte, 256)}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := startOwner(t, n, true)
			pt := o.open(t, "cat", nil, tc.opts...)
			if err := o.Do(t, func(p *node.Process) error {
				if err := tc.send(p, pt); err != nil {
					return err
				}
				_ = pt.Command(context.Background(), []byte("m\n")) // ErrClosed once the port died
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			got := collectLikeErl(t, o, pt)
			if got != want[tc.name] {
				t.Fatalf("erlgo %q, erl %q", got, want[tc.name])
			}
		})
	}
}

// collectLikeErl is port_sigs.erl's collect/3 for a Go owner: the EXIT
// reasons and the data before the marker, then whether the port runs. An
// exit signal other than badsig comes from a port that died (there is
// no marker then).
func collectLikeErl(t *testing.T, o *owner, pt *Port) string {
	var entries []string
	var buf []byte
	for {
		m := o.Next(t)
		if x, ok := m.(node.ExitMsg); ok {
			if x.Reason != node.Normal {
				entries = append(entries, "EXIT "+string(x.Reason.(etf.Atom)))
			}
			if x.Reason != atomBadsig {
				waitDone(t, pt)
				return strings.Join(entries, ",") + " " + strconv.FormatBool(pt.s.self.IsAlive())
			}
			continue
		}
		tu, ok := m.(etf.Tuple)
		if !ok || tu[0] != pt.ID() {
			t.Fatalf("unexpected %#v", m)
		}
		buf = append(buf, tu[1].(etf.Tuple)[1].([]byte)...)
		if before, ok := bytes.CutSuffix(buf, []byte("m\n")); ok {
			if len(before) > 0 {
				entries = append(entries, "data "+strings.TrimSpace(string(before)))
			}
			return strings.Join(entries, ",") + " " + strconv.FormatBool(pt.s.self.IsAlive())
		}
	}
}
