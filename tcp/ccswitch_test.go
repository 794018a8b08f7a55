package tcp

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSetCongestionSwitch switches a connection in the middle of a
// transfer from each congestion control to each other, as Linux's
// setsockopt(TCP_CONGESTION) on a connected socket
// (tcp_reinit_congestion_control): the new one carries on from the
// connection's window (BBR's init makes ssthresh infinite), the sender's
// cached view of it follows (BBR sets the window itself), dctcp falls
// back to Reno where the handshake negotiated no ECN (dctcp_init), one
// that leaves BBR stays paced, and the transfer completes on the new
// algorithm. A lossy path makes the
// new algorithm handle recovery too.
func TestSetCongestionSwitch(t *testing.T) {
	const size = 600_000
	for _, from := range CongestionNames() {
		for _, to := range CongestionNames() {
			cfg := DefaultConfig()
			cfg.Congestion = from
			ch := newChannel(t, cfg, DefaultConfig(), 10*time.Millisecond)
			ch.rng = rand.New(rand.NewPCG(5, 5))
			ch.loss = 0.01
			ch.perByteAB = 800 * time.Nanosecond // 10 Mbit/s
			ch.open()
			want := testPayload(size, 3)
			ch.toWriteA = append([]byte(nil), want...)
			ch.runUntil(250 * time.Millisecond)
			require.Less(t, ch.gotB.Len(), size, "%s to %s: switched before the end", from, to)
			old := ch.a.CongestionControl()
			cwnd, ssthresh := old.Cwnd(), old.Ssthresh()
			require.NoError(t, ch.a.SetCongestion(ch.now, to), "%s to %s", from, to)
			cc := ch.a.CongestionControl()
			name := to
			if to == CongestionDCTCP && !ch.a.ECNCapable() {
				name = CongestionDCTCP + "-reno"
			}
			if to == from {
				require.Same(t, old, cc, "%s: the same name changes nothing", from)
				name = old.Name()
			}
			require.Equal(t, name, cc.Name(), "%s to %s", from, to)
			require.Equal(t, to, ch.a.Config().Congestion)
			require.Equal(t, cwnd, cc.Cwnd(), "%s to %s: the window carries over", from, to)
			if to == CongestionBBR && from != to {
				ssthresh = InfiniteSsthresh // bbr_init
			}
			require.Equal(t, ssthresh, cc.Ssthresh(), "%s to %s", from, to)
			_, ctl := cc.(WindowController)
			require.Equal(t, ctl, ch.a.windowCtl, "%s to %s", from, to)
			_, paced := ch.a.pacingRate()
			require.Equal(t, from == CongestionBBR || to == CongestionBBR, paced,
				"%s to %s: BBR's pacing stays (SK_PACING_NEEDED)", from, to)
			ch.runUntil(60 * time.Second)
			require.Equal(t, want, ch.gotB.Bytes(), "%s to %s: the transfer completes", from, to)
		}
	}
}

// TestSetCongestionUnknown: an unknown name changes nothing.
func TestSetCongestionUnknown(t *testing.T) {
	ch := newChannel(t, DefaultConfig(), DefaultConfig(), 10*time.Millisecond)
	ch.open()
	ch.runUntil(100 * time.Millisecond)
	old := ch.a.CongestionControl()
	err := ch.a.SetCongestion(ch.now, "westwood")
	require.True(t, errors.Is(err, ErrUnknownCongestion), "%v", err)
	require.Same(t, old, ch.a.CongestionControl())
	require.Equal(t, CongestionCubic, ch.a.Config().Congestion)
}

// TestSetCongestionCountsFromConnection: a BBR or DCTCP switched in
// during a transfer counts from the connection, as bbr_init
// (next_rtt_delivered = tp->delivered, min_rtt_us = tcp_min_rtt) and
// dctcp_init (dctcp_reset: next_seq = snd_nxt) do. The first ACK after
// the switch, of data sent a round trip before it, ends neither BBR's
// first round nor DCTCP's first window of alpha's measurement; a count
// started at zero ended them there.
func TestSetCongestionCountsFromConnection(t *testing.T) {
	for _, to := range []string{CongestionBBR, CongestionDCTCP} {
		cfg := DefaultConfig()
		cfg.ECN = ECNOn
		ch := newChannel(t, cfg, cfg, 10*time.Millisecond)
		ch.perByteAB = 800 * time.Nanosecond // 10 Mbit/s
		ch.open()
		ch.toWriteA = testPayload(2_000_000, 3)
		ch.runUntil(300 * time.Millisecond)
		require.True(t, ch.a.ECNCapable())
		delivered := ch.a.rate.delivered
		require.Positive(t, delivered)
		require.NoError(t, ch.a.SetCongestion(ch.now, to))
		cc := ch.a.CongestionControl()
		require.Equal(t, to, cc.Name())
		for ch.a.rate.delivered == delivered && ch.step() {
		}
		require.Greater(t, ch.a.rate.delivered, delivered, "%s: an ACK came", to)
		switch cc := cc.(type) {
		case *BBR:
			require.Zero(t, cc.rounds, "%s: no round ends on data sent before the switch", to)
			require.Equal(t, ch.a.rtt.sampleMin, cc.minRTT, "the connection's minimum RTT")
		case *DCTCP:
			require.Equal(t, dctcpMaxAlpha, cc.alpha, "%s: no window ends on data sent before the switch", to)
		}
		// The ACK of data sent after the switch ends the first.
		ch.runUntil(ch.now + 200*time.Millisecond)
		switch cc := cc.(type) {
		case *BBR:
			require.Positive(t, cc.rounds, "%s", to)
		case *DCTCP:
			require.Less(t, cc.alpha, dctcpMaxAlpha, "%s", to)
		}
	}
}
