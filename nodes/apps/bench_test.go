package apps

import (
	"flag"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// benchBytes is the size of the benchmark's transfer; the figure in
// docs/performance.md uses -netsim.bytes=1000000000 (1 GB).
var benchBytes = flag.Int64("netsim.bytes", 50_000_000, "bytes of the bulk-transfer benchmark")

// BenchmarkBulk1Gbps runs a bulk transfer over one 1 Gbps link with a
// 10 ms RTT (4 MiB socket buffers, so the window covers the 1.25 MB BDP)
// and reports simulated packets per wall-clock second (datagrams
// delivered, both directions), scheduler events per second and heap
// allocations per packet, without a trace sink (records are not built)
// and with one that counts them.
func BenchmarkBulk1Gbps(b *testing.B) {
	b.Run("untraced", func(b *testing.B) { benchBulk(b, nil) })
	// The same run with every record built and handed to a sink that
	// only counts them: the cost of tracing, without any encoding.
	b.Run("traced", func(b *testing.B) { benchBulk(b, &countSink{}) })
}

// countSink counts records and keeps nothing.
type countSink struct{ n uint64 }

// Emit counts r.
func (c *countSink) Emit(*sim.Record) { c.n++ }

func benchBulk(b *testing.B, trace sim.Sink) {
	cfg := tcp.DefaultConfig()
	cfg.SendBuffer, cfg.RecvBuffer = 4<<20, 4<<20
	var packets, events, mallocs uint64
	var wall, cpu time.Duration
	for b.Loop() {
		n := nodes.NewNetwork(1, trace)
		c, err := n.AddHost("client", clientAddr, cfg)
		require.NoError(b, err)
		s, err := n.AddHost("server", serverAddr, cfg)
		require.NoError(b, err)
		l, err := n.AddLink(topology.LinkConfig{Rate: units.BitRate(1e9), Delay: 5 * time.Millisecond, QueueLimitPackets: 2000}, "client", "server")
		require.NoError(b, err)
		require.NoError(b, n.InstallRoutes())
		sink := &Sink{Port: 80}
		_, err = Install(s, 0, sink)
		require.NoError(b, err)
		bulk := &BulkSend{To: netip.AddrPortFrom(serverAddr, 80), Bytes: *benchBytes}
		_, err = Install(c, 0, bulk)
		require.NoError(b, err)

		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		cpu0 := cpuTime()
		start := time.Now()
		n.Scheduler().Run()
		wall += time.Since(start)
		cpu += cpuTime() - cpu0
		runtime.ReadMemStats(&ms1)
		if !bulk.Done || sink.Received != *benchBytes {
			b.Fatalf("transfer incomplete: %d of %d bytes", sink.Received, *benchBytes)
		}
		packets += l.Stats(0).Delivered + l.Stats(1).Delivered
		events += n.Scheduler().Processed()
		mallocs += ms1.Mallocs - ms0.Mallocs
		b.ReportMetric(bulk.Duration.Seconds(), "sim-s/transfer")
	}
	b.ReportMetric(float64(packets)/wall.Seconds(), "packets/s")
	b.ReportMetric(float64(events)/wall.Seconds(), "events/s")
	// On a shared machine the wall clock counts other processes' time too;
	// the process's CPU time (user+system, the GC included) does not.
	b.ReportMetric(float64(packets)/cpu.Seconds(), "packets/cpu-s")
	b.ReportMetric(float64(events)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(float64(mallocs)/float64(packets), "allocs/packet")
	b.ReportMetric(float64(events)/float64(packets), "events/packet")
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
