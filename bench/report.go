package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"
)

// Report is the outcome of one Run, as written to JSON.
type Report struct {
	Machine  Machine      `json:"machine"`
	Started  time.Time    `json:"started"`
	Took     string       `json:"took"`
	Settings Settings     `json:"settings"`
	Sides    []SideStatus `json:"sides"`
	Rows     []Row        `json:"rows"`
}

// Settings records the configuration a report was measured with.
type Settings struct {
	Rounds    int      `json:"rounds"`
	N         int      `json:"n"`
	Duration  string   `json:"duration,omitempty"`
	Pairs     []int    `json:"pairs"`
	IdleProcs []int    `json:"idle_procs"`
	Workloads []string `json:"workloads"`
	Warmup    bool     `json:"warmup"`
}

// SideStatus says whether a side ran.
type SideStatus struct {
	Name     string `json:"name"`
	Baseline string `json:"baseline,omitempty"`
	// Status is "ok", "n/a (not built yet)", "n/a (<reason>)" or
	// "error: <reason>".
	Status string `json:"status"`
}

// Row is one case measured on every side that supports it.
type Row struct {
	Case           string `json:"case"`
	Workload       string `json:"workload"`
	Op             string `json:"op,omitempty"`
	Pairs          int    `json:"pairs"`
	Unit           string `json:"unit"`
	HigherIsBetter bool   `json:"higher_is_better"`
	Cells          []Cell `json:"cells"`
}

// Cell is one case on one side.
type Cell struct {
	Side string `json:"side"`
	// Status is "ok", or why there is no number.
	Status string `json:"status"`
	// N is the operations per pair and round (after calibration).
	N int `json:"n,omitempty"`
	// Value summarizes the main metric over rounds (Row.Unit).
	Value Summary `json:"value"`
	// Samples are the per-round values in round order.
	Samples []float64 `json:"samples,omitempty"`
	// P50, P90, P99 summarize call latency percentiles (nanoseconds) over
	// rounds.
	P50 *Summary `json:"p50_ns,omitempty"`
	P90 *Summary `json:"p90_ns,omitempty"`
	P99 *Summary `json:"p99_ns,omitempty"`
	// CtxSwitches summarizes context switches per operation over rounds
	// (see Result.CtxSwitches); nil when the side does not measure them.
	CtxSwitches *Summary `json:"ctxsw_per_op,omitempty"`
	// Baseline is the BEAM side this cell is compared with; Ratio is
	// median(this)/median(baseline): above 1 means faster for rates and
	// bigger for bytes/proc. P50Ratio compares median call p50 latency
	// (below 1 means erlgo answers faster).
	Baseline string   `json:"baseline,omitempty"`
	Ratio    *float64 `json:"ratio,omitempty"`
	P50Ratio *float64 `json:"p50_ratio,omitempty"`
}

// OK reports whether the cell holds numbers.
func (c Cell) OK() bool { return c.Status == "ok" }

func buildReport(cfg Config, cases []Case, states []*sideState, start time.Time) *Report {
	rep := &Report{
		Started: start.UTC(),
		Took:    time.Since(start).Round(time.Millisecond).String(),
		Settings: Settings{
			Rounds: cfg.Rounds, N: cfg.N, Pairs: cfg.Pairs, IdleProcs: cfg.IdleProcs, Warmup: !cfg.NoWarmup,
		},
	}
	if cfg.Duration > 0 {
		rep.Settings.Duration = cfg.Duration.String()
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if !seen[c.Workload.Name] {
			seen[c.Workload.Name] = true
			rep.Settings.Workloads = append(rep.Settings.Workloads, c.Workload.Name)
		}
	}
	for _, st := range states {
		rep.Sides = append(rep.Sides, SideStatus{Name: st.side.Name(), Baseline: st.side.Baseline(), Status: st.status})
	}
	for _, c := range cases {
		row := Row{Case: c.ID(), Workload: c.Workload.Name, Op: c.Op, Pairs: c.Pairs, Unit: c.Unit(), HigherIsBetter: c.HigherIsBetter()}
		for _, st := range states {
			if !st.side.Supports(c.Workload) {
				continue
			}
			row.Cells = append(row.Cells, cellOf(st, c))
		}
		addRatios(&row, states)
		rep.Rows = append(rep.Rows, row)
	}
	return rep
}

func cellOf(st *sideState, c Case) Cell {
	cell := Cell{Side: st.side.Name(), Status: st.status, Baseline: st.side.Baseline()}
	if st.status != "ok" {
		return cell
	}
	rs := st.results[c.ID()]
	if err := st.errs[c.ID()]; err != nil && len(rs) == 0 {
		cell.Status = statusOf(err)
		return cell
	}
	if len(rs) == 0 {
		cell.Status = "n/a (no rounds)"
		return cell
	}
	cell.N = c.N
	if n, ok := st.n[c.ID()]; ok {
		cell.N = n
	}
	var vals, p50, p90, p99, csw []float64
	for _, r := range rs {
		vals = append(vals, r.Value(c))
		p50, p90, p99 = append(p50, float64(r.P50)), append(p90, float64(r.P90)), append(p99, float64(r.P99))
		if r.CtxSwitches > 0 {
			csw = append(csw, r.CtxSwitches)
		}
	}
	cell.Value, cell.Samples = Summarize(vals), vals
	if len(csw) > 0 {
		s := Summarize(csw)
		cell.CtxSwitches = &s
	}
	if c.Workload.Kind == KindCall {
		s50, s90, s99 := Summarize(p50), Summarize(p90), Summarize(p99)
		cell.P50, cell.P90, cell.P99 = &s50, &s90, &s99
	}
	return cell
}

// addRatios fills each Go cell's ratio against its BEAM baseline cell.
func addRatios(row *Row, states []*sideState) {
	byName := map[string]Cell{}
	for _, c := range row.Cells {
		byName[c.Side] = c
	}
	for i := range row.Cells {
		c := &row.Cells[i]
		base, ok := byName[c.Baseline]
		if c.Baseline == "" || !ok || !c.OK() || !base.OK() || base.Value.Median == 0 {
			continue
		}
		r := c.Value.Median / base.Value.Median
		c.Ratio = &r
		if c.P50 != nil && base.P50 != nil && base.P50.Median > 0 {
			pr := c.P50.Median / base.P50.Median
			c.P50Ratio = &pr
		}
	}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteFile creates path (and its directory) and fills it with write.
func WriteFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// FormatValue formats a main-metric value for humans: rates with k/M
// suffixes, bytes per process and MB/s as whole numbers.
func FormatValue(v float64, c Case) string {
	if math.IsNaN(v) {
		return "-"
	}
	switch c.Workload.Kind {
	case KindMemory:
		return fmt.Sprintf("%.0f", v)
	case KindBytes:
		return fmt.Sprintf("%.0f", v)
	case KindShape:
		if v < 10 {
			return fmt.Sprintf("%.2f", v)
		}
		return fmt.Sprintf("%.1f", v)
	}
	return FormatRate(v)
}

// FormatRate formats an operations-per-second figure with a k/M suffix.
func FormatRate(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

// FormatLatency formats nanoseconds as µs or ms.
func FormatLatency(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2fms", ns/1e6)
	default:
		return fmt.Sprintf("%.1fµs", ns/1e3)
	}
}

// ReadReport reads a report written by WriteJSON, so that the table and
// chart can be regenerated without measuring again.
func ReadReport(r io.Reader) (*Report, error) {
	var rep Report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	return &rep, nil
}
