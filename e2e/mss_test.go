package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jumboScenario is a bulk transfer over one link of MTU 9000, with every
// TCP setting at its default (mss: auto).
const jumboScenario = `version: 1
name: jumbo-mss
seed: 1
duration: 1s
hosts:
  client: {address: 10.0.0.1}
  server: {address: 10.0.0.2}
links:
  - {between: [client, server], bandwidth: 1Gbps, delay: 1ms, mtu: 9000}
apps:
  - {type: sink, host: server, port: 80}
  - {type: bulk-send, host: client, to: server:80, start: 10ms, bytes: 1MB}
outputs:
  pcap: [client]
`

// TestJumboLinkMSS: on a link of MTU 9000 both ends announce MSS 8960,
// the MTU less 40 (Linux's tcp_advertise_mss of the route's advmss,
// ipv4_default_advmss), in the trace and in the capture as gopacket
// decodes it, and the data segments carry 8948 bytes, the MSS less the
// 12 bytes of the timestamps option (RFC 6691), in datagrams of 9000.
func TestJumboLinkMSS(t *testing.T) {
	t.Parallel()
	dir := run(t, writeScenario(t, "jumbo.yaml", jumboScenario))

	recs := readTrace(t, dir)
	syns := filter(recs, func(r rec) bool {
		return r.Kind == "pkt.send" && strings.Contains(r.Flags, "S")
	})
	require.Len(t, syns, 2, "the SYN and the SYN-ACK")
	for _, r := range syns {
		assert.True(t, strings.HasPrefix(r.Opts, "mss 8960,"), "%s from %s: %q", r.Flags, r.Src, r.Opts)
	}
	data := filter(recs, func(r rec) bool {
		return r.Kind == "pkt.send" && r.Src == "10.0.0.1" && r.Plen > 0
	})
	require.NotEmpty(t, data)
	full := 0
	for _, r := range data {
		require.LessOrEqual(t, r.Plen, int64(8948), "segment %d", r.ID)
		if r.Plen == 8948 {
			full++
			assert.Contains(t, r.Opts, "TS val", "segment %d carries timestamps", r.ID)
			assert.Equal(t, int64(9000), r.Len, "segment %d fills the MTU", r.ID)
		}
	}
	assert.Greater(t, full, 100, "1 MB goes in full 8948-byte segments")

	var synMSS []uint16
	for _, p := range readPcap(t, filepath.Join(dir, "pcap", "client-eth0.pcap")) {
		pkt := gopacket.NewPacket(p.data, layers.LayerTypeIPv4, gopacket.Default)
		tcp, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if !ok || !tcp.SYN {
			continue
		}
		for _, o := range tcp.Options {
			if o.OptionType == layers.TCPOptionKindMSS && len(o.OptionData) == 2 {
				synMSS = append(synMSS, uint16(o.OptionData[0])<<8|uint16(o.OptionData[1]))
			}
		}
	}
	assert.Equal(t, []uint16{8960, 8960}, synMSS, "the MSS options in the capture")
}

// TestJumboLinkConfiguredMSS: an mss given in the scenario stays an upper
// bound on the same link, as Linux's TCP_MAXSEG (tcp_mss_clamp).
func TestJumboLinkConfiguredMSS(t *testing.T) {
	t.Parallel()
	text := strings.Replace(jumboScenario, "hosts:\n", "defaults:\n  tcp: {mss: 1460}\nhosts:\n", 1)
	require.NotEqual(t, jumboScenario, text)
	dir := run(t, writeScenario(t, "jumbo-1460.yaml", text))
	for _, r := range filter(readTrace(t, dir), func(r rec) bool { return r.Kind == "pkt.send" }) {
		if strings.Contains(r.Flags, "S") {
			assert.True(t, strings.HasPrefix(r.Opts, "mss 1460,"), "%s from %s: %q", r.Flags, r.Src, r.Opts)
		}
		assert.LessOrEqual(t, r.Plen, int64(1448), "segment %d", r.ID)
	}
}

// TestSubMillisecondPathFills: one flow with default settings over a
// 10 Gbit/s link with a 100 µs RTT and Ethernet's 38 bytes of framing
// gets close to the goodput ceiling rate × payload / (MTU + 38), with
// 1500-byte and with 9000-byte frames. Receive autotuning must grow the
// window past its initial 64 KiB although the timestamps' millisecond
// tick is longer than the RTT (Linux's tcp_rcv_rtt_measure_ts).
func TestSubMillisecondPathFills(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		mtu, payload int
	}{{1500, 1448}, {9000, 8948}} {
		t.Run(fmt.Sprint(tt.mtu), func(t *testing.T) {
			t.Parallel()
			text := fmt.Sprintf(`version: 1
name: fast-%d
seed: 1
duration: 100ms
hosts:
  client: {address: 10.0.0.1}
  server: {address: 10.0.0.2}
links:
  - {between: [client, server], bandwidth: 10Gbps, delay: 50us, mtu: %d, overhead: 38}
apps:
  - {type: sink, host: server, port: 80}
  - {type: bulk-send, host: client, to: server:80, start: 0s, bytes: 1GB}
outputs: {pcap: false, trace: false}
`, tt.mtu, tt.mtu)
			dir := run(t, writeScenario(t, "fast.yaml", text))
			s := readSummary(t, dir)
			require.Len(t, s.Connections, 1)
			got := float64(s.Connections[0].BytesDelivered) * 8 / 0.1
			ceiling := 10e9 * float64(tt.payload) / float64(tt.mtu+38)
			t.Logf("MTU %d: %.3f Gbit/s, ceiling %.3f", tt.mtu, got/1e9, ceiling/1e9)
			assert.Greater(t, got, 0.95*ceiling)
			assert.LessOrEqual(t, got, ceiling)
		})
	}
}
