package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netsimlab/netsim/plots"
	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

const plotUsage = `Usage: netsim plot DIR [--kind KIND] [--conn ID] [--from T] [--to T] [-o FILE]
                   [--compress-time] [--routers] [--packets N] [--window D]
                   [--title TEXT] [--xlabel TEXT] [--ylabel TEXT]
                   [--width LEN] [--height LEN] [--font-size PT]

Draws plots from the trace.jsonl of a run's output folder DIR. Without
--kind, draws every kind into DIR/plots/<kind>[-<conn>].png; with -o, draws
the one --kind into FILE (.png, .svg or .pdf, by its extension).
Kinds: sequence, time-sequence, cwnd, throughput, queue, delay, delay-cdf,
ping.
--compress-time shortens idle gaps in a sequence diagram (each cut is
marked with its real length), --routers draws routers' lifelines too,
--packets sets how many packets it draws (default 30, or up to 2000 with
--to), and --window sets the averaging window of a throughput plot.
--title, --xlabel and --ylabel replace the figure's own; --width and
--height take a length (3.5in, 9cm, 400pt, 1200px at the PNG's 150 dpi;
a bare number is inches) and --font-size the axis labels' size in points.
On the folder of a netsim sweep, draws a metric against a parameter instead
(netsim plot SWEEPDIR --help).
Exit codes: 0 every figure asked for was drawn (without --kind, kinds the
run has nothing for are skipped with a note); 1 a figure asked for has
nothing to draw (no such connection, no data in the window); 2 bad usage,
no trace.jsonl in DIR, or a file that could not be written; 3 an internal
error (a bug: please report it).
`

// sweepPlotFlags are the flags only netsim plot of a sweep's folder takes.
var sweepPlotFlags = []string{"metric", "x", "series", "where"}

// runPlotFlags are the flags only netsim plot of a run's folder takes.
var runPlotFlags = []string{"kind", "conn", "from", "to", "compress-time", "routers", "window", "packets",
	"title", "xlabel", "ylabel", "width", "height", "font-size"}

// flagIn returns the first flag of args that names is the name of, as
// -name, --name or --name=value ("" for none).
func flagIn(args, names []string) string {
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && slices.Contains(names, name) {
			return name
		}
	}
	return ""
}

