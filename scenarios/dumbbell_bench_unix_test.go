//go:build unix

package scenarios

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// dumbbellFlows is a dumbbell of n pairs over a 1 Gbit/s bottleneck,
// each left host sending total/n bytes to its right host, so that every
// n carries the same data through the bottleneck.
func dumbbellFlows(n int, total int64) string {
	text := fmt.Sprintf(`version: 1
name: db
duration: 60s
topology:
  - {kind: dumbbell, pairs: %d, prefix: db, access: {bandwidth: 10Gbps, delay: 100us},
     bottleneck: {bandwidth: 1Gbps, delay: 1ms, queue: {limit: 1000}}}
apps:
`, n)
	for i := 1; i <= n; i++ {
		text += fmt.Sprintf("  - {type: sink, host: db-right-%d, port: 80}\n  - {type: bulk-send, host: db-left-%d, to: db-right-%d:80, bytes: %d}\n", i, i, i, total/int64(n))
	}
	return text
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
