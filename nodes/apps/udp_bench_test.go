package apps

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// BenchmarkUDPvsTCP sets the cost of a UDP datagram beside that of a TCP
// segment, measured in the same run so that the machine's load cancels
// out of the ratio. Each iteration carries the same number of 1500-byte
// data packets over the same 1 Gbps, 10 ms RTT link twice: as a TCP bulk
// transfer (BenchmarkBulk1Gbps's, whose cost per data segment includes
// its ACKs, timers and congestion control) and as a CBR UDP flow at 950
// Mbit/s (1472-byte payloads: socket, UDP and IPv4 headers and checksums,
// no ACK). It reports the CPU time of the process per data packet for
// each, their ratio, and the heap allocations per UDP datagram.
func BenchmarkUDPvsTCP(b *testing.B) {
	cfg := tcp.DefaultConfig()
	cfg.SendBuffer, cfg.RecvBuffer = 4<<20, 4<<20
	link := topology.LinkConfig{Rate: units.BitRate(1e9), Delay: 5 * time.Millisecond, QueueLimitPackets: 2000}
	world := func() (*nodes.Network, *nodes.Host, *nodes.Host) {
		n := nodes.NewNetwork(1, nil)
		c, err := n.AddHost("client", clientAddr, cfg)
		require.NoError(b, err)
		s, err := n.AddHost("server", serverAddr, cfg)
		require.NoError(b, err)
		_, err = n.AddLink(link, "client", "server")
		require.NoError(b, err)
		require.NoError(b, n.InstallRoutes())
		return n, c, s
	}
	const payload = 1472 // a 1500-byte datagram
	var tcpCPU, udpCPU time.Duration
	var tcpPkts, udpPkts, udpMallocs uint64
	for b.Loop() {
		// TCP: a bulk transfer; its data segments are counted at the
		// receiver's socket (bytes over the MSS the handshake agreed).
		n, c, s := world()
		sink := &Sink{Port: 80}
		_, err := Install(s, 0, sink)
		require.NoError(b, err)
		bulk := &BulkSend{To: netip.AddrPortFrom(serverAddr, 80), Bytes: *benchBytes}
		_, err = Install(c, 0, bulk)
		require.NoError(b, err)
		cpu0 := cpuTime()
		n.Scheduler().Run()
		tcpCPU += cpuTime() - cpu0
		require.Equal(b, *benchBytes, sink.Received, "transfer incomplete")
		segs := uint64((*benchBytes + 1447) / 1448)
		tcpPkts += segs

		// UDP: as many datagrams, paced a little below the link rate so
		// that the queue stays short.
		n, c, s = world()
		usink := &UDPSink{Port: 9000}
		_, err = Install(s, 0, usink)
		require.NoError(b, err)
		rate := units.BitRate(950e6)
		gap := time.Duration(float64(payload*8) / float64(rate) * 1e9)
		send := &UDPSend{To: netip.AddrPortFrom(serverAddr, 9000), Rate: rate, Size: payload, Pattern: UDPConstant,
			Stop: time.Duration(segs)*gap - gap/2}
		_, err = Install(c, 0, send)
		require.NoError(b, err)
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		cpu0 = cpuTime()
		n.Scheduler().Run()
		udpCPU += cpuTime() - cpu0
		runtime.ReadMemStats(&ms1)
		require.Equal(b, send.Datagrams, usink.Datagrams, "every datagram arrives")
		udpPkts += uint64(usink.Datagrams)
		udpMallocs += ms1.Mallocs - ms0.Mallocs
	}
	tcpNs := float64(tcpCPU.Nanoseconds()) / float64(tcpPkts)
	udpNs := float64(udpCPU.Nanoseconds()) / float64(udpPkts)
	b.ReportMetric(tcpNs, "tcp-cpu-ns/pkt")
	b.ReportMetric(udpNs, "udp-cpu-ns/pkt")
	b.ReportMetric(udpNs/tcpNs, "udp/tcp")
	b.ReportMetric(float64(udpMallocs)/float64(udpPkts), "udp-allocs/pkt")
}
