package metrics

import (
	"fmt"
	"html"
	"net/http"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxCPUProfile bounds /debug/pprof/profile?seconds=N.
const maxCPUProfile = 60 * time.Second

// PprofHandler serves Go's runtime profiles under /debug/pprof/, as
// net/http/pprof does, for `go tool pprof http://ADDR/debug/pprof/heap`:
// an index, each named profile (goroutine, heap, allocs, block, mutex,
// threadcreate; ?debug=1 or 2 for text) and profile, a CPU profile of
// ?seconds=N (default 30, at most 60). It is written on runtime/pprof
// rather than importing net/http/pprof, whose init registers the same
// handlers on http.DefaultServeMux: importing this package exposes
// nothing on its own.
func PprofHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/debug/pprof/")
		switch name {
		case "":
			pprofIndex(w)
		case "profile":
			cpuProfile(w, r)
		default:
			namedProfile(w, r, name)
		}
	})
}

func pprofIndex(w http.ResponseWriter) {
	profiles := pprof.Profiles()
	sort.Slice(profiles, func(i, j int) bool { return profiles[i].Name() < profiles[j].Name() })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<html><head><title>/debug/pprof/</title></head><body><p>Profiles:</p><table>\n")
	for _, p := range profiles {
		n := html.EscapeString(p.Name())
		fmt.Fprintf(w, "<tr><td>%d</td><td><a href=\"%s?debug=1\">%s</a></td></tr>\n", p.Count(), n, n)
	}
	fmt.Fprint(w, "<tr><td></td><td><a href=\"profile?seconds=30\">profile</a> (CPU, 30 s)</td></tr>\n</table></body></html>\n")
}

func namedProfile(w http.ResponseWriter, r *http.Request, name string) {
	p := pprof.Lookup(name)
	if p == nil {
		http.Error(w, "unknown profile "+strconv.Quote(name), http.StatusNotFound)
		return
	}
	debug, _ := strconv.Atoi(r.FormValue("debug"))
	if debug != 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	if name == "heap" && r.FormValue("gc") != "" {
		runtime.GC()
	}
	_ = p.WriteTo(w, debug) // an error here is the client going away
}

func cpuProfile(w http.ResponseWriter, r *http.Request) {
	d := 30 * time.Second
	if s := r.FormValue("seconds"); s != "" {
		sec, err := strconv.ParseFloat(s, 64)
		if err != nil || !(sec > 0) { // NaN too
			http.Error(w, "bad seconds", http.StatusBadRequest)
			return
		}
		d = maxCPUProfile
		if sec < maxCPUProfile.Seconds() { // +Inf too: no overflow in the conversion
			d = time.Duration(sec * float64(time.Second))
		}
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="profile"`)
	if err := pprof.StartCPUProfile(w); err != nil {
		// Another CPU profile is running: there is only one profiler.
		w.Header().Del("Content-Disposition")
		http.Error(w, "cannot start a CPU profile: "+err.Error(), http.StatusConflict)
		return
	}
	select {
	case <-time.After(d):
	case <-r.Context().Done():
	}
	pprof.StopCPUProfile()
}