func cmdPlot(args []string, stdout, stderr io.Writer) int {
	// A sweep's folder has its own figures (see sweep.go).
	for _, a := range args {
		if !strings.HasPrefix(a, "-") && isSweepDir(a) {
			// A run's flags on a sweep's folder: say so, rather than
			// that the flag is not defined.
			if f := flagIn(args, runPlotFlags); f != "" {
				fmt.Fprintf(stderr, "netsim plot: %s is a sweep's folder: --kind, --conn, --from, --to and the figure's flags (here --%s) draw a run's folder; a sweep's takes --metric, --x, --series, --where and -o\n", a, f)
				return exitUsage
			}
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
	packets := fs.Int("packets", 0, "sequence diagram: the most packets drawn, the first ones (default 30, up to 2000 with --to)")
	title := fs.String("title", "", "figure title (default: one that says what is drawn)")
	xlabel := fs.String("xlabel", "", "x axis label")
	ylabel := fs.String("ylabel", "", "y axis label (the upper panel's in a figure of two)")
	lengthCheck := func(s string) error { _, err := plots.ParseLength(s); return err }
	width, height := checkedFlag{check: lengthCheck}, checkedFlag{check: lengthCheck}
	fs.Var(&width, "width", "figure width, like 3.5in, 9cm, 400pt or 1200px (default: suits the kind)")
	fs.Var(&height, "height", "figure height, like 2.5in (default: suits the kind)")
	fontSize := checkedFlag{check: func(s string) error { _, err := plots.ParseFontSize(s); return err }}
	fs.Var(&fontSize, "font-size", "axis label size in points; ticks and legends scale with it (default 12)")
	// The sweep's own flags on another folder: say so, rather than that
	// the flag is not defined.
	if dir, ok := sweepFlagOn(fs, args); ok {
		fmt.Fprintf(stderr, "netsim plot: %s is not a sweep's folder (no aggregate.csv): --metric, --x, --series and --where draw a sweep; for a run's folder, see netsim plot --help\n", dir)
		return exitUsage
	}
	dir, code, ok := parseOne(fs, args, "output folder", plotUsage, stderr)
	if !ok {
		return code
	}
	if *packets < 0 || *packets > maxPlotPackets {
		fmt.Fprintf(stderr, "netsim plot: --packets %d: want 1 to %d (0 for the default)\n", *packets, maxPlotPackets)
		return exitUsage
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
	if msg := notAnOutputFolder(dir); msg != "" {
		fmt.Fprintln(stderr, "netsim plot:", msg)
		return exitUsage
	}
	if msg := noOutputFolder(*outFile); msg != "" {
		fmt.Fprintln(stderr, "netsim plot:", msg)
		return exitUsage
	}
	// A bad -o is a bad flag value: refused before the trace is read.
	if *outFile != "" {
		if err := plots.CheckFile(*outFile); err != nil {
			fmt.Fprintf(stderr, "netsim plot: -o %s: %v\n", *outFile, err)
			return exitUsage
		}
	}
	opts := plots.Options{Conn: *conn, From: sim.FromDuration(from.d), To: sim.FromDuration(to.d),
		CompressTime: *compress, ShowRouters: *routers, Window: window.d, MaxPackets: *packets,
		Title: *title, XLabel: *xlabel, YLabel: *ylabel, NodeOrder: declaredNodes(dir)}
	// Checked when the flags were set: these cannot fail.
	if width.txt != "" {
		opts.Width, _ = plots.ParseLength(width.txt)
	}
	if height.txt != "" {
		opts.Height, _ = plots.ParseLength(height.txt)
	}
	if fontSize.txt != "" {
		opts.FontSize, _ = plots.ParseFontSize(fontSize.txt)
	}
	// plots.Options takes To 0 for the end of the run, so --to 0s would
	// silently draw the whole run (or, after --from, the rest of it).
	if window.set && window.d == 0 {
		// plots.Options takes Window 0 for the default window.
		fmt.Fprintln(stderr, "netsim plot: --window 0s: want an averaging window longer than 0, like 100ms (leave --window out for about 1/50 of the time shown)")
		return exitUsage
	}
	if to.set && to.d == 0 {
		fmt.Fprintln(stderr, "netsim plot: "+zeroToMsg)
		return exitUsage
	}
	if opts.To != 0 && opts.To < opts.From {
		fmt.Fprintf(stderr, "netsim plot: --to %v is before --from %v\n", to.d, from.d)
		return exitUsage
	}
	kinds := plots.Kinds()
	if *kind != "" {
		kinds = []string{*kind}
	}
	// The trace streams through the collector, which keeps only what the
	// figures need: a trace of any length is plotted in bounded memory.
	figures := plots.NewCollector(opts, kinds...)
	if err := readTrace(filepath.Join(dir, "trace.jsonl"), figures); err != nil {
		fmt.Fprintln(stderr, "netsim plot:", err)
		return exitUsage
	}
	if *outFile != "" {
		opts.Kind = *kind
		if err := figures.Render(opts, *outFile); err != nil {
			fmt.Fprintln(stderr, "netsim plot:", err)
			return plotExit(err)
		}
		fmt.Fprintln(stdout, "wrote", *outFile)
		return exitOK
	}
	code = exitOK
	kept := manifestKept(dir) // read once, not for each figure
	for _, k := range kinds {
		for _, c := range figureConns(k, *conn, figures) {
			name := figureName(k, c, "png")
			path := filepath.Join(dir, "plots", name)
			if slices.Contains(kept, "plots/"+name) {
				// A file of the user's at a figure's name, kept by the
				// run (outDir.userPages): skipped among every kind,
				// refused when asked for.
				msg := fmt.Sprintf("%s is yours, not a figure netsim drew (the run's manifest.json keeps it): draw this one with --kind %s -o FILE", path, k)
				if *kind == "" {
					fmt.Fprintln(stderr, "netsim plot: skipped:", msg)
				} else {
					fmt.Fprintln(stderr, "netsim plot:", msg)
					code = max(code, exitUsage)
				}
				continue
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				fmt.Fprintln(stderr, "netsim plot:", err)
				return exitUsage
			}
			o := opts
			o.Kind, o.Conn = k, c
			if err := figures.Render(o, path); err != nil {
				if *kind == "" && errors.Is(err, plots.ErrNoData) {
					// Every kind was asked for, not this one: a run
					// without a queue has no queue plot.
					fmt.Fprintln(stderr, "netsim plot: skipped:", err)
					continue
				}
				fmt.Fprintln(stderr, "netsim plot:", err)
				code = max(code, plotExit(err))
				continue
			}
			fmt.Fprintln(stdout, "wrote", path)
		}
	}
	return code
}

// plotExit is the exit code of a figure that could not be drawn: 1 when
// the run has nothing to draw for it (a kind asked for, in a window, for a
// connection), 2 for a bad option or a file that could not be written.
func plotExit(err error) int {
	if errors.Is(err, plots.ErrNoData) {
		return exitFailed
	}
	return exitUsage
}

// notAnOutputFolder says why dir is not the output folder of a run, or ""
// when it may be: a scenario file is named with the folder its run
// writes.
func notAnOutputFolder(dir string) string {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Sprintf("%s: no such output folder (give the folder of a run, which holds its trace.jsonl, like out/handshake)", dir)
	}
	if err == nil && st.IsDir() {
		if _, err := os.Stat(filepath.Join(dir, "trace.jsonl")); errors.Is(err, os.ErrNotExist) {
			return fmt.Sprintf("%s has no trace.jsonl: the figures are drawn from the trace (a scenario with outputs.trace: false writes none)", dir)
		}
	}
	if err != nil || st.IsDir() {
		return "" // reading trace.jsonl says what is wrong
	}
	if ext := strings.ToLower(filepath.Ext(dir)); ext == ".yaml" || ext == ".yml" {
		out := "out/<name>"
		if s, err := scenarios.Load(dir); err == nil {
			out = filepath.Join("out", s.Name)
		}
		return fmt.Sprintf("%s is a scenario: plot draws from the output folder of a run (netsim run %s writes %s; then netsim plot %s)", dir, quoteArg(dir), out, out)
	}
	return fmt.Sprintf("%s is a file: plot wants the output folder of a run (the folder holding trace.jsonl)", dir)
}

// noOutputFolder says why the file -o names cannot be written there (its
// folder does not exist, or is a file), or "" when it may be: checked
// before the trace is read, and named as the user wrote it rather than
// by the temporary file it is written through.
func noOutputFolder(file string) string {
	if file == "" {
		return ""
	}
	folder := filepath.Dir(file)
	st, err := os.Stat(folder)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Sprintf("-o %s: no folder %s (make it first)", file, folder)
	}
	if err == nil && !st.IsDir() {
		return fmt.Sprintf("-o %s: %s is not a folder", file, folder)
	}
	return ""
}

// sweepFlagOn reports whether args has one of sweepPlotFlags, and the
// folder it names, args' first argument that is not a flag or a flag's
// value ("the folder" when there is none). fs says which flags take no
// value (a bool flag, such as --compress-time); any other flag written
// "--flag value", including one fs does not define, takes the next
// argument.
func sweepFlagOn(fs *flag.FlagSet, args []string) (string, bool) {
	if flagIn(args, sweepPlotFlags) == "" {
		return "", false
	}
	for i := 0; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "-") {
			return args[i], true
		}
		n := strings.TrimLeft(args[i], "-")
		if strings.Contains(n, "=") {
			continue
		}
		if f := fs.Lookup(n); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
		}
		i++ // the flag's value
	}
	return "the folder", true
}

// zeroToMsg refuses --to 0s in netsim plot and netsim view, whose
// options take a zero end for the end of the run.
const zeroToMsg = "--to 0s: the window would end at the start of the run (a time after 0, like 1ms; leave --to out for the end of the run)"

// maxPlotPackets is the most packets --packets accepts: a sequence
// diagram of more is a wall no one reads.
const maxPlotPackets = 2000

// readTrace streams a trace.jsonl into sink, record by record.
func readTrace(path string, sink sim.Sink) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := sim.ReadJSONL(capLines(f, maxTraceLine), func(r *sim.Record) error { sink.Emit(r); return nil }); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
