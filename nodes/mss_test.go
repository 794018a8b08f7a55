package nodes

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
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
		{"tiny mtu floors at the smallest valid mss", 1460, 68, tcp.MinMSS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tcp.DefaultConfig()
			cfg.MSS = tt.configured
			v, err := cfg.Valid()
			require.NoError(t, err)
			assert.Equal(t, tt.want, connMSS(v, tt.mtu).Config().MSS)
		})
	}
}
