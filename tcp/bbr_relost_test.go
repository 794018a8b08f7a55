package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBBRResendsLostRetransmission: during recovery BBR's window, not
// PRR, bounds what is sent (Linux's cong_control; tcp_xmit_retransmit_queue
// resends while tcp_packets_in_flight is below snd_cwnd), retransmissions
// included. Over a 50 Mbit/s bottleneck with a 40 ms base RTT, BBR in
// PROBE_BW loses a segment and then its fast retransmission: the second is
// deemed lost once data sent after it is SACKed (RFC 8985 §6.2) and must go
// then, about a round trip later. PRR's allowance, which the new data BBR
// sends by its own window uses up (pipe above ssthresh, the BDP), held it
// until the recovery ended (115 ms); over a lossy path every lost
// retransmission waited so, or for the RTO.
func TestBBRResendsLostRetransmission(t *testing.T) {
	const rtt = 40 * time.Millisecond
	cfg := DefaultConfig()
	cfg.Congestion = CongestionBBR
	cfg.SendBuffer, cfg.RecvBuffer = 8<<20, 8<<20
	ch := newChannel(t, cfg, cfg, rtt/2)
	ch.perByteAB = 160 * time.Nanosecond // 50 Mbit/s
	const at = 1448 * 4000               // in PROBE_BW, while the window is above the BDP
	drops := 0
	ch.drop = func(toB bool, h *Header, n int) bool {
		if toB && n > 0 && h.Seq.Sub(ch.a.ISS()) == at+1 && drops < 2 {
			drops++
			return true
		}
		return false
	}
	var resent []time.Duration
	rto := false
	ch.onEventA = func(now time.Duration, e Event) {
		switch {
		case e.Kind == EvRetransmit && e.Seq.Sub(ch.a.ISS()) == at+1:
			resent = append(resent, now)
		case e.Kind == EvTimerFired && e.Timer == "rto":
			rto = true
		}
	}
	ch.open()
	ch.toWriteA = make([]byte, 8<<20)
	ch.runUntil(2 * time.Second)
	require.Equal(t, 2, drops, "the original and its first retransmission were lost")
	require.Len(t, resent, 2, "resent twice")
	require.False(t, rto, "no RTO")
	require.Less(t, resent[1]-resent[0], 2*rtt, "the lost retransmission is resent about a round trip after it (%v)", resent)
}
