package framing

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

type frame struct {
	k Kind
	b string
}

// run pushes chunks through a framer for c and returns the messages, the
// EOF leftovers included, and the first error.
func run(t *testing.T, c Config, chunks ...string) ([]frame, error) {
	t.Helper()
	f, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	var out []frame
	emit := func(k Kind, b []byte) bool { out = append(out, frame{k, string(b)}); return true }
	for _, ch := range chunks {
		if err := f.Push([]byte(ch), emit); err != nil {
			return out, err
		}
	}
	f.EOF(emit)
	return out, nil
}

func TestFramer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		c      Config
		chunks []string
		want   []frame
		err    error
	}{
		{"raw", Config{}, []string{"ab", "", "c"}, []frame{{Data, "ab"}, {Data, "c"}}, nil},
		{"packet1 split header", Config{Mode: Packet, Header: 1}, []string{"\x03a", "bc\x00", "\x01", "z"}, []frame{{Data, "abc"}, {Data, ""}, {Data, "z"}}, nil},
		{"packet2", Config{Mode: Packet, Header: 2}, []string{"\x00\x02hi\x00\x01!"}, []frame{{Data, "hi"}, {Data, "!"}}, nil},
		{"packet4 byte by byte", Config{Mode: Packet, Header: 4}, strings.Split("\x00\x00\x00\x03xyz", ""), []frame{{Data, "xyz"}}, nil},
		{"packet4 over max", Config{Mode: Packet, Header: 4, Max: 2}, []string{"\x00\x00\x00\x01a\x00\x00\x00\x03abc"}, []frame{{Data, "a"}}, ErrTooLarge},
		{"packet4 over max in a split header", Config{Mode: Packet, Header: 4, Max: 2}, []string{"\x00\x00", "\x00\x03"}, nil, ErrTooLarge},
		{"packet partial dropped at eof", Config{Mode: Packet, Header: 1}, []string{"\x05ab"}, nil, nil},
		{"line keeps newline", Config{Mode: Line, Max: 8}, []string{"ab\ncd", "e\n\nf"}, []frame{{Data, "ab\n"}, {Data, "cde\n"}, {Data, "\n"}, {Data, "f"}}, nil},
		{"line exactly max", Config{Mode: Line, Max: 3}, []string{"ab\n"}, []frame{{Data, "ab\n"}}, nil},
		{"line over max with newline", Config{Mode: Line, Max: 3}, []string{"abc\n"}, nil, ErrTooLarge},
		{"line over max without newline", Config{Mode: Line, Max: 3}, []string{"ab", "cd"}, nil, ErrTooLarge},
		{"split line", Config{Mode: SplitLine, Max: 4}, []string{"abcdefghij\r", "\nxy"}, []frame{{NoEOL, "abcd"}, {NoEOL, "efgh"}, {EOL, "ij"}, {NoEOL, "xy"}}, nil},
		{"split line exactly L", Config{Mode: SplitLine, Max: 4}, []string{"abcd\n"}, []frame{{EOL, "abcd"}}, nil},
		{"split line lone cr", Config{Mode: SplitLine, Max: 4}, []string{"ab\rc\n"}, []frame{{EOL, "ab\rc"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := run(t, tc.c, tc.chunks...)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	for _, c := range []Config{{Mode: Packet, Header: 3}, {Mode: Line}, {Mode: SplitLine, Max: -1}, {Mode: 9}, {Mode: Packet, Header: 4, Max: -1}} {
		if _, err := New(c); !errors.Is(err, ErrBadConfig) {
			t.Errorf("New(%+v) = %v, want ErrBadConfig", c, err)
		}
	}
}

func TestAppendHeader(t *testing.T) {
	for _, tc := range []struct {
		n, size int
		want    string
		err     error
	}{
		{0, 5, "", nil},
		{1, 255, "\xff", nil},
		{1, 256, "", ErrHeaderOverflow},
		{2, 65535, "\xff\xff", nil},
		{2, 65536, "", ErrHeaderOverflow},
		{4, 65536, "\x00\x01\x00\x00", nil},
		{3, 1, "", ErrBadConfig},
	} {
		got, err := AppendHeader(nil, tc.n, tc.size)
		if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) || string(got) != tc.want {
			t.Errorf("AppendHeader(%d, %d) = %q, %v; want %q, %v", tc.n, tc.size, got, err, tc.want, tc.err)
		}
	}
}

// Emitted messages are the receiver's: the framer never reuses them.
func TestFramesAreFresh(t *testing.T) {
	f, _ := New(Config{Mode: Packet, Header: 1})
	var got [][]byte
	buf := []byte("\x02ab\x02cd")
	_ = f.Push(buf, func(_ Kind, b []byte) bool { got = append(got, b); return true })
	copy(buf, "XXXXXX")
	if !bytes.Equal(got[0], []byte("ab")) || !bytes.Equal(got[1], []byte("cd")) {
		t.Fatalf("%q", got)
	}
}
