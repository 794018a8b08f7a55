package ipv4

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzDecode: Decode never panics on any bytes, and what it accepts
// encodes back to the same header bytes (a checksum of 0xffff, the other
// zero, comes back as 0x0000) and decodes again to the same
// header and payload. The seed corpus is in testdata/fuzz/FuzzDecode;
// .ci/run runs this for a few seconds.
func FuzzDecode(f *testing.F) {
	for _, tt := range roundTripCases(f) {
		h := tt.h
		b, err := h.AppendTo(nil, tt.payload)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, payload, err := Decode(b)
		_ = h.String()
		if err != nil {
			require.Nil(t, payload)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.NotEmpty(t, de.Field)
			return
		}
		require.True(t, VerifyChecksum(b))
		out, err := h.AppendTo(nil, payload)
		require.NoError(t, err)
		require.Equal(t, b[:10], out[:10])
		require.Equal(t, b[12:len(out)], out[12:])
		if in, got := get16(b[10:]), get16(out[10:]); in != got {
			// RFC 1624 §3: 0xffff and 0x0000 are the two zeros of one's
			// complement and both verify; the encoder writes 0x0000.
			require.Equal(t, [2]uint16{0xffff, 0}, [2]uint16{in, got})
		}
		h2, p2, err := Decode(out)
		require.NoError(t, err)
		require.Equal(t, h, h2)
		require.Equal(t, payload, p2)
		if ttl, ok := DecrementTTL(out); ok {
			require.True(t, VerifyChecksum(out))
			require.Equal(t, h.TTL-1, ttl)
		}
	})
}
