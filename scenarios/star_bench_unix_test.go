//go:build unix

package scenarios

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkRunStar parses, builds and runs the star of 1,000 and of
// 10,000 clients (each one exchange), alternately in the same run, and
// reports the wall time of each, their ratio, and the ratio of their CPU
// time (user and system, from getrusage: on a shared machine it counts
// this process's work only). The target is cost linear in N:
// 10,000 within 12 times 1,000. Each run starts from a collected heap
// (outside the timing): run after run in one process, the 1,000-host
// world would otherwise inherit the heap goal the 10,000-host one left
// (and so never collect), and the 10,000-host one would collect the
// 1,000-host one's garbage.
func BenchmarkRunStar(b *testing.B) {
	texts := map[int]string{1000: starScenario(1000), 10000: starScenario(10000)}
	var wall, cpu [2]time.Duration
	for range b.N {
		for i, n := range []int{1000, 10000} {
			b.StopTimer()
			runtime.GC()
			b.StartTimer()
			w0, c0 := time.Now(), cpuTime()
			s, err := Parse("bench.yaml", []byte(texts[n]))
			require.NoError(b, err)
			w, err := Build(s, BuildOptions{Seed: 1})
			require.NoError(b, err)
			_, err = w.Run(0, nil)
			require.NoError(b, err)
			wall[i] += time.Since(w0)
			cpu[i] += cpuTime() - c0
		}
	}
	k := time.Duration(b.N)
	b.ReportMetric((wall[0] / k).Seconds(), "s-1000")
	b.ReportMetric((wall[1] / k).Seconds(), "s-10000")
	b.ReportMetric(float64(wall[1])/float64(wall[0]), "ratio")
	b.ReportMetric((cpu[0] / k).Seconds(), "cpu-s-1000")
	b.ReportMetric((cpu[1] / k).Seconds(), "cpu-s-10000")
	b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "cpu-ratio")
}
