package tcp_test

// gopacket/layers is an independent TCP decoder and encoder: it reads the
// bytes we write and writes bytes we read, and the two must agree on every
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

	"github.com/netsimlab/netsim/tcp"
)

var (
	oracleSrc = netip.MustParseAddr("10.1.2.3")
	oracleDst = netip.MustParseAddr("172.16.0.99")
)

// allowedFlags are the flag sets RFC 9293 lets a segment carry (no two of
// SYN, FIN, RST), crossed below with the ECN and URG bits.
var allowedFlags = []tcp.Flags{
	tcp.FlagSYN, tcp.FlagSYN | tcp.FlagACK, tcp.FlagACK, tcp.FlagPSH | tcp.FlagACK,
	tcp.FlagFIN | tcp.FlagACK, tcp.FlagFIN | tcp.FlagPSH | tcp.FlagACK, tcp.FlagRST,
	tcp.FlagRST | tcp.FlagACK, 0, tcp.FlagPSH, tcp.FlagFIN,
}

// randomOptions builds a random option area out of the builders, mixing
// NOP, EOL and unknown kinds between the known ones.
func randomOptions(r *rand.Rand) tcp.Options {
	var o tcp.Options
	for range r.IntN(8) {
		var err error
		switch r.IntN(10) {
		case 0:
			err = o.AppendNOP()
		case 1:
			err = o.AppendMSS(uint16(r.Uint32()))
		case 2:
			err = o.AppendWScale(uint8(r.IntN(15)))
		case 3:
			err = o.AppendSACKPermitted()
		case 4:
			err = o.AppendTimestamps(r.Uint32(), r.Uint32())
		case 5:
			blocks := make([]tcp.SACKBlock, 1+r.IntN(4))
			for i := range blocks {
				blocks[i] = tcp.SACKBlock{Start: tcp.Seq(r.Uint32()), End: tcp.Seq(r.Uint32())}
			}
			err = o.AppendSACK(blocks)
		case 6:
			data := make([]byte, r.IntN(6))
			for i := range data {
				data[i] = byte(r.Uint32())
			}
			kind := uint8(9 + r.IntN(240))
			if kind == uint8(layers.TCPOptionKindMultipathTCP) {
				kind++ // gopacket parses MPTCP's subtypes rather than keeping bytes
			}
			err = o.AppendRaw(kind, data)
		case 7:
			if r.IntN(4) == 0 {
				err = o.AppendEOL()
			}
		case 8:
			// Fast Open (RFC 7413 §4.1.1): a request or a cookie of 4 to
			// 16 bytes, kind 34 or the experimental 254.
			cookie := make([]byte, []int{0, 4, 8, 16}[r.IntN(4)])
			for i := range cookie {
				cookie[i] = byte(r.Uint32())
			}
			err = o.AppendFastOpen(cookie, r.IntN(2) == 0)
		default:
			o = tcp.SYNOptions(uint16(r.Uint32()), r.IntN(2) == 0, r.Uint32(), r.IntN(2) == 0, r.IntN(16)-1)
		}
		_ = err // a full area just ends the list
	}
	return o
}

func randomHeader(r *rand.Rand) tcp.Header {
	f := allowedFlags[r.IntN(len(allowedFlags))]
	for _, extra := range []tcp.Flags{tcp.FlagURG, tcp.FlagECE, tcp.FlagCWR, tcp.FlagNS} {
		if r.IntN(4) == 0 {
			f |= extra
		}
	}
	return tcp.Header{
		SrcPort: uint16(r.Uint32()), DstPort: uint16(r.Uint32()),
		Seq: tcp.Seq(r.Uint32()), Ack: tcp.Seq(r.Uint32()),
		Flags: f, Window: uint16(r.Uint32()), Urgent: uint16(r.Uint32()),
		Options: randomOptions(r),
	}
}

// gopacketTCP decodes seg, framed in IPv4, with gopacket.
func gopacketTCP(t testing.TB, seg []byte) *layers.TCP {
	t.Helper()
	pkt := gopacket.NewPacket(ipv4Frame(t, seg), layers.LayerTypeIPv4, gopacket.Default)
	g, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
	if !ok {
		return nil
	}
	require.NoError(t, g.SetNetworkLayerForChecksum(pkt.NetworkLayer()))
	return g
}

