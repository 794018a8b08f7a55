package tcp

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestIdleAckPathChangesNothing runs transfers both ways over a lossy,
// reordering channel, with ECN marks on some, twice: with the ACKs that
// acknowledge nothing taken by onIdleAck and with every ACK through the
// whole of onAck. Every segment sent and every event of either side must
// be the same, at the same time.
func TestIdleAckPathChangesNothing(t *testing.T) {
	defer func() { idleAckPath = true }()
	for seed := range 24 {
		run := func(idle bool) []string {
			idleAckPath = idle
			rng := rand.New(rand.NewPCG(uint64(seed), 0x1d1e))
			cfgA, cfgB := DefaultConfig(), DefaultConfig()
			cfgA.Congestion = []string{"cubic", "newreno", "bbr"}[seed%3]
			cfgA.SACK = seed%4 != 3
			cfgB.Timestamps = seed%5 != 4
			if seed%2 == 0 {
				cfgA.ECN, cfgB.ECN = ECNOn, ECNOn
			}
			toB, toA := 100000+rng.IntN(100000), rng.IntN(3)*20000
			if seed%4 == 1 {
				// A's window, small and moving, reaches B on A's data
				// while B waits with nothing in flight.
				cfgA.RecvBuffer = 4 << 10
				toA = 60000
			}
			ch := newChannel(t, cfgA, cfgB, time.Duration(1+rng.IntN(20))*time.Millisecond)
			var lines []string
			ch.transcript = &lines
			ch.rng = rng
			ch.loss = []float64{0, 0.02, 0.1}[seed%3]
			ch.dup = 0.02
			ch.reorder = 0.05
			ch.mark = func(bool, *Header, int) bool { return rng.IntN(20) == 0 }
			ch.open()
			ch.toWriteA = testPayload(toB, byte(seed))
			ch.toWriteB = testPayload(toA, byte(seed+1))
			ch.closeWhenDone = true
			ch.runUntil(time.Hour)
			require.Equal(t, Closed, ch.a.State())
			require.Equal(t, toA, ch.gotA.Len())
			return lines
		}
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			whole, idle := run(false), run(true)
			require.Greater(t, len(whole), 100)
			require.Equal(t, whole, idle)
		})
	}
}
