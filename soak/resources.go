package soak

import (
	"context"
	"runtime"
	"runtime/metrics"
	"time"
)

// sample is the Go process's footprint at one moment: goroutines and the
// live heap right after a forced GC.
type sample struct {
	goroutines int
	heap       uint64 // bytes of live heap objects (/gc/heap/live:bytes)
}

func takeSample() sample {
	// Two cycles: the first moves sync.Pool contents to the victim cache,
	// the second frees them, so pooled buffers do not count as retained.
	runtime.GC()
	runtime.GC()
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(m)
	var heap uint64
	if m[0].Value.Kind() == metrics.KindUint64 {
		heap = m[0].Value.Uint64()
	}
	return sample{goroutines: runtime.NumGoroutine(), heap: heap}
}

// within reports whether s is back to base within the slack.
func (s sample) within(base sample, gSlack int, hSlack uint64) bool {
	return s.goroutines <= base.goroutines+gSlack && s.heap <= base.heap+hSlack
}

// settle polls (GC, sample) until the footprint is back to base within the
// slack or max has passed, and returns the last sample and whether it
// settled. Goroutines of finished processes and connection buffers are
// released asynchronously, so one sample right after a phase would see
// them; a bounded poll waits for them without a fixed sleep.
func settle(ctx context.Context, base sample, gSlack int, hSlack uint64, max time.Duration) (sample, bool) {
	deadline := time.Now().Add(max)
	for {
		s := takeSample()
		if s.within(base, gSlack, hSlack) {
			return s, true
		}
		if time.Now().After(deadline) {
			return s, false
		}
		select {
		case <-ctx.Done():
			return s, false
		case <-time.After(200 * time.Millisecond):
		}
	}
}
