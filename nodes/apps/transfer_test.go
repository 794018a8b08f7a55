package apps

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

var (
	clientAddr = netip.MustParseAddr("10.0.0.1")
	serverAddr = netip.MustParseAddr("10.0.0.2")
)

// world is a client and a server joined through router r: an access link
// client-r and a bottleneck r-server.
type world struct {
	net            *nodes.Network
	client, server *nodes.Host
	access, bottle *topology.Link
}

func newWorld(t testing.TB, trace sim.Sink, access, bottleneck topology.LinkConfig) *world {
	t.Helper()
	n := nodes.NewNetwork(1, trace)
	c, err := n.AddHost("client", clientAddr, tcp.DefaultConfig())
	require.NoError(t, err)
	s, err := n.AddHost("server", serverAddr, tcp.DefaultConfig())
	require.NoError(t, err)
	_, err = n.AddRouter("r")
	require.NoError(t, err)
	access.Name, bottleneck.Name = "access", "bottleneck"
	la, err := n.AddLink(access, "client", "r")
	require.NoError(t, err)
	lb, err := n.AddLink(bottleneck, "r", "server")
	require.NoError(t, err)
	require.NoError(t, n.InstallRoutes())
	return &world{net: n, client: c, server: s, access: la, bottle: lb}
}

// transfer installs a sink on the server and a bulk sender of size bytes
// on the client, starting at 0.
func (w *world) transfer(t testing.TB, size int64) (*BulkSend, *Sink) {
	t.Helper()
	sink := &Sink{Port: 80, Verify: true}
	_, err := Install(w.server, 0, sink)
	require.NoError(t, err)
	bulk := &BulkSend{To: netip.AddrPortFrom(serverAddr, 80), Bytes: size}
	_, err = Install(w.client, 0, bulk)
	require.NoError(t, err)
	return bulk, sink
}

func mbps(v float64) units.BitRate { return units.BitRate(v * 1e6) }

// A bulk transfer through a router over a 10 Mbps bottleneck whose queue
// holds more than one bandwidth-delay product keeps the bottleneck busy:
// after slow start the goodput is at least 90% of 10 Mbps.
func TestBulkThroughRouterFillsBottleneck(t *testing.T) {
	w := newWorld(t, nil,
		topology.LinkConfig{Rate: mbps(100), Delay: time.Millisecond},
		// RTT 22 ms: BDP 27.5 kB, about 19 full segments; 100 packets of queue.
		topology.LinkConfig{Rate: mbps(10), Delay: 10 * time.Millisecond, QueueLimitPackets: 100})
	bulk, sink := w.transfer(t, 6_000_000)
	var at1, at2 int64
	w.net.Scheduler().At(sim.Time(time.Second), func() { at1 = sink.Received })
	w.net.Scheduler().At(sim.Time(4*time.Second), func() { at2 = sink.Received })
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(20*time.Second)))

	goodput := float64(at2-at1) * 8 / 3
	t.Logf("goodput %.2f Mbps, done in %v", goodput/1e6, bulk.Duration)
	assert.GreaterOrEqual(t, goodput, 0.9*10e6)
	assert.True(t, bulk.Done)
	assert.Equal(t, int64(6_000_000), sink.Received)
	assert.Zero(t, sink.Mismatched)
}

// With 1% loss on the bottleneck every byte is still delivered, in order.
func TestBulkWithLossDeliversEveryByteInOrder(t *testing.T) {
	w := newWorld(t, nil,
		topology.LinkConfig{Rate: mbps(100), Delay: time.Millisecond},
		topology.LinkConfig{Rate: mbps(10), Delay: 5 * time.Millisecond, Loss: topology.Bernoulli(0.01)})
	bulk, sink := w.transfer(t, 2_000_000)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(60*time.Second)))
	assert.True(t, bulk.Done)
	assert.Equal(t, int64(2_000_000), sink.Received)
	assert.Zero(t, sink.Mismatched, "bytes out of order or damaged")
	assert.Positive(t, w.bottle.Stats(0).Dropped.Loss+w.bottle.Stats(1).Dropped.Loss, "the loss model dropped packets")
}

// A link that goes down mid-transfer and comes back: the connection
// recovers through retransmission timeouts and completes.
func TestBulkSurvivesLinkDownAndUp(t *testing.T) {
	rec := &sim.Recorder{}
	w := newWorld(t, rec,
		topology.LinkConfig{Rate: mbps(100), Delay: time.Millisecond},
		topology.LinkConfig{Rate: mbps(10), Delay: 5 * time.Millisecond})
	bulk, sink := w.transfer(t, 3_000_000)
	w.net.Scheduler().At(sim.Time(time.Second), func() { w.bottle.SetUp(false) })
	w.net.Scheduler().At(sim.Time(3*time.Second), func() { w.bottle.SetUp(true) })
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(60*time.Second)))
	assert.True(t, bulk.Done)
	assert.Equal(t, int64(3_000_000), sink.Received)
	assert.Zero(t, sink.Mismatched)
	rto := 0
	for _, r := range rec.Records {
		if e, ok := r.Event.(*sim.TCPRetransmit); ok && e.Reason == "rto" {
			rto++
		}
	}
	assert.Positive(t, rto, "retransmissions by timeout")
	assert.Greater(t, bulk.Duration, 2*time.Second)
}

// A SYN to a port with no listener is answered by a RST and the client's
// connect fails with ECONNREFUSED.
func TestConnectRefused(t *testing.T) {
	rec := &sim.Recorder{}
	w := newWorld(t, rec,
		topology.LinkConfig{Rate: mbps(100), Delay: time.Millisecond},
		topology.LinkConfig{Rate: mbps(10), Delay: 5 * time.Millisecond})
	bulk := &BulkSend{To: netip.AddrPortFrom(serverAddr, 81), Bytes: 1000}
	_, err := Install(w.client, 0, bulk)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(time.Second)))
	assert.Equal(t, nodes.ECONNREFUSED, bulk.Err)
	assert.False(t, bulk.Done)
	var rst []string
	for _, r := range rec.Records {
		if e, ok := r.Event.(*sim.PacketSend); ok && r.Subject == "host/server" {
			rst = append(rst, e.Flags.String())
		}
	}
	assert.Equal(t, []string{"R."}, rst)
}

// Duplicated, corrupted and reordered packets on the way: corrupted ones
// are dropped by the receiver's checksum ("checksum"), duplicates are
// discarded by TCP, and every byte still arrives in order. This also
// guards the reuse of delivered packets: a link copy sharing bytes with a
// reused packet would break the pattern.
func TestBulkThroughImpairedLink(t *testing.T) {
	w := newWorld(t, nil,
		topology.LinkConfig{Rate: mbps(100), Delay: time.Millisecond, Duplicate: 0.05},
		topology.LinkConfig{Rate: mbps(10), Delay: 5 * time.Millisecond, Corrupt: 0.01,
			Jitter: 2 * time.Millisecond, Reorder: true, Duplicate: 0.02})
	bulk, sink := w.transfer(t, 2_000_000)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(60*time.Second)))
	assert.True(t, bulk.Done)
	assert.Equal(t, int64(2_000_000), sink.Received)
	assert.Zero(t, sink.Mismatched)
	assert.Positive(t, w.server.Drops(sim.DropChecksum)+w.client.Drops(sim.DropChecksum), "corrupted packets were caught")
	assert.Positive(t, w.bottle.Stats(0).Duplicated)
}
