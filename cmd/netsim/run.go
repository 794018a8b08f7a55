package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netsimlab/netsim/plots"
	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

const runUsage = `Usage: netsim run SCENARIO.yaml [--seed N] [--out DIR] [--until T] [--set PATH=VALUE]...
                  [--check-determinism] [--ascii] [--force] [--progress=false]
                  [--cpuprofile FILE] [--memprofile FILE]

Runs the scenario and writes into DIR (default out/<name>): manifest.json,
summary.json, trace.jsonl, pcap/<host>-<iface>.pcap and plots/ as the
scenario's outputs ask. The last lines name the seed, the run's fingerprint
(a hash of its trace records, computed with the trace off too), the sha256
of trace.jsonl when the trace is written, and the command that replays the
run.

--set replaces one key of the scenario before it is checked, with the
paths sweeps use: keys separated by dots, a list element by its name or
index (links.bottleneck.bandwidth=20Mbps, links[0].loss=1%,
hosts.client.tcp.mss=536, 'links.bottleneck.queue={kind: codel}'). The
value is YAML; units may hold spaces (--set 'links.bottleneck.delay=10 ms').
The overrides are recorded in manifest.json and in the replay command.

A run that lasts more than 2s of wall time reports its progress on stderr
(simulated time, events per second, ETA): a bar on a terminal, a line at
most every 10s otherwise (a log, CI). It never goes into DIR's files.
--until before an expect's deadline reports that expectation "not
reached" (not FAILED) unless it already held.

DIR is committed once: the run writes into a temporary folder beside it
and moves its files in at the end (manifest.json last), replacing every
file of an earlier run (files of yours in DIR stay). An interrupted run
(Ctrl-C, SIGTERM, SIGHUP) keeps what it wrote, marked "complete": false in
manifest.json. Before running, netsim estimates the trace and captures
from the links' rates, the apps' bytes and the duration: it warns past
1 GiB and refuses past 20 GiB unless --force.

Exit codes: 0 success (expectations not reached by --until included); 1 an
expect failed or --check-determinism found two runs that differ; 2 bad usage or an invalid scenario; 3 an internal error
(a bug: please report it); 130 interrupted (143 SIGTERM, 129 SIGHUP).
`

// secondRunSeedOffset is added to the seed of the second run of
// --check-determinism. It is always 0; a test sets it to make the two runs
// differ and so prove that a difference is caught.
var secondRunSeedOffset uint64

// maxConnLines is the most connections (and link directions, and nodes,
// with drops) printed one per line; the rest are in summary.json.
const maxConnLines = 20

// asciiAuto is the most packets a run may send for its exchange to be
// drawn in the terminal without --ascii.
const asciiAuto = 20

type runOpts struct {
	seed    uint64
	seedSet bool
	out     string
	until   durationFlag
	check   bool
	ascii   bool
	force   bool
	// cpuprofile and memprofile name the pprof files to write ("": none).
	cpuprofile, memprofile string
	sets                   overridesFlag
	// progress reports the run's progress on stderr (--progress=false
	// silences it).
	progress bool
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	var o runOpts
	fs := newFlagSet("run", runUsage, stdout, stderr)
	fs.Func("seed", "seed of every random stream (default: the scenario's seed)", func(s string) error {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number from 0 to 2^64-1", s)
		}
		o.seed, o.seedSet = v, true
		return nil
	})
	fs.StringVar(&o.out, "out", "", "output folder (default out/<name>)")
	fs.Var(&o.until, "until", "stop at this simulated time instead of the scenario's duration, like 500ms")
	fs.BoolVar(&o.check, "check-determinism", false, "run twice in-process and compare the fingerprints (and trace sha256s) (exit 1 if they differ)")
	fs.BoolVar(&o.ascii, "ascii", false, "draw the packet exchange in the terminal (default: when the run sends at most 20 packets)")
	fs.Var(&o.sets, "set", setUsage)
	fs.BoolVar(&o.progress, "progress", true, "report progress on stderr once the run has lasted 2s of wall time: a bar on a terminal, else a line at most every 10s (--progress=false: none)")
	fs.BoolVar(&o.force, "force", false, "run even when the trace and captures are estimated past the disk guard's 20 GiB")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the run to FILE (read it with go tool pprof)")
	fs.StringVar(&o.memprofile, "memprofile", "", "write a heap profile to FILE at the end of the run (go tool pprof)")
	file, code, ok := parseOne(fs, args, "scenario", runUsage, stderr)
	if !ok {
		return code
	}
	if o.until.set && o.until.d <= 0 {
		fmt.Fprintln(stderr, "netsim run: --until must be greater than 0")
		return exitUsage
	}
	if o.until.d > scenarios.MaxTime {
		fmt.Fprintf(stderr, "netsim run: --until %v is too long (at most %v)\n", o.until.d, scenarios.MaxTime)
		return exitUsage
	}
	if err := checkProfiles(o.cpuprofile, o.memprofile); err != nil {
		fmt.Fprintln(stderr, "netsim run:", err)
		return exitUsage
	}
	stop, err := startProfiles(o.cpuprofile, o.memprofile)
	if err != nil {
		fmt.Fprintln(stderr, "netsim run:", err)
		return exitUsage
	}
	code = runScenario(file, o, stdout, stderr)
	if err := stop(); err != nil {
		fmt.Fprintln(stderr, "netsim run:", err)
		if code == exitOK {
			code = exitUsage
		}
	}
	return code
}

