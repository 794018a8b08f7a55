package nodes

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/pattern"
	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// Hosts leave the TCP checksum out until something looks (Packet.
// DeferChecksum), yet every captured datagram carries the right one, in
// both directions (a's SYN and b's RST), as Wireshark would check it.
func TestCapturesCarryChecksums(t *testing.T) {
	n, a, _ := twoHosts(t, nil, fastLink("ab"))
	bufs := captureAll(t, n)
	inject(a, addrB, tcp.Header{SrcPort: 40000, DstPort: 80, Seq: 1, Flags: tcp.FlagSYN}, []byte("payload"))
	n.Scheduler().Run()
	for name, b := range bufs {
		pkts := readCapture(t, b.Bytes())
		for i, p := range pkts {
			ih, seg, err := ipv4.Decode(p.data)
			require.NoError(t, err)
			assert.True(t, tcp.VerifyChecksum(seg, ih.Src, ih.Dst), "%s packet %d: TCP checksum", name, i)
			assert.NotZero(t, seg[16]|seg[17], "%s packet %d: checksum written", name, i)
		}
		assert.Len(t, pkts, 2, name)
	}
}

// A segment whose payload is the pattern leaves with the payload by
// reference (Packet.DeferPayload), yet its capture holds the exact bytes
// and a checksum over them: the same datagram as one whose payload was
// copied in.
func TestCapturedPatternPayload(t *testing.T) {
	payloads := [][]byte{pattern.At(1000, 1200), append([]byte(nil), pattern.At(1000, 1200)...)}
	var captured [][]byte
	for _, payload := range payloads {
		n, a, _ := twoHosts(t, nil, fastLink("ab"))
		bufs := captureAll(t, n)
		inject(a, addrB, tcp.Header{SrcPort: 40000, DstPort: 80, Seq: 1, Flags: tcp.FlagACK | tcp.FlagPSH}, payload)
		n.Scheduler().Run()
		pkts := readCapture(t, bufs["a-eth0"].Bytes())
		require.NotEmpty(t, pkts)
		d := pkts[0].data
		ih, seg, err := ipv4.Decode(d)
		require.NoError(t, err)
		assert.True(t, tcp.VerifyChecksum(seg, ih.Src, ih.Dst), "TCP checksum")
		_, got, err := tcp.Decode(seg)
		require.NoError(t, err)
		assert.Equal(t, payload, got, "the captured payload")
		captured = append(captured, d)
	}
	assert.Equal(t, captured[0], captured[1], "by reference or copied, the same datagram")
}

// A link that corrupts every packet: the receiver verifies the checksums
// of corrupted packets (they are no longer trusted) and drops them all,
// so none reaches TCP, which would answer with a reset.
func TestCorruptedPacketsAreVerified(t *testing.T) {
	cfg := topology.LinkConfig{Name: "ab", Rate: units.BitRate(1e9), Delay: time.Millisecond, Corrupt: units.Ratio(1)}
	n, a, b := twoHosts(t, nil, cfg)
	const sent = 50
	for i := range sent {
		inject(a, addrB, tcp.Header{SrcPort: 40000, DstPort: 80, Seq: tcp.Seq(i), Flags: tcp.FlagSYN}, make([]byte, 1000))
	}
	n.Scheduler().Run()
	assert.Equal(t, uint64(0), b.Stats().DatagramsDelivered, "no corrupted datagram was accepted")
	assert.Equal(t, uint64(0), b.Stats().ResetsSent)
	assert.Equal(t, uint64(sent), b.Drops(sim.DropChecksum)+b.Drops(sim.DropMalformed))
	assert.Positive(t, b.Drops(sim.DropChecksum))
}

// An ICMP error quotes the offending datagram with the transport
// checksum its sender wrote (RFC 1812 §4.3.2.3), even though the sender
// left it out until something looked: here r1 cannot forward a's segment
// (its link to b is down) and answers host unreachable. The capture at a
// starts only once the segment has left, so that nothing but the ICMP
// path completes the quoted checksum.
func TestICMPQuoteCarriesTheChecksum(t *testing.T) {
	n, a := linkDownWorld(t)

	payload := []byte("the quoted segment")
	inject(a, addrB, tcp.Header{SrcPort: 40000, DstPort: 80, Seq: 7, Flags: tcp.FlagSYN}, payload)
	require.NoError(t, n.Scheduler().RunUntil(sim.FromDuration(500*time.Microsecond)))
	var buf bytes.Buffer
	pw, err := NewPcapWriter(&buf, 0)
	require.NoError(t, err)
	a.Interfaces()[0].Capture(pw)
	n.Scheduler().Run()

	pkts := readCapture(t, buf.Bytes())
	require.NotEmpty(t, pkts, "a received the ICMP error")
	ih, body, err := ipv4.Decode(pkts[0].data)
	require.NoError(t, err)
	require.Equal(t, uint8(icmp.Protocol), ih.Protocol)
	m, quote, err := icmp.Decode(body)
	require.NoError(t, err)
	assert.Equal(t, icmp.TypeDestUnreach, m.Type)
	qh, seg, err := ipv4.Decode(quote)
	require.NoError(t, err, "the quote holds the whole datagram")
	require.Len(t, seg, tcp.HeaderLen+len(payload))
	assert.NotZero(t, seg[16]|seg[17], "checksum written")
	assert.True(t, tcp.VerifyChecksum(seg, qh.Src, qh.Dst), "the quoted segment's checksum")
}
