package observer

import (
	"context"
	"sync"
	"time"
)

// historySize is how many samples the charts keep: 10 minutes at one
// sample every 2 s (the page's refresh).
const historySize = 300

// minSampleGap keeps several open pages from sampling faster than this.
const minSampleGap = time.Second

// Sample is one point of the load charts. Counters (IO, messages) are
// cumulative; the page plots their rate. Down marks a sample taken while
// the target did not answer (a gap in the charts).
type Sample struct {
	Time        time.Time `json:"t"`
	Down        bool      `json:"down,omitempty"`
	Processes   int       `json:"processes"`
	MemoryBytes uint64    `json:"memory_bytes"`
	RunQueue    *int      `json:"run_queue,omitempty"`
	IOInBytes   *uint64   `json:"io_in_bytes,omitempty"`
	IOOutBytes  *uint64   `json:"io_out_bytes,omitempty"`
	MessagesIn  *uint64   `json:"messages_in,omitempty"`
	MessagesOut *uint64   `json:"messages_out,omitempty"`
}

// history is a ring of samples, filled only while someone polls it.
type history struct {
	mu      sync.Mutex
	samples []Sample // oldest first, at most historySize
}

// sample appends a fresh sample unless the last one is recent, and
// returns a copy of the ring.
func (h *history) sample(ctx context.Context, src Source, now time.Time) []Sample {
	h.mu.Lock()
	fresh := len(h.samples) > 0 && now.Sub(h.samples[len(h.samples)-1].Time) < minSampleGap
	h.mu.Unlock()
	if !fresh {
		s := takeSample(ctx, src, now)
		h.mu.Lock()
		if len(h.samples) == historySize {
			h.samples = append(h.samples[:0], h.samples[1:]...)
		}
		h.samples = append(h.samples, s)
		h.mu.Unlock()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Sample(nil), h.samples...)
}

func takeSample(ctx context.Context, src Source, now time.Time) Sample {
	info, err := src.Node(ctx)
	if err != nil {
		return Sample{Time: now, Down: true}
	}
	s := Sample{Time: now, Processes: info.ProcessCount, MemoryBytes: info.MemoryBytes,
		RunQueue: info.RunQueue, IOInBytes: info.IOInBytes, IOOutBytes: info.IOOutBytes}
	if in, ok := src.(Inspector); ok {
		if cs, err := in.Connections(ctx); err == nil {
			s.MessagesIn, s.MessagesOut = sumCounters(cs)
		}
	}
	return s
}

// sumCounters adds up the message counters of the connections that
// report them (nil when none does).
func sumCounters(cs []ConnInfo) (in, out *uint64) {
	for _, c := range cs {
		if c.MessagesIn != nil {
			in = addTo(in, *c.MessagesIn)
		}
		if c.MessagesOut != nil {
			out = addTo(out, *c.MessagesOut)
		}
	}
	return in, out
}

func addTo(p *uint64, v uint64) *uint64 {
	if p == nil {
		return &v
	}
	*p += v
	return p
}
