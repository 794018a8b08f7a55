package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

var (
	bulkSim      = flag.Duration("netsim.sim", 10*time.Second, "simulated time of BenchmarkBulk1G's untraced runs")
	bulkSimTrace = flag.Duration("netsim.simtrace", 10*time.Second, "simulated time of BenchmarkBulk1G's traced run (its trace.jsonl takes about 110 MB per simulated second)")
	bulkSimPCAP  = flag.Duration("netsim.simpcap", 10*time.Second, "simulated time of BenchmarkBulk1G's captured run (its two pcaps take about 250 MB per simulated second)")
)

// bulk1G returns the scenario of issue 14's figures, e2e/testdata/large/bulk-1g.yaml
// (which says why it is set up so), run for dur with the outputs given.
// The e2e test of docs/view.md's figures runs the same file.
func bulk1G(tb testing.TB, dur time.Duration, pcap, trace bool) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "e2e", "testdata", "large", "bulk-1g.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	text := string(b)
	for _, r := range [][2]string{
		{"\nduration: 10s\n", fmt.Sprintf("\nduration: %v\n", dur)},
		{"\noutputs: {pcap: true, trace: true}\n", fmt.Sprintf("\noutputs: {pcap: %v, trace: %v}\n", pcap, trace)},
	} {
		if !strings.Contains(text, r[0]) {
			tb.Fatalf("bulk-1g.yaml has no line %q to replace", r[0])
		}
		text = strings.Replace(text, r[0], r[1], 1)
	}
	return []byte(text)
}

