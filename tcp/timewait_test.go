package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What TIME-WAIT does with each kind of segment, as Linux's
// tcp_timewait_state_process: RCV.NXT is 1000, TS.Recent 500, the wait
// ends at 60 s, and the segments arrive at 10 s.
func TestTimeWaitInput(t *testing.T) {
	const now = 10 * time.Second
	ts := func(val uint32) Options { return SegmentOptions(val, 7, true, nil) }
	tests := []struct {
		name    string
		h       Header
		plen    int
		rfc1337 bool
		want    TimeWaitAction
		restart bool // the wait restarts at now
	}{
		{"retransmitted FIN", Header{Seq: 999, Ack: 2000, Flags: FlagFIN | FlagACK, Options: ts(600)}, 0, false, TimeWaitAck, true},
		{"retransmitted data and FIN", Header{Seq: 899, Ack: 2000, Flags: FlagFIN | FlagACK, Options: ts(600)}, 100, false, TimeWaitAck, true},
		{"bare ACK at RCV.NXT", Header{Seq: 1000, Ack: 2000, Flags: FlagACK, Options: ts(600)}, 0, false, TimeWaitDrop, true},
		{"stray ACK below RCV.NXT", Header{Seq: 900, Ack: 2000, Flags: FlagACK, Options: ts(600)}, 0, false, TimeWaitAck, true},
		{"RST at RCV.NXT ends it (RFC 1337 assassination)", Header{Seq: 1000, Flags: FlagRST}, 0, false, TimeWaitKill, false},
		{"RST at RCV.NXT with rfc1337", Header{Seq: 1000, Flags: FlagRST}, 0, true, TimeWaitDrop, false},
		{"RST out of the window", Header{Seq: 5000, Flags: FlagRST}, 0, false, TimeWaitDrop, false},
		{"SYN beyond RCV.NXT reopens", Header{Seq: 5000, Flags: FlagSYN, Options: ts(600)}, 0, false, TimeWaitReopen, false},
		{"SYN below RCV.NXT, newer timestamp, reopens (RFC 6191)", Header{Seq: 10, Flags: FlagSYN, Options: ts(600)}, 0, false, TimeWaitReopen, false},
		{"SYN below RCV.NXT, same timestamp: old duplicate", Header{Seq: 10, Flags: FlagSYN, Options: ts(500)}, 0, false, TimeWaitAck, false},
		{"SYN beyond RCV.NXT, PAWS rejected", Header{Seq: 5000, Flags: FlagSYN, Options: ts(100)}, 0, false, TimeWaitAck, true},
		{"SYN-ACK never reopens", Header{Seq: 5000, Ack: 2000, Flags: FlagSYN | FlagACK, Options: ts(600)}, 0, false, TimeWaitAck, true},
		{"FIN with an old timestamp (PAWS)", Header{Seq: 999, Ack: 2000, Flags: FlagFIN | FlagACK, Options: ts(100)}, 0, false, TimeWaitAck, true},
		// tcp_paws_reject allows no tick of age (tcp_paws_check(rx_opt, 0)),
		// unlike tcp_paws_discard's TCP_PAWS_WINDOW in the connection.
		{"bare ACK at RCV.NXT one tick old (PAWS)", Header{Seq: 1000, Ack: 2000, Flags: FlagACK, Options: ts(499)}, 0, false, TimeWaitAck, true},
		{"SYN beyond RCV.NXT one tick old, PAWS rejected", Header{Seq: 5000, Flags: FlagSYN, Options: ts(499)}, 0, false, TimeWaitAck, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := TimeWaitRecord{expires: 60 * time.Second, timeout: 60 * time.Second, sndNxt: 2000, rcvNxt: 1000,
				tsRecent: 500, tsOK: true, rfc1337: tt.rfc1337, window: 502}
			assert.Equal(t, tt.want, r.Input(now, &tt.h, tt.plen))
			if tt.restart {
				assert.Equal(t, now+60*time.Second, r.Expires())
			} else {
				assert.Equal(t, 60*time.Second, r.Expires())
			}
		})
	}
}

// Answers to segments that carry neither data nor a FIN go out at most
// every 500 ms (Linux tcp_oow_rate_limited); retransmitted FINs always.
func TestTimeWaitAckRateLimit(t *testing.T) {
	r := TimeWaitRecord{timeout: time.Minute, sndNxt: 2000, rcvNxt: 1000}
	ack := Header{Seq: 900, Ack: 2000, Flags: FlagACK}
	fin := Header{Seq: 999, Ack: 2000, Flags: FlagFIN | FlagACK}
	ms := time.Millisecond
	assert.Equal(t, TimeWaitAck, r.Input(0, &ack, 0))
	assert.Equal(t, TimeWaitDrop, r.Input(100*ms, &ack, 0))
	assert.Equal(t, TimeWaitAck, r.Input(200*ms, &fin, 0))
	assert.Equal(t, TimeWaitDrop, r.Input(499*ms, &ack, 0))
	assert.Equal(t, TimeWaitAck, r.Input(500*ms, &ack, 0))
}

