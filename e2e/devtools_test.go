package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// devtools drives a headless Chromium through the DevTools protocol
// (https://chromedevtools.github.io/devtools-protocol/) over the pipe that
// --remote-debugging-pipe opens: Chromium reads commands on fd 3 and
// writes replies and events on fd 4, each a JSON message ended by a NUL
// byte. The protocol lets a test press the mouse where a user would, so
// the page's own click, wheel and change handlers run, which a DOM dump
// cannot show. No library: the few commands a test needs are plain JSON.
type devtools struct {
	t       *testing.T
	cmd     *exec.Cmd
	w       *os.File
	msgs    chan devtoolsMsg
	id      int
	session string
	// problems collects console messages, uncaught exceptions and log
	// entries of level error or warning, as they arrive.
	problems []string
}

type devtoolsMsg struct {
	ID        int             `json:"id"`
	Method    string          `json:"method"`
	Params    json.RawMessage `json:"params"`
	Result    json.RawMessage `json:"result"`
	SessionID string          `json:"sessionId"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// devtoolsTimeout bounds every command: a page of a few packets is drawn
// in milliseconds, but the machine may be loaded.
const devtoolsTimeout = 60 * time.Second

// startDevtools starts browser headless with a page of width × height CSS
// pixels and attaches to it; the browser is killed when the test ends.
func startDevtools(t *testing.T, browser string, width, height int) *devtools {
	t.Helper()
	cmdR, cmdW, err := os.Pipe()
	require.NoError(t, err)
	evR, evW, err := os.Pipe()
	require.NoError(t, err)
	// Not t.TempDir: Chromium's helper processes may still write to their
	// profile for a moment after the browser exits, and t.TempDir fails
	// the test when it cannot remove a folder.
	profile, err := os.MkdirTemp("", "netsim-chromium-")
	require.NoError(t, err)
	cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+profile, "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, evW} // fd 3 and fd 4 of the child
	require.NoError(t, cmd.Start())
	cmdR.Close()
	evW.Close()
	d := &devtools{t: t, cmd: cmd, w: cmdW, msgs: make(chan devtoolsMsg, 256)}
	t.Cleanup(func() {
		// Browser.close lets Chromium end its helpers; kill it if it
		// does not exit soon after.
		d.session = ""
		if b, err := json.Marshal(map[string]any{"id": 1 << 30, "method": "Browser.close"}); err == nil {
			_, _ = cmdW.Write(append(b, 0))
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		cmdW.Close()
		evR.Close()
		for range 5 {
			if os.RemoveAll(profile) == nil {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	go func() {
		defer close(d.msgs)
		r := bufio.NewReaderSize(evR, 1<<20)
		for {
			b, err := r.ReadBytes(0)
			if err != nil {
				return
			}
			var m devtoolsMsg
			if json.Unmarshal(b[:len(b)-1], &m) == nil {
				d.msgs <- m
			}
		}
	}()
	var target struct {
		TargetID string `json:"targetId"`
	}
	d.call("Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	d.call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	d.session = att.SessionID
	d.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil)
	for _, domain := range []string{"Runtime", "Log", "Page"} {
		d.call(domain+".enable", nil, nil)
	}
	return d
}

// send writes one command and returns its id.
func (d *devtools) send(method string, params any) int {
	d.id++
	m := map[string]any{"id": d.id, "method": method}
	if params != nil {
		m["params"] = params
	}
	if d.session != "" {
		m["sessionId"] = d.session
	}
	b, err := json.Marshal(m)
	require.NoError(d.t, err)
	_, err = d.w.Write(append(b, 0))
	require.NoError(d.t, err, "%s", method)
	return d.id
}

// next returns the next message, noting the page's problems on the way.
func (d *devtools) next(what string, deadline <-chan time.Time) devtoolsMsg {
	d.t.Helper()
	select {
	case m, ok := <-d.msgs:
		require.True(d.t, ok, "chromium closed the pipe waiting for %s", what)
		d.note(m)
		return m
	case <-deadline:
		d.t.Fatalf("chromium: no answer to %s in %v", what, devtoolsTimeout)
		return devtoolsMsg{}
	}
}

// note keeps the console messages, exceptions and error log entries.
func (d *devtools) note(m devtoolsMsg) {
	switch m.Method {
	case "Runtime.exceptionThrown":
		d.problems = append(d.problems, "exception: "+string(m.Params))
	case "Runtime.consoleAPICalled":
		d.problems = append(d.problems, "console: "+string(m.Params))
	case "Log.entryAdded":
		var e struct {
			Entry struct {
				Level, Text, URL string
			} `json:"entry"`
		}
		if json.Unmarshal(m.Params, &e) == nil && (e.Entry.Level == "error" || e.Entry.Level == "warning") {
			d.problems = append(d.problems, "log "+e.Entry.Level+": "+e.Entry.Text+" "+e.Entry.URL)
		}
	}
}

// call runs one command and decodes its result into out (when not nil).
func (d *devtools) call(method string, params, out any) {
	d.t.Helper()
	id := d.send(method, params)
	deadline := time.After(devtoolsTimeout)
	for {
		m := d.next(method, deadline)
		if m.ID != id {
			continue
		}
		if m.Error != nil {
			d.t.Fatalf("chromium: %s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if out != nil {
			require.NoError(d.t, json.Unmarshal(m.Result, out), "%s result", method)
		}
		return
	}
}

// open loads url and waits until the page's script has drawn it (it sets
// body[data-rendered] last).
func (d *devtools) open(url string) {
	d.t.Helper()
	d.call("Page.navigate", map[string]any{"url": url}, nil)
	d.waitFor(`document.body && document.body.hasAttribute("data-rendered")`)
}

// waitFor evaluates cond until it is true.
func (d *devtools) waitFor(cond string) {
	d.t.Helper()
	deadline := time.Now().Add(devtoolsTimeout)
	for {
		var ok bool
		d.eval(cond, &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("chromium: %s still false after %v; problems: %v", cond, devtoolsTimeout, d.problems)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its
// value (JSON-serializable) into out; an exception fails the test.
func (d *devtools) eval(expr string, out any) {
	d.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	d.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if r.Exception != nil {
		d.t.Fatalf("chromium: %s: %s %s", expr, r.Exception.Text, r.Exception.Exception.Description)
	}
	if out != nil {
		require.NoError(d.t, json.Unmarshal(r.Result.Value, out), "value of %s: %s", expr, r.Result.Value)
	}
}

// mouse sends one mouse event at (x, y) in CSS pixels of the viewport.
func (d *devtools) mouse(typ string, x, y float64, extra map[string]any) {
	d.t.Helper()
	p := map[string]any{"type": typ, "x": x, "y": y}
	for k, v := range extra {
		p[k] = v
	}
	d.call("Input.dispatchMouseEvent", p, nil)
}

// click moves the mouse to (x, y) and presses and releases the left
// button there, as a user's click.
func (d *devtools) click(x, y float64) {
	d.t.Helper()
	d.mouse("mouseMoved", x, y, nil)
	d.mouse("mousePressed", x, y, map[string]any{"button": "left", "buttons": 1, "clickCount": 1})
	d.mouse("mouseReleased", x, y, map[string]any{"button": "left", "buttons": 0, "clickCount": 1})
}

// wheel turns the mouse wheel at (x, y): deltaY < 0 is away from the user.
func (d *devtools) wheel(x, y, deltaY float64) {
	d.t.Helper()
	d.mouse("mouseWheel", x, y, map[string]any{"deltaX": 0, "deltaY": deltaY})
}

// clickable scrolls the element selector finds into view and returns a
// point of the viewport where a click reaches that element (or one inside
// it) first; for an SVG line, a point along the line.
func (d *devtools) clickable(selector string) (x, y float64) {
	d.t.Helper()
	pt := d.clickPoint(selector)
	require.Len(d.t, pt, 2, "%s: no point of the viewport where a click reaches it", selector)
	return pt[0], pt[1]
}

// clickPoint is clickable's point as [x, y], or nil when the element is
// missing or covered wherever it is tried (by an arrow drawn over it).
func (d *devtools) clickPoint(selector string) []float64 {
	d.t.Helper()
	js := fmt.Sprintf(`(() => {
  const e = document.querySelector(%q);
  if (!e) return null;
  e.scrollIntoView({block: "center", inline: "center"});
  const hits = (x, y) => { const h = document.elementFromPoint(x, y); return h && (h === e || e.contains(h)); };
  let pts = [];
  if (e.tagName === "line") {
    const m = e.getScreenCTM(), svg = e.ownerSVGElement;
    const at = (a, b) => { const p = svg.createSVGPoint(); p.x = a; p.y = b; return p.matrixTransform(m); };
    const a = at(e.x1.baseVal.value, e.y1.baseVal.value), b = at(e.x2.baseVal.value, e.y2.baseVal.value);
    for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9]) pts.push([a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f]);
  } else {
    const r = e.getBoundingClientRect();
    for (const f of [0.5, 0.25, 0.75]) pts.push([r.left + r.width * f, r.top + r.height / 2]);
  }
  for (const [x, y] of pts) if (hits(x, y)) return [x, y];
  return null;
})()`, selector)
	var pt []float64
	d.eval(js, &pt)
	return pt
}

// text returns the textContent of the element selector finds ("" when none).
func (d *devtools) text(selector string) string {
	d.t.Helper()
	var s string
	d.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.textContent : ""; })()`, selector), &s)
	return s
}

// fields returns the rows of the packet detail's tables: first cell →
// second cell, as the page shows them.
func (d *devtools) fields() map[string]string {
	d.t.Helper()
	var rows [][]string
	d.eval(`[...document.querySelectorAll("#detail tr")].filter((tr) => tr.cells.length === 2).map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])`, &rows)
	out := map[string]string{}
	for _, r := range rows {
		if _, ok := out[r[0]]; !ok {
			out[r[0]] = r[1]
		}
	}
	return out
}

// settle lets timers of the page (the Find box waits 150 ms) run out.
func (d *devtools) settle() {
	d.t.Helper()
	d.eval(`new Promise((r) => setTimeout(() => requestAnimationFrame(() => r(true)), 250))`, nil)
}

// noProblems fails the test if the page logged anything.
func (d *devtools) noProblems() {
	d.t.Helper()
	d.settle()
	require.Empty(d.t, d.problems, "the page logged errors, warnings or console messages")
}