// checkProfiles refuses profile paths that would destroy something: an
// existing file that is not a pprof profile (gzip), such as the scenario
// (os.Create emptied it before it was read) or a run's trace, and one
// file named by both flags. An earlier profile is written over, as go
// test -cpuprofile does.
func checkProfiles(cpu, mem string) error {
	if cpu != "" && mem != "" && (samePath(cpu, mem) || sameFile(cpu, mem)) {
		return fmt.Errorf("--memprofile %s: the file of --cpuprofile too (give each profile a file of its own)", mem)
	}
	for _, p := range [...]struct{ flag, path string }{{"--cpuprofile", cpu}, {"--memprofile", mem}} {
		if p.path == "" {
			continue
		}
		// A file the run has not written yet passes the test below, and
		// the profile then goes over the run's own output (the heap
		// profile is written last, over a fresh capture).
		if outputName(p.path) {
			return fmt.Errorf("%s %s: a name netsim gives its outputs (manifest.json, summary.json, trace.jsonl, flows.csv, view.html, captures, figures in plots/): give the profile a name of its own, like cpu.pprof", p.flag, p.path)
		}
		f, err := os.Open(p.path)
		if err != nil {
			continue // a new file, or one os.Create reports on
		}
		var magic [2]byte
		n, _ := io.ReadFull(f, magic[:])
		st, serr := f.Stat()
		f.Close()
		if serr == nil && st.Mode().IsRegular() && n > 0 && (n < 2 || magic != [2]byte{0x1f, 0x8b}) {
			return fmt.Errorf("%s %s: an existing file that is not a profile (pprof writes gzip): give a new file, netsim writes over profiles only", p.flag, p.path)
		}
	}
	return nil
}

// outputName reports whether path is named as a file netsim writes in an
// output folder: a file of the top (netsimNames, flows.csv), a capture
// (.pcap), or a figure in plots/ as netsim plot names it.
func outputName(path string) bool {
	base := filepath.Base(path)
	if slices.Contains(netsimNames, base) || base == "flows.csv" || filepath.Ext(base) == ".pcap" {
		return true
	}
	return filepath.Base(filepath.Dir(path)) == "plots" && isFigureName(base)
}

// samePath reports whether a and b name one path, once made absolute
// and cleaned (a file neither names yet: sameFile cannot tell).
func samePath(a, b string) bool {
	aa, err := filepath.Abs(a)
	if err != nil {
		return a == b
	}
	ab, err := filepath.Abs(b)
	return err == nil && aa == ab || a == b
}

