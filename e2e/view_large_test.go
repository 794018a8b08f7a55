package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestViewOfALargeRunInChromium (-long, and NETSIM_VIEW_LARGE=1 because it
// writes 3.7 GB): measures, without asserting any time, what docs/view.md
// reports for the 1 Gbit/s × 10 s bulk transfer of
// testdata/large/bulk-1g.yaml: how long netsim view takes, how large the
// page is, and how long headless Chromium takes from navigation to the
// page's script having decoded and drawn every packet. It checks that
// the page holds every packet of the run, draws them without a console
// message, and that zooming in to the last data segment of the run shows
// its header fields.
// NETSIM_VIEW_LARGE_SIM shortens the run (for example 1s);
// NETSIM_VIEW_LARGE_DIR views that run folder of bulk-1g.yaml instead of
// running it; NETSIM_VIEW_LARGE_MAX sets --max-packets;
// NETSIM_VIEW_LARGE_REUSE=1 opens the DIR/view.html already there instead
// of writing it (to time the page alone, several times).
func TestViewOfALargeRunInChromium(t *testing.T) {
	if !long() || os.Getenv("NETSIM_VIEW_LARGE") != "1" {
		t.Skip("writes 3.7 GB: run with -long and NETSIM_VIEW_LARGE=1")
	}
	browser := chromium(t)
	sim := os.Getenv("NETSIM_VIEW_LARGE_SIM")
	if sim == "" {
		sim = "10s"
	}
	dir := os.Getenv("NETSIM_VIEW_LARGE_DIR")
	if dir == "" {
		dir = run(t, variant(t, filepath.Join("testdata", "large", "bulk-1g.yaml"), "\nduration: 10s\n", "\nduration: "+sim+"\n"))
	}
	args := []string{"view", dir}
	if n := os.Getenv("NETSIM_VIEW_LARGE_MAX"); n != "" {
		args = append(args, "--max-packets", n)
	}
	page := filepath.Join(dir, "view.html")
	var gen time.Duration
	if _, err := os.Stat(page); err != nil || os.Getenv("NETSIM_VIEW_LARGE_REUSE") != "1" {
		start := time.Now()
		r := netsim(t, "", args...)
		gen = time.Since(start)
		require.Equal(t, 0, r.code, r.stderr)
	}
	st, err := os.Stat(page)
	require.NoError(t, err)
	_, d := readView(t, page)

	b := startDevtools(t, browser, 1280, 900)
	start := time.Now()
	b.open("file://" + filepath.ToSlash(page))
	load := time.Since(start)
	// the page's own clock: from navigation to the script having drawn
	var drawnAt float64
	b.eval(`performance.now()`, &drawnAt)
	var marks string
	b.eval(`performance.getEntriesByType("mark").map((m) => m.name + " " + (m.startTime / 1e3).toFixed(2) + " s").join(", ")`, &marks)
	var rendered string
	b.eval(`document.body.getAttribute("data-rendered")`, &rendered)
	require.Equal(t, strconv.Itoa(len(d.Packets)), rendered)
	if os.Getenv("NETSIM_VIEW_LARGE_MAX") == "" {
		require.Zero(t, d.Cut.PacketsLeft, "every packet of the run is in the page")
	}
	b.noProblems()
	t.Logf("%s run, %d packets sent, %d in the page: netsim view %.1f s, page %.1f MB, Chromium navigation to whole (data-rendered, the captured bytes in) %.2f s (page clock %.2f s: %s)",
		sim, d.Cut.PacketsInWindow, len(d.Packets), gen.Seconds(), float64(st.Size())/1e6, load.Seconds(), drawnAt/1e3, marks)
	start = time.Now()
	zoomToALateSegment(t, b, d, false)
	b.noProblems()
	t.Logf("zoomed in to a late segment and checked its fields in %.1f s", time.Since(start).Seconds())
}
