package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/netsimlab/netsim/plots"
	"github.com/netsimlab/netsim/sweep"
)

const sweepUsage = `Usage: netsim sweep SWEEP.yaml [--workers N] [--out DIR] [--shard K/N]
       netsim sweep merge DIR... [--out DIR]

Runs the base scenario of SWEEP.yaml over its grid of parameters and its
seeds, on N workers (default: one per CPU), each run single-threaded and
deterministic, and writes into DIR (default out/<name>, or
out/<name>-shard-K-of-N with --shard): results.csv (one row per run),
aggregate.csv (per grid point and metric: n, mean, stddev, 95% CI),
sweep.json, points/<id>.yaml (the scenario of each grid point) and runs/
(one record per finished run). Running the same command again resumes: the
runs already complete are skipped.

--shard K/N runs only shard K (0 <= K < N) of the runs, assigned by run ID,
for a Slurm job array or a Kubernetes Indexed Job; 'netsim sweep merge'
joins the shards' folders into the results one machine would have written.

Running it again with another netsim version is refused: the folder's runs
record the version (and the scenario's sha256) that ran them. Two sweeps
cannot write one folder at once (it is locked while a sweep writes), and
a sweep does not write into the folder of a netsim run (its manifest.json).

Exit codes: 0 every run succeeded; 1 a run failed (its error and replay
command are in results.csv); 2 bad usage or an invalid sweep file or grid
point, a folder in use, of another version or of a run; 3 an internal error (a bug:
please report it); 130 interrupted (Ctrl-C or SIGTERM): the finished runs
are kept, run the same command again to resume.
`

// sweepMain is `netsim sweep`.
func sweepMain(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "merge" {
		return sweepMergeMain(args[1:], stdout, stderr)
	}
	fs := newFlagSet("sweep", sweepUsage, stdout, stderr)
	workers := fs.Int("workers", runtime.NumCPU(), "runs at once (each run is single-threaded)")
	out := fs.String("out", "", "output folder (default out/<name>)")
	shardArg := fs.String("shard", "", "run only shard K of N, as K/N with 0 <= K < N")
	file, code, ok := parseOne(fs, args, "sweep file", sweepUsage, stderr)
	if !ok {
		return code
	}
	if *workers < 1 {
		fmt.Fprintln(stderr, "netsim sweep: --workers must be 1 or more")
		return exitUsage
	}
	var shard sweep.Shard
	if *shardArg != "" {
		var err error
		if shard, err = sweep.ParseShard(*shardArg); err != nil {
			fmt.Fprintln(stderr, "netsim sweep: --shard:", err)
			return exitUsage
		}
	}
	s, err := sweep.Load(file)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	plan, err := sweep.Expand(s)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", s.Name)
		if shard.N > 0 {
			dir += fmt.Sprintf("-shard-%d-of-%d", shard.K, shard.N)
		}
	}

	// SIGTERM is what Slurm and Kubernetes send before they kill a job:
	// finish cleanly so that the next attempt resumes.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	fmt.Fprintf(stdout, "netsim %s: sweep %s (%s): %d grid points × %d seeds = %d runs, shard %s, %d workers, into %s\n",
		netsimVersion, s.Name, file, len(plan.Points), len(s.Seeds), len(plan.Runs), shard, *workers, dir)
	bar := newSweepBar(stderr)
	started := time.Now()
	rep, err := sweep.Execute(ctx, plan, sweep.Options{Out: dir, Workers: *workers, Shard: shard, Version: version(), Progress: func(p sweep.Progress) {
		if p.Last != nil && p.Last.Status != sweep.StatusOK {
			bar.clear()
			fmt.Fprintf(stderr, "run %s (%s, seed %d) failed: %s\n  replay: cd %s && %s\n",
				p.Last.RunID, labelOf(plan, p.Last.Point), p.Last.Seed, p.Last.Error, quoteArg(dir), p.Last.Replay)
		}
		bar.update(p)
	}})
	bar.clear()
	wall := time.Since(started)
	if err != nil {
		fmt.Fprintln(stderr, "netsim sweep:", err)
		if errors.Is(err, sweep.ErrInterrupted) {
			return exitInterrupted
		}
		return exitUsage
	}
	fmt.Fprintf(stdout, "%d runs: %d run now, %d complete from before, %d failed, in %v\n",
		rep.Total, rep.Done, rep.Skipped, rep.Failed, wall.Round(time.Millisecond))
	fmt.Fprintf(stdout, "wrote %s and %s\n", filepath.Join(dir, sweep.ResultsFile), filepath.Join(dir, sweep.AggregateFile))
	warnSeedless(stderr, dir, rep.Rows, func(point string) string { return labelOf(plan, point) })
	if rep.Failed > 0 {
		return exitFailed
	}
	return exitOK
}

