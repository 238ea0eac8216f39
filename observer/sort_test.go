package observer

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func TestSortProcesses(t *testing.T) {
	ps := []ProcessInfo{
		{PID: "<0.1.0>", Name: "b", MessageQueueLen: ptr(0), Memory: ptr[uint64](10), Reductions: ptr[uint64](5)},
		{PID: "<0.2.0>", MessageQueueLen: ptr(7), Memory: ptr[uint64](30), Reductions: ptr[uint64](1)},
		{PID: "<0.3.0>", Name: "a", MessageQueueLen: ptr(3), Memory: ptr[uint64](20), Reductions: ptr[uint64](9)},
		{PID: "<0.4.0>"}, // nothing measured: sorts last
	}
	tests := []struct {
		q    Query
		want []string
	}{
		{Query{}, []string{"<0.2.0>", "<0.3.0>", "<0.1.0>", "<0.4.0>"}},
		{Query{Sort: "memory"}, []string{"<0.2.0>", "<0.3.0>", "<0.1.0>", "<0.4.0>"}},
		{Query{Sort: "reductions", Limit: 2}, []string{"<0.3.0>", "<0.1.0>"}},
		{Query{Sort: "name"}, []string{"<0.3.0>", "<0.1.0>", "<0.2.0>", "<0.4.0>"}},
	}
	for _, tt := range tests {
		t.Run(tt.q.Sort, func(t *testing.T) {
			q, err := tt.q.normalize()
			require.NoError(t, err)
			var got []string
			for _, p := range sortProcesses(append([]ProcessInfo(nil), ps...), q) {
				got = append(got, p.PID)
			}
			require.Equal(t, tt.want, got)
		})
	}
	_, err := Query{Sort: "heap"}.normalize()
	require.True(t, errors.Is(err, ErrBadQuery))
	_, err = Query{Filter: strings.Repeat("x", maxFilter+1)}.normalize()
	require.True(t, errors.Is(err, ErrBadQuery))
	q, err := Query{Filter: "AbC"}.normalize()
	require.NoError(t, err)
	require.True(t, q.matches("xabcx", "<a@b.1.0>"))
	require.True(t, q.matches("", "<abc@b.1.0>"))
	require.False(t, q.matches("ab", "<a@b.1.0>"))
	q, err = Query{Limit: 1 << 30}.normalize()
	require.NoError(t, err)
	require.Equal(t, maxLimit, q.Limit)
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	err := WriteText(&b, NodeInfo{Name: "x@h", Kind: KindBEAM, ProcessCount: 2, RegisteredCount: 1},
		ProcessList{Scope: "all", Total: 2, Processes: []ProcessInfo{
			{PID: "<0.1.0>", Name: "init", MessageQueueLen: ptr(0), CurrentFunction: "init:loop/1"},
			{PID: "<0.2.0>"},
		}})
	require.NoError(t, err)
	out := b.String()
	for _, want := range []string{"x@h", "beam", "processes (all, 2 shown of 2)", "init:loop/1", "<0.2.0>"} {
		require.Contains(t, out, want)
	}
}
