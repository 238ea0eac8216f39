package bench

import (
	"fmt"
	"io"
	"strings"
)

// WriteTable writes the report as Markdown: a machine header, then one
// table row per case and side with median (min..max) over rounds, call
// latency percentiles and the ratio erlgo/BEAM. Markdown reads fine on a
// terminal and pastes into the README unchanged.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "erlgo bench — %s\n\n", r.Started.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- machine: %s, %d cores, %s/%s, kernel %s, %d MiB RAM\n", m.CPU, m.Cores, m.GOOS, m.GOARCH, m.Kernel, m.MemMiB)
	if m.OTP != "" {
		fmt.Fprintf(&b, "- %s, Erlang/OTP %s (erts %s)\n", m.GoVersion, m.OTP, m.ERTS)
	} else {
		fmt.Fprintf(&b, "- %s, no Erlang/OTP found\n", m.GoVersion)
	}
	s := r.Settings
	fmt.Fprintf(&b, "- rounds %d (median, min..max), n %d per sender before scaling", s.Rounds, s.N)
	if s.Duration != "" {
		fmt.Fprintf(&b, ", calibrated to %s per round", s.Duration)
	}
	fmt.Fprintf(&b, ", pairs %v, idle processes %v, took %s\n", s.Pairs, s.IdleProcs, r.Took)
	b.WriteString("- sides:")
	for _, sd := range r.Sides {
		fmt.Fprintf(&b, " %s=%s", sd.Name, sd.Status)
	}
	b.WriteString("\n\n")
	r.writeSummary(&b)
	r.writeReferences(&b)
	b.WriteString("\nDetail (median over rounds, min..max, call latency percentiles, context switches per operation):\n\n")
	b.WriteString("| case | side | median | min..max | p50 | p90 | p99 | erlgo/BEAM | ctxsw/op |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			fmt.Fprintf(&b, "| %s | %s | ", row.Case, c.Side)
			if !c.OK() {
				fmt.Fprintf(&b, "%s | | | | | | |\n", c.Status)
				continue
			}
			cs := caseOfRow(row)
			fmt.Fprintf(&b, "%s %s | %s..%s | ", FormatValue(c.Value.Median, cs), row.Unit,
				FormatValue(c.Value.Min, cs), FormatValue(c.Value.Max, cs))
			if c.P50 != nil {
				fmt.Fprintf(&b, "%s | %s | %s | ", FormatLatency(c.P50.Median), FormatLatency(c.P90.Median), FormatLatency(c.P99.Median))
			} else {
				b.WriteString("| | | ")
			}
			if c.Ratio != nil {
				fmt.Fprintf(&b, "%.2fx vs %s", *c.Ratio, c.Baseline)
				if c.P50Ratio != nil {
					fmt.Fprintf(&b, " (p50 %.2fx)", *c.P50Ratio)
				}
			}
			b.WriteString(" | ")
			if c.CtxSwitches != nil {
				fmt.Fprintf(&b, "%.2f", c.CtxSwitches.Median)
			}
			b.WriteString(" |\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSummary writes one row per case and one column per side: the
// median, and for erlgo sides the ratio to their BEAM baseline.
func (r *Report) writeSummary(b *strings.Builder) {
	var sides []string
	for _, sd := range r.Sides {
		sides = append(sides, sd.Name)
	}
	b.WriteString("| case | unit | " + strings.Join(sides, " | ") + " |\n")
	b.WriteString("|---|---|" + strings.Repeat("---:|", len(sides)) + "\n")
	for _, row := range r.Rows {
		cs := caseOfRow(row)
		cells := map[string]Cell{}
		for _, c := range row.Cells {
			cells[c.Side] = c
		}
		fmt.Fprintf(b, "| %s | %s |", row.Case, row.Unit)
		for _, name := range sides {
			c, ok := cells[name]
			switch {
			case !ok:
				b.WriteString(" |")
			case !c.OK():
				b.WriteString(" n/a |")
			case c.Ratio != nil:
				fmt.Fprintf(b, " %s (**%.2fx**) |", FormatValue(c.Value.Median, cs), *c.Ratio)
			default:
				fmt.Fprintf(b, " %s |", FormatValue(c.Value.Median, cs))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("\nRatios in bold: erlgo side / its BEAM baseline (go-local vs beam-local; go-go, go-beam, beam-go vs beam-beam); above 1 is faster, for bytes/proc below 1 is smaller, for ms (shape round trips) below 1 is faster.\n")
}

// caseOfRow rebuilds enough of a Case to format a row's values.
func caseOfRow(row Row) Case {
	w, err := LookupWorkload(row.Workload)
	if err != nil {
		w = Workload{Name: row.Workload, Kind: KindFlood}
	}
	return Case{Workload: w, Op: row.Op, Pairs: row.Pairs}
}

// writeReferences reads the large-message rows against the loopback TCP
// limit and the call p50s against the TCP ping-pong floor, both measured
// in the same run (go-go's tcp-limit and tcp-pingpong rows), for the sides
// that cross a connection.
func (r *Report) writeReferences(b *strings.Builder) {
	limit, okLimit := r.referenceCell(RefTCPLimit)
	floor, okFloor := r.referenceCell(RefTCPPingPong)
	if !okLimit && !okFloor {
		return
	}
	b.WriteString("\nAgainst the references measured in this run:\n\n")
	for _, row := range r.Rows {
		cs := caseOfRow(row)
		if cs.Workload.Reference {
			continue
		}
		for _, c := range row.Cells {
			switch {
			case !c.OK() || c.Side == SideGoLocal || c.Side == SideBEAMLocal:
				// In-process messages and calls never touch TCP.
			case okLimit && cs.Workload.Kind == KindBytes && limit.Value.Median > 0:
				fmt.Fprintf(b, "- %s %s: %s MB/s = %.1f%% of the loopback TCP limit (%s MB/s)\n", row.Case, c.Side,
					FormatValue(c.Value.Median, cs), 100*c.Value.Median/limit.Value.Median, FormatValue(limit.Value.Median, cs))
			case okFloor && cs.Workload.Kind == KindCall && c.P50 != nil && floor.P50 != nil && floor.P50.Median > 0 && row.Pairs == 1:
				fmt.Fprintf(b, "- %s %s: p50 %s = %.1fx the TCP ping-pong floor (%s)\n", row.Case, c.Side,
					FormatLatency(c.P50.Median), c.P50.Median/floor.P50.Median, FormatLatency(floor.P50.Median))
			}
		}
	}
}

// referenceCell is the measured cell of reference workload name.
func (r *Report) referenceCell(name string) (Cell, bool) {
	for _, row := range r.Rows {
		if row.Workload != name {
			continue
		}
		for _, c := range row.Cells {
			if c.OK() {
				return c, true
			}
		}
	}
	return Cell{}, false
}