// maxSeedlessLines is the most grid points warned about one per line.
const maxSeedlessLines = 10

// warnSeedless warns about grid points whose seeds all gave the same
// trace: their confidence interval of 0 means no randomness, not no
// variability. sweep.json in dir lists them too, for whoever reads the
// tables later.
func warnSeedless(stderr io.Writer, dir string, rows []sweep.Row, label func(point string) string) {
	points := sweep.SeedlessPoints(rows)
	for i, p := range points {
		if i == maxSeedlessLines {
			fmt.Fprintf(stderr, "netsim sweep: warning: ... and %d more grid points like it\n", len(points)-i)
			break
		}
		fmt.Fprintf(stderr, "netsim sweep: warning: %s: every seed gave the same metrics: the scenario has no randomness there (no loss, jitter or random start), so its confidence interval of 0 says nothing about variability\n", label(p))
	}
	if len(points) > 0 {
		fmt.Fprintf(stderr, "netsim sweep: %s lists these grid points under seedless_points\n", filepath.Join(dir, sweep.ManifestFile))
	}
}

// labelOf names a grid point by its parameters.
func labelOf(p *sweep.Plan, pointID string) string {
	for i, pt := range p.Points {
		if pt.ID == pointID {
			return orPointID(p.Label(i), pointID)
		}
	}
	return orPointID("", pointID)
}

// orPointID is a point's label, or "point ID" where it has none.
func orPointID(label, pointID string) string {
	if label != "" {
		return label
	}
	return "point " + pointID
}

const sweepMergeUsage = `Usage: netsim sweep merge DIR... [--out DIR]

Joins the folders of a sweep's shards (netsim sweep --shard K/N) into one
folder (default out/<name>, the name of the sweep in the first DIR) with the
same results.csv and aggregate.csv, byte for byte, as one machine running the
whole sweep. Every run must be in one of the folders, all run by one netsim
version.
Exit codes: 0 every run succeeded; 1 a run failed (its error is in
results.csv); 2 bad usage, a folder that is not a shard of the same sweep,
a run missing from every folder, or a file that could not be written.
`

func sweepMergeMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sweep merge", sweepMergeUsage, stdout, stderr)
	out := fs.String("out", "", "output folder (default out/<name>)")
	dirs, code, ok := parseSome(fs, args, "want the shards' folders", sweepMergeUsage, stderr)
	if !ok {
		return code
	}
	dir := *out
	if dir == "" {
		// The default folder is named by the sweep of the folders merged
		// (never by a sweep.json in the current folder).
		m, err := sweep.ReadManifest(dirs[0])
		if err != nil {
			fmt.Fprintln(stderr, "netsim sweep merge:", err)
			return exitUsage
		}
		dir = filepath.Join("out", m.Name)
	}
	rep, err := sweep.Merge(dirs, dir)
	if err != nil {
		fmt.Fprintln(stderr, "netsim sweep merge:", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "merged %d folders: %d runs, %d failed\n", len(dirs), rep.Total, rep.Failed)
	fmt.Fprintf(stdout, "wrote %s and %s\n", filepath.Join(dir, sweep.ResultsFile), filepath.Join(dir, sweep.AggregateFile))
	m, _ := sweep.ReadManifest(dir) // written by Merge; without it, points go by their IDs
	warnSeedless(stderr, dir, rep.Rows, func(point string) string { return orPointID(m.Label(point), point) })
	if rep.Failed > 0 {
		return exitFailed
	}
	return exitOK
}

// isSweepDir reports whether dir holds a sweep's results (netsim plot
// draws those with plotSweepMain).
func isSweepDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, sweep.AggregateFile))
	return err == nil
}

