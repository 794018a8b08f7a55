package ipv4_test

// gopacket/layers is an independent IPv4 decoder and encoder: it reads the
// datagrams we write, we read the ones it writes, and both agree on every
// field and on checksum validity. gopacket is used only in tests.

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/tcp"
)

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func randomAddr(r *rand.Rand) netip.Addr {
	var a [4]byte
	for i := range a {
		a[i] = byte(r.Uint32())
	}
	return netip.AddrFrom4(a)
}

// randomOptions returns a well-formed option area: NOPs, option kinds with
// data, an EOL, all padded by AppendTo.
func randomOptions(r *rand.Rand) []byte {
	var o []byte
	for range r.IntN(5) {
		switch r.IntN(3) {
		case 0:
			o = append(o, 1)
		case 1:
			n := 1 + r.IntN(6) // gopacket refuses length 2, which RFC 791 allows
			if len(o)+2+n > ipv4.MaxOptionsLen {
				return o
			}
			o = append(o, byte(130+r.IntN(20)), byte(2+n))
			for range n {
				o = append(o, byte(r.Uint32()))
			}
		default:
			if len(o) < ipv4.MaxOptionsLen {
				o = append(o, 0)
			}
			return o
		}
	}
	return o
}

func randomHeader(r *rand.Rand) ipv4.Header {
	h := ipv4.Header{
		DSCP: uint8(r.IntN(64)), ECN: uint8(r.IntN(4)), ID: uint16(r.Uint32()),
		Flags: ipv4.Flags(r.IntN(4)), FragOffset: uint16(r.IntN(0x2000)), TTL: uint8(r.Uint32()),
		Protocol: uint8(r.Uint32()), Src: randomAddr(r), Dst: randomAddr(r),
	}
	if h.Protocol == uint8(layers.IPProtocolIPv4) || h.Protocol == uint8(layers.IPProtocolTCP) {
		h.Protocol = 200 // keep gopacket from decoding random payload bytes
	}
	if r.IntN(3) == 0 {
		_ = h.Options.Set(randomOptions(r))
	}
	return h
}

// assertSameIPv4 checks every field of our header against gopacket's.
func assertSameIPv4(t *testing.T, h *ipv4.Header, g *layers.IPv4) {
	t.Helper()
	assert.Equal(t, h.Version, g.Version, "version")
	assert.Equal(t, h.IHL, g.IHL, "IHL")
	assert.Equal(t, h.DSCP<<2|h.ECN, g.TOS, "DSCP and ECN")
	assert.Equal(t, h.TotalLen, g.Length, "total length")
	assert.Equal(t, h.ID, g.Id, "identification")
	assert.Equal(t, uint8(h.Flags), uint8(g.Flags), "flags")
	assert.Equal(t, h.FragOffset, g.FragOffset, "fragment offset")
	assert.Equal(t, h.TTL, g.TTL, "TTL")
	assert.Equal(t, h.Protocol, uint8(g.Protocol), "protocol")
	assert.Equal(t, h.Checksum, g.Checksum, "header checksum")
	assert.Equal(t, h.Src.AsSlice(), []byte(g.SrcIP.To4()), "source")
	assert.Equal(t, h.Dst.AsSlice(), []byte(g.DstIP.To4()), "destination")
}

func TestGopacketDecodesOurBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := range 500 {
		h := randomHeader(r)
		payload := make([]byte, r.IntN(64))
		b, err := h.AppendTo(nil, payload)
		require.NoError(t, err)
		var g layers.IPv4
		require.NoError(t, g.DecodeFromBytes(b, gopacket.NilDecodeFeedback), "case %d", i)
		t.Run("", func(t *testing.T) { assertSameIPv4(t, &h, &g) })
		assert.Len(t, g.Payload, len(payload))
		err, res := g.VerifyChecksum()
		require.NoError(t, err)
		assert.True(t, res.Valid, "case %d: gopacket says our checksum is wrong", i)

		// A flipped header byte: both reject the checksum (or the header).
		bad := append([]byte(nil), b...)
		at := r.IntN(h.Len())
		bad[at] ^= byte(1 + r.IntN(255))
		assert.False(t, ipv4.VerifyChecksum(bad) && bad[0]&0xf == b[0]&0xf, "case %d byte %d", i, at)
		var gb layers.IPv4
		if gb.DecodeFromBytes(bad, gopacket.NilDecodeFeedback) == nil && int(gb.IHL)*4 == h.Len() {
			err, res := gb.VerifyChecksum()
			require.NoError(t, err)
			assert.False(t, res.Valid, "case %d byte %d", i, at)
		}
		_, _, err = ipv4.Decode(bad)
		assert.Error(t, err, "case %d byte %d", i, at)
	}
}

func TestWeDecodeGopacketBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for i := range 500 {
		want := randomHeader(r)
		g := &layers.IPv4{
			Version: 4, TOS: want.DSCP<<2 | want.ECN, Id: want.ID, Flags: layers.IPv4Flag(want.Flags),
			FragOffset: want.FragOffset, TTL: want.TTL, Protocol: layers.IPProtocol(want.Protocol),
			SrcIP: net.IP(want.Src.AsSlice()), DstIP: net.IP(want.Dst.AsSlice()),
		}
		if o := want.Options.Bytes(); len(o) > 0 {
			// gopacket pads options itself; give it the raw area as one
			// "option" list parsed by our own rules.
			for off := 0; off < len(o); {
				switch o[off] {
				case 0:
					g.Options = append(g.Options, layers.IPv4Option{OptionType: 0, OptionLength: 1})
					off = len(o)
				case 1:
					g.Options = append(g.Options, layers.IPv4Option{OptionType: 1, OptionLength: 1})
					off++
				default:
					l := int(o[off+1])
					g.Options = append(g.Options, layers.IPv4Option{OptionType: o[off], OptionLength: uint8(l), OptionData: o[off+2 : off+l]})
					off += l
				}
			}
		}
		payload := gopacket.Payload(make([]byte, r.IntN(64)))
		buf := gopacket.NewSerializeBuffer()
		require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, g, payload))
		b := buf.Bytes()

		assert.True(t, ipv4.VerifyChecksum(b), "case %d: our check rejects gopacket's checksum", i)
		h, p, err := ipv4.Decode(b)
		require.NoError(t, err, "case %d", i)
		assert.Len(t, p, len(payload))
		var gd layers.IPv4
		require.NoError(t, gd.DecodeFromBytes(b, gopacket.NilDecodeFeedback))
		t.Run("", func(t *testing.T) { assertSameIPv4(t, &h, &gd) })
		assert.Equal(t, b[ipv4.HeaderLen:h.Len()], h.Options.Bytes())
	}
}

// TestTCPInIPv4ForWireshark: a whole datagram as a host sends it, IPv4
// header written straight before the TCP segment, decoded by gopacket as
// Wireshark would, both checksums valid.
func TestTCPInIPv4ForWireshark(t *testing.T) {
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	th := tcp.Header{SrcPort: 49152, DstPort: 80, Seq: 1, Ack: 1, Flags: tcp.FlagPSH | tcp.FlagACK, Window: 502,
		Options: tcp.SegmentOptions(5, 6, true, nil)}
	data := make([]byte, 1448)
	ih := ipv4.New(src, dst, ipv4.ProtoTCP)
	b, err := ih.AppendHeaderTo(make([]byte, 0, 1500), th.Len()+len(data))
	require.NoError(t, err)
	b = th.AppendTo(b, src, dst, data)
	require.Len(t, b, 1500, "a full Linux data segment is exactly 1500 bytes")

	pkt := gopacket.NewPacket(b, layers.LayerTypeIPv4, gopacket.Default)
	require.Nil(t, pkt.ErrorLayer())
	ip := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	g := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
	require.NoError(t, g.SetNetworkLayerForChecksum(ip))
	err, res := ip.VerifyChecksum()
	require.NoError(t, err)
	assert.True(t, res.Valid)
	err, res = g.VerifyChecksum()
	require.NoError(t, err)
	assert.True(t, res.Valid)
	assert.Equal(t, layers.IPv4DontFragment, ip.Flags)
	assert.True(t, g.PSH && g.ACK)
	assert.Len(t, g.Payload, 1448)
}
