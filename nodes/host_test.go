package nodes

import (
	"github.com/netsimlab/netsim/nodes/ipv4"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/inet"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

var (
	addrA = netip.MustParseAddr("10.0.0.1")
	addrB = netip.MustParseAddr("10.0.0.2")
)

// hostsAB returns a network recording to rec with hosts a (addrA) and b
// (addrB) of the default TCP configuration and nothing else yet: the start
// of the worlds the tests build.
func hostsAB(t *testing.T, rec sim.Sink) (*Network, *Host, *Host) {
	t.Helper()
	n := NewNetwork(1, rec)
	a, err := n.AddHost("a", addrA, tcp.DefaultConfig())
	require.NoError(t, err)
	b, err := n.AddHost("b", addrB, tcp.DefaultConfig())
	require.NoError(t, err)
	return n, a, b
}

// twoHosts builds a and b over one link with cfg, routes each to the
// other, and returns the network.
func twoHosts(t *testing.T, rec sim.Sink, cfg topology.LinkConfig) (*Network, *Host, *Host) {
	t.Helper()
	n, a, b := hostsAB(t, rec)
	_, err := n.AddLink(cfg, "a", "b")
	require.NoError(t, err)
	require.NoError(t, n.InstallRoutes())
	return n, a, b
}

// sends returns the pkt.send records of subject.
func sends(rec *sim.Recorder, subject string) []*sim.PacketSend {
	var out []*sim.PacketSend
	for _, r := range rec.Records {
		if s, ok := r.Event.(*sim.PacketSend); ok && r.Subject == subject {
			out = append(out, s)
		}
	}
	return out
}

// RFC 9293 §3.10.7.1: a segment that finds no socket is answered with a
// reset; Linux answers a SYN with "R. 0:0(0) ack seq+1 win 0" and a
// segment with ACK with "R <its ack>"; a RST is never answered.
func TestResetForNoSocket(t *testing.T) {
	tests := []struct {
		name      string
		in        tcp.Header
		plen      int
		wantFlags string
		wantSeq   uint32
		wantAck   uint32
		// Relative to the answered segment (sim/kinds.go): rseq 0, rack
		// the answered segment's length with SYN and FIN counted.
		wantRack uint64
	}{
		{"syn", tcp.Header{Seq: 1000, Flags: tcp.FlagSYN}, 0, "R.", 0, 1001, 1},
		{"ack", tcp.Header{Seq: 1000, Ack: 5000, Flags: tcp.FlagACK}, 0, "R", 5000, 0, 0},
		{"data without ack", tcp.Header{Seq: 1000, Flags: tcp.FlagPSH}, 10, "R.", 0, 1010, 10},
		{"fin without ack", tcp.Header{Seq: 7, Flags: tcp.FlagFIN}, 0, "R.", 0, 8, 1},
		{"syn at the top of the sequence space", tcp.Header{Seq: 0xffffffff, Flags: tcp.FlagSYN}, 0, "R.", 0, 0, 1},
		{"rst", tcp.Header{Seq: 1000, Flags: tcp.FlagRST}, 0, "", 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &sim.Recorder{}
			n, a, b := twoHosts(t, rec, fastLink("ab"))
			tc.in.SrcPort, tc.in.DstPort, tc.in.Window = 40000, 80, 1000
			inject(a, addrB, tc.in, make([]byte, tc.plen))
			n.Scheduler().Run()
			out := sends(rec, "host/b")
			if tc.wantFlags == "" {
				assert.Empty(t, out)
				return
			}
			require.Len(t, out, 1)
			r := out[0]
			assert.Equal(t, tc.wantFlags, r.Flags.String())
			assert.Equal(t, tc.wantSeq, r.Seq)
			assert.Equal(t, tc.wantAck, r.Ack)
			assert.Equal(t, uint64(0), r.RSeq)
			assert.Equal(t, tc.wantRack, r.RAck)
			assert.Equal(t, uint16(0), r.Win)
			assert.Equal(t, uint16(80), r.SPort)
			assert.Equal(t, uint16(40000), r.DPort)
			assert.Equal(t, uint64(1), b.Stats().ResetsSent)
			// The RST reached a, which has no socket either and stays
			// silent.
			assert.Empty(t, sends(rec, "host/a")[1:])
			assert.Equal(t, uint64(1), a.Stats().DatagramsDelivered)
		})
	}
}

