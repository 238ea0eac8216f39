package dist

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// Throughput against real BEAM nodes (flood-int, one connection, N small
// messages). Run with
//
//	go test -run '^$' -bench Flood -benchtime 1x ./dist
//
// Each reports msgs/s as seen by the receiver; compare with BEAMToBEAM.

const floodN = 200000

// erlBenchCookie skips without erl (outside CI) and returns a fresh cookie.
func erlBenchCookie(b *testing.B) string {
	erltest.RequireTools(b, "erl", "erlc", "epmd")
	return uniq("c")
}

func BenchmarkFloodBEAMToBEAM(b *testing.B) {
	cookie := erlBenchCookie(b)
	ep := erltest.StartEPMD(b)
	e1 := startErl(b, ep, erlOpts{cookie: cookie})
	e2 := startErl(b, ep, erlOpts{cookie: cookie})
	for b.Loop() {
		line := e1.do("beam_bench "+string(e2.name)+" "+strconv.Itoa(floodN), "RATE")
		rate, _ := strconv.Atoi(strings.TrimPrefix(line, "RATE "))
		b.ReportMetric(float64(rate), "msgs/s")
	}
}

func BenchmarkFloodGoToBEAM(b *testing.B) {
	cookie := erlBenchCookie(b)
	ep := erltest.StartEPMD(b)
	erl := startErl(b, ep, erlOpts{cookie: cookie})
	g := startGo(b, ep, Config{Cookie: cookie})
	c, err := g.m.Connect(b.Context(), erl.name)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		erl.do("sink "+strconv.Itoa(floodN), "SINK")
		if err := c.Send(RegSend{From: g.self, To: "sink"}, etf.Tuple{etf.Atom("report_to"), g.self}); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		var ci Control = RegSend{From: g.self, To: "sink"}
		for i := 0; i < floodN; i++ {
			if err := c.Send(ci, 42); err != nil {
				b.Fatal(err)
			}
		}
		waitDoneB(b, g)
		b.ReportMetric(float64(floodN)/time.Since(start).Seconds(), "msgs/s")
	}
}

func BenchmarkFloodBEAMToGo(b *testing.B) {
	cookie := erlBenchCookie(b)
	ep := erltest.StartEPMD(b)
	erl := startErl(b, ep, erlOpts{cookie: cookie})
	g := startGo(b, ep, Config{Cookie: cookie})
	got := make(chan time.Time, 1)
	n := 0
	g.rec.onMsg = func(c *Conn, m Message) {
		if rs, ok := m.Control.(RegSend); ok && rs.To == "goproc" {
			if n++; n == floodN+1 {
				got <- time.Now()
			}
		}
	}
	for b.Loop() {
		n = 0
		start := time.Now()
		erl.do("flood "+string(g.name)+" goproc "+strconv.Itoa(floodN), "FLOODED")
		end := <-got
		b.ReportMetric(float64(floodN)/end.Sub(start).Seconds(), "msgs/s")
	}
}

func waitDoneB(b *testing.B, g *goNode) {
	for {
		select {
		case m := <-g.rec.msgCh:
			if tup, ok := m.Payload.(etf.Tuple); ok && len(tup) == 2 && tup[0] == etf.Atom("done") {
				return
			}
		case <-time.After(120 * time.Second):
			b.Fatal("sink never finished")
		}
	}
}
