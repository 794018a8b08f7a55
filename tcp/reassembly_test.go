package tcp

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openWideChannel connects A and B with 4 MiB buffers and moves warm bytes
// in order first, so that B's offered window (grown like Linux's
// tcp_grow_window) spans its whole buffer.
func openWideChannel(t *testing.T, ts bool, cc string, warm int) *channel {
	t.Helper()
	cfgA, cfgB := DefaultConfig(), DefaultConfig()
	for _, c := range []*Config{&cfgA, &cfgB} {
		c.SendBuffer, c.RecvBuffer = 4<<20, 4<<20
		c.Timestamps = ts
		c.Congestion = cc
	}
	ch := newChannel(t, cfgA, cfgB, 20*time.Millisecond)
	ch.open()
	ch.toWriteA = testPayload(warm, 9)
	for ch.gotB.Len() < warm && ch.now < time.Minute && ch.step() {
	}
	require.Equal(t, warm, ch.gotB.Len(), "warm-up transfer")
	ch.runUntil(ch.now + time.Second) // let the last ACKs land
	return ch
}

// heldRuns is the reference model of the receiver: the runs of segment
// indices received, as [first, last+1) pairs, above the first missing one.
func heldRuns(got []bool) (next int, runs [][2]int) {
	for next < len(got) && got[next] {
		next++
	}
	for i := next; i < len(got); i++ {
		if !got[i] {
			continue
		}
		j := i
		for j < len(got) && got[j] {
			j++
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	return next, runs
}

// TestReceiverHoldsEveryOutOfOrderRange: segments arrive with every other
// one missing, leaving more out-of-order ranges than any small fixed
// limit (the receiver once kept 32 and silently discarded the rest). The
// receiver holds all of them within its buffer, as Linux does, SACKs each
// arrival with its block first and the previously reported blocks after
// it (RFC 2018 §4), and once the holes are filled, in any order, the
// reader gets the stream intact.
func TestReceiverHoldsEveryOutOfOrderRange(t *testing.T) {
	type fillOrder int
	const (
		ascending fillOrder = iota
		descending
		fromBothEnds
	)
	tests := []struct {
		holes int
		ts    bool // timestamps leave room for 3 SACK blocks, else 4
		fill  fillOrder
	}{
		{holes: 33, ts: true, fill: ascending},
		{holes: 40, ts: false, fill: descending},
		{holes: 126, ts: true, fill: fromBothEnds},
		{holes: 126, ts: false, fill: ascending},
		{holes: 600, ts: true, fill: descending},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("holes%d_ts%v_fill%d", tt.holes, tt.ts, tt.fill), func(t *testing.T) {
			ch := openWideChannel(t, tt.ts, "newreno", 3<<20)
			a, b := ch.a, ch.b
			room := 4
			if tt.ts {
				room = 3
			}
			mss := b.rcvMss
			base := b.rcvNxt
			segs := 2 * tt.holes
			require.LessOrEqual(t, segs*mss, b.rcvWnd(), "the window must hold the test")
			payload := testPayload(segs*mss, 3)
			got := make([]bool, segs)
			dropped := b.Stats().DroppedSegments
			tsVal := a.tsNow(ch.now)

			// deliver hands segment i to B and returns the ACK it sends.
			deliver := func(i int) (ack Seq, blocks []SACKBlock) {
				t.Helper()
				ch.now += time.Microsecond
				tsVal++
				h := Header{
					SrcPort: epA.Port, DstPort: epB.Port,
					Seq: base.Add(uint32(i * mss)), Ack: b.sndMax,
					Flags: FlagACK, Window: 0xffff,
				}
				if tt.ts {
					h.Options = SegmentOptions(tsVal, b.tsNow(ch.now), true, nil)
				}
				b.Input(ch.now, &h, payload[i*mss:(i+1)*mss])
				got[i] = true
				var acks []Header
				b.Segments(func(h *Header, p []byte) {
					require.Empty(t, p)
					acks = append(acks, *h)
				})
				require.Len(t, acks, 1, "RFC 5681 §4.2: an ACK at once for segment %d", i)
				blks, n := acks[0].Options.SACK()
				return acks[0].Ack, blks[:n]
			}
			block := func(r [2]int) SACKBlock {
				return SACKBlock{Start: base.Add(uint32(r[0] * mss)), End: base.Add(uint32(r[1] * mss))}
			}

			// Every odd segment: each arrival opens a new range.
			for k := range tt.holes {
				ack, blocks := deliver(2*k + 1)
				require.Equal(t, base, ack)
				var want []SACKBlock
				for j := k; j >= 0 && len(want) < room; j-- {
					want = append(want, block([2]int{2*j + 1, 2*j + 2}))
				}
				require.Equal(t, want, blocks, "after segment %d: newest block first, then the most recently reported", 2*k+1)
			}
			require.Len(t, b.held(), tt.holes, "every range held")
			assert.Equal(t, dropped, b.Stats().DroppedSegments, "no segment discarded")

			var order []int
			for k := range tt.holes {
				switch tt.fill {
				case ascending:
					order = append(order, 2*k)
				case descending:
					order = append(order, 2*(tt.holes-1-k))
				case fromBothEnds:
					if k%2 == 0 {
						order = append(order, 2*(tt.holes-1-k/2))
					} else {
						order = append(order, 2*(k/2))
					}
				}
			}
			for _, i := range order {
				ack, blocks := deliver(i)
				next, runs := heldRuns(got)
				require.Equal(t, base.Add(uint32(next*mss)), ack, "cumulative ACK after filling %d", i)
				require.Len(t, b.held(), len(runs))
				// Every block reports a range held, none twice.
				held := map[SACKBlock]bool{}
				for _, r := range runs {
					held[block(r)] = true
				}
				seen := map[SACKBlock]bool{}
				for _, blk := range blocks {
					assert.True(t, held[blk], "block %v after filling %d is not a held range", blk, i)
					assert.False(t, seen[blk], "block %v twice", blk)
					seen[blk] = true
				}
				assert.Len(t, blocks, min(room, len(runs)), "as many blocks as fit (RFC 2018 §4)")
				if i >= next {
					// RFC 2018 §4: the first block holds the segment that
					// triggered the ACK.
					require.NotEmpty(t, blocks)
					assert.True(t, !base.Add(uint32(i*mss)).LessThan(blocks[0].Start) &&
						base.Add(uint32((i+1)*mss)).LessEq(blocks[0].End),
						"first block %v after filling %d", blocks[0], i)
				}
			}
			require.Empty(t, b.held())
			ch.gotB.Reset()
			ch.app()
			require.Equal(t, payload, ch.gotB.Bytes(), "the reader gets the stream intact")
		})
	}
}

// TestSACKRecoveryOfManyHoles: well into a transfer, when the window is
// large, every other segment of a stretch is lost once, leaving more holes
// than a small fixed limit on the receiver's ranges or the sender's
// scoreboard would hold. SACK recovery (RFC 6675, paced by RFC 6937)
// resends exactly the lost segments, with one fast retransmit and no
// retransmission timeout, and the stream arrives intact.
func TestSACKRecoveryOfManyHoles(t *testing.T) {
	tests := []struct {
		holes int
		cc    string
		ts    bool
	}{
		{holes: 33, cc: "newreno", ts: true},
		{holes: 40, cc: "cubic", ts: false},
		{holes: 126, cc: "newreno", ts: true},
		{holes: 126, cc: "cubic", ts: true},
		{holes: 300, cc: "newreno", ts: false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("holes%d_%s_ts%v", tt.holes, tt.cc, tt.ts), func(t *testing.T) {
			const warm = 3 << 20
			ch := openWideChannel(t, tt.ts, tt.cc, warm)
			a, b := ch.a, ch.b
			mss := a.sndMss
			start := a.sndNxt
			// A window's worth of data after the warm-up; the losses start
			// a few segments in, so that duplicate ACKs follow them.
			want := testPayload(2*tt.holes*mss+200*mss, 5)
			lossFrom := start.Add(uint32(10 * mss))
			lost := map[Seq]bool{}
			ch.drop = func(toB bool, h *Header, n int) bool {
				if !toB || n == 0 || h.Seq.LessThan(lossFrom) {
					return false
				}
				k := int(h.Seq.Sub(lossFrom)) / mss
				if k%2 != 0 || k >= 2*tt.holes {
					return false
				}
				if _, seen := lost[h.Seq]; seen {
					return false // only the first transmission is lost
				}
				lost[h.Seq] = true
				return true
			}
			maxRanges := 0
			before := a.Stats()
			ch.gotB.Reset()
			ch.toWriteA = append([]byte(nil), want...)
			for ch.gotB.Len() < len(want) && ch.now < 10*time.Minute && ch.step() {
				maxRanges = max(maxRanges, len(b.held()))
			}
			require.Equal(t, want, ch.gotB.Bytes(), "B read")
			require.Len(t, lost, tt.holes)
			after := a.Stats()
			assert.GreaterOrEqual(t, maxRanges, tt.holes/2, "the receiver held the ranges")
			assert.Zero(t, after.Timeouts-before.Timeouts, "no retransmission timeout")
			assert.Equal(t, tt.holes, after.Retransmits-before.Retransmits, "exactly the lost segments resent")
			assert.Equal(t, 1, after.FastRetransmits-before.FastRetransmits, "one recovery episode")
		})
	}
}
