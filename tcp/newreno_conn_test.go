package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestNewRenoWindowThroughConn: a bulk NewReno sender doubles its window
// every round trip in slow start (RFC 5681 §3.1: +1 SMSS per ACK, one ACK
// per segment here), halves it on a loss (ssthresh = FlightSize/2, §3.2)
// and then grows by about one SMSS per round trip (§3.1 eq. 3).
func TestNewRenoWindowThroughConn(t *testing.T) {
	const rtt = 100 * time.Millisecond
	ch, samples := oneLossTransfer(t, CongestionNewReno, rtt, 400000, 20<<20, 6*time.Second)
	mss := ch.a.Stats().MSS
	cwndAt := func(at time.Duration) int {
		c := 0
		for _, s := range samples {
			if s.at > at {
				break
			}
			c = s.cwnd
		}
		return c
	}
	// The handshake ends at 100 ms; round i's ACKs arrive by 100+100i ms.
	for i := 1; i <= 4; i++ {
		require.Equal(t, 10*mss<<i, cwndAt(time.Duration(100+100*i)*time.Millisecond+rtt/2), "slow start round %d", i)
	}
	// The loss.
	var rec cwndSample
	before := 0
	for i, s := range samples {
		if s.reason == "recovery" {
			rec, before = s, samples[i-1].cwnd
			break
		}
	}
	require.NotZero(t, rec.at, "fast recovery happened")
	require.Equal(t, rec.cwnd, rec.ssthresh, "cwnd = ssthresh in recovery (RFC 6675)")
	require.InDelta(t, before/2, rec.ssthresh, float64(2*mss), "ssthresh is half the flight")
	// Congestion avoidance: about one SMSS per RTT over 20 RTTs.
	start := rec.at + 2*rtt
	grown := cwndAt(start+20*rtt) - cwndAt(start)
	require.InDelta(t, 20*mss, grown, float64(3*mss), "growth in 20 RTTs")
}
