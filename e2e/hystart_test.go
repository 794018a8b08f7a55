package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowStartEnd returns when the first flow's ssthresh was first set below
// infinity and why, and when the bottleneck first dropped a packet (-1 for
// never).
func slowStartEnd(recs []rec) (ssAt, dropAt int64, why string) {
	ssAt, dropAt = -1, -1
	for _, r := range recs {
		if ssAt < 0 && r.Kind == "tcp.cwnd" && r.Side == "client" && r.Ssthresh > 0 && r.Ssthresh < 1<<31-1 {
			ssAt, why = r.T, r.Reason
		}
		if dropAt < 0 && r.Kind == "pkt.drop" && r.Subject == "link/bottleneck/r1>server" {
			dropAt = r.T
		}
	}
	return ssAt, dropAt, why
}

// TestHyStartDeepBuffer: on a path whose bottleneck queue holds many times
// the bandwidth-delay product, CUBIC with HyStart (the default, as Linux's
// tcp_cubic) ends slow start before any packet is dropped: the queueing
// delay that builds shows the path full. With hystart: false, slow start
// goes on until the queue overflows, and the first drop comes before
// ssthresh is ever set.
func TestHyStartDeepBuffer(t *testing.T) {
	t.Parallel()
	slow(t)
	const queue = "{kind: droptail, limit: 800}" // 1.2 MB, about 5 BDPs
	for _, tc := range []struct {
		name, tcp string
		hystart   bool
	}{
		{"hystart", "{congestion: cubic}", true},
		{"no hystart", "{congestion: cubic, hystart: false}", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, ccScenario(t, 1, "50Mbps", 40*time.Millisecond, queue, tc.tcp, time.Second))
			ssAt, dropAt, why := slowStartEnd(readTrace(t, out))
			t.Logf("ssthresh first set at %v (%s), first drop at %v", time.Duration(ssAt), why, time.Duration(dropAt))
			if tc.hystart {
				require.Positive(t, ssAt, "HyStart ends slow start")
				assert.True(t, dropAt < 0 || ssAt < dropAt, "slow start ends before the first drop")
				return
			}
			require.Positive(t, dropAt, "without HyStart the queue overflows")
			assert.True(t, ssAt < 0 || dropAt < ssAt, "the first drop comes before ssthresh is set")
		})
	}
}