// ipv4Frame wraps a TCP segment in an IPv4 header serialized by gopacket.
func ipv4Frame(t testing.TB, seg []byte) []byte {
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP,
		SrcIP: net.IP(oracleSrc.AsSlice()), DstIP: net.IP(oracleDst.AsSlice())}
	buf := gopacket.NewSerializeBuffer()
	require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, gopacket.Payload(seg)))
	return buf.Bytes()
}

// assertSameTCP checks every field of our header against gopacket's.
func assertSameTCP(t *testing.T, h *tcp.Header, g *layers.TCP, payload []byte) {
	t.Helper()
	assert.Equal(t, h.SrcPort, uint16(g.SrcPort), "source port")
	assert.Equal(t, h.DstPort, uint16(g.DstPort), "destination port")
	assert.Equal(t, uint32(h.Seq), g.Seq, "sequence number")
	assert.Equal(t, uint32(h.Ack), g.Ack, "acknowledgment number")
	assert.Equal(t, h.DataOffset, g.DataOffset, "data offset")
	for _, fl := range []struct {
		f   tcp.Flags
		got bool
	}{
		{tcp.FlagFIN, g.FIN}, {tcp.FlagSYN, g.SYN}, {tcp.FlagRST, g.RST}, {tcp.FlagPSH, g.PSH},
		{tcp.FlagACK, g.ACK}, {tcp.FlagURG, g.URG}, {tcp.FlagECE, g.ECE}, {tcp.FlagCWR, g.CWR}, {tcp.FlagNS, g.NS},
	} {
		assert.Equal(t, h.Flags.Has(fl.f), fl.got, "flag %s", fl.f)
	}
	assert.Equal(t, h.Window, g.Window, "window")
	assert.Equal(t, h.Checksum, g.Checksum, "checksum")
	assert.Equal(t, h.Urgent, g.Urgent, "urgent pointer")
	assert.Equal(t, len(payload), len(g.Payload), "payload")

	// Options in wire order up to EOL; gopacket keeps the rest as padding.
	var ours []layers.TCPOption
	for opt := range h.Options.All() {
		o := layers.TCPOption{OptionType: layers.TCPOptionKind(opt.Kind), OptionLength: uint8(opt.Len)}
		if len(opt.Data) > 0 {
			o.OptionData = opt.Data
		}
		ours = append(ours, o)
	}
	var theirs []layers.TCPOption
	for _, o := range g.Options {
		if len(o.OptionData) == 0 {
			o.OptionData = nil
		}
		theirs = append(theirs, o)
	}
	assert.Equal(t, ours, theirs, "options")
	for _, o := range g.Options {
		switch o.OptionType {
		case layers.TCPOptionKindMSS:
			v, ok := h.Options.MSS()
			if assert.True(t, ok) {
				// Our accessor returns the first; gopacket lists them all.
				assert.Equal(t, v, firstMSS(g))
			}
		case layers.TCPOptionKindSACKPermitted:
			assert.True(t, h.Options.SACKPermitted())
		}
	}
}

func firstMSS(g *layers.TCP) uint16 {
	for _, o := range g.Options {
		if o.OptionType == layers.TCPOptionKindMSS {
			return uint16(o.OptionData[0])<<8 | uint16(o.OptionData[1])
		}
	}
	return 0
}

