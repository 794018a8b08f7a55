package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netsimlab/netsim/plots"
	"github.com/netsimlab/netsim/sim"
)

const plotUsage = `Usage: netsim plot DIR [--kind KIND] [--conn ID] [--from T] [--to T] [-o FILE]
                   [--compress-time] [--routers] [--window D]

Draws plots from the trace.jsonl of a run's output folder DIR. Without
--kind, draws every kind into DIR/plots/<kind>[-<conn>].png; with -o, draws
the one --kind into FILE (.png, .svg or .pdf).
Kinds: sequence, time-sequence, cwnd, throughput, queue.
--compress-time shortens idle gaps in a sequence diagram (each cut is
marked with its real length), --routers draws routers' lifelines too, and
--window sets the averaging window of a throughput plot.
On the folder of a netsim sweep, draws a metric against a parameter instead
(netsim plot SWEEPDIR --help).
`

func cmdPlot(args []string, stdout, stderr io.Writer) int {
	// A sweep's folder has its own figures (see sweep.go).
	for _, a := range args {
		if !strings.HasPrefix(a, "-") && isSweepDir(a) {
			return plotSweepMain(args, stdout, stderr)
		}
	}
	fs := newFlagSet("plot", plotUsage, stdout, stderr)
	kind := fs.String("kind", "", "plot kind: "+strings.Join(plots.Kinds(), ", ")+" (default: all)")
	conn := fs.Int("conn", 0, "connection id (default: every connection)")
	var from, to durationFlag
	fs.Var(&from, "from", "first simulated time shown, like 1s")
	fs.Var(&to, "to", "last simulated time shown (default: the end of the run)")
	outFile := fs.String("o", "", "output file, .png, .svg or .pdf (needs --kind)")
	compress := fs.Bool("compress-time", false, "sequence diagram: shorten idle gaps so short exchanges and long timeouts fit in one figure")
	routers := fs.Bool("routers", false, "sequence diagram: draw a lifeline for each router too")
	var window durationFlag
	fs.Var(&window, "window", "throughput: the averaging window, like 100ms (default: about 1/50 of the time shown)")
	dir, code, ok := parseOne(fs, args, "output folder", plotUsage, stderr)
	if !ok {
		return code
	}
	if *kind != "" && !slices.Contains(plots.Kinds(), *kind) {
		fmt.Fprintf(stderr, "netsim plot: unknown kind %q (%s)\n", *kind, strings.Join(plots.Kinds(), ", "))
		return exitUsage
	}
	if *outFile != "" && *kind == "" {
		fmt.Fprintln(stderr, "netsim plot: -o needs --kind")
		return exitUsage
	}
	if *conn < 0 {
		fmt.Fprintln(stderr, "netsim plot: --conn must be a connection id (1 or more)")
		return exitUsage
	}
	recs, err := readTrace(filepath.Join(dir, "trace.jsonl"))
	if err != nil {
		fmt.Fprintln(stderr, "netsim plot:", err)
		return exitUsage
	}
	opts := plots.Options{Conn: *conn, From: sim.FromDuration(from.d), To: sim.FromDuration(to.d),
		CompressTime: *compress, ShowRouters: *routers, Window: window.d}
	if *outFile != "" {
		opts.Kind = *kind
		if err := plots.Render(recs, opts, *outFile); err != nil {
			fmt.Fprintln(stderr, "netsim plot:", err)
			return exitUsage
		}
		fmt.Fprintln(stdout, "wrote", *outFile)
		return exitOK
	}
	kinds := plots.Kinds()
	if *kind != "" {
		kinds = []string{*kind}
	}
	code = exitOK
	for _, k := range kinds {
		conns := []int{*conn}
		if plots.PerConn(k) && *conn == 0 {
			conns = plots.Conns(recs)
		}
		for _, c := range conns {
			name := k + ".png"
			if plots.PerConn(k) {
				name = fmt.Sprintf("%s-%d.png", k, c)
			}
			path := filepath.Join(dir, "plots", name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				fmt.Fprintln(stderr, "netsim plot:", err)
				return exitUsage
			}
			o := opts
			o.Kind, o.Conn = k, c
			if err := plots.Render(recs, o, path); err != nil {
				fmt.Fprintln(stderr, "netsim plot:", err)
				if *kind != "" {
					code = exitUsage
				}
				continue
			}
			fmt.Fprintln(stdout, "wrote", path)
		}
	}
	return code
}

// readTrace reads a trace.jsonl into memory.
func readTrace(path string) ([]sim.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Each record read has an event of its own: keep it, no copy needed.
	var recs []sim.Record
	if err := sim.ReadJSONL(capLines(f, maxTraceLine), func(r *sim.Record) error { recs = append(recs, *r); return nil }); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}
