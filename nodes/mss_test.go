package nodes

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestConnMSS(t *testing.T) {
	tests := []struct {
		name            string
		configured, mtu int
		want            int
	}{
		{"ethernet", 1460, 1500, 1460},
		{"small mtu lowers the default", 1460, 576, 536},
		{"TCP_MAXSEG below the mtu is kept", 1000, 1500, 1000},
		{"jumbo mtu does not raise the configured mss", 1460, 9000, 1460},
		{"loopback", 1460, LoopbackMTU, 1460},
		{"largest mss on loopback", 65495, LoopbackMTU, 65495},
		{"tiny mtu floors at the smallest valid mss", 1460, 68, minMSS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, connMSS(tt.configured, tt.mtu))
		})
	}
}
