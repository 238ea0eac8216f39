package observer

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// browser drives a headless Chromium against an observer page and saves
// screenshots as test artefacts.
type browser struct {
	t    *testing.T
	ctx  context.Context
	dir  string
	shot int
}

// chromiumPath finds Debian's chromium (scripts/deps.sh installs it):
// missing, the test fails under CI and is skipped elsewhere, as
// erltest.RequireTools does for erl.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found on PATH but CI is set: install it (scripts/deps.sh, apt-get install chromium)")
	}
	t.Skip("chromium not found on PATH (set CI to make this a failure)")
	return ""
}

// newBrowser starts Chromium for the test; screenshots go to
// $OBSERVER_SCREENSHOTS/<test> when set, else to a temporary directory.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	dir := t.TempDir()
	if d := os.Getenv("OBSERVER_SCREENSHOTS"); d != "" {
		dir = filepath.Join(d, strings.ReplaceAll(t.Name(), "/", "_"))
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.NoSandbox, chromedp.WindowSize(1400, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return &browser{t: t, ctx: ctx, dir: dir}
}

// do runs actions and fails the test, with a screenshot, on error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.screenshot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// poll waits until the JavaScript expression is true.
func (b *browser) poll(what, expr string, timeout time.Duration) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(timeout),
		chromedp.WithPollingInterval(100*time.Millisecond)))
	if err != nil {
		b.screenshot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("browser: waiting for %s: %v", what, err)
	}
}

// eval returns the value of a JavaScript expression.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	require.NoError(b.t, err, expr)
	return v
}

// screenshot saves the viewport as NN-name.png and logs where.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	b.shot++
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.shot, name))
	require.NoError(b.t, os.WriteFile(path, png, 0o644))
	b.t.Logf("screenshot: %s", path)
	return path
}

// rowNames lists the data-name of the process rows in page order ("" for
// unnamed processes).
func (b *browser) rowNames() []string {
	return eval[[]string](b, `[...document.querySelectorAll("#procs tbody tr")].map(r => r.dataset.name || "")`)
}

// checkObserver runs the scenario common to Go and BEAM targets: the page
// loads and shows target, the process list sorts by name, the victim's
// detail opens, killing it through the confirmation removes it from the
// list. It returns the victim's pid as the page showed it.
func (b *browser) checkObserver(url, target, victim string) string {
	t := b.t
	t.Helper()
	b.do("load", chromedp.Navigate(url))
	b.poll("target live", `document.querySelector("#status").dataset.state === "up" && document.querySelector("#name").textContent === `+jsString(target), 30*time.Second)
	// A few samples so that the charts have lines.
	b.poll("charts drawn", `document.querySelector("#chart-processes path") && document.querySelector("#chart-processes path").getAttribute("d").includes("L")`, 30*time.Second)
	b.screenshot("system")

	b.do("processes tab", chromedp.Click(chromedp.CSS(`nav button[data-tab="processes"]`)))
	sel := `tr[data-name=` + jsString(victim) + `]`
	b.poll("victim listed", `!!document.querySelector(`+jsString(sel)+`)`, 30*time.Second)

	b.do("sort by name", chromedp.Click(chromedp.CSS(`#procs th[data-sort="name"]`)))
	b.poll("sorted by name", `(() => {
		const th = document.querySelector('#procs th[data-sort="name"]');
		if (!th.classList.contains("sorted") || !th.classList.contains("asc")) return false;
		const n = [...document.querySelectorAll("#procs tbody tr")].map(r => r.dataset.name || "");
		return n.length > 1 && n[0] !== "";
	})()`, 15*time.Second)
	names := b.rowNames()
	named := slices.DeleteFunc(slices.Clone(names), func(s string) bool { return s == "" })
	require.True(t, slices.IsSorted(named), "names ascending: %v", named)
	first := slices.Index(names, "")
	require.True(t, first < 0 || !slices.ContainsFunc(names[first:], func(s string) bool { return s != "" }),
		"named processes before unnamed: %v", names)
	require.Contains(t, named, victim)
	b.screenshot("processes-by-name")

	// Typing in the filter keeps the matching rows only.
	b.do("filter", chromedp.SendKeys(chromedp.CSS(`#filter`), victim))
	b.poll("filtered", `(() => {
		const rows = [...document.querySelectorAll("#procs tbody tr")];
		return rows.length === 1 && rows[0].dataset.name === `+jsString(victim)+`;
	})()`, 10*time.Second)
	b.screenshot("filtered")
	eval[bool](b, `(() => { const f = document.querySelector("#filter"); f.value = ""; f.dispatchEvent(new Event("input")); return true; })()`)
	b.poll("unfiltered", `document.querySelectorAll("#procs tbody tr").length > 1`, 10*time.Second)

	b.do("open victim", chromedp.Click(chromedp.CSS(sel)))
	b.poll("detail shown", `(document.querySelector("#detail-title") || {}).textContent?.startsWith("process <")`, 15*time.Second)
	pid := eval[string](b, `document.querySelector("#detail-title").textContent.slice("process ".length)`)
	require.Equal(t, eval[string](b, `document.querySelector(`+jsString(sel)+`).dataset.pid`), pid)
	b.screenshot("process-detail")

	b.do("ask kill", chromedp.Click(chromedp.CSS(`#kill-btn`)))
	b.poll("confirmation shown", `!document.querySelector("#modal").hidden && document.querySelector("#kill-pid").textContent === `+jsString(pid), 5*time.Second)
	b.screenshot("kill-confirmation")
	b.do("confirm kill", chromedp.Click(chromedp.CSS(`#kill-confirm`)))
	b.poll("victim gone", `document.querySelector("#modal").hidden && !document.querySelector(`+jsString(sel)+`)`, 20*time.Second)
	b.poll("detail says gone", `!!document.querySelector("#detail-gone")`, 10*time.Second)
	b.screenshot("after-kill")
	return pid
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