// The ACK of TIME-WAIT: SND.NXT, RCV.NXT, the last window, our clock and
// TS.Recent; a reopened connection starts 65537 past SND.NXT, never at 0.
func TestTimeWaitAckAndISS(t *testing.T) {
	r := TimeWaitRecord{sndNxt: 2000, rcvNxt: 1000, tsOffset: 100, tsRecent: 500, tsOK: true, window: 502,
		srcPort: 80, dstPort: 5000, sndRel: 1, rcvRel: 1}
	var h Header
	r.Ack(3*time.Second, &h)
	assert.Equal(t, Header{SrcPort: 80, DstPort: 5000, Seq: 2000, Ack: 1000, Flags: FlagACK, Window: 502,
		Options: SegmentOptions(3100, 500, true, nil)}, h)
	assert.Equal(t, uint64(1), r.RelSeq(2000))
	assert.Equal(t, uint64(1), r.RelAck(1000))
	assert.Equal(t, Seq(2000+65537), r.ReopenISS())
	r.sndNxt = Seq(0).Add(^uint32(65537 - 1))
	assert.Equal(t, Seq(1), r.ReopenISS())
}

// A RST with a timestamp older than TS.Recent ends TIME-WAIT only once
// TS.Recent is TCP_PAWS_MSL (60 s) old: before, Linux's tcp_paws_reject
// rejects it and tcp_timewait_state_process drops it unanswered.
func TestTimeWaitOldRST(t *testing.T) {
	r := TimeWaitRecord{expires: 300 * time.Second, timeout: 300 * time.Second, sndNxt: 2000, rcvNxt: 1000,
		tsRecent: 500, tsRecentAt: time.Second, tsOK: true}
	old := Header{Seq: 1000, Flags: FlagRST, Options: SegmentOptions(100, 7, true, nil)}
	assert.Equal(t, TimeWaitDrop, r.Input(10*time.Second, &old, 0), "TS.Recent 9 s old: PAWS rejects the RST")
	assert.Equal(t, TimeWaitDrop, r.Input(60*time.Second, &old, 0), "59 s old")
	newer := Header{Seq: 1000, Flags: FlagRST, Options: SegmentOptions(600, 7, true, nil)}
	r2 := r
	assert.Equal(t, TimeWaitKill, r2.Input(10*time.Second, &newer, 0), "a RST that passes PAWS ends it")
	assert.Equal(t, TimeWaitKill, r.Input(61*time.Second, &old, 0), "TS.Recent 60 s old: a RST is exempt")

	// An ACK that TIME-WAIT accepts takes TS.Recent, and its time.
	r = TimeWaitRecord{expires: 300 * time.Second, timeout: 300 * time.Second, sndNxt: 2000, rcvNxt: 1000,
		tsRecent: 500, tsOK: true}
	ack := Header{Seq: 1000, Ack: 2000, Flags: FlagACK, Options: SegmentOptions(600, 7, true, nil)}
	assert.Equal(t, TimeWaitDrop, r.Input(50*time.Second, &ack, 0))
	old.Options = SegmentOptions(550, 7, true, nil)
	assert.Equal(t, TimeWaitDrop, r.Input(100*time.Second, &old, 0), "TS.Recent (600) taken 50 s ago")
}

// The record a host takes over from a connection (Conn.TimeWaitRecord)
// is the one the connection kept: what arrived in TIME-WAIT before
// (here TS.Recent from an ACK) is not lost.
func TestTimeWaitRecordKeepsInput(t *testing.T) {
	cfg := DefaultConfig()
	ch := newChannel(t, cfg, cfg, time.Millisecond)
	ch.open()
	ch.closeWhenDone = true
	for ch.a.State() != TimeWait && ch.step() {
	}
	require.Equal(t, TimeWait, ch.a.State())
	now := ch.now + time.Second
	ts := ch.a.tsRecent + 1000
	ack := Header{Seq: ch.a.rcvNxt, Ack: ch.a.sndMax, Flags: FlagACK, Window: 100, Options: SegmentOptions(ts, 0, true, nil)}
	ch.a.Input(now, &ack, nil)
	rec, ok := ch.a.TimeWaitRecord()
	require.True(t, ok)
	assert.Equal(t, ts, rec.tsRecent)
	assert.Equal(t, now, rec.tsRecentAt)
}
