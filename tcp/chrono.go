package tcp

import "time"

// chronoKind is what a sender's time is being counted as: Linux's enum
// tcp_chrono (include/linux/tcp.h), in its order of priority.
type chronoKind uint8

const (
	chronoNone   chronoKind = iota // TCP_CHRONO_UNSPEC: nothing to send
	chronoBusy                     // TCP_CHRONO_BUSY: data queued or in flight
	chronoRwnd                     // TCP_CHRONO_RWND_LIMITED: the peer's window holds data back
	chronoSndbuf                   // TCP_CHRONO_SNDBUF_LIMITED: the send buffer starves the sender
)

// chronograph is Linux's chrono_type, chrono_start and chrono_stat (the
// source of tcp_info's tcpi_busy_time, tcpi_rwnd_limited and
// tcpi_sndbuf_limited). A Conn allocates it on its first write, so a
// connection that never wrote does not carry it; the kind being counted
// (Conn.chronoCur) and SOCK_NOSPACE (Conn.noSpace) are bytes of the Conn,
// so that the chronograph is 32 bytes, not 48, in every connection that
// wrote.
type chronograph struct {
	start time.Duration
	// stat holds the time counted so far for chronoBusy, chronoRwnd and
	// chronoSndbuf (index kind-1).
	stat [3]time.Duration
}

// chronoSet closes the current period and starts one of kind k (Linux's
// tcp_chrono_set).
func (c *Conn) chronoSet(now time.Duration, k chronoKind) {
	ch := c.chrono
	if c.chronoCur > chronoNone {
		ch.stat[c.chronoCur-1] += now - ch.start
	}
	ch.start, c.chronoCur = now, k
}

// chronoStart starts counting time as k unless something of higher
// priority is being counted (Linux's tcp_chrono_start).
func (c *Conn) chronoStart(now time.Duration, k chronoKind) {
	if c.chrono == nil {
		c.chrono = &chronograph{}
	}
	if k > c.chronoCur {
		c.chronoSet(now, k)
	}
}

// chronoStop ends k (Linux's tcp_chrono_stop): with nothing queued or in
// flight the sender is idle; otherwise, if k was being counted, the time
// counts as busy again.
func (c *Conn) chronoStop(now time.Duration, k chronoKind) {
	switch {
	case c.chrono == nil:
	case c.sb.len() == 0:
		c.chronoSet(now, chronoNone)
	case k == c.chronoCur:
		c.chronoSet(now, chronoBusy)
	}
}

// chronoAfterOutput is the end of Linux's tcp_write_xmit and its
// tcp_cwnd_validate: the time is receive-window limited when new data
// waits, the congestion window has room, and the peer's window cannot take
// the next segment (tcp_snd_wnd_test failed); it is send-buffer limited
// when segments just left, the congestion window was not the limit,
// nothing written is left unsent and a writer is waiting for buffer
// space.
func (c *Conn) chronoAfterOutput(now time.Duration, sent bool) {
	if c.chrono == nil {
		return
	}
	avail := c.unsent()
	if avail > 0 && c.sndNxt == c.sndMax && c.cwndAvail() > 0 && !c.sndWndTest(avail, c.peerWndLeft()) {
		c.chronoStart(now, chronoRwnd)
	} else {
		c.chronoStop(now, chronoRwnd)
	}
	if sent && avail <= 0 && c.noSpace && c.flightSize() < c.cc.Cwnd() &&
		(c.state == Established || c.state == CloseWait) {
		c.chronoStart(now, chronoSndbuf)
	}
}

// writeStopped records that a write took less than it was given (Linux
// sets SOCK_NOSPACE before it waits for memory, tcp_sendmsg_locked).
func (c *Conn) writeStopped() {
	if c.chrono == nil {
		c.chrono = &chronograph{}
	}
	c.noSpace = true
}

// WriteSpace reports whether the send buffer has room enough to wake a
// writer: Linux's sk_stream_write_space wakes one when
// __sk_stream_is_writeable holds, free space (sk_stream_wspace) of at
// least half the bytes queued (sk_stream_min_wspace), i.e. a third of the
// buffer when it is full. Waking on every freed byte would make a bulk
// writer copy a few bytes per ACK.
//
// With NotsentLowat, the socket is writable only while twice the unsent
// bytes are below it too (__sk_stream_is_writeable(sk, 1), whose wake
// argument doubles tcp_notsent_bytes in tcp_stream_memory_free), so that
// a woken writer finds room for a good part of the threshold.
func (c *Conn) WriteSpace() bool {
	free := c.bufferFree()
	if lowat := c.cfg.NotsentLowat; lowat > 0 && 2*c.notsent() >= lowat {
		return false
	}
	return free > 0 && 3*free >= c.sb.limit
}

// checkSpace is Linux's tcp_check_space after an ACK freed send buffer: a
// waiting writer that now has space is told so (SOCK_NOSPACE is cleared),
// which ends a send-buffer-limited period.
func (c *Conn) checkSpace(now time.Duration) {
	if c.chrono != nil && c.noSpace && c.WriteSpace() {
		c.noSpace = false
		c.spaceWake = true
		c.chronoStop(now, chronoSndbuf)
	}
}

// PollWriteSpace is WriteSpace as Linux's __tcp_poll asks it: a socket
// found not writable gets SOCK_NOSPACE, so that the ACK that makes room
// wakes its poller (tcp_check_space).
func (c *Conn) PollWriteSpace() bool {
	if c.WriteSpace() {
		return true
	}
	c.writeStopped()
	return false
}

// SpaceWake reports, once, that Linux would have woken the socket's
// writers since the last call (sk_stream_write_space): an ACK made room
// for one that had found none, or SO_SNDBUF or TCP_NOTSENT_LOWAT changed
// the room. An edge-triggered EPOLLOUT hears only these.
func (c *Conn) SpaceWake() bool {
	w := c.spaceWake
	c.spaceWake = false
	return w
}

// chronoStats fills the tcp_info times: busy (all three kinds together,
// as Linux's tcpi_busy_time), receive-window limited and send-buffer
// limited, the current period included (tcp_get_info_chrono_stats).
func (c *Conn) chronoStats(now time.Duration, s *Stats) {
	ch := c.chrono
	if ch == nil {
		return
	}
	var t [3]time.Duration
	for i := range t {
		t[i] = ch.stat[i]
		if chronoKind(i+1) == c.chronoCur {
			t[i] += now - ch.start
		}
	}
	s.BusyTime = t[0] + t[1] + t[2]
	s.RwndLimited, s.SndbufLimited = t[1], t[2]
}