// writeBulk1G writes bulk1G's scenario to dir/name.yaml and returns the
// file's path.
func writeBulk1G(tb testing.TB, dir, name string, dur time.Duration, pcap, trace bool) string {
	tb.Helper()
	p := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(p, bulk1G(tb, dur, pcap, trace), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// mustLoad loads the scenario file p.
func mustLoad(tb testing.TB, p string) *scenarios.Scenario {
	tb.Helper()
	s, err := scenarios.Load(p)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// dataPackets runs the scenario once with no trace sink at all (the
// engine alone: the baseline) and returns the datagrams the client sent,
// which are the transfer's data packets and a handful of handshake and
// closing ones.
func dataPackets(b *testing.B, s *scenarios.Scenario) uint64 {
	w, err := scenarios.Build(s, scenarios.BuildOptions{Seed: s.Seed})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.Run(0, nil); err != nil {
		b.Fatal(err)
	}
	h, _ := w.Net.Host("client")
	return h.Stats().DatagramsSent
}

// BenchmarkBulk1G measures the 1 Gbps / 10 ms RTT bulk transfer of issue
// 14, in three ways in the same invocation so that their ratios hold on
// a shared machine:
//   - engine: scenarios.Build and Run with no trace sink (the baseline);
//   - cli-trace-off: netsim run with outputs {pcap: false, trace: false}:
//     summary.json, expect and the fingerprint from typed records, nothing
//     encoded;
//   - cli-trace-on: netsim run writing trace.jsonl (-netsim.simtrace sets
//     its simulated time);
//   - cli-pcap-on: netsim run writing the two interfaces' pcaps, whole
//     packets, the trace off (-netsim.simpcap sets its simulated time).
//
// Each reports data packets per wall second and per CPU second of the
// process, and heap allocations per data packet; at the end the benchmark
// prints the figures of issue 14's targets side by side (bulkReport), with
// the machine's load average. Run it with
//
//	go test ./cmd/netsim -run '^$' -bench BenchmarkBulk1G -benchtime 1x
func BenchmarkBulk1G(b *testing.B) {
	dir := b.TempDir()
	off, on := writeBulk1G(b, dir, "off", *bulkSim, false, false), writeBulk1G(b, dir, "on", *bulkSimTrace, false, true)
	pcap := writeBulk1G(b, dir, "pcap", *bulkSimPCAP, true, false)
	rates := map[string]bulkRate{}
	// run returns what to do after the measurement (removing the files a
	// run wrote), outside the time and CPU measured.
	measure := func(b *testing.B, packets uint64, run func() (after func())) {
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		// The simulation runs on this goroutine, locked to its thread, so
		// that the thread's own CPU time is the simulation's (and what it
		// does on its thread: building records, and with the trace off
		// copying them for the goroutine beside it).
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		cpu0 := cpuTime()
		th0, thOK := threadCPU()
		var afters []func()
		b.ResetTimer()
		for range b.N {
			if after := run(); after != nil {
				afters = append(afters, after)
			}
		}
		b.StopTimer()
		cpu := cpuTime() - cpu0
		th1, _ := threadCPU()
		runtime.ReadMemStats(&ms1)
		for _, after := range afters {
			after()
		}
		n := float64(packets) * float64(b.N)
		b.ReportMetric(n/b.Elapsed().Seconds(), "pkts/s")
		b.ReportMetric(n/cpu.Seconds(), "pkts/cpu-s")
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/n, "allocs/pkt")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/pkt")
		r := bulkRate{wall: n / b.Elapsed().Seconds(), cpu: n / cpu.Seconds()}
		if thOK {
			r.thread = n / (th1 - th0).Seconds()
			b.ReportMetric(r.thread, "pkts/sim-thread-cpu-s")
		}
		rates[strings.TrimPrefix(b.Name(), "BenchmarkBulk1G/")] = r
	}
	b.Run("engine", func(b *testing.B) {
		s := mustLoad(b, off)
		packets := dataPackets(b, s)
		measure(b, packets, func() func() { dataPackets(b, s); return nil })
	})
	cli := func(path string) func(b *testing.B) {
		return func(b *testing.B) {
			measure(b, dataPackets(b, mustLoad(b, path)), func() func() {
				out := filepath.Join(b.TempDir(), "out")
				if code := runScenario(path, runOpts{out: out}, io.Discard, io.Discard); code != exitOK && code != exitFailed {
					b.Fatalf("netsim run exited %d", code)
				}
				return func() { removeOutput(b, out) }
			})
		}
	}
	b.Run("cli-trace-off", cli(off))
	b.Run("cli-trace-on", cli(on))
	b.Run("cli-pcap-on", cli(pcap))
	// Printed rather than logged: the log of a benchmark that has
	// sub-benchmarks shows only with -test.v.
	fmt.Println(bulkReport(rates, loadAverage()))
}

// removeOutput removes a run's output folder and waits for the disk to
// settle: the gigabytes of a traced or captured run, left to the kernel,
// are written back (or, once removed, discarded) by its threads while
// the next sub-benchmark runs, which took a third of a core from it on
// the 2-core machine (trace off read 360k-620k per wall second in
// successive runs of the same binary).
func removeOutput(b *testing.B, out string) {
	if err := os.RemoveAll(out); err != nil {
		b.Fatal(err)
	}
	syscall.Sync()
}

// bulkRate is one sub-benchmark's data packets per wall second, per CPU
// second of the process and per CPU second of the simulation's thread (0
// where unknown). On a busy machine the last is the steadiest estimate
// of a quiet machine's wall-clock rate when the goroutines beside the
// simulation (the trace writer, the summary) keep up on another core.
type bulkRate struct{ wall, cpu, thread float64 }

// bulkReport sets the sub-benchmarks of BenchmarkBulk1G that ran side by
// side against issue 14's targets: the CLI with the trace off at 600k
// data packets per wall second or more, the trace and the captures each
// costing at most 2x the trace off. A cost is the trace-off rate over the
// other's, per wall second and per CPU second (on a busy machine only
// the latter means much).
func bulkReport(r map[string]bulkRate, load string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "issue 14's figures (load average %s), data packets per second of wall / process CPU / simulation thread CPU:", load)
	k := func(v float64) string { return fmt.Sprintf("%.0fk", v/1e3) }
	for _, name := range []string{"engine", "cli-trace-off", "cli-trace-on", "cli-pcap-on"} {
		if x, ok := r[name]; ok {
			fmt.Fprintf(&b, "\n  %-14s %6s / %6s / %6s", name, k(x.wall), k(x.cpu), k(x.thread))
		}
	}
	off, ok := r["cli-trace-off"]
	if !ok {
		return b.String()
	}
	if e, ok := r["engine"]; ok {
		fmt.Fprintf(&b, "\n  trace off / engine: %.2fx wall, %.2fx process CPU, %.2fx simulation thread CPU",
			off.wall/e.wall, off.cpu/e.cpu, off.thread/e.thread)
	}
	fmt.Fprintf(&b, "\n  trace off: %s per wall second (target at least 600k)", k(off.wall))
	for _, c := range []struct{ name, what string }{{"cli-trace-on", "trace on"}, {"cli-pcap-on", "pcap on"}} {
		if x, ok := r[c.name]; ok {
			fmt.Fprintf(&b, "\n  %s costs %.2fx trace off per wall second, %.2fx per process CPU second, %.2fx per simulation thread CPU second (target at most 2x)",
				c.what, off.wall/x.wall, off.cpu/x.cpu, off.thread/x.thread)
		}
	}
	return b.String()
}

// loadAverage returns the machine's 1, 5 and 15 minute load averages, or
// "unknown" where /proc/loadavg is not.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// The data packets counted are those of the transfer: a sanity check that
// the scenario does what the benchmark says.
func TestBulk1GScenario(t *testing.T) {
	s := mustLoad(t, writeBulk1G(t, t.TempDir(), "b", 200*time.Millisecond, false, false))
	sum := scenarios.NewSummarizer()
	w, err := scenarios.Build(s, scenarios.BuildOptions{Seed: 1, Trace: sum})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Run(0, nil); err != nil {
		t.Fatal(err)
	}
	c := sum.Summary().Conns
	if len(c) != 1 || c[0].BytesDelivered < 10_000_000 || c[0].EstablishedAt == nil {
		t.Fatalf("the transfer did not run: %+v", c)
	}
}

// TestSteadyStateAllocations: once a bulk transfer runs at full speed, a
// data packet costs no heap allocation with the trace off (the summary,
// expectations and fingerprint kept from typed records), and at most 0.1
// with the trace on.
func TestSteadyStateAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 1 Gbps transfer")
	}
	s := mustLoad(t, writeBulk1G(t, t.TempDir(), "b", 3*time.Second, false, true))
	for _, trace := range []bool{false, true} {
		sink := &runSink{fp: sim.NewFingerprint(), summary: scenarios.NewSummarizer(), checker: scenarios.NewChecker(s),
			rec: &exchangeRecorder{}}
		if trace {
			sink.jsonl = sim.NewJSONLWriter(io.Discard)
		}
		sink.runBeside() // as netsim run does: beside the run when traced
		w, err := scenarios.Build(s, scenarios.BuildOptions{Seed: s.Seed, Trace: sink})
		if err != nil {
			t.Fatal(err)
		}
		// Warm up: slow start, the packet pool and the send buffer grow.
		if _, err := w.Run(sim.FromDuration(time.Second), nil); err != nil {
			t.Fatal(err)
		}
		h, _ := w.Net.Host("client")
		sent0 := h.Stats().DatagramsSent
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		if _, err := w.Run(sim.FromDuration(2*time.Second), nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&ms1)
		sink.drain()
		if sink.jsonl != nil {
			if err := sink.jsonl.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		packets := h.Stats().DatagramsSent - sent0
		perPacket := float64(ms1.Mallocs-ms0.Mallocs) / float64(packets)
		t.Logf("trace %v: %d data packets, %d allocations, %.5f per packet", trace, packets, ms1.Mallocs-ms0.Mallocs, perPacket)
		if packets < 50_000 {
			t.Fatalf("only %d data packets in a second at 1 Gbps", packets)
		}
		limit := 0.0
		if trace {
			limit = 0.1
		}
		// The runtime allocates on its own now and then (GC workers, timers,
		// profiling buckets); CI saw 10 in 83k packets under load. One
		// allocation per thousand packets is still two orders of magnitude
		// below a per-packet leak, which shows as 1 or more.
		if perPacket > limit+1e-3 {
			t.Errorf("trace %v: %.5f allocations per data packet, want at most %v", trace, perPacket, limit)
		}
	}
}
