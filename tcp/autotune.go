package tcp

import (
	"math/bits"
	"time"
)

// Socket buffer autotuning as Linux does it by default: the receive
// buffer follows what the application reads per round trip (dynamic
// right-sizing, tcp_rcv_space_adjust with tcp_moderate_rcvbuf=1) and the
// send buffer follows the congestion window (tcp_sndbuf_expand). A buffer
// the user sized (Config.SendBuffer, Config.RecvBuffer, or SO_SNDBUF and
// SO_RCVBUF, which set them) stays as it is, as Linux's SOCK_SNDBUF_LOCK
// and SOCK_RCVBUF_LOCK keep it.
//
// Linux counts buffer memory, data and overhead together; netsim's
// buffers count data. Half the memory holds data, as Linux's
// tcp_win_from_space has it with tcp_adv_win_scale=1.

// winFromSpace is the data a buffer of space bytes of memory holds
// (tcp_win_from_space).
func winFromSpace(space int) int { return space / 2 }

// spaceFromWin is the memory that holds win bytes of data
// (tcp_space_from_win).
func spaceFromWin(win int64) int64 { return 2 * win }

// rcvTuning is the receiver's state for autotuning: Linux's rcvq_space and
// rcv_rtt_est.
type rcvTuning struct {
	// space is the bytes the application read in the last measured round
	// trip (rcvq_space.space); delivered and at are the read count and
	// the time the current measurement started.
	space     int
	delivered int64
	at        time.Duration
	// rtt is the receiver's RTT estimate (rcv_rtt_est), zero until the
	// first sample; rttSeq and rttAt are the window-based measurement in
	// progress (tcp_rcv_rtt_measure), once rttOn.
	rtt    time.Duration
	rttAt  time.Duration
	rttSeq Seq
	// lastTsecr is the TSecr of the last timestamp sample.
	lastTsecr uint32
	rttOn     bool
	// on: the measurement started (the connection is established).
	on bool
}

// initBufferSpace starts autotuning when the connection is established,
// as Linux's tcp_init_buffer_space: the send buffer is sized for the
// initial window, and the first receive measurement assumes the peer
// sends at most an initial window in the first round trip.
func (c *Conn) initBufferSpace(now time.Duration) {
	if c.cfg.SendBuffer == 0 {
		c.sndbufExpand()
	}
	t := &c.rcvTune
	t.space = min(c.rcvClamp, c.rcvWnd(), DefaultInitialCwndSegments*c.cfg.MSS)
	t.delivered = c.stats.BytesDelivered
	t.at = now
	t.on = true
}

// sndbufPerMSS is the memory Linux charges for one full segment in
// tcp_sndbuf_expand: the payload with the most headers (MAX_TCP_HEADER,
// 320 bytes on x86_64) and the shared info (320), rounded up to a power of
// two, plus the sk_buff (256).
func sndbufPerMSS(mss int) int {
	return 1<<bits.Len(uint(mss+320+320-1)) + 256
}

// sndbufExpand grows an automatic send buffer to hold twice the
// congestion window (at least the initial window) of full segments at
// their memory cost, up to SendBufferMax: Linux's tcp_sndbuf_expand with
// CUBIC's and Reno's sndbuf_expand factor of 2. A full segment is the
// peer's MSS or the sending MSS, whichever is larger.
func (c *Conn) sndbufExpand() {
	segs := max(DefaultInitialCwndSegments, c.cc.Cwnd()/max(c.sndMss, 1))
	// per_mss: max(mss_clamp, mss_cache), the larger of the peer's MSS
	// (clamped to a configured one) and the sending MSS, not ours.
	mem := min(2*segs*sndbufPerMSS(max(int(c.mssClamp), c.sndMss)), c.cfg.SendBufferMax)
	if win := winFromSpace(mem); win > c.sb.limit {
		c.sb.limit = win
	}
}

// maybeExpandSndbuf is Linux's tcp_new_space after an ACK freed data: the
// buffer grows unless the window, not the buffer, limits the sender
// (tcp_should_expand_sndbuf).
func (c *Conn) maybeExpandSndbuf() {
	if c.cfg.SendBuffer == 0 && c.flightSize() < c.cc.Cwnd() {
		c.sndbufExpand()
	}
}

