package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// viewData is the part of a page's embedded data these checks read.
type viewData struct {
	Hosts   []string `json:"hosts"`
	Packets []struct {
		ID    int64  `json:"id"`
		Flags string `json:"f"`
		Bytes string `json:"b"`
		IPOK  *bool  `json:"ipok"`
		TCPOK *bool  `json:"tcpok"`
	} `json:"packets"`
	Cut struct {
		PacketsInWindow int  `json:"packets_in_window"`
		PacketsLeft     int  `json:"packets_left"`
		Captured        bool `json:"captured"`
	} `json:"cut"`
}

var viewDataRE = regexp.MustCompile(`(?s)<script id="netsim-data" type="application/json">(.*?)</script>`)

// readView reads a page netsim view wrote and the data it carries.
func readView(t *testing.T, path string) (string, viewData) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	m := viewDataRE.FindSubmatch(b)
	require.NotNil(t, m, "%s carries its data", path)
	var d viewData
	require.NoError(t, json.Unmarshal(m[1], &d))
	return string(b), d
}

// TestViewCommand: netsim view turns the handshake's folder into one page
// that needs nothing else (no script, style or font from anywhere) and
// carries every packet of the trace, with the bytes of the captures.
func TestViewCommand(t *testing.T) {
	dir := run(t, filepath.Join(repoRoot(t), "scenarios", "handshake.yaml"))
	r := netsim(t, "", "view", dir)
	require.Equal(t, 0, r.code, r.stderr)
	page, d := readView(t, filepath.Join(dir, "view.html"))
	for _, ref := range []string{"<script src", "<link", "@import", "url(", "https://", "fetch(", "XMLHttpRequest", "<iframe"} {
		assert.NotContains(t, page, ref, "the page loads nothing from elsewhere")
	}
	assert.Equal(t, []string{"client", "server"}, d.Hosts)
	sends := 0
	for _, rc := range readTrace(t, dir) {
		if rc.Kind == "pkt.send" {
			sends++
		}
	}
	require.Len(t, d.Packets, sends, "one entry per datagram sent")
	assert.Equal(t, "S", d.Packets[0].Flags)
	assert.True(t, d.Cut.Captured)
	for _, p := range d.Packets {
		require.NotEmpty(t, p.Bytes, "packet %d has its captured bytes", p.ID)
		assert.True(t, strings.HasPrefix(p.Bytes, "45"), "IPv4, 20-byte header")
		assert.True(t, *p.IPOK && *p.TCPOK, "packet %d: checksums valid", p.ID)
	}

	// Bounded: two packets in the page, the rest counted.
	small := filepath.Join(t.TempDir(), "small.html")
	r = netsim(t, "", "view", dir, "--max-packets", "2", "-o", small)
	require.Equal(t, 0, r.code, r.stderr)
	_, d = readView(t, small)
	assert.Len(t, d.Packets, 2)
	assert.Equal(t, sends-2, d.Cut.PacketsLeft)

	for _, args := range [][]string{
		{"view", filepath.Join(dir, "missing")},
		{"view", dir, "--conn", "7"},
		{"view", dir, "--max-packets", "-3"},
		{"view", dir, "--to", "1ms", "--from", "2ms"},
	} {
		r := netsim(t, "", args...)
		noPanic(t, r)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
		assert.True(t, strings.HasPrefix(r.stderr, "netsim view: "), "%v: %s", args, r.stderr)
	}
}

// chromium returns the path of a Chromium (Debian's chromium, installed by
// .ci/run) or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH (Debian package chromium): the page is not checked in a browser")
	return ""
}

// loadInChromium opens url in headless Chromium and returns the DOM after
// the page's script ran, and the console messages that were errors.
func loadInChromium(t *testing.T, browser, url string) (dom string, errs []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--no-first-run", "--user-data-dir="+t.TempDir(), "--window-size=1280,1600",
		"--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom", url)
	var out, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &stderr
	require.NoError(t, cmd.Run(), "chromium %s: %s", url, stderr.String())
	// Chromium logs the page's console as lines with CONSOLE in them; an
	// uncaught exception reads "Uncaught ...".
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") {
			errs = append(errs, line)
		}
	}
	return out.String(), errs
}

// TestViewInChromium (-long): the page of every example scenario loads in
// a real browser without a console message, its script draws the
// diagram, and opening it on the first SYN (#packet=ID) shows that packet's
// header fields as decoded from its bytes.
func TestViewInChromium(t *testing.T) {
	if !long() {
		t.Skip("drives a headless browser: run with -long")
	}
	browser := chromium(t)
	paths, err := filepath.Glob(filepath.Join(repoRoot(t), "scenarios", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			dir := runExpecting(t, []int{0, 1}, path)
			r := netsim(t, "", "view", dir)
			require.Equal(t, 0, r.code, r.stderr)
			_, d := readView(t, filepath.Join(dir, "view.html"))
			url := "file://" + filepath.ToSlash(filepath.Join(dir, "view.html"))
			// Open the page on the first SYN: a scenario may start with a
			// UDP datagram or a ping (voip-vs-bulk does).
			syn := int64(-1)
			for _, p := range d.Packets {
				if strings.Contains(p.Flags, "S") {
					syn = p.ID
					break
				}
			}
			if syn >= 0 {
				url += "#packet=" + strconv.FormatInt(syn, 10)
			}
			dom, errs := loadInChromium(t, browser, url)
			assert.Empty(t, errs, "console messages")
			has := func(s, what string) {
				t.Helper()
				assert.True(t, strings.Contains(dom, s), "%s: the page has no %q", what, s)
			}
			has(`data-rendered="`+strconv.Itoa(len(d.Packets))+`"`, "the script ran to its end")
			has(`class="life"`, "lifelines drawn")
			if syn < 0 {
				return
			}
			if !d.Cut.Captured {
				has("Header (from the trace; no bytes captured for this packet)", "a run without captures")
				return
			}
			has("<td>Header checksum</td><td>0x", "the IPv4 header decoded")
			has("<td>Flag SYN</td><td>1 (set)</td>", "the first packet is a SYN")
			has(`<span class="ok">valid</span>`, "checksums checked")
			has("<td>Option: MSS</td>", "options decoded")
		})
	}
}
