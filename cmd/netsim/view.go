package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/view"
)

const viewUsage = `Usage: netsim view DIR [-o FILE] [--conn N] [--from T] [--to T] [--max-packets N]

Writes one self-contained HTML page (DIR/view.html unless -o says
otherwise) from the trace.jsonl, summary.json, manifest.json and pcap/ of a
run's output folder DIR. It opens offline in any browser: the connections,
a sequence diagram and a time-sequence graph with cwnd and RTT that zoom
and pan, a packet table with filters, every IPv4 and TCP header field of a
packet with its bytes, and the summary tables.
A page holds at most --max-packets packets (the first of the window);
--conn, --from and --to choose what goes in, and the page says what was
left out.
Exit codes: 0 the page was written; 2 bad usage, or an input it cannot
read (no such folder, no trace.jsonl, a --conn the run does not have); 3
an internal error (a bug: please report it).
`

func cmdView(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("view", viewUsage, stdout, stderr)
	var out string
	fs.StringVar(&out, "o", "", "the page to write, a .html or .htm file (default DIR/view.html)")
	fs.StringVar(&out, "out", "", "the same as -o")
	conn := fs.Int("conn", 0, "only this connection (default: every connection)")
	var from, to durationFlag
	fs.Var(&from, "from", "first simulated time in the page, like 1s")
	fs.Var(&to, "to", "last simulated time in the page (default: the end of the run)")
	maxPackets := fs.Int("max-packets", view.DefaultMaxPackets, "the most packets the page holds")
	dir, code, ok := parseOne(fs, args, "output folder", viewUsage, stderr)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "netsim view: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case *conn < 0:
		return fail("--conn %d: want a connection id (1 or more)", *conn)
	case *maxPackets < 1:
		return fail("--max-packets %d: want 1 or more", *maxPackets)
	case from.d < 0 || to.d < 0:
		return fail("--from and --to are times since the start of the run, not negative")
	case to.set && to.d == 0:
		// view.Options takes To 0 for the end of the run.
		return fail("%s", zeroToMsg)
	case to.set && to.d < from.d:
		return fail("--to %v is before --from %v", to.d, from.d)
	}
	if st, err := os.Stat(dir); err != nil {
		return fail("%s: no such output folder (give the folder a netsim run wrote, like out/handshake)", dir)
	} else if !st.IsDir() {
		return fail("%s is not a folder: give the output folder a netsim run wrote (like out/handshake), not a file in it", dir)
	}
	if isSweepDir(dir) {
		return fail("%s is a sweep's folder: view one of its runs (rerun it with netsim run --out DIR)", dir)
	}
	if msg := noOutputFolder(out); msg != "" {
		return fail("%s", msg)
	}
	// The page is HTML, and a browser opening it from file:// goes by its
	// extension. Refusing any other name also keeps -o from replacing a
	// file of the run, such as the trace.jsonl the page is drawn from.
	if out != "" && !isHTMLName(out) {
		return fail("-o %s: not an HTML page: name the page FILE.html (or .htm); the run's own files are never replaced", out)
	}
	if out == "" && slices.Contains(manifestKept(dir), "view.html") {
		return fail("%s/view.html is yours, not a page netsim drew (the run's manifest.json keeps it): name the page with -o FILE.html", dir)
	}
	tracePath := filepath.Join(dir, "trace.jsonl")
	f, err := os.Open(tracePath)
	if errors.Is(err, os.ErrNotExist) {
		return fail("%s has no trace.jsonl: the page is drawn from the trace (a scenario with outputs.trace: false writes none)", dir)
	}
	if err != nil {
		return fail("%v", err)
	}
	defer f.Close()
	opts := view.Options{Conn: uint64(*conn), From: sim.FromDuration(from.d), MaxPackets: *maxPackets, NodeOrder: declaredNodes(dir)}
	if to.set {
		opts.To = sim.FromDuration(to.d)
	}
	page, err := view.Build(dir, capLines(f, maxTraceLine), opts)
	if err != nil {
		return fail("%v", err)
	}
	if *conn != 0 && !page.HasConn(uint64(*conn)) {
		return fail("--conn %d: no such connection in %s%s", *conn, tracePath, windowText(from, to))
	}
	if out == "" {
		out = filepath.Join(dir, "view.html")
	}
	if err := page.WriteFile(out); err != nil {
		return fail("%v", err)
	}
	shown, left := page.Packets()
	note := ""
	if left > 0 {
		note = fmt.Sprintf("; %d more left out by --max-packets %d (the page says so)", left, *maxPackets)
	}
	fmt.Fprintf(stdout, "wrote %s (%d packets%s)\n", out, shown, note)
	return exitOK
}

// isHTMLName reports whether name ends in .html or .htm, in any case.
func isHTMLName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".html" || ext == ".htm"
}

// windowText names the --from/--to window in an error, "" without one.
func windowText(from, to durationFlag) string {
	switch {
	case from.set && to.set:
		return fmt.Sprintf(" between %v and %v", from.d, to.d)
	case from.set:
		return fmt.Sprintf(" after %v", from.d)
	case to.set:
		return fmt.Sprintf(" before %v", to.d)
	}
	return ""
}
