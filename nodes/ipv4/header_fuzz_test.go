package ipv4

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzDecode: Decode never panics on any bytes, and what it accepts
// encodes back to the same header bytes and decodes again to the same
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
		require.Equal(t, b[:len(out)], out)
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