// rcvRTTUpdate folds a sample into the receiver's RTT estimate as
// tcp_rcv_rtt_update: a timestamp sample moves it by an eighth, a
// window-based one (which overestimates under a limited window) only
// lowers it.
func (t *rcvTuning) rcvRTTUpdate(sample time.Duration, winDep bool) {
	switch {
	case t.rtt == 0:
		t.rtt = sample
	case winDep:
		t.rtt = min(t.rtt, sample)
	default:
		t.rtt += (sample - t.rtt) / 8
	}
}

// rcvRTTMeasure takes receiver RTT samples for in-order data of n bytes
// whose segment echoed tsecr (0 without timestamps), after RCV.NXT moved:
// Linux's tcp_rcv_rtt_measure_ts for a full segment with a new echo, and
// tcp_rcv_rtt_measure, the time a window of data takes to arrive.
func (c *Conn) rcvRTTMeasure(now time.Duration, tsecr uint32, n int) {
	t := &c.rcvTune
	if c.tsOK && tsecr != 0 && tsecr != t.lastTsecr {
		t.lastTsecr = tsecr
		// An echo less than one tick old counts as one tick, 1 ms, as
		// in Linux's tcp_rcv_rtt_measure_ts of the kernels whose window
		// is half the buffer (tcp_adv_win_scale=1, the model here):
		// "if (!delta) delta = 1". Below a millisecond of RTT autotuning
		// then measures what is read over about a millisecond. (Newer
		// kernels skip such echoes but size the window by the learned
		// scaling_ratio, larger than half; with half, skipping them
		// leaves a 9000-byte-MTU receiver reading one window, 56576
		// bytes, per RTT, never more than its first measure of 62636,
		// so its buffer never grew; a 1 µs sample, before, had
		// tcp_rcv_space_adjust run at every read and never grow.)
		if n >= c.rcvSegMax {
			if d := int32(c.tsNow(now) - tsecr); d >= 0 {
				t.rcvRTTUpdate(time.Duration(max(d, 1))*time.Millisecond, false)
			}
		}
	}
	if t.rttOn {
		if c.rcvNxt.LessThan(t.rttSeq) {
			return
		}
		t.rcvRTTUpdate(max(now-t.rttAt, time.Microsecond), true)
	}
	t.rttSeq, t.rttAt, t.rttOn = c.rcvNxt.Add(uint32(c.rcvWnd())), now, true
}

// rcvSpaceAdjust is Linux's tcp_rcv_space_adjust, run when the application
// reads: once per receiver RTT it compares what was read with the last
// round trip, and an automatic buffer grows to twice what was read plus
// 16 segments, more when the reads grew (the sender is in slow start), up
// to RecvBufferMax.
func (c *Conn) rcvSpaceAdjust(now time.Duration) {
	t := &c.rcvTune
	if !t.on || t.rtt == 0 || now-t.at < t.rtt {
		return
	}
	copied := c.stats.BytesDelivered - t.delivered
	if copied > int64(t.space) {
		if c.cfg.RecvBuffer == 0 {
			space := int64(max(t.space, 1))
			maxMem := int64(c.cfg.RecvBufferMax)
			rcvwin := 2*copied + 16*int64(c.cfg.MSS)
			if spaceFromWin(rcvwin) < maxMem {
				// (Below the ceiling, so the product cannot overflow.)
				grow := rcvwin * (copied - space) / space
				rcvwin += 2 * grow
			}
			mem := min(spaceFromWin(rcvwin), maxMem)
			if win := winFromSpace(int(mem)); win > c.rb.size {
				c.rb.size = win
			}
		}
		t.space = int(copied)
	}
	t.delivered, t.at = c.stats.BytesDelivered, now
}

// SendBufferSize returns the bytes of data the send buffer holds at most
// now: fixed, or as autotuning has grown it.
func (c *Conn) SendBufferSize() int { return c.sb.limit }

// RecvBufferSize returns the most data the receive buffer holds now, the
// largest window it may offer: fixed, or as autotuning has grown it.
func (c *Conn) RecvBufferSize() int { return c.rb.size }