// sameFile reports whether a and b name one existing file.
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// startProfiles starts a CPU profile into cpu (when not "") and returns
// the function that stops it and writes the heap profile into mem (when
// not ""), after a garbage collection so that it shows what is live.
func startProfiles(cpu, mem string) (stop func() error, err error) {
	var cf *os.File
	if cpu != "" {
		if cf, err = os.Create(cpu); err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(cf); err != nil {
			cf.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	return func() error {
		if cf != nil {
			pprof.StopCPUProfile()
			if err := cf.Close(); err != nil {
				return fmt.Errorf("--cpuprofile: %w", err)
			}
		}
		if mem == "" {
			return nil
		}
		f, err := os.Create(mem)
		if err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
		runtime.GC()
		err = pprof.WriteHeapProfile(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
		return nil
	}, nil
}

// runScenario loads, runs and reports one scenario.
func runScenario(path string, o runOpts, stdout, stderr io.Writer) int {
	// Stop signals are caught from the start: a scenario of tens of
	// megabytes takes seconds to load, and Ctrl-C during that must end the
	// run with its exit code, before anything is written.
	stopSignals := watchInterrupt()
	defer stopSignals()
	announceLoad(stderr, path)
	l, stoppedLoading := loadOrStop(path, o.sets)
	if stoppedLoading {
		fmt.Fprintf(stderr, "netsim run: %v: stopped while loading %s; nothing was written\n", interruptSignal(), path)
		return interruptCode()
	}
	s, data, err := l.s, l.data, l.err
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if l.readErr != nil {
		fmt.Fprintln(stderr, "netsim run:", l.readErr)
		return exitUsage
	}
	for _, w := range s.Warnings {
		fmt.Fprintln(stderr, w)
	}
	seed := s.Seed
	if o.seedSet {
		seed = o.seed
	}
	until := sim.FromDuration(s.Duration)
	if o.until.set {
		until = sim.FromDuration(o.until.d)
	}
	if err := diskGuard(s, until, o.force, stderr); err != nil {
		fmt.Fprintln(stderr, "netsim run:", err)
		return exitUsage
	}
	outPath := o.out
	if outPath == "" {
		outPath = filepath.Join("out", s.Name)
	}
	out, err := newOutDir(outPath)
	if err != nil {
		fmt.Fprintln(stderr, "netsim run:", err)
		return exitUsage
	}

	fmt.Fprintf(stdout, "netsim %s: %s (%s), seed %d, until %v\n", netsimVersion, s.Name, path, seed, until.Duration())
	defer out.abort() // after a commit, there is nothing left to remove
	progress := io.Discard
	if o.progress {
		progress = stderr
	}
	announceBuild(stderr, s)
	res, err := simulate(s, seed, until, out, o.ascii, progress)
	if errors.Is(err, scenarios.ErrStopped) && res == nil {
		// Stopped while building: nothing was simulated, so nothing is
		// kept; the temporary folder goes and --out is left as it was.
		fmt.Fprintf(stderr, "netsim run: %v: %v; nothing was written (%s is as it was)\n", interruptSignal(), err, out.root)
		return interruptCode()
	}
	stopped := errors.Is(err, scenarios.ErrStopped) && res != nil
	if err != nil && !stopped {
		fmt.Fprintln(stderr, "netsim run:", err)
		return exitUsage
	}

	code := exitOK
	if o.ascii || res.rec.packets <= asciiAuto {
		printExchange(stdout, s, res.rec.Records)
	}
	summary := res.summary.Summary()
	printSummary(stdout, summary)
	results := res.checker.Results(res.end)
	for _, r := range results {
		fmt.Fprintln(stdout, r.String(path))
		if !r.OK && !r.NotReached {
			code = exitFailed
		}
	}

	var determinism *determinismReport
	if o.check && !stopped {
		again, err := simulate(s, seed+secondRunSeedOffset, until, nil, false, io.Discard)
		if err != nil {
			fmt.Fprintln(stderr, "netsim run: second run:", err)
			return exitUsage
		}
		determinism = &determinismReport{Runs: 2, Fingerprint: []string{res.fingerprint, again.fingerprint},
			Same: res.fingerprint == again.fingerprint && res.traceSum == again.traceSum}
		if res.traceSum != "" {
			determinism.TraceSHA256 = []string{res.traceSum, again.traceSum}
		}
		if determinism.Same {
			fmt.Fprintf(stdout, "determinism: two runs gave the same trace (%d events each)\n", again.events)
		} else {
			fmt.Fprintf(stdout, "determinism: FAILED: two runs of the same scenario and seed gave different traces:\n  %s\n  %s\n", res.hashText(), again.hashText())
			code = exitFailed
		}
	}

	werr := writeOutputs(out, s, path, data, seed, until, o.sets, res, summary, results, determinism, !stopped, stderr)
	if werr == nil {
		werr = out.commit()
	}
	if werr != nil {
		fmt.Fprintln(stderr, "netsim run:", werr)
		return exitUsage
	}
	fmt.Fprintf(stdout, "wrote %s: %s\n", out.root, writtenList(out.written))
	if stopped {
		fmt.Fprintf(stderr, "netsim run: interrupted at %v (%v); the outputs so far are in %s, marked \"complete\": false in manifest.json\n", res.end, interruptSignal(), out.root)
		return interruptCode()
	}
	fmt.Fprintf(stdout, "simulated %v: %d events in %v (%s events/s)\n", res.end, res.events, res.wall.Round(time.Microsecond), humanCount(float64(res.events)/max(res.wall.Seconds(), 1e-9)))
	if res.traceSum != "" {
		fmt.Fprintf(stdout, "fingerprint %s (%d records)\n", res.fingerprint, res.records)
		fmt.Fprintf(stdout, "seed %d, trace sha256 %s\n", seed, res.traceSum)
	} else {
		fmt.Fprintf(stdout, "seed %d, fingerprint %s (%d records)\n", seed, res.fingerprint, res.records)
	}
	fmt.Fprintf(stdout, "replay: %s\n", replayCommand(path, seed, o))
	return code
}

// replayCommand is the command line that runs the same simulation again.
func replayCommand(path string, seed uint64, o runOpts) string {
	parts := []string{"netsim", "run", quoteArg(path), "--seed", strconv.FormatUint(seed, 10)}
	if o.until.set {
		parts = append(parts, "--until", o.until.d.String())
	}
	for _, set := range o.sets {
		parts = append(parts, "--set", quoteArg(set.Arg))
	}
	return strings.Join(parts, " ")
}

// runResult is what one simulation produced.
type runResult struct {
	// rec holds the records when the run needs them (the terminal
	// diagram); figures, summary and checker read every record as it
	// streams by.
	rec     *exchangeRecorder
	figures *plots.Collector // nil when the scenario asks for no plot
	summary *scenarios.Summarizer
	checker *scenarios.Checker
	// traceSum is the sha256 of trace.jsonl, "" when the trace is off;
	// fingerprint is the sim.Fingerprint of the records, always computed.
	traceSum    string
	fingerprint string
	records     uint64
	events      uint64
	end         sim.Time
	wall        time.Duration
}

// hashText names the run's records: the trace sha256 when there is one,
// and the fingerprint.
func (r *runResult) hashText() string {
	if r.traceSum != "" {
		return "trace sha256 " + r.traceSum + ", fingerprint " + r.fingerprint
	}
	return "fingerprint " + r.fingerprint
}

// exchangeRecorder keeps the records of a run for the plots and the
// terminal diagram. Unless keepAll, it stops (and frees what it has) once
// the run has put more than asciiAuto packets on the wire, so that a long
// run without plots does not hold its whole trace in memory.
type exchangeRecorder struct {
	sim.Recorder
	keepAll bool
	packets int
	over    bool
}

// Emit keeps a copy of r, until the run is too long to draw.
func (e *exchangeRecorder) Emit(r *sim.Record) {
	if e.over {
		return
	}
	if r.Kind() == sim.KindPacketSend {
		e.packets++
		if !e.keepAll && e.packets > asciiAuto {
			e.over, e.Records = true, nil
			return
		}
	}
	e.Recorder.Emit(r)
}

// runSink hands each record to what the run asked for: the fingerprint
// always; the trace file's encoder only when the trace is written (or
// hashed, in the second run of --check-determinism); the summary, the
// expectations and the recorder in the first run. Calling them directly
// rather than through a sim.Tee costs less per record; with the trace off
// no record is encoded or sha256-hashed.
//
// It is a sim.Selective sink: with no trace file, no plots and the
// recorder done (or absent), it reads only the fingerprint's kinds, which
// hold everything summary.json and expect read, and the producers build
// no other record.
//
// With queue set (sim.Async, when the trace file is written), the
// fingerprint, the trace file, the summary and the checker, which only
// sum the run up, receive the records on a goroutine beside the
// simulation (consume), and are read only after
// drain; the recorder, whose end shrinks the kinds the producers build,
// and the plots stay on the simulation's thread.
type runSink struct {
	fp      *sim.Fingerprint
	jsonl   *sim.JSONLWriter // nil when the trace is off
	summary *scenarios.Summarizer
	checker *scenarios.Checker
	rec     *exchangeRecorder
	figures *plots.Collector
	kinds   sim.KindSet
	queue   *sim.Async // nil: consume runs on the simulation's thread
}

// Kinds implements sim.Selective; call it once the sink's parts are set.
// The set shrinks when the recorder stops.
func (s *runSink) Kinds() *sim.KindSet {
	s.kinds = s.base()
	if s.jsonl != nil || s.figures != nil || s.rec != nil && !s.rec.over {
		s.kinds = sim.AllKinds
	}
	return &s.kinds
}

// base is what the fingerprint, the summary and the checker read.
func (s *runSink) base() sim.KindSet {
	k := *s.fp.Kinds()
	if s.summary != nil {
		k |= *s.summary.Kinds() | *s.checker.Kinds()
	}
	return k
}

// Emit implements sim.Sink.
func (s *runSink) Emit(r *sim.Record) {
	if s.queue != nil {
		s.queue.Emit(r)
	} else {
		s.consume(r)
	}
	if s.rec != nil && !s.rec.over {
		s.rec.Emit(r)
		if s.rec.over && s.jsonl == nil && s.figures == nil {
			s.kinds = s.base()
		}
	}
	if s.figures != nil {
		s.figures.Emit(r)
	}
}

// consume hands r to the fingerprint, the trace file, the summary and the
// checker.
func (s *runSink) consume(r *sim.Record) {
	s.fp.Emit(r)
	if s.jsonl != nil {
		s.jsonl.Emit(r)
	}
	if s.summary != nil {
		s.summary.Emit(r)
		s.checker.Emit(r)
	}
}

// runBeside moves consume to a goroutine beside the simulation (see
// runSink) when the trace file is written; call it once the sink's parts
// are set. With the trace off the worker measured no faster in wall time
// on two quiet cores (it trades summing up for copying each record, and
// the cache lines' trip to the other core) and took a fifth more CPU,
// which a sweep running one scenario per core pays in full.
//
// The trace file then encodes on that goroutine (EncodeInline): the
// records reach it already copied once, out of the simulation's way, so
// it encodes them at once and leaves its own worker only the sha256 and
// the writes, rather than copying each record a second time for that
// worker to encode.
func (s *runSink) runBeside() {
	if s.jsonl != nil {
		s.jsonl.EncodeInline()
		s.queue = sim.NewAsync(sim.SinkFunc(s.consume))
	}
}

// drain waits until consume has had every record emitted: after it the
// fingerprint, the trace file, the summary and the checker can be read.
func (s *runSink) drain() {
	if s.queue != nil {
		s.queue.Wait()
	}
}

// simulate builds and runs s once. With out, the trace and captures go to
// its files (as the scenario's outputs ask), and the summary, expectations
// and, when needed, the records are gathered; with out nil (the second run
// of --check-determinism), only the fingerprint and, when the scenario
// writes its trace, the trace hash are computed.
// Progress goes to progress (stderr, or io.Discard).
func simulate(s *scenarios.Scenario, seed uint64, until sim.Time, out *outDir, ascii bool, progress io.Writer) (*runResult, error) {
	started := time.Now()
	sink := &runSink{fp: sim.NewFingerprint()}
	if s.Outputs.Trace {
		var traceW io.Writer = io.Discard
		if out != nil {
			w, err := out.create("trace.jsonl")
			if err != nil {
				return nil, err
			}
			traceW = w
		}
		sink.jsonl = sim.NewJSONLWriter(traceW)
		// On every return, no buffer of the trace is still being written
		// (on the writer's goroutine) when the caller aborts or commits
		// --out; the normal path has flushed it already. (Deferred
		// before drain, so it runs after it.)
		defer func() { _ = sink.jsonl.Err() }()
	}
	res := &runResult{
		rec:     &exchangeRecorder{keepAll: ascii},
		summary: scenarios.NewSummarizer(),
		checker: scenarios.NewChecker(s),
	}
	if len(s.Outputs.Plots) > 0 {
		kinds := make([]string, len(s.Outputs.Plots))
		for i, k := range s.Outputs.Plots {
			kinds[i] = string(k)
		}
		res.figures = plots.NewCollector(plots.Options{}, kinds...)
	}
	if out != nil {
		sink.summary, sink.checker, sink.rec, sink.figures = res.summary, res.checker, res.rec, res.figures
	}
	sink.runBeside()
	// On every return, the goroutine beside the run is done with the
	// trace file and the summary.
	defer sink.drain()
	opts := scenarios.BuildOptions{Seed: seed, Trace: sink, Stop: interrupted, End: until}
	if out != nil && s.Outputs.PCAP {
		opts.Capture = func(node, iface string) (io.Writer, error) {
			return out.createCapture(filepath.Join("pcap", node+"-"+iface+".pcap"))
		}
	}
	w, err := scenarios.Build(s, opts)
	if err != nil {
		return nil, err
	}
	var bar *progressBar
	if out != nil {
		bar = newProgressBar(progress, until, w.Events)
	}
	end, err := w.Run(until, func(now sim.Time) bool {
		bar.update(now)
		return !interrupted() && out.failed() == nil // stop at the first write error
	})
	bar.done()
	sink.drain()
	if werr := out.failed(); werr != nil {
		return nil, fmt.Errorf("output: %w", werr)
	}
	if err != nil && !errors.Is(err, scenarios.ErrStopped) {
		return nil, err
	}
	if sink.jsonl != nil {
		if err := sink.jsonl.Flush(); err != nil {
			return nil, fmt.Errorf("trace.jsonl: %w", err)
		}
		res.traceSum = sink.jsonl.Sum()
	}
	if err := w.Net.CaptureErr(); err != nil {
		return nil, fmt.Errorf("pcap: %w", err)
	}
	if out != nil {
		if err := out.flush(); err != nil {
			return nil, err
		}
	}
	res.fingerprint, res.records = sink.fp.Sum(), sink.fp.Records()
	res.events, res.end, res.wall = w.Events(), end, time.Since(started)
	// An interrupted run returns what it has, with ErrStopped.
	return res, err
}

// manifest is manifest.json.
type manifest struct {
	NetsimVersion string           `json:"netsim_version"`
	Scenario      manifestScenario `json:"scenario"`
	// Inputs are the other files the scenario read (a gml generator's
	// graph), which the run depends on as on the scenario itself.
	Inputs []manifestInput `json:"inputs,omitempty"`
	Seed   uint64          `json:"seed"`
	// Set lists the --set overrides applied to the scenario file.
	Set             []string           `json:"set,omitempty"`
	Duration        string             `json:"duration"`
	DurationNS      int64              `json:"duration_ns"`
	TraceSHA256     string             `json:"trace_sha256,omitempty"`
	Fingerprint     string             `json:"fingerprint"`
	TraceRecords    uint64             `json:"trace_records"`
	WallTime        string             `json:"wall_time"`
	WallTimeNS      int64              `json:"wall_time_ns"`
	EventsProcessed uint64             `json:"events_processed"`
	EventsPerSecond float64            `json:"events_per_second"`
	Expectations    []manifestExpect   `json:"expectations"`
	Determinism     *determinismReport `json:"determinism,omitempty"`
	Files           []string           `json:"files"`
	// Kept are the user's files at the names of netsim view's page and
	// netsim plot's figures, which later runs into the folder keep too
	// (outDir.userPages).
	Kept   []string `json:"kept,omitempty"`
	Replay string   `json:"replay"`
	// Complete is false when the run was interrupted: the files hold the
	// run up to StoppedAt (the plots are not drawn).
	Complete  bool   `json:"complete"`
	StoppedAt string `json:"stopped_at,omitempty"`
}

type manifestScenario struct {
	Path string `json:"path"`
	// AbsPath is Path made absolute when the run was made, so that the
	// file is found (declaredNodes) from wherever the folder is read.
	AbsPath string `json:"abs_path,omitempty"`
	Name    string `json:"name"`
	SHA256  string `json:"sha256"`
}

// manifestInput is a file the scenario read, with the sha256 of its
// bytes.
type manifestInput struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

type manifestExpect struct {
	Expect string `json:"expect"`
	OK     bool   `json:"ok"`
	// NotReached: the run stopped before the expectation's deadline.
	NotReached bool   `json:"not_reached,omitempty"`
	Detail     string `json:"detail"`
}

type determinismReport struct {
	Runs        int      `json:"runs"`
	Fingerprint []string `json:"fingerprint"`
	TraceSHA256 []string `json:"trace_sha256,omitempty"`
	Same        bool     `json:"same"`
}

// writeOutputs writes summary.json, the plots and, last, manifest.json
// (which lists every file the run wrote).
func writeOutputs(out *outDir, s *scenarios.Scenario, path string, data []byte, seed uint64, until sim.Time, sets overridesFlag,
	res *runResult, summary scenarios.Summary, results []scenarios.Result, det *determinismReport, complete bool, stderr io.Writer) error {
	sj, err := indentJSON(summary)
	if err != nil {
		return fmt.Errorf("summary.json: %w", err)
	}
	if err := out.writeFile("summary.json", sj); err != nil {
		return err
	}
	if s.Outputs.Flows {
		if err := out.writeFile("flows.csv", scenarios.FlowsCSV(summary.Flows)); err != nil {
			return err
		}
	}
	for _, kind := range s.Outputs.Plots {
		if !complete {
			break // an interrupted run is not kept waiting for plots
		}
		renderPlots(out, string(kind), s.Outputs.Format, res.figures, scenarioNodes(s), stderr)
	}
	sum := sha256.Sum256(data)
	abs, _ := filepath.Abs(path) // "" when the working directory is gone
	m := manifest{
		NetsimVersion:   version(),
		Scenario:        manifestScenario{Path: path, AbsPath: abs, Name: s.Name, SHA256: hex.EncodeToString(sum[:])},
		Seed:            seed,
		Duration:        until.Duration().String(),
		DurationNS:      int64(until),
		TraceSHA256:     res.traceSum,
		Fingerprint:     res.fingerprint,
		TraceRecords:    res.records,
		WallTime:        res.wall.String(),
		WallTimeNS:      res.wall.Nanoseconds(),
		EventsProcessed: res.events,
		EventsPerSecond: float64(res.events) / max(res.wall.Seconds(), 1e-9),
		Expectations:    []manifestExpect{},
		Determinism:     det,
		Files:           append(append([]string(nil), out.written...), "manifest.json"),
		Kept:            out.keptPages(),
		Complete:        complete,
	}
	for _, in := range s.Inputs {
		m.Inputs = append(m.Inputs, manifestInput{Path: in.Path, SHA256: in.SHA256})
	}
	if !complete {
		m.StoppedAt = res.end.Duration().String()
	}
	for _, o := range sets {
		m.Set = append(m.Set, o.Arg)
	}
	m.Replay = replayCommand(path, seed, runOpts{until: durationFlag{d: until.Duration(), set: until != sim.FromDuration(s.Duration)}, sets: sets})
	for _, r := range results {
		m.Expectations = append(m.Expectations, manifestExpect{Expect: r.String(path), OK: r.OK, NotReached: r.NotReached, Detail: r.Detail})
	}
	mj, err := indentJSON(m)
	if err != nil {
		return fmt.Errorf("manifest.json: %w", err)
	}
	return out.writeFile("manifest.json", mj)
}

// indentJSON encodes v indented, ending in a newline, without
// encoding/json's HTML escaping, so that link directions read "client>r1"
// in summary.json rather than "client\u003er1".
func indentJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// renderPlots draws kind into out/plots: one file per connection for the
// per-connection kinds (<kind>-<conn>.<format>), else one (<kind>.<format>).
// A plot with nothing to draw is reported and skipped: it fails nothing.
// nodes is the scenario's declared node order, which the sequence figure's
// lifelines follow, as they do in `netsim plot` and `netsim view`.
func renderPlots(out *outDir, kind string, format string, figures *plots.Collector, nodes []string, stderr io.Writer) {
	for _, c := range figureConns(kind, 0, figures) {
		rel := filepath.Join("plots", figureName(kind, c, format))
		// Drawn into memory, then written like the other files: the
		// message names plots/x.png, not the temporary folder.
		var buf bytes.Buffer
		if err := figures.RenderTo(plots.Options{Kind: kind, Conn: c, NodeOrder: nodes}, format, &buf); err != nil {
			fmt.Fprintf(stderr, "netsim run: skipped %s: %v\n", rel, err)
			continue
		}
		if err := out.writeFile(rel, buf.Bytes()); err != nil {
			fmt.Fprintf(stderr, "netsim run: %s: %v\n", rel, err)
		}
	}
}

// figureConns returns the connections netsim run and netsim plot draw
// kind for: conn alone when it is not 0 or the kind is not drawn per
// connection, else every connection of the run, or 0 alone for a run
// without any, so that the figure says it had nothing to draw.
func figureConns(kind string, conn int, figures *plots.Collector) []int {
	if conn != 0 || !plots.PerConn(kind) {
		return []int{conn}
	}
	if conns := figures.Conns(); len(conns) > 0 {
		return conns
	}
	return []int{0}
}

// figureName is the name of kind's figure of connection conn (0: none) in
// plots/: <kind>-<conn>.<format> for a per-connection kind, else
// <kind>.<format> (isFigureName).
func figureName(kind string, conn int, format string) string {
	if plots.PerConn(kind) && conn != 0 {
		return fmt.Sprintf("%s-%d.%s", kind, conn, format)
	}
	return kind + "." + format
}

// printExchange draws the packet exchange as a text sequence diagram.
func printExchange(w io.Writer, s *scenarios.Scenario, recs []sim.Record) {
	hosts := make([]plots.HostLabel, len(s.Hosts))
	for i, h := range s.Hosts {
		hosts[i] = plots.HostLabel{Name: h.Name, Addr: h.Address.String()}
	}
	fmt.Fprintln(w)
	printAppCalls(w, recs)
	fmt.Fprintln(w)
	if err := plots.ASCII(w, recs, hosts, plots.ASCIIOptions{States: true}); err != nil {
		fmt.Fprintf(w, "(no packet exchange to draw: %v)\n", err)
	}
	fmt.Fprintln(w)
}

// printAppCalls lists what the applications did (their socket calls), one
// line each, beside the diagram of what went on the wire.
func printAppCalls(w io.Writer, recs []sim.Record) {
	for i := range recs {
		r := &recs[i]
		e, ok := r.Event.(*sim.App)
		if !ok {
			continue
		}
		var what string
		switch e.Event {
		case sim.AppConnect:
			what = fmt.Sprintf("socket(), connect(%s) = EINPROGRESS  [conn %d]", e.To, e.Conn)
			if e.Has&sim.AppHasConn == 0 {
				// A UDP source: connect only sets the peer, at once.
				what = fmt.Sprintf("socket(SOCK_DGRAM), connect(%s) = 0", e.To)
			}
		case sim.AppAccept:
			what = fmt.Sprintf("accept() from %s  [conn %d]", e.Peer, e.Conn)
		case sim.AppSend:
			what = fmt.Sprintf("send(%d bytes)  [conn %d]", e.Bytes, e.Conn)
			if e.Has&sim.AppHasConn == 0 && e.Has&sim.AppHasCount != 0 {
				// A ping's echo request: no connection, its icmp_seq.
				what = fmt.Sprintf("sendto(%s, %d bytes) icmp_seq=%d", e.To.Addr(), e.Bytes, e.Count)
			}
		case sim.AppRecv:
			what = fmt.Sprintf("recv() = %d bytes  [conn %d]", e.Bytes, e.Conn)
			if e.Has&sim.AppHasConn == 0 {
				what = fmt.Sprintf("recvfrom() = %d bytes", e.Bytes) // a datagram
			}
		case sim.AppClose:
			what = fmt.Sprintf("close()  [conn %d]", e.Conn)
		case sim.AppError:
			what = fmt.Sprintf("%s failed: %s", e.Call, e.Errno)
			if e.Call == "recvmsg" && e.Has&sim.AppHasPeer != 0 {
				// An ICMP error about a ping's request, as ping(8)
				// prints it.
				what = fmt.Sprintf("From %s icmp_seq=%d: %s", e.Peer.Addr(), e.Count, e.Errno)
			}
		case sim.AppReply:
			what = fmt.Sprintf("%d bytes from %s: icmp_seq=%d time=%.3f ms", e.Bytes, e.Peer.Addr(), e.Count, float64(e.Latency)/1e6)
		default:
			what = e.Event + " " + strings.Join(appFields(e), " ")
		}
		fmt.Fprintf(w, "  %v  %-24s %s\n", r.T, strings.TrimPrefix(r.Subject, "app/"), what)
	}
}

// appFields lists the fields of an app record other than its event as
// key=value, in record order, durations as Go prints them.
func appFields(e *sim.App) []string {
	var parts []string
	add := func(has sim.AppFields, key string, v any) {
		if e.Has&has != 0 {
			parts = append(parts, fmt.Sprintf("%s=%v", key, v))
		}
	}
	add(sim.AppHasCall, "call", e.Call)
	add(sim.AppHasErrno, "errno", e.Errno)
	add(sim.AppHasCount, "count", e.Count)
	add(sim.AppHasConn, "conn", e.Conn)
	add(sim.AppHasTo, "to", e.To)
	add(sim.AppHasPeer, "peer", e.Peer)
	add(sim.AppHasBytes, "bytes", e.Bytes)
	add(sim.AppHasSent, "sent", e.Sent)
	add(sim.AppHasTotal, "total", e.Total)
	add(sim.AppHasLatency, "latency", e.Latency)
	add(sim.AppHasDuration, "duration", e.Duration)
	return parts
}

// printSummary prints one line per connection and per link direction that
// dropped packets.
func printSummary(w io.Writer, sum scenarios.Summary) {
	for _, p := range sum.Pings {
		// ping(8)'s closing lines.
		fmt.Fprintf(w, "ping %s -> %s: %d packets transmitted, %d received", p.Host, p.To, p.Transmitted, p.Received)
		if p.Errors > 0 {
			fmt.Fprintf(w, ", +%d errors", p.Errors)
		}
		fmt.Fprintf(w, ", %.0f%% packet loss", p.LossPct)
		if p.Received > 0 {
			fmt.Fprintf(w, "; rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", float64(p.RTTMin)/1e6, p.RTTAvg/1e6, float64(p.RTTMax)/1e6, p.RTTMdev/1e6)
		}
		fmt.Fprintln(w)
	}
	for i, f := range sum.Flows {
		if f.Proto != "udp" {
			continue
		}
		if i >= maxConnLines {
			fmt.Fprintln(w, "... more flows in summary.json")
			break
		}
		fmt.Fprintf(w, "udp flow %d %s:%d -> %s:%d: %d sent, %d received, %d lost; delay mean %.3f ms, p99 %.3f ms, jitter %.3f ms\n",
			f.Flow, f.Src, f.SPort, f.Dst, f.DPort, f.TxPackets, f.RxPackets, f.LostPackets, f.DelayMean/1e6, float64(f.DelayP99)/1e6, f.Jitter/1e6)
	}
	for i, c := range sum.Conns {
		if i == maxConnLines {
			fmt.Fprintf(w, "... and %d more connections (see summary.json)\n", len(sum.Conns)-i)
			break
		}
		est := "never established"
		if c.EstablishedAt != nil {
			est = "established at " + sim.Time(*c.EstablishedAt).String()
		}
		fmt.Fprintf(w, "conn %d %s -> %s: %s, %s; sent %d B, acked %d B, delivered %d B, %d retransmits, %s\n",
			c.ID, c.Client, c.Server, est, finalStates(c.FinalState, c.Errors), c.BytesSent, c.BytesAcked, c.BytesDelivered, c.Retransmits, throughput(c.ThroughputBps))
	}
	shown := 0
	for _, l := range sum.Links {
		var drops []string
		for _, reason := range []string{sim.DropQueue, sim.DropAQM, sim.DropLoss, sim.DropDown, sim.DropMTU} {
			if n := l.Dropped[reason]; n > 0 {
				drops = append(drops, fmt.Sprintf("%d %s", n, reason))
			}
		}
		if len(drops) > 0 || l.Marked > 0 {
			if shown++; shown > maxConnLines {
				continue
			}
			dropped := "none"
			if len(drops) > 0 {
				dropped = strings.Join(drops, ", ")
			}
			marked := ""
			if l.Marked > 0 {
				marked = fmt.Sprintf(", marked %d", l.Marked)
			}
			fmt.Fprintf(w, "link %s %s: %d packets sent, dropped %s%s, queue peak %d\n", l.Link, l.Direction, l.Sent, dropped, marked, l.QueuePeak)
		}
	}
	if shown > maxConnLines {
		fmt.Fprintf(w, "... and %d more link directions with drops or marks (see summary.json)\n", shown-maxConnLines)
	}
	for i, n := range sum.Nodes {
		if i == maxConnLines {
			fmt.Fprintf(w, "... and %d more hosts and routers with drops (see summary.json)\n", len(sum.Nodes)-i)
			break
		}
		reasons := make([]string, 0, len(n.Dropped))
		for r := range n.Dropped {
			reasons = append(reasons, r)
		}
		slices.Sort(reasons)
		var drops []string
		for _, r := range reasons {
			drops = append(drops, fmt.Sprintf("%d %s", n.Dropped[r], r))
		}
		fmt.Fprintf(w, "%s: dropped %s\n", n.Node, strings.Join(drops, ", "))
	}
	// The apps' errors, also when the run was too long for its app calls
	// to be listed: a client stopped short of its count by a failed
	// connect would otherwise go unnoticed.
	for i, a := range sum.AppErrors {
		if i == maxConnLines {
			fmt.Fprintf(w, "... and %d more app errors (see summary.json)\n", len(sum.AppErrors)-i)
			break
		}
		times := "once"
		if a.Count > 1 {
			times = fmt.Sprintf("%d times, first", a.Count)
		}
		fmt.Fprintf(w, "app %s: %s failed: %s, %s at %v\n", a.App, a.Call, a.Errno, times, sim.Time(a.First))
	}
}

// finalStates prints each end's last state, with the error of an end that
// failed: "client CLOSED (ETIMEDOUT), server ESTABLISHED".
func finalStates(m, errs map[string]string) string {
	var parts []string
	for _, side := range []string{"client", "server"} {
		if st, ok := m[side]; ok {
			if e, failed := errs[side]; failed {
				// A CLOSED end that failed says why (ETIMEDOUT,
				// ECONNRESET), unlike one that closed.
				st += " (" + e + ")"
			}
			parts = append(parts, side+" "+st)
		}
	}
	return strings.Join(parts, ", ")
}

// throughput prints a rate as "9.87 Mbit/s".
func throughput(bps float64) string {
	x, prefix := siPrefix(bps)
	if prefix == "" {
		return fmt.Sprintf("%.0f bit/s", x)
	}
	return fmt.Sprintf("%.2f %sbit/s", x, prefix)
}

// largeBuild is the size (hosts, routers and links) from which netsim run
// says that it is building, so that a user waiting on a big scenario
// knows what it is doing and that Ctrl-C stops it.
const largeBuild = 1000

// announceBuild tells stderr what a large scenario is about to build.
func announceBuild(stderr io.Writer, s *scenarios.Scenario) {
	if len(s.Hosts)+len(s.Routers)+len(s.Links) < largeBuild {
		return
	}
	fmt.Fprintf(stderr, "netsim run: building %d hosts, %d routers, %d links and %d apps (Ctrl-C stops)\n",
		len(s.Hosts), len(s.Routers), len(s.Links), len(s.Apps))
}

// maxListed is how many files of one subfolder the "wrote" line names
// one by one: past it, the folder is named once with its count (a run
// capturing 10,000 hosts wrote a line of 240 KB).
const maxListed = 8

// writtenList lists the files a run wrote for its "wrote" line, in the
// order written, a subfolder of more than maxListed files as
// "pcap/ (10000 files)" where its first file stood.
func writtenList(files []string) string {
	count := map[string]int{}
	for _, f := range files {
		if dir, _, ok := strings.Cut(filepath.ToSlash(f), "/"); ok {
			count[dir]++
		}
	}
	var parts []string
	named := map[string]bool{}
	for _, f := range files {
		dir, _, ok := strings.Cut(filepath.ToSlash(f), "/")
		switch {
		case !ok || count[dir] <= maxListed:
			parts = append(parts, f)
		case !named[dir]:
			named[dir] = true
			parts = append(parts, fmt.Sprintf("%s/ (%d files)", dir, count[dir]))
		}
	}
	return strings.Join(parts, " ")
}
