//go:build unix

package scenarios

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// dumbbellText is a dumbbell of n pairs over a 1 Gbit/s bottleneck (1 ms,
// a 1,000-packet drop-tail queue; 10 Gbit/s access links), with a sink on
// each right host and a bulk-send to it from its left host, whose other
// keys for pair i are sendKeys(i).
func dumbbellText(n int, sendKeys func(i int) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `version: 1
name: db
duration: 60s
topology:
  - {kind: dumbbell, pairs: %d, prefix: db, access: {bandwidth: 10Gbps, delay: 100us},
     bottleneck: {bandwidth: 1Gbps, delay: 1ms, queue: {limit: 1000}}}
apps:
`, n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - {type: sink, host: db-right-%d, port: 80}\n  - {type: bulk-send, host: db-left-%d, to: db-right-%d:80, %s}\n", i, i, i, sendKeys(i))
	}
	return b.String()
}

// dumbbellFlows is a dumbbell of n pairs, each left host sending total/n
// bytes to its right host, so that every n carries the same data through
// the bottleneck.
func dumbbellFlows(n int, total int64) string {
	return dumbbellText(n, func(int) string { return fmt.Sprintf("bytes: %d", total/int64(n)) })
}

// cpuTime is the CPU time the process has used (user and system): on a
// shared, loaded machine it measures the work, where the wall clock
// measures the other jobs too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runDumbbell builds and runs a dumbbell and returns the CPU time of the
// run alone (not the build) per packet through the bottleneck's data
// direction, and the CPU time of the build.
func runDumbbell(b *testing.B, text string) (perPacket, build time.Duration) {
	b.Helper()
	s, err := Parse("db.yaml", []byte(text))
	require.NoError(b, err)
	start := cpuTime()
	w, err := Build(s, BuildOptions{Seed: 1})
	require.NoError(b, err)
	build = cpuTime() - start
	start = cpuTime()
	_, err = w.Run(0, nil)
	require.NoError(b, err)
	wall := cpuTime() - start
	l, ok := w.Net.Link("db-bottleneck")
	require.True(b, ok)
	pkts := l.Stats(0).Transmitted
	require.Positive(b, pkts)
	return wall / time.Duration(pkts), build
}

// BenchmarkDumbbellFlows runs 1 flow and 1,000 flows through the same 1
// Gbit/s bottleneck, 100 MB in all, alternating in the same run, and
// reports the CPU time per packet through the bottleneck of each and their
// ratio (the target: 1,000 flows at most 2x the cost of one), and
// the build time of the 1,000-flow dumbbell (target: under 1 s).
func BenchmarkDumbbellFlows(b *testing.B) {
	one, many := dumbbellFlows(1, 100e6), dumbbellFlows(1000, 100e6)
	var sum1, sumN, sumBuild time.Duration
	for range b.N {
		p1, _ := runDumbbell(b, one)
		pN, build := runDumbbell(b, many)
		sum1 += p1
		sumN += pN
		sumBuild += build
	}
	n := time.Duration(b.N)
	b.ReportMetric(float64(sum1/n), "ns/pkt-1flow")
	b.ReportMetric(float64(sumN/n), "ns/pkt-1000flows")
	b.ReportMetric(float64(sumN)/float64(sum1), "ratio")
	b.ReportMetric((sumBuild / n).Seconds(), "s-build-1000")
}

// dumbbellSteady is a dumbbell of n pairs, each left host sending to its
// right host without end (10 GB, more than the run carries), the starts
// spread evenly over the first second (pair i at (i-1)/n s).
func dumbbellSteady(n int) string {
	return dumbbellText(n, func(i int) string {
		start := time.Duration(i-1) * time.Second / time.Duration(n)
		return fmt.Sprintf("start: %dns, bytes: 10GB", start.Nanoseconds())
	})
}

// Steady state: the warm-up before the measured window, and the window.
const (
	steadyWarmUp = 2 * time.Second
	steadyWindow = 2 * time.Second
)

// runSteady builds a dumbbellSteady scenario, runs it through the warm-up
// and returns the CPU time per packet through the bottleneck's data
// direction over the window after it, and the scheduler events per such
// packet.
func runSteady(b *testing.B, text string) (perPacket time.Duration, events float64) {
	b.Helper()
	s, err := Parse("db.yaml", []byte(text))
	require.NoError(b, err)
	w, err := Build(s, BuildOptions{Seed: 1})
	require.NoError(b, err)
	_, err = w.Run(sim.FromDuration(steadyWarmUp), nil)
	require.NoError(b, err)
	l, ok := w.Net.Link("db-bottleneck")
	require.True(b, ok)
	pkts0, events0 := l.Stats(0).Transmitted, w.Events()
	start := cpuTime()
	_, err = w.Run(sim.FromDuration(steadyWarmUp+steadyWindow), nil)
	require.NoError(b, err)
	cpu := cpuTime() - start
	pkts := l.Stats(0).Transmitted - pkts0
	require.Positive(b, pkts)
	return cpu / time.Duration(pkts), float64(w.Events()-events0) / float64(pkts)
}

// BenchmarkDumbbellFlowsSteady is BenchmarkDumbbellFlows in steady state:
// 1 and 1,000 long-lived flows through the same bottleneck, measured
// over the same simulated seconds after a warm-up, so that neither the
// handshakes nor the thousand slow starts of short flows are counted. It
// reports the CPU time per packet through the bottleneck of each, their
// ratio, and the scheduler events per such packet of each (the work a
// packet costs, whatever its cost per event).
func BenchmarkDumbbellFlowsSteady(b *testing.B) {
	one, many := dumbbellSteady(1), dumbbellSteady(1000)
	var sum1, sumN time.Duration
	var ev1, evN float64
	for range b.N {
		p1, e1 := runSteady(b, one)
		pN, eN := runSteady(b, many)
		sum1 += p1
		sumN += pN
		ev1, evN = e1, eN
	}
	n := time.Duration(b.N)
	b.ReportMetric(float64(sum1/n), "ns/pkt-1flow")
	b.ReportMetric(float64(sumN/n), "ns/pkt-1000flows")
	b.ReportMetric(float64(sumN)/float64(sum1), "ratio")
	b.ReportMetric(ev1, "events/pkt-1flow")
	b.ReportMetric(evN, "events/pkt-1000flows")
}

// BenchmarkDumbbellRun runs one dumbbell of BenchmarkDumbbellFlows per
// iteration, 1 pair or 1,000, and reports its CPU time per bottleneck
// packet: one variant alone, for a profiler or a cache simulator
// (docs/performance.md, "Where the time goes").
func BenchmarkDumbbellRun(b *testing.B) {
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			text := dumbbellFlows(n, 100e6)
			b.ResetTimer()
			var sum time.Duration
			for range b.N {
				p, _ := runDumbbell(b, text)
				sum += p
			}
			b.ReportMetric(float64(sum/time.Duration(b.N)), "ns/pkt")
		})
	}
}
