package icmp

import (
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gopacket is the oracle: every message we write decodes there with the
// same type, code, rest of header and a valid checksum.
func TestMessagesAgainstGopacket(t *testing.T) {
	quote := make([]byte, 28)
	quote[0] = 0x45
	for _, tt := range []struct {
		m    Message
		body []byte
		text string
	}{
		{Echo(TypeEchoRequest, 0xbeef, 3), []byte("abcdefgh"), "ICMP echo request, id 48879, seq 3"},
		{Echo(TypeEchoReply, 1, 65535), nil, "ICMP echo reply, id 1, seq 65535"},
		{Unreachable(CodePortUnreach, 0), quote, "ICMP port unreachable"},
		{Unreachable(CodeHostUnreach, 0), quote, "ICMP host unreachable"},
		{Unreachable(CodeFragNeeded, 1280), quote, "ICMP unreachable - need to frag (mtu 1280)"},
		{Message{Type: TypeTimeExceeded}, quote, "ICMP time exceeded in-transit"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			m := tt.m
			b := m.AppendTo(nil, tt.body)
			pkt := gopacket.NewPacket(b, layers.LayerTypeICMPv4, gopacket.Default)
			g, ok := pkt.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
			require.True(t, ok)
			assert.Equal(t, uint8(m.Type), g.TypeCode.Type())
			assert.Equal(t, m.Code, g.TypeCode.Code())
			assert.Equal(t, m.Checksum, g.Checksum)
			if m.Type == TypeEchoRequest || m.Type == TypeEchoReply {
				assert.Equal(t, m.ID(), g.Id)
				assert.Equal(t, m.Seq(), g.Seq)
			}
			err, res := g.VerifyChecksum()
			require.NoError(t, err)
			assert.True(t, res.Valid)
			got, body, err := Decode(b)
			require.NoError(t, err)
			assert.Equal(t, m, got)
			assert.Equal(t, len(tt.body), len(body))
			assert.Equal(t, tt.text, got.String())
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	_, _, err := Decode([]byte{8, 0, 0})
	assert.ErrorIs(t, err, ErrMalformed)
	m := Echo(TypeEchoRequest, 1, 1)
	b := m.AppendTo(nil, []byte("x"))
	b[len(b)-1] ^= 1
	_, _, err = Decode(b)
	assert.ErrorIs(t, err, ErrChecksum)
	assert.True(t, TypeDestUnreach.IsError())
	assert.False(t, TypeEchoReply.IsError())
}

// FuzzDecode: Decode never panics, and what it accepts encodes back to the
// same bytes.
func FuzzDecode(f *testing.F) {
	m := Unreachable(CodeFragNeeded, 576)
	f.Add(m.AppendTo(nil, make([]byte, 28)))
	e := Echo(TypeEchoRequest, 7, 9)
	f.Add(e.AppendTo(nil, []byte("ping")))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, body, err := Decode(b)
		if err != nil {
			require.Nil(t, body)
			return
		}
		_ = m.String()
		out := m.AppendTo(nil, body)
		if b[2] == 0xff && b[3] == 0xff && out[2] == 0 && out[3] == 0 {
			out[2], out[3] = 0xff, 0xff // RFC 1624 §3: the two zeros of one's complement
		}
		require.Equal(t, b, out)
	})
}
