package e2e

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

	"github.com/netsimlab/netsim/view"
)

// viewData is the part of a page's embedded data these checks read, and
// its packets as the page's compact columns carry them.
type viewData struct {
	Hosts   []string `json:"hosts"`
	Packets []view.Packet
	Cut     struct {
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
	d.Packets, err = view.ReadPackets(b)
	require.NoError(t, err, "%s carries its packets", path)
	return string(b), d
}

// viewInChromium (-long only) runs scenarios/NAME, writes its page with
// netsim view and returns a headless browser, the run's folder and the
// page's data.
func viewInChromium(t *testing.T, name string) (browser, dir string, d viewData) {
	t.Helper()
	if !long() {
		t.Skip("drives a headless browser: run with -long")
	}
	browser = chromium(t)
	dir = run(t, filepath.Join(repoRoot(t), "scenarios", name))
	r := netsim(t, "", "view", dir)
	require.Equal(t, 0, r.code, r.stderr)
	_, d = readView(t, filepath.Join(dir, "view.html"))
	return browser, dir, d
}

// viewedDOM makes dir's page (netsim view) and returns the DOM a real
// browser builds from it, failing the test on any console message.
func viewedDOM(t *testing.T, browser, dir string) string {
	t.Helper()
	r := netsim(t, "", "view", dir)
	require.Equal(t, 0, r.code, r.stderr)
	dom, errs := loadInChromium(t, browser, "file://"+filepath.ToSlash(filepath.Join(dir, "view.html")))
	assert.Empty(t, errs, "console messages")
	return dom
}

// viewedScenario runs the scenario text (-long only: it needs a
// browser) and returns the DOM a real browser builds from its page.
func viewedScenario(t *testing.T, name, text string) string {
	t.Helper()
	if !long() {
		t.Skip("drives a headless browser: run with -long")
	}
	browser := chromium(t)
	path := filepath.Join(t.TempDir(), name+".yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return viewedDOM(t, browser, run(t, path))
}

// submatches returns the first group of every match of re in doc.
func submatches(doc, re string) []string {
	var ns []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(doc, -1) {
		ns = append(ns, m[1])
	}
	return ns
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
		assert.True(t, *p.IPSum && *p.L4Sum, "packet %d: checksums valid", p.ID)
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
			// Open the page on the first SYN whose bytes were captured,
			// or the first SYN when none were: a scenario may start with a
			// UDP datagram or a ping (voip-vs-bulk does), and may capture
			// only some nodes (bufferbloat captures the server, so its
			// SYN-ACK is the first SYN with bytes).
			syn := int64(-1)
			for _, p := range d.Packets {
				if strings.Contains(p.Flags, "S") && (syn < 0 || p.Bytes != "") {
					syn = int64(p.ID)
					if p.Bytes != "" || !d.Cut.Captured {
						break
					}
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

// TestViewClicksInChromium (-long): a user's session with the handshake's
// page in headless Chromium, driven through the DevTools protocol so that
// the page's own handlers run on real mouse events: clicking the SYN's
// arrow shows its header fields as decoded from its bytes (checked here
// against the bytes themselves) and puts #packet=ID in the address; a
// table row, the filters, Find, the wheel, a double-click and the
// connection list each do what they say; nothing is logged.
func TestViewClicksInChromium(t *testing.T) {
	browser, dir, d := viewInChromium(t, "handshake.yaml")
	require.GreaterOrEqual(t, len(d.Packets), 6)
	syn, synAck := d.Packets[0], d.Packets[1]
	require.Equal(t, "S", syn.Flags)
	require.Equal(t, "S.", synAck.Flags)
	raw, err := hex.DecodeString(syn.Bytes)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(raw), 40)

	b := startDevtools(t, browser, 1280, 900)
	b.open("file://" + filepath.ToSlash(filepath.Join(dir, "view.html")))
	assert.Contains(t, b.text("#detail"), "Click a packet")

	// Click the SYN's arrow in the sequence diagram.
	b.click(b.clickable(fmt.Sprintf(`#ladder line.hit[data-id="%d"]`, syn.ID)))
	var hash string
	b.eval("location.hash", &hash)
	assert.Equal(t, fmt.Sprintf("#packet=%d", syn.ID), hash, "the address names the packet")
	f := b.fields()
	ihl := int(raw[0]&15) * 4
	tcpHdr := raw[ihl:]
	want := map[string]string{
		"Version":          "4",
		"Time to live":     strconv.Itoa(int(raw[8])),
		"Protocol":         "6 (TCP)",
		"Source address":   fmt.Sprintf("%d.%d.%d.%d", raw[12], raw[13], raw[14], raw[15]),
		"Source port":      strconv.Itoa(int(binary.BigEndian.Uint16(tcpHdr))),
		"Destination port": "80",
		"Sequence number":  fmt.Sprintf("%d (relative 0)", binary.BigEndian.Uint32(tcpHdr[4:])),
		"Flag SYN":         "1 (set)",
		"Flag ACK":         "0",
		"Flag FIN":         "0",
		"Window":           fmt.Sprintf("%d (not scaled in a SYN)", binary.BigEndian.Uint16(tcpHdr[14:])),
		"Header checksum":  fmt.Sprintf("0x%04x valid", binary.BigEndian.Uint16(raw[10:])),
		"Checksum":         fmt.Sprintf("0x%04x valid", binary.BigEndian.Uint16(tcpHdr[16:])),
		"Urgent pointer":   "0",
	}
	for k, v := range want {
		assert.Equal(t, v, f[k], "field %q of the SYN", k)
	}
	assert.Contains(t, f, "Option: MSS", "the SYN's options decoded")
	var selected int
	b.eval(`document.querySelectorAll("#ladder line.arrow.sel").length`, &selected)
	assert.Equal(t, 1, selected, "the clicked arrow is drawn selected")

	// Click the SYN-ACK's row in the packet table.
	b.click(b.clickable(fmt.Sprintf(`#packets tr[data-id="%d"]`, synAck.ID)))
	f = b.fields()
	assert.Equal(t, "1 (set)", f["Flag SYN"])
	assert.Equal(t, "1 (set)", f["Flag ACK"])
	assert.True(t, strings.HasPrefix(f["Acknowledgment number"], fmt.Sprint(binary.BigEndian.Uint32(tcpHdr[4:])+1)+" (relative 1)"), f["Acknowledgment number"])

	rows := func() []string {
		var fl []string
		b.eval(`[...document.querySelectorAll("#packets tbody tr")].map((tr) => tr.cells[5].textContent)`, &fl)
		return fl
	}
	all := rows()
	require.Len(t, all, len(d.Packets))
	// Untick "SYN": the SYN and SYN-ACK leave the table and the diagram.
	b.click(b.clickable(`#filters input[data-filter="syn"]`))
	noSyn := rows()
	assert.Len(t, noSyn, len(all)-2)
	for _, fl := range noSyn {
		assert.NotContains(t, fl, "S")
	}
	var arrows int
	b.eval(`document.querySelectorAll("#ladder line.hit").length`, &arrows)
	assert.Equal(t, len(all)-2, arrows)
	b.click(b.clickable(`#filters input[data-filter="syn"]`))
	assert.Len(t, rows(), len(all))

	// Find "F": only the FINs (and their acknowledgments' flags do not
	// match, being ".").
	b.click(b.clickable("#find"))
	b.call("Input.insertText", map[string]any{"text": "FIN"}, nil)
	b.settle()
	found := rows()
	require.NotEmpty(t, found)
	assert.Less(t, len(found), len(all))
	for _, fl := range found {
		assert.Contains(t, fl, "F")
	}
	b.eval(`(() => { const f = document.getElementById("find"); f.value = ""; f.dispatchEvent(new Event("input")); return true; })()`, nil)
	b.settle()
	assert.Len(t, rows(), len(all))

	// The wheel over the diagram zooms in around the pointer; a
	// double-click shows the whole run again.
	whole := b.text("#window")
	x, y := b.clickable("#ladder-box")
	b.wheel(x, y, -300)
	b.wheel(x, y, -300)
	zoomed := b.text("#window")
	assert.NotEqual(t, whole, zoomed, "the wheel changed the window")
	assert.Less(t, windowSpan(t, zoomed), windowSpan(t, whole), "the wheel zoomed in")
	b.mouse("mousePressed", x, y, map[string]any{"button": "left", "buttons": 1, "clickCount": 1})
	b.mouse("mouseReleased", x, y, map[string]any{"button": "left", "clickCount": 1})
	b.mouse("mousePressed", x, y, map[string]any{"button": "left", "buttons": 1, "clickCount": 2})
	b.mouse("mouseReleased", x, y, map[string]any{"button": "left", "clickCount": 2})
	assert.Equal(t, whole, b.text("#window"), "a double-click shows the whole run")

	// The connection list: a click on the only connection shows all again.
	var connBefore, connAfter string
	b.eval(`document.getElementById("conn").value`, &connBefore)
	b.click(b.clickable(`#conns tr[data-conn]`))
	b.eval(`document.getElementById("conn").value`, &connAfter)
	assert.NotEqual(t, "0", connBefore, "one connection: the page opens on it")
	assert.Equal(t, "0", connAfter, "clicking it again shows all connections")

	b.noProblems()
}

// windowSpan reads the length of the time window the page shows, in ns,
// from its "(12.5 ms)" suffix.
func windowSpan(t *testing.T, s string) float64 {
	t.Helper()
	m := regexp.MustCompile(`\(([0-9.]+) (ns|µs|ms|s)\)$`).FindStringSubmatch(strings.TrimSpace(s))
	require.NotNil(t, m, "window text %q", s)
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v * map[string]float64{"ns": 1, "µs": 1e3, "ms": 1e6, "s": 1e9}[m[2]]
}

// TestViewDecodesUDPAndICMPInChromium (-long): in the page of
// voip-vs-bulk, a UDP datagram and a ping show their headers field by
// field as their bytes say, with valid checksums; following a #packet=ID
// link within the page selects that packet.
func TestViewDecodesUDPAndICMPInChromium(t *testing.T) {
	browser, dir, d := viewInChromium(t, "voip-vs-bulk.yaml")
	first := func(proto int) (int64, []byte) {
		for _, p := range d.Packets {
			if int(p.Proto) == proto && p.Bytes != "" {
				b, err := hex.DecodeString(p.Bytes)
				require.NoError(t, err)
				return int64(p.ID), b
			}
		}
		t.Fatalf("no captured packet of protocol %d in the page", proto)
		return 0, nil
	}
	udpID, udp := first(17)
	icmpID, icmp := first(1)

	b := startDevtools(t, browser, 1280, 900)
	b.open(fmt.Sprintf("file://%s#packet=%d", filepath.ToSlash(filepath.Join(dir, "view.html")), udpID))
	f := b.fields()
	u := udp[int(udp[0]&15)*4:]
	assert.Equal(t, "17 (UDP)", f["Protocol"])
	assert.Equal(t, strconv.Itoa(int(binary.BigEndian.Uint16(u))), f["Source port"])
	assert.Equal(t, strconv.Itoa(int(binary.BigEndian.Uint16(u[2:]))), f["Destination port"])
	assert.Equal(t, fmt.Sprintf("%d bytes (header and payload)", binary.BigEndian.Uint16(u[4:])), f["Length"])
	assert.Equal(t, fmt.Sprintf("0x%04x valid", binary.BigEndian.Uint16(u[6:])), f["Checksum"])

	b.eval(fmt.Sprintf(`location.hash = "#packet=%d"`, icmpID), nil)
	b.waitFor(fmt.Sprintf(`document.querySelector("#detail h3").textContent.startsWith("#%d ")`, icmpID))
	f = b.fields()
	m := icmp[int(icmp[0]&15)*4:]
	assert.Equal(t, "1 (ICMP)", f["Protocol"])
	assert.Equal(t, map[byte]string{0: "0 (Echo Reply)", 8: "8 (Echo Request)"}[m[0]], f["Type"], "a ping")
	assert.Equal(t, "0", f["Code"])
	assert.Equal(t, fmt.Sprintf("0x%04x valid", binary.BigEndian.Uint16(m[2:])), f["Checksum"])
	assert.Equal(t, strconv.Itoa(int(binary.BigEndian.Uint16(m[4:]))), f["Identifier"])
	assert.Equal(t, strconv.Itoa(int(binary.BigEndian.Uint16(m[6:]))), f["Sequence number"])
	assert.NotEqual(t, "none", f["Routers passed"], "the ping crossed the routers")

	// The routers have lifelines, and each packet is drawn hop by hop;
	// unticking Routers draws it from end to end.
	count := func(sel string) int {
		var n int
		b.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
		return n
	}
	hops := fmt.Sprintf(`#ladder line.hit[data-id="%d"]`, icmpID)
	assert.Positive(t, count("#ladder line.life.router"))
	assert.Greater(t, count(hops), 1, "one leg per hop")
	b.click(b.clickable("#routers"))
	assert.Zero(t, count("#ladder line.life.router"))
	assert.Equal(t, 1, count(hops), "one arrow from end to end")

	// The run's cards count the 4 hosts and the 2 routers apart.
	cards := b.text("#cards")
	assert.Regexp(t, `connections4hosts2routers\d`, cards)

	// The summary has the UDP flow and the ping beside the connections.
	sum := b.text("#summary")
	for _, h := range []string{"Connections", "Flows (UDP and other datagrams)", "Pings"} {
		assert.Contains(t, sum, h)
	}
	b.noProblems()
}

// TestViewZoomsToALatePacketInChromium (-long): the whole run of
// bulk-transfer has more packets than the sequence diagram draws at once,
// so its overview is decimated; a data segment late in the run that the
// overview leaves out is drawn once the wheel zooms in on it, and a click
// on its arrow shows its fields as its captured bytes say.
func TestViewZoomsToALatePacketInChromium(t *testing.T) {
	browser, dir, d := viewInChromium(t, "bulk-transfer.yaml")
	require.Greater(t, len(d.Packets), 2000, "more packets than the diagram draws at once")
	require.Zero(t, d.Cut.PacketsLeft, "every packet is in the page")

	b := startDevtools(t, browser, 1280, 900)
	b.open("file://" + filepath.ToSlash(filepath.Join(dir, "view.html")))
	assert.Contains(t, b.text("#ladder-note"), "drawn (every SYN", "the overview says it is decimated")
	zoomToALateSegment(t, b, d, true)
	b.noProblems()
}

// zoomToALateSegment picks the last data segment of the last tenth of the
// page's packets that the overview does not draw, turns the wheel over the
// diagram where it was sent until its arrow is drawn, selects it, and
// compares the fields shown with its captured bytes. click selects it
// with a click on its arrow; otherwise through the page's address
// (#packet=ID), for a window of a fast link where thousands of queued
// packets' arrows cross it.
func zoomToALateSegment(t *testing.T, b *devtools, d viewData, click bool) {
	t.Helper()
	hit := func(id int64) string { return fmt.Sprintf(`#ladder line.hit[data-id="%d"]`, id) }
	drawn := func(id int64) bool {
		var n int
		b.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, hit(id)), &n)
		return n > 0
	}
	// The last data segment of the last tenth of the run that the
	// overview does not draw.
	var late = -1
	for i := len(d.Packets) - 1; i >= len(d.Packets)*9/10; i-- {
		p := d.Packets[i]
		if p.Proto == 6 && p.PLen > 0 && p.Retrans == "" && p.Bytes != "" && !strings.ContainsAny(p.Flags, "SFR") && !drawn(int64(p.ID)) {
			late = i
			break
		}
	}
	require.GreaterOrEqual(t, late, 0, "a late data segment left out of the overview")
	p := d.Packets[late]

	// Turn the wheel over the diagram where the segment was sent until
	// its arrow is drawn, the window is 20 ms or less and every packet of
	// it is drawn (a 1 Gbit/s run has thousands in 20 ms), few enough
	// arrows to click one; to click it, on until no arrow covers it (a
	// segment sent back to back with the next, over a fast access link,
	// lies under that one's arrow until the window is a few µs wide), as
	// a user zooms in until the arrow can be told from its neighbours.
	whole := windowSpan(t, b.text("#window"))
	b.eval(`(() => { document.getElementById("ladder-box").scrollIntoView({block: "center"}); return true; })()`, nil)
	decimated := func() bool { return strings.Contains(b.text("#ladder-note"), "drawn (every SYN") }
	covered := func() bool { return click && b.clickPoint(hit(int64(p.ID))) == nil }
	for step := 0; !drawn(int64(p.ID)) || windowSpan(t, b.text("#window")) > 2e7 || decimated() || covered(); step++ {
		require.Less(t, step, 80, "packet %d still not drawn after zooming in", p.ID)
		// a redraw may move the page: the wheel must turn over the diagram
		b.eval(`(() => { document.getElementById("ladder-box").scrollIntoView({block: "center"}); return true; })()`, nil)
		t0, t1 := windowBounds(t, b.text("#window"))
		var box []float64
		b.eval(`(() => { const r = document.getElementById("ladder-box").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`, &box)
		// the diagram's viewBox is 620 high, time from 46 to 604 (view.js's L)
		frac := (float64(p.T) - t0) / (t1 - t0)
		y := box[1] + (46+frac*(620-46-16))*box[3]/620
		b.wheel(box[0]+box[2]/2, y, -300)
	}
	assert.Less(t, windowSpan(t, b.text("#window")), whole, "the wheel zoomed in")
	assert.NotContains(t, b.text("#ladder-note"), "drawn (every SYN", "every packet of the window is drawn")

	if click {
		b.click(b.clickable(hit(int64(p.ID))))
	} else {
		b.eval(fmt.Sprintf(`(() => { location.hash = "#packet=%d"; return true; })()`, p.ID), nil)
		b.waitFor(fmt.Sprintf(`document.getElementById("detail").textContent.includes("#%d ")`, p.ID))
	}
	raw, err := hex.DecodeString(p.Bytes)
	require.NoError(t, err)
	seg := raw[int(raw[0]&15)*4:]
	f := b.fields()
	assert.Equal(t, strconv.FormatUint(p.ID, 10), f["Packet id"])
	assert.Equal(t, fmt.Sprintf("%d (relative %d)", binary.BigEndian.Uint32(seg[4:]), p.RSeq), f["Sequence number"])
	assert.Equal(t, strconv.Itoa(int(binary.BigEndian.Uint16(seg))), f["Source port"])
	assert.Equal(t, "1 (set)", f["Flag ACK"])
	assert.Equal(t, "0", f["Flag SYN"])
	assert.Equal(t, fmt.Sprintf("0x%04x valid", binary.BigEndian.Uint16(seg[16:])), f["Checksum"])
	assert.Equal(t, fmt.Sprintf("%d bytes", p.PLen), f["Payload"])
}

// windowBounds reads the start and end of the page's time window, in ns,
// from its "0.100000000s – 2.500000000s (2.4 s)" text.
func windowBounds(t *testing.T, s string) (float64, float64) {
	t.Helper()
	m := regexp.MustCompile(`^\s*(-?[0-9.]+)s – (-?[0-9.]+)s`).FindStringSubmatch(s)
	require.NotNil(t, m, "window text %q", s)
	t0, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	t1, err := strconv.ParseFloat(m[2], 64)
	require.NoError(t, err)
	return t0 * 1e9, t1 * 1e9
}

// TestDumbbellLifelinesInOrder (-long): the dumbbell's lifelines read
// senders, routers, receivers, each side in the order the scenario
// declares its hosts (reno-1, reno-2, cubic-1, cubic-2; sink-1 to sink-4),
// in the sequence figure and in the page drawn by a real browser alike
// (the receivers used to come as sink-2, sink-3, sink-4, sink-1: the order
// their packets came in; then the senders in natural name order, cubic
// before reno).
func TestDumbbellLifelinesInOrder(t *testing.T) {
	if !long() {
		t.Skip("runs the dumbbell and a headless browser: run with -long")
	}
	dir := runExpecting(t, []int{0}, filepath.Join(repoRoot(t), "scenarios", "dumbbell.yaml"))
	want := []string{"reno-1", "reno-2", "cubic-1", "cubic-2", "left", "right", "sink-1", "sink-2", "sink-3", "sink-4"}
	fig := filepath.Join(t.TempDir(), "seq.svg")
	r := netsim(t, "", "plot", dir, "--kind", "sequence", "--routers", "-o", fig)
	require.Equal(t, 0, r.code, r.stderr)
	svg, err := os.ReadFile(fig)
	require.NoError(t, err)
	assert.Equal(t, want, submatches(string(svg), `>((?:reno|cubic|sink)-\d|left|right)<`), "the figure's lifelines")

	dom := viewedDOM(t, chromium(t), dir)
	// routers are shown by default when the run has some
	assert.Equal(t, want, submatches(dom, `class="host">([^<( ]+)`), "the page's lifelines")
}

// TestViewGraphsTheBusiestConnectionInChromium (-long): with every
// connection shown, the graphs are those of the connection that sent the
// most packets, not of the first one: here connection 1 only opens and
// closes, and connection 2 carries the transfer.
func TestViewGraphsTheBusiestConnectionInChromium(t *testing.T) {
	dom := viewedScenario(t, "two", `version: 1
name: two
duration: 1s
hosts: {a: {}, b: {}}
links: [{between: [a, b], bandwidth: 100Mbps, delay: 1ms}]
apps:
  - {type: sink, host: b, port: 80}
  - {type: bulk-send, host: a, to: b:80, bytes: 0}
  - {type: bulk-send, host: a, to: b:80, bytes: 200KB, start: 100ms}
`)
	note := regexp.MustCompile(`id="graph-note"[^>]*>([^<]*)<`).FindStringSubmatch(dom)
	require.NotNil(t, note, "the page has its graph note")
	assert.Contains(t, note[1], "Graphs of connection 2,")
}

// TestViewPingLifelinesInChromium (-long): a ping through a router, whose
// link to the target goes down for a while, draws a, r, b from left to
// right (datagrams without a TCP side are drawn from the end that sent
// first: the router's host unreachable used to pull it left of a), and
// labels ICMP messages by what their bytes say, not by ports they lack.
func TestViewPingLifelinesInChromium(t *testing.T) {
	text, err := os.ReadFile("../scenarios/testdata/ping-link-down.yaml")
	require.NoError(t, err)
	dom := viewedScenario(t, "ping", string(text))
	assert.Equal(t, []string{"a", "r", "b"}, submatches(dom, `class="host">([^<( ]+)`))
	for _, want := range []string{"ICMP echo request seq=1 len=64", "ICMP echo reply seq=1 len=64", "ICMP host unreachable"} {
		assert.True(t, strings.Contains(dom, want), "the page has no %q", want)
	}
	assert.False(t, strings.Contains(dom, "ICMP 0 → 0"), "ICMP labelled by ports")
}

// TestViewLifelineLabelsDoNotOverlapInChromium (-long): with 16 lifelines
// across the page (the fat-tree's hosts and switches), each node's name
// over its lifeline stays clear of its neighbours' (the routers' names,
// with " (router)" after them, used to run into one another); a name cut
// short keeps its whole text in a tooltip.
func TestViewLifelineLabelsDoNotOverlapInChromium(t *testing.T) {
	browser, dir, _ := viewInChromium(t, "fat-tree.yaml")
	b := startDevtools(t, browser, 1280, 900)
	b.open("file://" + filepath.ToSlash(filepath.Join(dir, "view.html")))
	var boxes [][4]float64
	b.eval(`[...document.querySelectorAll("#ladder text.host, #ladder text.addr")].map((e) => { const r = e.getBBox(); return [r.x, r.y, r.width, r.height]; })`, &boxes)
	require.Greater(t, len(boxes), 10)
	for i, p := range boxes {
		for _, q := range boxes[i+1:] {
			overlap := p[0] < q[0]+q[2] && q[0] < p[0]+p[2] && p[1] < q[1]+q[3] && q[1] < p[1]+p[3]
			assert.False(t, overlap, "labels at %v and %v overlap", p, q)
		}
	}
	b.noProblems()
}

// TestViewPacketsPastTheShownNodesGoOnRightInChromium (-long): a ping
// from a across a chain of 20 routers to b crosses more nodes than the
// diagram shows (the first 16: a and r1 ... r15). Each request is drawn
// hop by hop to the last router shown, then on to the right, past every
// lifeline, toward the node not shown; its last leg used to run back
// from r15 to r1, the first node shown other than its sender, as if the
// packet arrived there.
func TestViewPacketsPastTheShownNodesGoOnRightInChromium(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nname: chain\nduration: 100ms\nhosts:\n  a: {}\n  b: {}\nrouters:\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "  r%d: {}\n", i)
	}
	b.WriteString("links:\n")
	prev := "a"
	for i := 1; i <= 21; i++ {
		next := "b"
		if i <= 20 {
			next = fmt.Sprintf("r%d", i)
		}
		fmt.Fprintf(&b, "  - {between: [%s, %s], bandwidth: 100Mbps, delay: 100us}\n", prev, next)
		prev = next
	}
	b.WriteString("apps:\n  - {type: ping, host: a, to: b, interval: 20ms, count: 3}\n")
	dom := viewedScenario(t, "chain", b.String())
	require.Contains(t, dom, "Showing the first 16 of 22 nodes")
	legs := regexp.MustCompile(`<line x1="([-\d.e]+)" y1="[-\d.e]+" x2="([-\d.e]+)" y2="[-\d.e]+" class="arrow`).FindAllStringSubmatch(dom, -1)
	require.NotEmpty(t, legs)
	for _, m := range legs {
		x1, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err)
		x2, err := strconv.ParseFloat(m[2], 64)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, x2, x1, "every request goes from a toward b, rightwards: a leg %s -> %s runs back", m[1], m[2])
	}
}
