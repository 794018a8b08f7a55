//go:build unix

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a benchmark run netsim as a child process of its own test
// binary (NETSIM_TEST_MAIN=1: the arguments are netsim's), so that the
// child's peak memory is measured alone, without a go build.
func TestMain(m *testing.M) {
	if os.Getenv("NETSIM_TEST_MAIN") == "1" {
		os.Exit(netsim(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// BenchmarkPlotMemory shows that netsim plot's memory does not grow with
// the trace: it writes the trace of the 1 Gbps bulk transfer of
// BenchmarkBulk1G for 0.25 s, 1 s and 2 s of simulated time (about 22, 116
// and 245 MB), then draws every figure of each with netsim plot in a
// child process and reports the child's peak resident memory
// (peak-rss-MB) beside the trace's size (trace-MB). While the trace grows
// elevenfold the peak stays within the same few tens of megabytes (the
// runtime, the fonts, the figures and the collector's bounded series),
// moving only with when the garbage collector runs. Run it with
//
//	go test ./cmd/netsim -run '^$' -bench PlotMemory -benchtime 1x
func BenchmarkPlotMemory(b *testing.B) {
	for _, sim := range []time.Duration{250 * time.Millisecond, time.Second, 2 * time.Second} {
		b.Run(fmt.Sprintf("trace=%v", sim), func(b *testing.B) {
			dir := b.TempDir()
			scenario := filepath.Join(dir, "bulk.yaml")
			if err := os.WriteFile(scenario, bulk1G(b, sim, false, true), 0o644); err != nil {
				b.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			if code := runScenario(scenario, runOpts{out: out}, io.Discard, io.Discard); code != exitOK {
				b.Fatalf("netsim run exited %d", code)
			}
			fi, err := os.Stat(filepath.Join(out, "trace.jsonl"))
			if err != nil {
				b.Fatal(err)
			}
			var peak int64 // bytes
			b.ResetTimer()
			for range b.N {
				cmd := exec.Command(os.Args[0], "plot", out)
				cmd.Env = append(os.Environ(), "NETSIM_TEST_MAIN=1")
				if msg, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("netsim plot: %v\n%s", err, msg)
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					peak = max(peak, maxRSS(ru))
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(fi.Size())/1e6, "trace-MB")
			b.ReportMetric(float64(peak)/1e6, "peak-rss-MB")
		})
	}
}
