package bench

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func sampleReport() *Report {
	ratio, p50r := 1.5, 0.8
	s := func(v float64) Summary { return Summary{Median: v, Min: v * 0.9, Max: v * 1.1, N: 5} }
	p := s(1500)
	return &Report{
		Machine:  Machine{CPU: `AMD "EPYC" <2 cores> & co`, Cores: 2, GoVersion: "go1.25", OTP: "25.2.3"},
		Started:  time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
		Settings: Settings{Rounds: 5},
		Sides: []SideStatus{
			{Name: SideBEAMLocal, Status: "ok"},
			{Name: SideGoLocal, Baseline: SideBEAMLocal, Status: "ok"},
			{Name: SideGoGo, Baseline: SideBEAMBEAM, Status: "n/a (not built yet)"},
		},
		Rows: []Row{
			{Case: "call/p1", Workload: "call", Pairs: 1, Unit: "calls/s", HigherIsBetter: true, Cells: []Cell{
				{Side: SideBEAMLocal, Status: "ok", Value: s(500e3), P50: &p, P90: &p, P99: &p},
				{Side: SideGoLocal, Status: "ok", Value: s(750e3), P50: &p, P90: &p, P99: &p, Baseline: SideBEAMLocal, Ratio: &ratio, P50Ratio: &p50r},
				{Side: SideGoGo, Status: "n/a (not built yet)"},
			}},
			{Case: "idle-memory/100000", Workload: "idle-memory", Pairs: 1, Unit: "bytes/proc", Cells: []Cell{
				{Side: SideBEAMLocal, Status: "ok", Value: s(2721)},
				{Side: SideGoLocal, Status: "error: a < b & c"},
			}},
			{Case: "flood-int/p1", Workload: "flood-int", Pairs: 1, Unit: "msg/s", Cells: nil},
		},
	}
}

func TestWriteSVGIsWellFormedXML(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	var rects, texts int
	var root string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b.String())
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			switch se.Name.Local {
			case "rect":
				rects++
			case "text":
				texts++
			}
		}
	}
	if root != "svg" {
		t.Errorf("root element = %q, want svg", root)
	}
	// background + 3 legend squares + 3 bars.
	if rects != 7 {
		t.Errorf("rects = %d, want 7", rects)
	}
	out := b.String()
	for _, want := range []string{"go-go (n/a)", "1.50x beam-local", "&lt;2 cores&gt; &amp; co", "error: a &lt; b &amp; c"} {
		if !strings.Contains(out, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

func TestWriteTableMarksUnavailableSides(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| call/p1 | go-local | 750.0k calls/s | 675.0k..825.0k | 1.5µs | 1.5µs | 1.5µs | 1.50x vs beam-local (p50 0.80x) |",
		"| call/p1 | go-go | n/a (not built yet) |",
		"| idle-memory/100000 | beam-local | 2721 bytes/proc |",
		"Erlang/OTP 25.2.3",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// TestChartGroupsShareOneScale: a case with local and loopback sides is
// drawn as two groups, and within a group bar lengths are proportional to
// the values (one scale), whatever class the sides are.
func TestChartGroupsShareOneScale(t *testing.T) {
	s := func(v float64) Summary { return Summary{Median: v, Min: v, Max: v, N: 1} }
	r := &Report{
		Settings: Settings{Rounds: 1},
		Rows: []Row{{Case: "flood-int/p1", Workload: "flood-int", Pairs: 1, Unit: "msg/s", HigherIsBetter: true, Cells: []Cell{
			{Side: SideBEAMLocal, Status: "ok", Value: s(8e6)},
			{Side: SideGoLocal, Status: "ok", Value: s(4e6)},
			{Side: SideBEAMBEAM, Status: "ok", Value: s(200e3)},
			{Side: SideGoGo, Status: "ok", Value: s(100e3)},
		}}},
	}
	groups := chartGroups(r.Rows)
	if len(groups) != 2 || groups[0].Case != "flood-int/p1 local" || groups[1].Case != "flood-int/p1 loopback" {
		t.Fatalf("groups = %+v, want a local and a loopback group", groups)
	}
	var b bytes.Buffer
	if err := r.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{">flood-int/p1 local<", ">flood-int/p1 loopback<"} {
		if !strings.Contains(b.String(), label) {
			t.Errorf("SVG lacks the group label %q", label)
		}
	}
	widths := map[string]float64{}
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "rect" {
			continue
		}
		var w float64
		var fill string
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "width":
				_, _ = fmt.Sscan(a.Value, &w)
			case "fill":
				fill = a.Value
			}
		}
		for side, c := range sideColors {
			if c == fill && w < chartBarW+1 && se.Attr[0].Name.Local == "x" {
				widths[side] = w
			}
		}
	}
	for _, pair := range [][2]string{{SideBEAMLocal, SideGoLocal}, {SideBEAMBEAM, SideGoGo}} {
		big, small := widths[pair[0]], widths[pair[1]]
		if big != chartBarW || small != chartBarW/2 {
			t.Errorf("%s/%s bar widths = %v/%v, want %v/%v (one scale per group)", pair[0], pair[1], big, small, chartBarW, chartBarW/2)
		}
	}
}
