package epmd

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// aliveBody builds an ALIVE2_REQ body with explicit length fields.
func aliveBody(nlen int, name string, elen int, extra string) []byte {
	b := []byte{codeAlive2Req, 0x12, 0x34, 77, 0, 0, 6, 0, 5, byte(nlen >> 8), byte(nlen)}
	b = append(b, name...)
	b = append(b, byte(elen>>8), byte(elen))
	return append(b, extra...)
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want Request // nil: must be rejected
	}{
		{"alive", aliveBody(3, "foo", 2, "xy"), &AliveRequest{Port: 0x1234, NodeType: NodeNormal, HighestVersion: 6, LowestVersion: 5, Name: "foo", Extra: []byte("xy")}},
		{"alive no extra", aliveBody(1, "a", 0, ""), &AliveRequest{Port: 0x1234, NodeType: NodeNormal, HighestVersion: 6, LowestVersion: 5, Name: "a"}},
		{"alive trailing bytes ignored", append(aliveBody(1, "a", 0, ""), 9, 9), &AliveRequest{Port: 0x1234, NodeType: NodeNormal, HighestVersion: 6, LowestVersion: 5, Name: "a"}},
		{"alive too short", aliveBody(0, "", 0, ""), nil},
		{"alive name length past end", aliveBody(40, "foo", 0, ""), nil},
		{"alive extra length past end", aliveBody(3, "foo", 9, "xy"), nil},
		{"alive name with NUL", aliveBody(3, "f\x00o", 0, ""), nil},
		{"alive truncated header", []byte{codeAlive2Req, 1, 2}, nil},
		{"port please", []byte("zfoo"), &PortPleaseRequest{Name: "foo"}},
		{"port please NUL terminated", []byte("zfoo\x00"), &PortPleaseRequest{Name: "foo"}},
		{"port please empty", []byte("z"), nil},
		{"port please only NUL", []byte("z\x00"), nil},
		{"port please inner NUL", []byte("zf\x00o"), nil},
		{"port please bad UTF-8", []byte("z\xff"), nil},
		{"port please 256 chars", append([]byte("z"), strings.Repeat("é", 256)...), nil},
		{"port please 255 chars", append([]byte("z"), strings.Repeat("é", 255)...), &PortPleaseRequest{Name: strings.Repeat("é", 255)}},
		{"names", []byte("n"), &NamesRequest{}},
		{"names with junk", []byte("nxyz"), &NamesRequest{}},
		{"dump", []byte("d"), &DumpRequest{}},
		{"kill", []byte("k"), &KillRequest{}},
		{"stop", []byte("sfoo"), &StopRequest{Name: "foo"}},
		{"stop C string", []byte("sfoo\x00bar"), &StopRequest{Name: "foo"}},
		{"stop empty", []byte("s"), nil},
		{"empty", nil, nil},
		{"old ALIVE_REQ", []byte("a\x00\x01foo"), nil},
		{"unknown", []byte{0xff}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRequest(tt.body)
			if tt.want == nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			// Encoding and parsing again is stable.
			frame := got.AppendFrame(nil)
			again, err := ParseRequest(frame[2:])
			require.NoError(t, err)
			assert.Equal(t, got, again)
		})
	}
}

func TestAppendFrameExact(t *testing.T) {
	r := &AliveRequest{Port: 4370, NodeType: NodeHidden, Protocol: 0, HighestVersion: 6, LowestVersion: 5, Name: "ab", Extra: []byte{1}}
	want := []byte{0, 16, 120, 0x11, 0x12, 72, 0, 0, 6, 0, 5, 0, 2, 'a', 'b', 0, 1, 1}
	assert.Equal(t, want, r.AppendFrame(nil))
	assert.Equal(t, []byte{0, 4, 122, 'f', 'o', 'o'}, (&PortPleaseRequest{Name: "foo"}).AppendFrame(nil))
	assert.Equal(t, []byte{0, 1, 110}, (&NamesRequest{}).AppendFrame(nil))
	assert.Equal(t, []byte{0, 1, 100}, (&DumpRequest{}).AppendFrame(nil))
	assert.Equal(t, []byte{0, 1, 107}, (&KillRequest{}).AppendFrame(nil))
	assert.Equal(t, []byte{0, 2, 115, 'x'}, (&StopRequest{Name: "x"}).AppendFrame(nil))
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"node_1-x", true},
		{"ünïcødé", true},
		{strings.Repeat("x", 255), true},
		{strings.Repeat("€", 255), true},
		{"", false},
		{strings.Repeat("x", 256), false},
		{"a\x00b", false},
		{"\xc0\xaf", false},         // overlong
		{"\xed\xa0\x80", false},     // surrogate
		{"\xf4\x90\x80\x80", false}, // > U+10FFFF
	}
	for _, tt := range tests {
		err := ValidateName(tt.name)
		if tt.ok {
			assert.NoError(t, err, "%q", tt.name)
		} else {
			assert.ErrorIs(t, err, ErrInvalidName, "%q", tt.name)
		}
	}
	assert.ErrorIs(t, ValidateAlive(&AliveRequest{Name: "a", Extra: make([]byte, MaxSymLen+1)}), ErrInvalidName)
	assert.NoError(t, ValidateAlive(&AliveRequest{Name: "a", Extra: make([]byte, MaxSymLen)}))
}

func TestParseNames(t *testing.T) {
	got, err := ParseNames("name a at port 1\nname b c at port 65535\n")
	require.NoError(t, err)
	assert.Equal(t, []NameEntry{{"a", 1}, {"b c", 65535}}, got)
	got, err = ParseNames("")
	require.NoError(t, err)
	assert.Empty(t, got)
	for _, bad := range []string{"garbage\n", "name a at port x\n", "name a\n"} {
		_, err := ParseNames(bad)
		assert.ErrorIs(t, err, ErrProtocol, bad)
	}
}

func TestPortFromEnv(t *testing.T) {
	tests := []struct {
		env  string
		want int
	}{
		{"", DefaultPort},
		{"4370", 4370},
		{" 5000\n", 5000},
		{"0", DefaultPort},
		{"65536", DefaultPort},
		{"abc", DefaultPort},
	}
	for _, tt := range tests {
		t.Setenv(EnvPort, tt.env)
		assert.Equal(t, tt.want, PortFromEnv(), "%q", tt.env)
	}
}

func TestReadFrame(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want []byte
	}{
		{"ok", []byte{0, 1, 'n'}, []byte("n")},
		{"max", append([]byte{byte(MaxRequestLen >> 8), byte(MaxRequestLen & 0xff)}, bytes.Repeat([]byte{'n'}, MaxRequestLen)...), bytes.Repeat([]byte{'n'}, MaxRequestLen)},
		{"zero length", []byte{0, 0}, nil},
		{"one over max", []byte{byte((MaxRequestLen + 1) >> 8), byte((MaxRequestLen + 1) & 0xff)}, nil},
		{"65535", []byte{0xff, 0xff, 1, 2, 3}, nil},
		{"short body", []byte{0, 5, 'n'}, nil},
		{"short header", []byte{0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readFrame(bytes.NewReader(tt.in))
			if tt.want == nil {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := readFrame(bytes.NewReader(nil))
	assert.ErrorIs(t, err, io.EOF)
}
