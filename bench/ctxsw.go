package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ctxSwitches is the context switches so far of every live thread of
// process pid: voluntary_ctxt_switches plus nonvoluntary_ctxt_switches
// from /proc/<pid>/task/*/status. /proc/<pid>/status alone counts only the
// main thread, and a Go or BEAM process does its work on the others.
func ctxSwitches(pid int) (uint64, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil {
		return 0, err
	}
	if len(tasks) == 0 {
		return 0, fmt.Errorf("no /proc/%d/task/*/status", pid)
	}
	var total uint64
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // the thread exited between Glob and ReadFile
		}
		total += parseCtxSwitches(b)
	}
	return total, nil
}

// parseCtxSwitches sums the two ctxt_switches fields of a status file.
func parseCtxSwitches(status []byte) uint64 {
	var n uint64
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		k, v, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok || (string(k) != "voluntary_ctxt_switches" && string(k) != "nonvoluntary_ctxt_switches") {
			continue
		}
		x, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 10, 64)
		if err == nil {
			n += x
		}
	}
	return n
}

// sumCtxSwitches is ctxSwitches summed over pids; ok is false when one of
// them cannot be read (no /proc: the column stays empty).
func sumCtxSwitches(pids []int) (total uint64, ok bool) {
	for _, pid := range pids {
		n, err := ctxSwitches(pid)
		if err != nil {
			return 0, false
		}
		total += n
	}
	return total, true
}

// withCtxSwitches runs run and sets the result's CtxSwitches from the
// growth of the pids' counters over the run: for messages and calls, not
// for idle-memory and etf-term, where a switch per operation means nothing.
func withCtxSwitches(pids []int, c Case, run func() (Result, error)) (Result, error) {
	if k := c.Workload.Kind; k == KindMemory || k == KindCodec {
		return run()
	}
	before, okBefore := sumCtxSwitches(pids)
	r, err := run()
	if err != nil {
		return r, err
	}
	after, okAfter := sumCtxSwitches(pids)
	if okBefore && okAfter && r.Ops > 0 && after >= before {
		r.CtxSwitches = float64(after-before) / float64(r.Ops)
	}
	return r, nil
}