// TestGopacketDecodesOurBytes: our encoder's segments, read by gopacket.
func TestGopacketDecodesOurBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 500 {
		h := randomHeader(r)
		payload := make([]byte, r.IntN(100))
		for j := range payload {
			payload[j] = byte(r.Uint32())
		}
		seg := h.AppendTo(nil, oracleSrc, oracleDst, payload)
		pkt := gopacket.NewPacket(ipv4Frame(t, seg), layers.LayerTypeIPv4, gopacket.Default)
		require.Nil(t, pkt.ErrorLayer(), "case %d: %v", i, pkt.ErrorLayer())
		g := gopacketTCP(t, seg)
		require.NotNil(t, g, "case %d", i)
		// Compare the header as it went on the wire: options padded.
		wire, _, err := tcp.Decode(seg)
		require.NoError(t, err)
		assert.Equal(t, h.Options.Bytes(), wire.Options.Bytes()[:h.Options.Len()])
		t.Run("", func(t *testing.T) { assertSameTCP(t, &wire, g, payload) })

		err, res := g.VerifyChecksum()
		require.NoError(t, err)
		assert.True(t, res.Valid, "case %d: gopacket says our checksum is wrong", i)

		// Corrupt one byte: both decoders must reject the checksum.
		bad := append([]byte(nil), seg...)
		bad[r.IntN(len(bad))] ^= byte(1 + r.IntN(255))
		assert.False(t, tcp.VerifyChecksum(bad, oracleSrc, oracleDst))
		if gt := gopacketTCP(t, bad); gt != nil {
			err, res := gt.VerifyChecksum()
			require.NoError(t, err)
			assert.False(t, res.Valid, "case %d", i)
		}
	}
}

// TestWeDecodeGopacketBytes: gopacket's encoder's segments, read by us.
func TestWeDecodeGopacketBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP,
		SrcIP: net.IP(oracleSrc.AsSlice()), DstIP: net.IP(oracleDst.AsSlice())}
	for i := range 500 {
		want := randomHeader(r)
		g := &layers.TCP{
			SrcPort: layers.TCPPort(want.SrcPort), DstPort: layers.TCPPort(want.DstPort),
			Seq: uint32(want.Seq), Ack: uint32(want.Ack), Window: want.Window, Urgent: want.Urgent,
			FIN: want.Flags.Has(tcp.FlagFIN), SYN: want.Flags.Has(tcp.FlagSYN), RST: want.Flags.Has(tcp.FlagRST),
			PSH: want.Flags.Has(tcp.FlagPSH), ACK: want.Flags.Has(tcp.FlagACK), URG: want.Flags.Has(tcp.FlagURG),
			ECE: want.Flags.Has(tcp.FlagECE), CWR: want.Flags.Has(tcp.FlagCWR), NS: want.Flags.Has(tcp.FlagNS),
		}
		for opt := range want.Options.All() {
			g.Options = append(g.Options, layers.TCPOption{OptionType: layers.TCPOptionKind(opt.Kind), OptionData: opt.Data})
		}
		require.NoError(t, g.SetNetworkLayerForChecksum(ip))
		payload := gopacket.Payload(make([]byte, r.IntN(64)))
		buf := gopacket.NewSerializeBuffer()
		require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, g, payload))
		seg := buf.Bytes()

		assert.True(t, tcp.VerifyChecksum(seg, oracleSrc, oracleDst), "case %d: our check rejects gopacket's checksum", i)
		h, p, err := tcp.DecodeChecked(seg, oracleSrc, oracleDst)
		require.NoError(t, err, "case %d", i)
		gd := gopacketTCP(t, seg)
		require.NotNil(t, gd, "case %d", i)
		t.Run("", func(t *testing.T) { assertSameTCP(t, &h, gd, p) })
		// The option bytes are exactly what gopacket wrote, padding included.
		assert.Equal(t, seg[tcp.HeaderLen:h.Len()], h.Options.Bytes(), "case %d", i)
	}
}

// TestOracleRejectsWhatGopacketRejects: option length 0 and 1 loop a naive
// parser forever; gopacket and we both refuse them.
func TestOracleRejectsWhatGopacketRejects(t *testing.T) {
	for _, opt := range [][]byte{{99, 0, 0, 0}, {99, 1, 0, 0}, {1, 2, 4, 5}} {
		seg := make([]byte, tcp.HeaderLen, tcp.HeaderLen+4)
		seg = append(seg, opt...)
		for len(seg)%4 != 0 {
			seg = append(seg, 0)
		}
		seg[12] = byte(len(seg)/4) << 4
		seg[13] = byte(tcp.FlagACK)
		_, _, err := tcp.Decode(seg)
		assert.ErrorIs(t, err, tcp.ErrMalformed)
		var g layers.TCP
		assert.Error(t, g.DecodeFromBytes(seg, gopacket.NilDecodeFeedback), "gopacket accepts %v", opt)
	}
}