func TestHostDropsWithReasons(t *testing.T) {
	rec := &sim.Recorder{}
	n, a, b := twoHosts(t, rec, fastLink("ab"))
	// Not for b: a routes 10.0.0.9 to b, which does not forward.
	mustRoute(t, a.Routes(), "10.0.0.9/32", 0)
	inject(a, netip.MustParseAddr("10.0.0.9"), tcp.Header{SrcPort: 1, DstPort: 2, Flags: tcp.FlagSYN}, nil)
	// No route at all.
	require.NoError(t, withoutDefaultRoute(t, a, func() error {
		inject(a, netip.MustParseAddr("192.168.0.1"), tcp.Header{SrcPort: 1, DstPort: 2, Flags: tcp.FlagSYN}, nil)
		return nil
	}))
	// Bigger than the MTU.
	inject(a, addrB, tcp.Header{SrcPort: 1, DstPort: 2, Flags: tcp.FlagACK}, make([]byte, 1500))
	n.Scheduler().Run()
	assert.Equal(t, uint64(1), b.Drops(sim.DropNotMine))
	assert.Equal(t, uint64(1), a.Drops(sim.DropNoRoute))
	assert.Equal(t, uint64(1), a.Drops(sim.DropMTU))
	assert.Equal(t, 1, countDrops(rec, "host/a", sim.DropMTU))

	// A TCP checksum broken in flight, with a valid IP header.
	var hdr tcp.Header
	hdr.SrcPort, hdr.DstPort, hdr.Flags = 1, 2, tcp.FlagSYN
	d := make([]byte, 20)
	d = hdr.AppendTo(d, addrA, addrB, []byte("hello"))
	a.putIPv4Header(d, addrB, ipv4.ProtoTCP, true, false, 0)
	d[len(d)-1] ^= 1
	a.Interfaces()[0].send(&topology.Packet{ID: n.NextPacketID(), Data: d})
	// A protocol the host does not speak.
	u := append([]byte(nil), d[:28]...)
	u[2], u[3] = 0, 28
	u[9] = 99
	u[10], u[11] = 0, 0
	c := inet.Checksum(u[:20], 0)
	u[10], u[11] = byte(c>>8), byte(c)
	a.Interfaces()[0].send(&topology.Packet{ID: n.NextPacketID(), Data: u})
	n.Scheduler().Run()
	assert.Equal(t, uint64(1), b.Drops(sim.DropChecksum))
	assert.Equal(t, uint64(1), b.Drops(sim.DropNoProto))
}

// Captures time an outgoing datagram when its first bit leaves and an
// incoming one when its last bit arrives.
func TestCaptureTimestamps(t *testing.T) {
	cfg := topology.LinkConfig{Name: "ab", Rate: units.BitRate(8e6), Delay: 3 * time.Millisecond} // 1 byte/us
	n, a, _ := twoHosts(t, nil, cfg)
	bufs := captureAll(t, n)
	require.Len(t, bufs, 2)
	n.Scheduler().RunUntil(sim.Time(5 * time.Millisecond))
	inject(a, addrB, tcp.Header{SrcPort: 40000, DstPort: 80, Seq: 1, Flags: tcp.FlagSYN}, nil)
	n.Scheduler().Run()

	read := func(name string) []int64 {
		var ts []int64
		for _, p := range readCapture(t, bufs[name].Bytes()) {
			ts = append(ts, p.at)
		}
		return ts
	}
	// The SYN (40 bytes) leaves a at 5 ms and its last bit reaches b 40 us
	// + 3 ms later; b's RST (40 bytes) leaves at once and reaches a
	// 3.04 ms after that.
	syn, rstAt := int64(5*time.Millisecond), int64(5*time.Millisecond+3040*time.Microsecond)
	assert.Equal(t, []int64{syn, rstAt + 3040_000}, read("a-eth0"))
	assert.Equal(t, []int64{rstAt, rstAt}, read("b-eth0"))
}
