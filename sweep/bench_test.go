package sweep

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkExecuteWorkers runs the example sweep (goodput of NewReno and
// CUBIC over loss on the dumbbell, cut to 4 seeds: 40 runs) with 1 and 2
// workers; the ratio of the two ns/op of one invocation is the speed-up:
//
//	go test ./sweep -run '^$' -bench ExecuteWorkers -benchtime 3x
func BenchmarkExecuteWorkers(b *testing.B) {
	s, err := Load(filepath.Join("..", "scenarios", "sweeps", "loss-vs-cc.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	s.Seeds = s.Seeds[:4]
	p, err := Expand(s)
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				out := b.TempDir()
				b.StartTimer()
				if _, err := Execute(context.Background(), p, Options{Out: out, Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(p.Runs))*float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
