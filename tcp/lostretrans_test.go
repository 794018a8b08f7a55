package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMarkLostRetrans pins RACK's check of retransmissions (RFC 8985
// §6.2, Linux's tcp_rack_detect_loss over the time-sorted list): a
// retransmission that data sent after it has overtaken is lost once it has
// waited RACK.rtt plus the reordering window; until then left says when
// the reordering timer must look again (RFC 8985 §6.3), for the youngest
// one waiting, as Linux arms it for the longest wait.
func TestMarkLostRetrans(t *testing.T) {
	const ms = time.Millisecond
	// Data up to 10000 was sent; 0:1000 and 2000:3000 were resent.
	rtx := func(at0, at1 time.Duration, sndMax0, sndMax1 Seq) []rtxRec {
		return []rtxRec{
			{start: 0, end: 1000, sndMaxAt: sndMax0, at: at0},
			{start: 2000, end: 3000, sndMaxAt: sndMax1, at: at1},
		}
	}
	for _, tc := range []struct {
		name   string
		blocks []seqRange
		rtx    []rtxRec
		wait   time.Duration
		relost []seqRange
		left   time.Duration
	}{{
		name:   "no reordering seen: new data sent after it SACKed shows it lost at once",
		blocks: []seqRange{{1000, 2000}, {10000, 11000}},
		rtx:    rtx(100*ms, 100*ms, 10000, 10000),
		relost: []seqRange{{0, 1000}, {2000, 3000}},
	}, {
		name:   "no reordering seen: nothing sent after it delivered",
		blocks: []seqRange{{1000, 2000}, {3000, 10000}},
		rtx:    rtx(100*ms, 100*ms, 10000, 10000),
	}, {
		name:   "reordering seen: overtaken but inside the window waits for the timer",
		blocks: []seqRange{{1000, 2000}, {10000, 11000}},
		rtx:    rtx(150*ms, 150*ms, 10000, 10000),
		wait:   125 * ms,
		left:   75 * ms,
	}, {
		name:   "reordering seen: a later retransmission delivered, the earlier waits",
		blocks: []seqRange{{1000, 3000}},
		rtx:    rtx(140*ms, 150*ms, 10000, 10000),
		wait:   125 * ms,
		left:   65 * ms,
	}, {
		name:   "reordering seen: the timer waits for the youngest overtaken",
		blocks: []seqRange{{1000, 2000}, {10000, 11000}},
		rtx:    rtx(140*ms, 150*ms, 10000, 10000),
		wait:   125 * ms,
		left:   75 * ms,
	}, {
		name:   "reordering seen: the older is past the window, the younger waits",
		blocks: []seqRange{{1000, 2000}, {10000, 11000}},
		rtx:    rtx(50*ms, 150*ms, 10000, 10000),
		wait:   125 * ms,
		relost: []seqRange{{0, 1000}},
		left:   75 * ms,
	}, {
		name:   "reordering seen: one not overtaken does not wait",
		blocks: []seqRange{{1000, 2000}, {10000, 11000}},
		rtx:    rtx(50*ms, 150*ms, 10000, 11000),
		wait:   125 * ms,
		relost: []seqRange{{0, 1000}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			b := scoreboard{blocks: tc.blocks, trk: &rtxTrack{rtx: tc.rtx}}
			found, left := b.markLostRetrans(0, 200*ms, 40*ms, tc.wait)
			require.Equal(t, len(tc.relost) > 0, found)
			require.Equal(t, tc.left, left)
			if len(tc.relost) == 0 {
				require.Empty(t, b.trk.relost)
			} else {
				require.Equal(t, tc.relost, b.trk.relost)
			}
		})
	}
}
