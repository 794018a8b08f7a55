package inet

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecodeError: every layer's decode error reads the same way, names
// its layer, and unwraps to the layer's sentinel through wrapping.
func TestDecodeError(t *testing.T) {
	errBad := errors.New("x: malformed")
	errSum := errors.New("x: bad checksum")
	tests := []struct {
		err  *DecodeError
		text string
		kind error
	}{
		{ShortError("udp", "datagram", 3, 8, errBad), "udp: decode header at offset 0: datagram of 3 bytes is shorter than 8", errBad},
		{ChecksumError("ipv4", 10, "header checksum", 0xbeef, "header", errSum), "ipv4: decode header checksum at offset 10: checksum 0xbeef does not match the header", errSum},
		{&DecodeError{Layer: "tcp", Offset: 13, Field: "flags", Reason: "r", Err: errBad}, "tcp: decode flags at offset 13: r", errBad},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			assert.Equal(t, tt.text, tt.err.Error())
			wrapped := fmt.Errorf("read: %w", tt.err)
			assert.ErrorIs(t, wrapped, tt.kind)
			var de *DecodeError
			require.ErrorAs(t, wrapped, &de)
			assert.Same(t, tt.err, de)
		})
	}
}
