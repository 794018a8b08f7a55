package tcp_test

import (
	"testing"

	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/tcp/drill"
	"github.com/stretchr/testify/require"
)

// TestRescueRetransmit runs testdata/sack/rescue-retransmit.pkt with RFC
// 6675 §4 NextSeg rule 4 on, and checks that the script fails with it off
// (the default, as in Linux), so the script proves the rule.
func TestRescueRetransmit(t *testing.T) {
	const script = "testdata/sack/rescue-retransmit.pkt"
	for _, tc := range []struct {
		name   string
		rescue bool
		fails  string // the failure expected, "" for none
	}{
		{name: "rule 4 on", rescue: true},
		// Without the rule nothing is sent where the script expects the
		// rescue of segment 10.
		{name: "rule 4 off", rescue: false, fails: "rescue-retransmit.pkt:39: expected an outbound segment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tcp.DefaultConfig()
			cfg.RescueRetransmit = tc.rescue
			_, err := drill.RunFileStack(script, cfg, nil)
			if tc.fails != "" {
				require.ErrorContains(t, err, tc.fails)
				return
			}
			require.NoError(t, err)
		})
	}
}
