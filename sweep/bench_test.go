package sweep

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// examplePlan is the example sweep (goodput of NewReno and CUBIC over loss
// on the dumbbell) cut to 4 seeds: 40 runs.
func examplePlan(b *testing.B) *Plan {
	s, err := Load(filepath.Join("..", "scenarios", "sweeps", "loss-vs-cc.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	s.Seeds = s.Seeds[:4]
	p, err := Expand(s)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkExecuteWorkers runs the example plan with 1 and with 2 workers.
func BenchmarkExecuteWorkers(b *testing.B) {
	p := examplePlan(b)
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

// BenchmarkWorkerSpeedup alternates the example plan with 1 and with 2
// workers in every iteration, so that both see the same load on a shared
// machine, and reports the ratio of their total wall times:
//
//	go test ./sweep -run '^$' -bench WorkerSpeedup -benchtime 5x
func BenchmarkWorkerSpeedup(b *testing.B) {
	p := examplePlan(b)
	var wall [3]time.Duration
	for b.Loop() {
		for _, workers := range []int{1, 2} {
			b.StopTimer()
			out := b.TempDir()
			b.StartTimer()
			start := time.Now()
			if _, err := Execute(context.Background(), p, Options{Out: out, Workers: workers}); err != nil {
				b.Fatal(err)
			}
			wall[workers] += time.Since(start)
		}
	}
	runs := float64(len(p.Runs) * b.N)
	b.ReportMetric(runs/wall[1].Seconds(), "runs/s@1")
	b.ReportMetric(runs/wall[2].Seconds(), "runs/s@2")
	b.ReportMetric(wall[1].Seconds()/wall[2].Seconds(), "speedup")
}
