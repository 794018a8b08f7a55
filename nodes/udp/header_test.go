package udp

import (
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	src = netip.MustParseAddr("10.0.0.1")
	dst = netip.MustParseAddr("10.0.0.2")
)

// gopacket is the oracle: it reads the datagrams we write with the same
// fields and a checksum that verifies, and we read the ones it writes.
func TestHeaderAgainstGopacket(t *testing.T) {
	for _, payload := range [][]byte{nil, []byte("x"), []byte("hello, world"), make([]byte, 1472)} {
		h := Header{SrcPort: 49152, DstPort: 9000}
		b, err := h.AppendTo(nil, src, dst, payload)
		require.NoError(t, err)
		require.Len(t, b, HeaderLen+len(payload))
		assert.True(t, VerifyChecksum(b, src, dst))

		pkt := gopacket.NewPacket(b, layers.LayerTypeUDP, gopacket.Default)
		u, ok := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
		require.True(t, ok)
		assert.Equal(t, layers.UDPPort(49152), u.SrcPort)
		assert.Equal(t, layers.UDPPort(9000), u.DstPort)
		assert.Equal(t, uint16(len(b)), u.Length)
		assert.Equal(t, h.Checksum, u.Checksum)

		// gopacket's own encoding, checksum included, decodes alike.
		ip := &layers.IPv4{SrcIP: net.IP(src.AsSlice()), DstIP: net.IP(dst.AsSlice()), Protocol: layers.IPProtocolUDP, Version: 4}
		u2 := &layers.UDP{SrcPort: 49152, DstPort: 9000}
		require.NoError(t, u2.SetNetworkLayerForChecksum(ip))
		buf := gopacket.NewSerializeBuffer()
		require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{ComputeChecksums: true, FixLengths: true}, u2, gopacket.Payload(payload)))
		assert.Equal(t, b, buf.Bytes(), "the same bytes as gopacket's")
		got, p, err := Decode(buf.Bytes())
		require.NoError(t, err)
		assert.Equal(t, h, got)
		assert.Equal(t, len(payload), len(p))
	}
}

func TestDecodeErrors(t *testing.T) {
	good, err := (&Header{SrcPort: 1, DstPort: 2}).AppendTo(nil, src, dst, []byte("abcd"))
	require.NoError(t, err)
	for _, tt := range []struct {
		name  string
		b     []byte
		field string
	}{
		{"short", good[:7], "header"},
		{"length below 8", append([]byte{0, 1, 0, 2, 0, 7, 0, 0}, 'x'), "length"},
		{"length past the end", append([]byte{0, 1, 0, 2, 0, 20, 0, 0}, 'x'), "length"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Decode(tt.b)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.field, de.Field)
			assert.ErrorIs(t, err, ErrMalformed)
		})
	}
	// Bytes past the length field are link padding.
	h, p, err := Decode(append(append([]byte(nil), good...), 0, 0))
	require.NoError(t, err)
	assert.Equal(t, []byte("abcd"), p)
	assert.Equal(t, "UDP 1 > 2, length 4", h.String())
}

func TestChecksum(t *testing.T) {
	b, err := (&Header{SrcPort: 7, DstPort: 9}).AppendTo(nil, src, dst, []byte("payload"))
	require.NoError(t, err)
	assert.False(t, VerifyChecksum(b, src, netip.MustParseAddr("10.0.0.3")), "the pseudo-header covers the addresses")
	b[len(b)-1] ^= 1
	assert.False(t, VerifyChecksum(b, src, dst))
	b[6], b[7] = 0, 0
	assert.True(t, VerifyChecksum(b, src, dst), "RFC 768: a zero checksum means none was computed")
	_, err = (&Header{}).AppendTo(nil, src, dst, make([]byte, MaxPayload+1))
	assert.ErrorIs(t, err, ErrTooLong)
}

// FuzzDecode: Decode never panics, and what it accepts encodes back to the
// same bytes (up to its length) with a checksum that verifies.
func FuzzDecode(f *testing.F) {
	b, _ := (&Header{SrcPort: 53, DstPort: 49152}).AppendTo(nil, src, dst, []byte("query"))
	f.Add(b)
	f.Add([]byte{0, 0, 0, 0, 0, 8, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, payload, err := Decode(b)
		if err != nil {
			require.Nil(t, payload)
			return
		}
		_ = h.String()
		out, err := h.AppendTo(nil, src, dst, payload)
		require.NoError(t, err)
		require.Equal(t, b[:6], out[:6])
		require.Equal(t, b[HeaderLen:h.Length], out[HeaderLen:])
		require.True(t, VerifyChecksum(out, src, dst))
	})
}
