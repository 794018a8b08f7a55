package nodes

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/inet"
	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
)

// FuzzHostReceive delivers arbitrary datagrams to a host with a listener
// and an established connection: whatever arrives, the host never panics,
// and every datagram is either dropped with a reason or delivered. With
// wrap set, the bytes are a TCP segment wrapped in a valid IPv4 header
// with a correct TCP checksum, so the fuzzer reaches demultiplexing and
// the connection.
func FuzzHostReceive(f *testing.F) {
	f.Add([]byte{0x45, 0, 0, 20}, false, uint16(80))
	var syn tcp.Header
	syn.SrcPort, syn.DstPort, syn.Flags, syn.Seq = 40000, 80, tcp.FlagSYN, 1
	f.Add(syn.AppendTo(nil, addrA, addrB, nil), true, uint16(80))
	f.Add(syn.AppendTo(nil, addrA, addrB, []byte("data")), true, uint16(49152))
	f.Fuzz(func(t *testing.T, b []byte, wrap bool, port uint16) {
		n, a, h := twoHosts(t, nil, fastLink("ab"))
		listenOn(t, h, 80, 1)
		fd, _ := a.Socket()
		require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
		require.NoError(t, n.Scheduler().RunUntil(sim.Time(10*time.Millisecond)))
		data := b
		if wrap && len(b) >= tcp.HeaderLen && len(b) < 60000 {
			seg := append([]byte(nil), b...)
			// Aim at the host's ports and fix the checksum.
			seg[2], seg[3] = byte(port>>8), byte(port)
			seg[16], seg[17] = 0, 0
			c := inet.Checksum(seg, inet.PseudoHeaderSum(addrA, addrB, tcp.ProtocolTCP, uint32(len(seg))))
			seg[16], seg[17] = byte(c>>8), byte(c)
			ih := ipv4.New(addrA, addrB, ipv4.ProtoTCP)
			d, err := ih.AppendHeaderTo(make([]byte, 0, ipv4.HeaderLen+len(seg)), len(seg))
			require.NoError(t, err)
			data = append(d, seg...)
		}
		before := h.Stats().DatagramsDelivered
		var dropsBefore uint64
		for _, v := range h.drops {
			dropsBefore += v
		}
		h.Interfaces()[0].Deliver(&topology.Packet{ID: n.NextPacketID(), Data: data})
		var drops uint64
		for _, v := range h.drops {
			drops += v
		}
		require.Equal(t, uint64(1), h.Stats().DatagramsDelivered-before+drops-dropsBefore,
			"a datagram is either delivered or dropped, once")
		require.NoError(t, n.Scheduler().RunUntil(sim.Time(3*time.Second)))
	})
}
