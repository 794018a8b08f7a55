package apps

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

var (
	idleConns  = flag.Int("netsim.idle", 100_000, "connections of BenchmarkIdleConns")
	shortConns = flag.Int("netsim.short", 10_000, "exchanges of BenchmarkShortConns")
)

// perClient is how many connections one client host opens: fewer than
// its 16,384 ephemeral ports.
const perClient = 10_000

// fanIn builds clients hosts behind a router to one server, over fast
// links whose queues hold every connection's segments at once.
func fanIn(tb testing.TB, clients int) (*nodes.Network, []*nodes.Host, *nodes.Host) {
	tb.Helper()
	n := nodes.NewNetwork(1, nil)
	srv, err := n.AddHost("server", netip.MustParseAddr("10.255.0.1"), tcp.DefaultConfig())
	require.NoError(tb, err)
	_, err = n.AddRouter("r")
	require.NoError(tb, err)
	link := topology.LinkConfig{Rate: units.BitRate(10e9), Delay: 50 * time.Microsecond, QueueLimitPackets: 1 << 20}
	_, err = n.AddLink(link, "server", "r")
	require.NoError(tb, err)
	var hosts []*nodes.Host
	for i := range clients {
		name := fmt.Sprintf("c%d", i+1)
		h, err := n.AddHost(name, netip.AddrFrom4([4]byte{10, 0, byte(i / 250), byte(i%250 + 1)}), tcp.DefaultConfig())
		require.NoError(tb, err)
		_, err = n.AddLink(link, name, "r")
		require.NoError(tb, err)
		hosts = append(hosts, h)
	}
	require.NoError(tb, n.InstallRoutes())
	return n, hosts, srv
}

// memNow returns the live heap after two collections (buffer blocks wait
// in a sync.Pool that the first only moves to its victim cache), and the
// process's resident memory after the runtime returned what it can to
// the operating system.
func memNow() (heap, rss uint64) {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, residentBytes()
}

// residentBytes reads VmRSS from /proc/self/status (0 where there is
// none).
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkIdleConns opens 100,000 connections (-netsim.idle) from client
// hosts to one server, each a persistent request-response app that makes
// one exchange (100 B request, 1 KB response) and then thinks for an
// hour, and reports what the network holds per idle connection, both
// ends and both apps included: live heap and resident memory (the
// issue's target: at most 4 KiB per connection).
func BenchmarkIdleConns(b *testing.B) {
	conns := *idleConns
	clients := (conns + perClient - 1) / perClient
	var heapPer, rssPer float64
	for b.Loop() {
		heap0, rss0 := memNow()
		n, hosts, srv := fanIn(b, clients)
		_, err := Install(srv, 0, &ResponseServer{Port: 80, RequestSize: 100, ResponseSize: 1000, Backlog: nodes.SomaxConn})
		require.NoError(b, err)
		apps := make([]*RequestResponse, 0, conns)
		for i := range conns {
			rr := &RequestResponse{To: netip.AddrPortFrom(srv.Addr(), 80), RequestSize: 100, ResponseSize: 1000,
				Count: 2, Think: time.Hour, Persistent: true}
			// Spread over a second, so that no listener queue overflows.
			_, err := Install(hosts[i%clients], time.Duration(i)*time.Second/time.Duration(conns), rr)
			require.NoError(b, err)
			apps = append(apps, rr)
		}
		require.NoError(b, n.Scheduler().RunUntil(sim.Time(3*time.Second)))
		for _, a := range apps {
			if len(a.Latencies) != 1 || a.Err != 0 {
				b.Fatalf("an app made %d exchanges (error %v), want 1 and idle", len(a.Latencies), a.Err)
			}
		}
		heap1, rss1 := memNow()
		heapPer = float64(int64(heap1)-int64(heap0)) / float64(conns)
		rssPer = float64(int64(rss1)-int64(rss0)) / float64(conns)
		runtime.KeepAlive(n)
		runtime.KeepAlive(apps)
	}
	b.ReportMetric(heapPer, "heap-B/conn")
	b.ReportMetric(rssPer, "rss-B/conn")
}

// BenchmarkShortConns runs 10,000 request-response exchanges
// (-netsim.short) back to back with think 0, each on its own connection
// (100 B request, 1 KB response), and reports the bytes allocated per
// exchange and the live heap per exchange at the end, when every client
// end waits in TIME-WAIT.
func BenchmarkShortConns(b *testing.B) {
	count := *shortConns
	var allocPer, livePer float64
	for b.Loop() {
		heap0, _ := memNow()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		n, hosts, srv := fanIn(b, 1)
		_, err := Install(srv, 0, &ResponseServer{Port: 80, RequestSize: 100, ResponseSize: 1000})
		require.NoError(b, err)
		rr := &RequestResponse{To: netip.AddrPortFrom(srv.Addr(), 80), RequestSize: 100, ResponseSize: 1000, Count: count}
		_, err = Install(hosts[0], 0, rr)
		require.NoError(b, err)
		require.NoError(b, n.Scheduler().RunUntil(sim.Time(50*time.Second)))
		if !rr.Done {
			b.Fatalf("%d of %d exchanges", len(rr.Latencies), count)
		}
		runtime.ReadMemStats(&m1)
		heap1, _ := memNow()
		allocPer = float64(m1.TotalAlloc-m0.TotalAlloc) / float64(count)
		livePer = float64(int64(heap1)-int64(heap0)) / float64(count)
		runtime.KeepAlive(n)
	}
	b.ReportMetric(allocPer, "alloc-B/exchange")
	b.ReportMetric(livePer, "live-B/exchange")
}
