package tcp

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPipeMemoMatchesWalk changes each input of pipe at random, through
// the scoreboard's own methods and the fields it reads, and compares
// pipe with pipeWalk after every change (and pipe panics on a mismatch
// first, with pipeCheck), twice: the second answer comes from the memo.
func TestPipeMemoMatchesWalk(t *testing.T) {
	for seed := range 200 {
		rng := rand.New(rand.NewPCG(uint64(seed), 0x919e))
		cfg := DefaultConfig()
		cfg.RACK = seed%2 == 0
		c, err := NewConn(cfg, epA, epB, 1000, 1)
		require.NoError(t, err)
		mss := 1000
		c.sndMss = mss
		base := Seq(rng.Uint32()) // wraparound too
		c.sndUna, c.sndMax = base, base.Add(uint32(mss*(1+rng.IntN(50))))
		c.board.highRxt = c.sndUna
		c.board.resetRtx(0)
		now := time.Duration(0)
		check := func(step int, what string) {
			w := c.pipeWalk()
			require.Equal(t, w, c.pipe(), "seed %d step %d after %s", seed, step, what)
		}
		for step := range 300 {
			now += time.Millisecond
			span := int(c.sndMax.Sub(c.sndUna))
			at := func() Seq { return c.sndUna.Add(uint32(rng.IntN(span + 1))) }
			var what string
			switch rng.IntN(12) {
			case 0, 1, 2:
				what = "send"
				c.sndMax = c.sndMax.Add(uint32(mss * (1 + rng.IntN(3))))
			case 3, 4:
				what = "sack"
				s := at()
				c.board.add(SACKBlock{Start: s, End: s.Add(uint32(mss * (1 + rng.IntN(4))))}, c.sndUna, c.sndMax)
			case 5:
				what = "ack"
				c.sndUna = at()
				c.board.pruneBelow(c.sndUna)
			case 6:
				what = "retransmit"
				h := Max(c.board.highRxt, c.sndUna).Add(uint32(mss))
				if h.LessEq(c.sndMax) {
					c.board.noteRtx(c.board.highRxt, h, c.sndMax, now)
					c.board.highRxt = h
				}
			case 7:
				what = "lost retransmissions"
				c.board.markLostRetrans(c.sndUna, now, 0, 0)
			case 8:
				what = "resend relost"
				c.board.nextRelost(c.sndUna, mss)
			case 9:
				what = "recovery and RACK"
				c.inRecovery = rng.IntN(2) == 0
				c.rack.reordSeen = rng.IntN(3) == 0
				c.rack.lostEdge = at()
			case 10:
				what = "mss"
				c.sndMss = []int{536, 1000, 1460}[rng.IntN(3)]
			case 11:
				what = "reset"
				if rng.IntN(4) == 0 {
					c.board.clear()
				} else {
					c.board.resetRtx(step)
				}
			}
			check(step, what)
			check(step, what+" (again, from the memo)")
		}
	}
}

// TestMarkRetransmittedMatchesScan compares markRetransmitted, which
// starts at sentIndex, with the scan of every record it replaced.
func TestMarkRetransmittedMatchesScan(t *testing.T) {
	scan := func(c *Conn, seq, end Seq) []bool {
		marks := make([]bool, len(c.sent))
		start := c.sndUna
		for i := c.sentHead; i < len(c.sent); i++ {
			if c.sent[i].end.GreaterThan(seq) && start.LessThan(end) {
				marks[i] = true
			}
			start = c.sent[i].end
		}
		return marks
	}
	for seed := range 500 {
		rng := rand.New(rand.NewPCG(uint64(seed), 0x3a7))
		c, err := NewConn(DefaultConfig(), epA, epB, 1000, 1)
		require.NoError(t, err)
		c.sndUna = Seq(rng.Uint32())
		c.sentHead = rng.IntN(3)
		s := c.sndUna
		for range c.sentHead {
			c.sent = append(c.sent, sentRec{start: s.Add(^uint32(99)), end: s}) // already acknowledged
		}
		for range 1 + rng.IntN(40) {
			e := s.Add(uint32(1 + rng.IntN(3000)))
			c.sent = append(c.sent, sentRec{start: s, end: e})
			s = e
		}
		span := int(s.Sub(c.sndUna))
		seq := c.sndUna.Add(uint32(rng.IntN(span)))
		end := seq.Add(uint32(1 + rng.IntN(4000)))
		want := scan(c, seq, end)
		c.markRetransmitted(seq, end)
		for i := range c.sent {
			require.Equal(t, want[i], c.sent[i].retx, "seed %d record %d", seed, i)
		}
	}
}

// TestPipeCheckCatchesStaleMemo holds pipeCheck on in test binaries: a
// memo left stale (as a missing invalidation would leave it) panics at the
// next call instead of passing unnoticed.
func TestPipeCheckCatchesStaleMemo(t *testing.T) {
	c, err := NewConn(DefaultConfig(), epA, epB, 1000, 1)
	require.NoError(t, err)
	c.sndMss = 1000
	c.sndUna = 5000
	c.sndMax = c.sndUna.Add(10000)
	c.board.highRxt = c.sndUna
	c.board.resetRtx(0)
	c.board.add(SACKBlock{Start: c.sndUna.Add(5000), End: c.sndUna.Add(6000)}, c.sndUna, c.sndMax)
	c.pipe()
	c.board.trk.memo.below++
	require.Panics(t, func() { c.pipe() })
}

// TestNextRelostKeepsMemo checks that asking for the next lost
// retransmission leaves pipe's memo valid when relost did not move, as
// sackRecover asks on every pass while PRR holds the range back, and
// invalidates it when a delivered range is dropped.
func TestNextRelostKeepsMemo(t *testing.T) {
	c, err := NewConn(DefaultConfig(), epA, epB, 1000, 1)
	require.NoError(t, err)
	mss := 1000
	c.sndMss = mss
	c.sndUna, c.sndMax = 1000, 11000
	tr := c.board.track()
	tr.relost = []seqRange{{2000, 3000}, {5000, 6000}}
	s, n, ok := c.board.nextRelost(c.sndUna, mss)
	require.True(t, ok)
	require.Equal(t, Seq(2000), s)
	require.Equal(t, mss, n)
	gen := tr.gen
	c.pipe()
	for range 3 {
		_, _, ok = c.board.nextRelost(c.sndUna, mss)
		require.True(t, ok)
	}
	require.Equal(t, gen, tr.gen, "unchanged relost moved the memo's generation")
	c.board.add(SACKBlock{Start: 2000, End: 3000}, c.sndUna, c.sndMax)
	gen = tr.gen
	s, _, ok = c.board.nextRelost(c.sndUna, mss)
	require.True(t, ok)
	require.Equal(t, Seq(5000), s)
	require.NotEqual(t, gen, tr.gen, "dropped range left the memo's generation")
	require.Equal(t, c.pipeWalk(), c.pipe())
}
