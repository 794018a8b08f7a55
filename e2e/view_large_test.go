package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// bulk1GView is the large run of docs/view.md's figures: one bulk
// transfer over a 1 Gbit/s link with a 10 ms RTT for 10 s, traced and
// captured (about 1.2 million datagrams: 3.7 GB of trace and captures).
const bulk1GView = `version: 1
name: bulk-1g
seed: 1
duration: %s
defaults:
  tcp: {send_buffer: 4MiB, recv_buffer: 4MiB, hystart: false}
hosts:
  client: {address: 10.0.0.1}
  server: {address: 10.0.0.2}
links:
  - {name: lan, between: [client, server], bandwidth: 1Gbps, delay: 5ms, queue: {kind: droptail, limit: 2000}}
apps:
  - {type: sink, host: server, port: 5001}
  - {type: bulk-send, host: client, to: server:5001, start: 0s, bytes: 100GB}
outputs:
  pcap: true
  trace: true
`

// TestViewOfALargeRunInChromium (-long, and NETSIM_VIEW_LARGE=1 because it
// writes 3.7 GB): measures, without asserting any time, what docs/view.md
// reports for a 1 Gbit/s × 10 s bulk transfer: how long netsim view takes,
// how large the page is, and how long headless Chromium takes from
// navigation to the page's script having drawn everything. It checks
// that the page draws its packets without a console message.
// NETSIM_VIEW_LARGE_SIM shortens the run (for example 1s);
// NETSIM_VIEW_LARGE_MAX sets --max-packets.
func TestViewOfALargeRunInChromium(t *testing.T) {
	if !long() || os.Getenv("NETSIM_VIEW_LARGE") != "1" {
		t.Skip("writes 3.7 GB: run with -long and NETSIM_VIEW_LARGE=1")
	}
	browser := chromium(t)
	sim := os.Getenv("NETSIM_VIEW_LARGE_SIM")
	if sim == "" {
		sim = "10s"
	}
	scenario := filepath.Join(t.TempDir(), "bulk-1g.yaml")
	require.NoError(t, os.WriteFile(scenario, fmt.Appendf(nil, bulk1GView, sim), 0o644))
	dir := run(t, scenario)
	args := []string{"view", dir}
	if n := os.Getenv("NETSIM_VIEW_LARGE_MAX"); n != "" {
		args = append(args, "--max-packets", n)
	}
	start := time.Now()
	r := netsim(t, "", args...)
	gen := time.Since(start)
	require.Equal(t, 0, r.code, r.stderr)
	page := filepath.Join(dir, "view.html")
	st, err := os.Stat(page)
	require.NoError(t, err)
	_, d := readView(t, page)

	b := startDevtools(t, browser, 1280, 900)
	start = time.Now()
	b.open("file://" + filepath.ToSlash(page))
	load := time.Since(start)
	var script float64
	b.eval(`(() => { const n = performance.getEntriesByType("navigation")[0]; return n.domInteractive - n.responseEnd; })()`, &script)
	var rendered string
	b.eval(`document.body.getAttribute("data-rendered")`, &rendered)
	require.Equal(t, strconv.Itoa(len(d.Packets)), rendered)
	b.noProblems()
	t.Logf("%s run, %d packets sent, %d in the page: netsim view %.1f s, page %.1f MB, Chromium navigation to drawn %.2f s (script %.2f s)",
		sim, d.Cut.PacketsInWindow, len(d.Packets), gen.Seconds(), float64(st.Size())/1e6, load.Seconds(), script/1e3)
}
