package tcp_test

import (
	"testing"

	"github.com/netsimlab/netsim/nodes/drillstack"
	"github.com/netsimlab/netsim/tcp"
	"github.com/stretchr/testify/require"
)

// TestSACKRecoverySettings runs the scripts of the SACK recovery rules that
// a Config setting switches, with the setting on and off. Each script must
// fail without its rule, at the line the rule produces, so the script
// proves the rule.
func TestSACKRecoverySettings(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script string
		set    func(c *tcp.Config)
		fails  string // the failure expected, "" for none
	}{
		{
			// RFC 6675 §4 NextSeg rule 3, with RFC 6675 alone.
			name:   "rule 3 without RACK",
			script: "testdata/sack/rule3.pkt",
			set:    func(c *tcp.Config) { c.RACK = false },
		},
		{
			name:   "rescue retransmission on",
			script: "testdata/sack/rescue-retransmit.pkt",
			set:    func(c *tcp.Config) { c.RescueRetransmit, c.RACK = true, false },
		},
		{
			// Nothing is sent where the script expects the rescue of
			// segment 10 (RFC 6675 §4 NextSeg rule 4).
			name:   "rescue retransmission off",
			script: "testdata/sack/rescue-retransmit.pkt",
			set:    func(c *tcp.Config) { c.RescueRetransmit, c.RACK = false, false },
			fails:  "rescue-retransmit.pkt:41: expected an outbound segment",
		},
		{
			name:   "lost retransmission detection on",
			script: "testdata/sack-lost-retransmit.pkt",
			set:    func(c *tcp.Config) { c.RACK = true },
		},
		{
			// Segment 1 is not resent when data sent after its lost
			// retransmission is SACKed: new data goes out instead.
			name:   "lost retransmission detection off",
			script: "testdata/sack-lost-retransmit.pkt",
			set:    func(c *tcp.Config) { c.RACK = false },
			fails:  "sack-lost-retransmit.pkt:56: seq 17001, want 1",
		},
		{
			name:   "lost retransmission found by a later one on",
			script: "testdata/sack-lost-retransmit-later.pkt",
			set:    func(c *tcp.Config) { c.RACK = true },
		},
		{
			// Without detection, segment 1 waits for the RTO.
			name:   "lost retransmission found by a later one off",
			script: "testdata/sack-lost-retransmit-later.pkt",
			set:    func(c *tcp.Config) { c.RACK = false },
			fails:  "sack-lost-retransmit-later.pkt:46: expected an outbound segment",
		},
		{
			name:   "tail loss probe on",
			script: "testdata/tlp-tail-loss.pkt",
			set:    func(c *tcp.Config) {},
		},
		{
			// Without the probe the RTO repairs the tail and collapses
			// the window to one segment.
			name:   "tail loss probe off",
			script: "testdata/tlp-tail-loss.pkt",
			set:    func(c *tcp.Config) { c.TLP = false },
			fails:  "tcpi_snd_cwnd is 2",
		},
		{
			// Without RACK the probe's SACK is one segment, too few for
			// IsLost: the ninth segment waits for the RTO.
			name:   "tail loss of two without RACK",
			script: "testdata/rack-tail-loss.pkt",
			set:    func(c *tcp.Config) { c.RACK = false },
			fails:  "rack-tail-loss.pkt:35: ",
		},
		{
			name:   "reordering timer without RACK",
			script: "testdata/rack-reo-timer.pkt",
			set:    func(c *tcp.Config) { c.RACK = false },
			fails:  "rack-reo-timer.pkt:44: expected an outbound segment",
		},
		{
			// Without RACK the three SACKed segments start recovery at
			// once: the resend comes 27 ms early.
			name:   "reordering window without RACK",
			script: "testdata/rack-reordering.pkt",
			set:    func(c *tcp.Config) { c.RACK = false },
			fails:  "rack-reordering.pkt:43: segment sent at 0.300000",
		},
		{
			// Without HyStart slow start goes on: the window is 29
			// segments and a second new segment goes out.
			name:   "hystart off",
			script: "testdata/hystart-delay.pkt",
			set:    func(c *tcp.Config) { c.HyStart = false },
			fails:  "hystart-delay.pkt:87: unexpected outbound segment at 0.330000: 192.168.0.1:8080 > 192.0.2.1:50000 [.] seq 47001:48001",
		},
		{
			name:   "slow start after idle off",
			script: "testdata/slow-start-after-idle.pkt",
			set:    func(c *tcp.Config) { c.SlowStartAfterIdle = false },
			fails:  "slow-start-after-idle.pkt:23: ",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := drillstack.DefaultOptions()
			tc.set(&o.Config)
			err := drillstack.RunFile(tc.script, o)
			if tc.fails != "" {
				require.ErrorContains(t, err, tc.fails)
				return
			}
			require.NoError(t, err)
		})
	}
}
