package epmd

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseRequest feeds arbitrary bytes to the server's framing and
// request parser: they must never panic, and whatever parses must survive
// an encode/parse round trip unchanged.
func FuzzParseRequest(f *testing.F) {
	seeds := [][]byte{
		aliveBody(3, "foo", 2, "xy"),
		aliveBody(1, "a", 0, ""),
		aliveBody(40, "foo", 0, ""),
		aliveBody(3, "foo", 0xffff, ""),
		aliveBody(3, "f\x00o", 0, ""),
		[]byte("zfoo"), []byte("zfoo\x00"), []byte("z\xff"), []byte("z"),
		[]byte("n"), []byte("d"), []byte("k"), []byte("sfoo"), []byte("s"),
		append([]byte("z"), strings.Repeat("é", 256)...),
		{}, {0xff}, {0, 1, 'n'}, {0xff, 0xff},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The framing reader must bound what it allocates.
		if body, err := readFrame(bytes.NewReader(data)); err == nil && len(body) > MaxRequestLen {
			t.Fatalf("readFrame returned %d bytes", len(body))
		}
		req, err := ParseRequest(data)
		if err != nil {
			return
		}
		// Empty names pass the parser when padded (epmd's framing allows
		// them), but the server must refuse them; re-encoded without the
		// padding they are too short to parse.
		if a, ok := req.(*AliveRequest); ok && a.Name == "" {
			if ValidateAlive(a) == nil {
				t.Fatalf("ValidateAlive accepted an empty name")
			}
			return
		}
		frame := req.AppendFrame(nil)
		again, err := ParseRequest(frame[2:])
		if err != nil {
			t.Fatalf("re-encoded %T does not parse: %v", req, err)
		}
		if !reflect.DeepEqual(req, again) {
			t.Fatalf("round trip changed %#v into %#v", req, again)
		}
	})
}

// FuzzParseNames checks the client's NAMES parser never panics and that
// what it accepts formats back to the same lines.
func FuzzParseNames(f *testing.F) {
	f.Add("name a at port 1\nname b at port 2\n")
	f.Add("name  at port 0\n")
	f.Add("garbage")
	f.Add("name x at port -1\n")
	f.Fuzz(func(t *testing.T, text string) {
		names, err := ParseNames(text)
		if err != nil {
			return
		}
		for _, n := range names {
			if strings.Contains(n.Name, "\n") {
				t.Fatalf("name with newline %q", n.Name)
			}
		}
	})
}
