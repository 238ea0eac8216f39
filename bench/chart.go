package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
)

// sideColors gives each side a fixed color: BEAM sides purple, Go sides
// blue, mixed sides green/orange.
var sideColors = map[string]string{
	SideBEAMLocal: "#9b59b6",
	SideBEAMBEAM:  "#5b2c6f",
	SideGoLocal:   "#00add8",
	SideGoGo:      "#00708c",
	SideGoBEAM:    "#27ae60",
	SideBEAMGo:    "#e67e22",
}

// Chart geometry, in SVG user units.
const (
	chartWidth   = 1080
	chartLabelW  = 190 // case label column
	chartBarW    = 480 // longest bar
	chartBarH    = 13
	chartBarGap  = 3
	chartRowGap  = 12
	chartTopPad  = 92
	chartFontPx  = 11
	chartValueX  = chartLabelW + chartBarW + 8
	chartPadLeft = 10
)

// WriteSVG draws the report as a horizontal bar chart: one group per case
// and class of side (the local sides of a case form one group, its
// loopback sides another), one bar per side, a whisker for min..max, and
// the value, unit and erlgo/BEAM ratio as text. Bar lengths are linear and
// every bar of a group shares the group's one scale, so bars that stand
// next to each other compare by length, workloads with different units
// share one picture and loopback bars are not dwarfed by local ones. Sides
// that did not start appear only in the legend; a case a side could not
// run is written as text.
func (r *Report) WriteSVG(w io.Writer) error {
	rows := chartGroups(r.startedRows())
	height := chartTopPad
	for _, row := range rows {
		height += len(row.Cells)*(chartBarH+chartBarGap) + chartRowGap
	}
	height += 20

	var b bytes.Buffer
	r.svgHeader(&b, height)
	y := chartTopPad
	for _, row := range rows {
		y = svgGroup(&b, row, y)
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// startedRows are the report's rows without the cells of sides that did
// not start (those appear only in the legend); rows left empty go.
func (r *Report) startedRows() []Row {
	started := map[string]bool{}
	for _, sd := range r.Sides {
		started[sd.Name] = sd.Status == "ok"
	}
	rows := make([]Row, 0, len(r.Rows))
	for _, row := range r.Rows {
		var cells []Cell
		for _, c := range row.Cells {
			if ok, known := started[c.Side]; ok || !known {
				cells = append(cells, c)
			}
		}
		if len(cells) > 0 {
			row.Cells = cells
			rows = append(rows, row)
		}
	}
	return rows
}

// chartGroups splits each row into its local cells and its loopback cells,
// in that order, each a group of its own (labelled "<case> local" and
// "<case> loopback" when a row has both), so one group holds one scale.
func chartGroups(rows []Row) []Row {
	out := make([]Row, 0, len(rows))
	for _, row := range rows {
		var local, loop []Cell
		for _, c := range row.Cells {
			if isLocalSide(c.Side) {
				local = append(local, c)
			} else {
				loop = append(loop, c)
			}
		}
		if len(local) == 0 || len(loop) == 0 {
			out = append(out, row)
			continue
		}
		l, n := row, row
		l.Cells, l.Case = local, row.Case+" local"
		n.Cells, n.Case = loop, row.Case+" loopback"
		out = append(out, l, n)
	}
	return out
}

// svgHeader writes the SVG element, the title lines and the legend.
func (r *Report) svgHeader(b *bytes.Buffer, height int) {
	fmt.Fprintf(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="%d">`+"\n",
		chartWidth, height, chartWidth, height, chartFontPx)
	fmt.Fprintf(b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", chartWidth, height)
	m := r.Machine
	text(b, chartPadLeft, 20, "font-size=\"15\" font-weight=\"bold\"", "erlgo vs BEAM")
	text(b, chartPadLeft, 38, "", fmt.Sprintf("%s, %d cores, %s, Erlang/OTP %s — %s",
		m.CPU, m.Cores, m.GoVersion, m.OTP, r.Started.Format("2006-01-02")))
	text(b, chartPadLeft, 54, "fill=\"#555\"", fmt.Sprintf(
		"median of %d rounds, whisker min..max; one linear scale per group (a case's local sides, its loopback sides); rates: longer is better, bytes/proc: shorter is better",
		r.Settings.Rounds))
	// Legend.
	x := chartPadLeft
	for _, sd := range r.Sides {
		fmt.Fprintf(b, `<rect x="%d" y="64" width="12" height="12" fill="%s"/>`+"\n", x, colorOf(sd.Name))
		label := sd.Name
		if sd.Status != "ok" {
			label += " (n/a)"
		}
		text(b, x+16, 74, "", label)
		x += 16 + 7*len(label) + 18
	}
}

// svgGroup draws one case at y: its label, one bar per side, and a
// separator line; it returns the y of the next group.
func svgGroup(b *bytes.Buffer, row Row, y int) int {
	cs := caseOfRow(row)
	top := 0.0 // the group's one scale: its longest whisker fills chartBarW
	for _, c := range row.Cells {
		if c.OK() {
			top = max(top, c.Value.Max)
		}
	}
	groupH := len(row.Cells)*(chartBarH+chartBarGap) - chartBarGap
	text(b, chartPadLeft, y+groupH/2+4, "font-weight=\"bold\"", row.Case)
	text(b, chartPadLeft, y+groupH/2+16, "fill=\"#777\"", row.Unit)
	for _, c := range row.Cells {
		svgBar(b, row, cs, c, y, top)
		y += chartBarH + chartBarGap
	}
	y += chartRowGap - chartBarGap
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/>`+"\n", chartPadLeft, y-chartRowGap/2, chartWidth-chartPadLeft, y-chartRowGap/2)
	return y
}

// svgBar draws one side's bar at y, scaled so that top (the longest value
// in its group) fills chartBarW, with its whisker and
// label; a cell without a value is written as text.
func svgBar(b *bytes.Buffer, row Row, cs Case, c Cell, y int, top float64) {
	if !c.OK() || top <= 0 {
		text(b, chartLabelW, y+chartBarH-2, "fill=\"#999\"", truncate(c.Side+": "+c.Status, 110))
		return
	}
	scale := float64(chartBarW) / top
	wd := max(c.Value.Median*scale, 1)
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
		chartLabelW, y, wd, chartBarH, colorOf(c.Side), xmlEscape(c.Side))
	x0, x1 := float64(chartLabelW)+c.Value.Min*scale, float64(chartLabelW)+c.Value.Max*scale
	cy := y + chartBarH/2
	fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#222" stroke-width="1"/>`+"\n", x0, cy, x1, cy)
	label := fmt.Sprintf("%s %s %s", c.Side, FormatValue(c.Value.Median, cs), row.Unit)
	if c.P50 != nil {
		label += " p50 " + FormatLatency(c.P50.Median)
	}
	if c.Ratio != nil {
		label += fmt.Sprintf("  (%.2fx %s)", *c.Ratio, c.Baseline)
	}
	text(b, chartValueX, y+chartBarH-2, "", label)
}

// isLocalSide reports whether a side runs in one OS process (no network).
func isLocalSide(side string) bool { return side == SideBEAMLocal || side == SideGoLocal }

// truncate shortens s to at most n runes, marking the cut with "...".
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}

func colorOf(side string) string {
	if c, ok := sideColors[side]; ok {
		return c
	}
	return "#888888"
}

func text(b *bytes.Buffer, x, y int, attrs, s string) {
	fmt.Fprintf(b, `<text x="%d" y="%d" %s>%s</text>`+"\n", x, y, attrs, xmlEscape(s))
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