const plotSweepUsage = `Usage: netsim plot SWEEPDIR --metric M --x PARAM [--series PARAM] [--where PARAM=VALUE]... [-o FILE]

Draws a sweep's metric against a parameter, one line per value of --series,
each point the mean over seeds in its 95% confidence band. Every other
parameter with more than one value must be pinned with --where. Metrics:
goodput, completion_time, retransmits, queue_peak, fairness, or a column of
aggregate.csv like goodput_bps_conn2. FILE is .png, .svg or .pdf (default
SWEEPDIR/plots/<metric>-vs-<x>.png).
`

// plotSweepMain is `netsim plot` on a sweep folder.
func plotSweepMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("plot", plotSweepUsage, stdout, stderr)
	var o sweep.FigureOptions
	fs.StringVar(&o.Metric, "metric", "goodput", "the metric on the y axis")
	fs.StringVar(&o.X, "x", "", "the parameter on the x axis")
	fs.StringVar(&o.Series, "series", "", "the parameter whose values are the lines")
	fs.Func("where", "pin a parameter: PARAM=VALUE (repeatable)", func(s string) error {
		o.Where = append(o.Where, s)
		return nil
	})
	outFile := fs.String("o", "", "output file, .png, .svg or .pdf")
	dir, code, ok := parseOne(fs, args, "sweep folder", plotSweepUsage, stderr)
	if !ok {
		return code
	}
	if o.X == "" {
		m, err := sweep.ReadManifest(dir)
		if err == nil && len(m.Params) > 0 {
			fmt.Fprintf(stderr, "netsim plot: --x is required: one of %s\n", strings.Join(m.Params, ", "))
		} else {
			fmt.Fprintln(stderr, "netsim plot: --x is required")
		}
		return exitUsage
	}
	fig, err := sweep.Figure(dir, o)
	if err != nil {
		fmt.Fprintln(stderr, "netsim plot:", err)
		return exitUsage
	}
	path := *outFile
	if path == "" {
		path = filepath.Join(dir, "plots", fileSafe(o.Metric)+"-vs-"+fileSafe(o.X)+".png")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(stderr, "netsim plot:", err)
			return exitUsage
		}
	}
	if err := plots.RenderSweep(fig, path); err != nil {
		fmt.Fprintln(stderr, "netsim plot:", err)
		return plotExit(err)
	}
	fmt.Fprintln(stdout, "wrote", path)
	return exitOK
}

// fileSafe turns a parameter path into a file name part:
// links[bottleneck].loss gives links-bottleneck-loss.
func fileSafe(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	})
	return strings.Join(f, "-")
}

// sweepBar draws runs done over runs to do, failures and an ETA on one
// terminal line of stderr; nil (drawing nothing) when stderr is not a
// terminal. It reads the wall clock, which only the CLI may.
type sweepBar struct {
	w     io.Writer
	start time.Time
	last  time.Time
	shown bool
}

func newSweepBar(w io.Writer) *sweepBar {
	if !isTerminal(w) {
		return nil
	}
	now := time.Now()
	return &sweepBar{w: w, start: now}
}

func (b *sweepBar) update(p sweep.Progress) {
	if b == nil {
		return
	}
	now := time.Now()
	finished := p.Done+p.Skipped == p.Total
	if !finished && now.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last, b.shown = now, true
	frac := 1.0
	if p.Total > 0 {
		frac = float64(p.Done+p.Skipped) / float64(p.Total)
	}
	eta := "?"
	if p.Done > 0 {
		left := p.Total - p.Done - p.Skipped
		eta = (now.Sub(b.start) / time.Duration(p.Done) * time.Duration(left)).Round(time.Second).String()
	}
	const width = 30
	n := int(frac * width)
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d runs  %d failed  %d reused  ETA %s  ",
		strings.Repeat("=", n), strings.Repeat(" ", width-n), p.Done+p.Skipped, p.Total, p.Failed, p.Skipped, eta)
}

func (b *sweepBar) clear() {
	if b == nil || !b.shown {
		return
	}
	fmt.Fprint(b.w, "\r\033[K")
	b.shown = false
}
