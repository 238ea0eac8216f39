package observer

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes info and the process list as plain text tables (what
// `erlgo observer -once` prints).
func WriteText(w io.Writer, info NodeInfo, pl ProcessList) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	field := func(k string, v any) {
		if s := fmt.Sprint(v); s != "" && s != "0" {
			fmt.Fprintf(tw, "%s\t%s\n", k, s)
		}
	}
	field("node", info.Name)
	field("kind", info.Kind)
	field("creation", info.Creation)
	fmt.Fprintf(tw, "uptime\t%.0f s\n", info.UptimeSeconds)
	field("go version", info.GoVersion)
	field("otp release", info.OTPRelease)
	field("gomaxprocs", info.GOMAXPROCS)
	field("schedulers", info.Schedulers)
	field("goroutines", info.Goroutines)
	field("heap bytes", info.HeapBytes)
	field("memory bytes", info.MemoryBytes)
	fmt.Fprintf(tw, "processes\t%d\n", info.ProcessCount)
	fmt.Fprintf(tw, "registered\t%d\n", info.RegisteredCount)
	fmt.Fprintf(tw, "connected nodes\t%s\n", strings.Join(info.ConnectedNodes, " "))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nprocesses (%s, %d shown of %d):\n", pl.Scope, len(pl.Processes), pl.Total)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PID\tNAME\tMSGQ\tMEMORY\tREDUCTIONS\tCURRENT FUNCTION")
	for _, p := range pl.Processes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.PID, dash(p.Name),
			opt(p.MessageQueueLen), opt(p.Memory), opt(p.Reductions), dash(p.CurrentFunction))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// opt prints a measurement, or "-" when the node does not provide it.
func opt[T int | uint64](p *T) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}
