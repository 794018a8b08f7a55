package tcp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzDecode: Decode never panics on any bytes, and what it accepts
// encodes back to the same bytes (but for the checksum, which AppendTo
// recomputes) and decodes again to the same header. The seed corpus is in
// testdata/fuzz/FuzzDecode; .ci/run runs this for a few seconds.
func FuzzDecode(f *testing.F) {
	for _, tt := range roundTripCases(f) {
		h := tt.h
		f.Add(h.AppendTo(nil, addrA, addrB, tt.payload))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// The fast option validator and the iterator's parser agree.
		if len(b) > MaxOptionsLen {
			var o Options
			o.n = uint8(copy(o.buf[:], b[:MaxOptionsLen]))
			slow := error(nil)
			for off := 0; ; {
				opt, nxt, ok, err := o.next(off)
				if err != nil {
					slow = err
				}
				if !ok || opt.Kind == OptEOL {
					break
				}
				off = nxt
			}
			require.Equal(t, slow, o.Validate())
		}
		h, payload, err := Decode(b)
		// The formatters and accessors must cope with whatever was read.
		_ = h.Text(addrA, addrB, len(payload), Bases{Seq: 1, Ack: 2})
		_ = h.Verbose(len(payload), Bases{})
		_, _ = h.Options.MSS()
		_, _ = h.Options.WScale()
		_, _ = h.Options.SACK()
		_, _, _ = h.Options.Timestamps()
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			require.Nil(t, payload)
			return
		}
		require.Equal(t, len(b), h.Len()+len(payload))
		out := h.AppendTo(nil, addrA, addrB, payload)
		require.True(t, VerifyChecksum(out, addrA, addrB))
		assert.Equal(t, b[:16], out[:16])
		assert.Equal(t, b[18:], out[18:])
		h2, p2, err := DecodeChecked(out, addrA, addrB)
		require.NoError(t, err)
		require.Equal(t, h, h2)
		require.Equal(t, payload, p2)
	})
}
