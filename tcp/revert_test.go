package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRevertRTOAtMaxRTO: Linux's tcp_retransmit_timer counts every expiry
// in icsk_backoff, also once the RTO is clamped at TCP_RTO_MAX, so one
// revert by an ICMP unreachable (tcp_ld_RTO_revert) after more expiries
// than it takes to reach the clamp leaves the RTO at the max. A backoff
// that stopped counting at the clamp halved it instead (102.4 s).
func TestRevertRTOAtMaxRTO(t *testing.T) {
	a, _ := establishedPair(t, DefaultConfig())
	now := 10 * time.Millisecond
	_, err := a.Write(now, make([]byte, 1000))
	require.NoError(t, err)
	a.Segments(func(*Header, []byte) {})
	a.Events(func(*Event) {})
	for range 12 { // 200 ms doubled 10 times passes the 120 s max
		require.True(t, a.armed(timerRtx))
		now = a.timerAt[timerRtx]
		a.Tick(now)
		a.Segments(func(*Header, []byte) {})
		a.Events(func(*Event) {})
	}
	require.Equal(t, Established, a.State())
	require.Equal(t, a.rtt.max, a.rtt.current())
	require.True(t, a.RevertRTO(now, a.sndUna))
	require.Equal(t, a.rtt.max, a.rtt.current(), "one revert of twelve backoffs stays clamped")
	require.Equal(t, now+a.rtt.max, a.timerAt[timerRtx])
}
