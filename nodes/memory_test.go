package nodes

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// idleEndpointBytes opens n connections from a to b, each carrying one
// 100-byte request and 1,000-byte response, lets them go idle
// (established, everything read and acknowledged), and returns the heap
// they hold per endpoint: sockets, connections, buffers and the
// network's registries. A first batch warms up what does not grow with
// connections (the packet free list, maps' first buckets).
func idleEndpointBytes(t *testing.T, n int) float64 {
	t.Helper()
	net, a, b, lfd := manyConnsWorld(t, n)
	req, resp := make([]byte, 100), make([]byte, 1000)
	buf := make([]byte, 4096)
	until := sim.Time(0)
	batch := func() {
		fds := dialMany(t, a, n)
		until += sim.Time(100 * time.Millisecond)
		require.NoError(t, net.Scheduler().RunUntil(until))
		for _, fd := range fds {
			_, err := a.Send(fd, req)
			require.NoError(t, err)
		}
		until += sim.Time(100 * time.Millisecond)
		require.NoError(t, net.Scheduler().RunUntil(until))
		for {
			sfd, _, err := b.Accept(lfd)
			if err != nil {
				break
			}
			k, err := b.Recv(sfd, buf)
			require.NoError(t, err)
			require.Equal(t, len(req), k)
			_, err = b.Send(sfd, resp)
			require.NoError(t, err)
		}
		until += sim.Time(time.Second)
		require.NoError(t, net.Scheduler().RunUntil(until))
		for _, fd := range fds {
			k, err := a.Recv(fd, buf)
			require.NoError(t, err)
			require.Equal(t, len(resp), k)
		}
		until += sim.Time(time.Second) // delayed ACKs, nothing left
		require.NoError(t, net.Scheduler().RunUntil(until))
	}
	var m1, m2 runtime.MemStats
	// Two collections: free buffer blocks wait in a sync.Pool, which the
	// first one only moves to its victim cache.
	batch()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m1)
	batch()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m2)
	runtime.KeepAlive(net)
	return float64(int64(m2.HeapAlloc)-int64(m1.HeapAlloc)) / float64(2*n)
}

// An idle established connection costs at most 2 KiB of heap per
// endpoint, socket and buffers included (the target; measured
// about 1,710 bytes): buffers hold memory in proportion to the data they
// hold, not to their limits; a Conn shares its host's settings (a
// pointer, not a 184-byte copy), keeps what few connections use out of
// line and fits Go's 1,152-byte size class, a Socket the 176-byte one;
// the host's connection table and the network's connection IDs are keyed
// by 12-byte IPv4 tuples. (CUBIC, the default,
// keeps 144 bytes of state where NewReno keeps 40; the delivery rate
// estimator and pacing keep about 100 bytes, as Linux's delivered,
// delivered_mstamp, first_tx_mstamp, app_limited and the pacing timer;
// buffer autotuning (rcvq_space, rcv_rtt_est) and tail loss probes
// (tlp_high_seq) their own; Linux's own struct tcp_sock is over 2 KiB.)
func TestIdleConnectionMemory(t *testing.T) {
	per := idleEndpointBytes(t, 1000)
	t.Logf("%.0f bytes per idle endpoint", per)
	require.LessOrEqual(t, per, 2048.0)
}

// TestSocketSizeClass holds a Socket in Go's 208-byte size class: every
// connection has one. It holds the connection's timer (48 bytes, which
// took a 48-byte object and two 16-byte closures of its own when it was
// allocated apart); what only some sockets need lives behind pointers: a
// listener's queue, a datagram socket's state, settings changed by
// options.
func TestSocketSizeClass(t *testing.T) {
	require.LessOrEqual(t, unsafe.Sizeof(Socket{}), uintptr(208))
}
