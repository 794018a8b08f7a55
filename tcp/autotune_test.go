package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecvBufferAutotuning: with default settings the receive window
// starts at half of tcp_rmem[1] and grows, once per receiver RTT, with what
// the application read (Linux's tcp_rcv_space_adjust), up to half of
// tcp_rmem[2]; the sender's buffer grows with its window. A fixed buffer
// (SO_RCVBUF, SO_SNDBUF) stays as set.
func TestRecvBufferAutotuning(t *testing.T) {
	const delay = 5 * time.Millisecond // 10 ms RTT
	tests := []struct {
		name                   string
		rcvbuf, sndbuf         int
		wantRcvMin, wantRcvMax int
		wantSndMin             int
	}{
		{name: "auto", wantRcvMin: 1 << 20, wantRcvMax: 3 << 20, wantSndMin: 256 << 10},
		{name: "fixed", rcvbuf: 256 << 10, sndbuf: 128 << 10, wantRcvMin: 256 << 10, wantRcvMax: 256 << 10, wantSndMin: 128 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.RecvBuffer, cfg.SendBuffer = tt.rcvbuf, tt.sndbuf
			ch := newChannel(t, cfg, cfg, delay)
			if tt.rcvbuf == 0 {
				assert.Equal(t, 64<<10, ch.b.RecvBufferSize(), "half of tcp_rmem[1]")
				assert.Equal(t, 8<<10, ch.a.SendBufferSize(), "half of tcp_wmem[1]")
			}
			ch.open()
			ch.toWriteA = make([]byte, 6<<20)
			grew := 0
			last := ch.b.RecvBufferSize()
			for ch.now < 120*time.Millisecond && ch.step() {
				if s := ch.b.RecvBufferSize(); s != last {
					require.Greater(t, s, last, "the window never shrinks")
					last = s
					grew++
				}
			}
			rcv, snd := ch.b.RecvBufferSize(), ch.a.SendBufferSize()
			t.Logf("after 120 ms: receive buffer %d (grew %d times), send buffer %d, delivered %d", rcv, grew, snd, ch.gotB.Len())
			assert.GreaterOrEqual(t, rcv, tt.wantRcvMin)
			assert.LessOrEqual(t, rcv, tt.wantRcvMax)
			assert.GreaterOrEqual(t, snd, tt.wantSndMin)
			assert.LessOrEqual(t, snd, max(tt.sndbuf, 2<<20), "at most half of tcp_wmem[2]")
		})
	}
}

// TestRcvRTTEstimate: the receiver's RTT estimate (Linux rcv_rtt_est),
// which paces autotuning, comes from timestamps when they are on and from
// the time a window of data takes to arrive when they are off.
func TestRcvRTTEstimate(t *testing.T) {
	for _, ts := range []bool{true, false} {
		cfg := DefaultConfig()
		cfg.Timestamps = ts
		ch := newChannel(t, cfg, cfg, 20*time.Millisecond)
		ch.open()
		ch.toWriteA = make([]byte, 1<<20)
		ch.runUntil(300 * time.Millisecond)
		rtt := ch.b.rcvTune.rtt
		t.Logf("timestamps %v: receiver RTT %v", ts, rtt)
		assert.GreaterOrEqual(t, rtt, 40*time.Millisecond, "timestamps %v", ts)
		assert.Less(t, rtt, 100*time.Millisecond, "timestamps %v", ts)
	}
}

// TestRcvRTTSubMillisecond: below a millisecond of RTT a timestamp echo
// is mostly zero ticks old, and Linux's tcp_rcv_rtt_measure_ts counts it
// as one tick (1 ms), never less, so the estimate that paces autotuning
// stays between the path's RTT (window-based samples) and a millisecond.
func TestRcvRTTSubMillisecond(t *testing.T) {
	const delay = 50 * time.Microsecond // 100 µs RTT
	cfg := DefaultConfig()
	ch := newChannel(t, cfg, cfg, delay)
	ch.open()
	ch.toWriteA = make([]byte, 64<<20)
	ch.runUntil(20 * time.Millisecond)
	rtt := ch.b.rcvTune.rtt
	t.Logf("receiver RTT %v, receive buffer %d, delivered %d", rtt, ch.b.RecvBufferSize(), ch.gotB.Len())
	assert.GreaterOrEqual(t, rtt, 2*delay, "no sample below the RTT")
	assert.LessOrEqual(t, rtt, time.Millisecond, "a zero-tick echo counts one tick")
	assert.Greater(t, ch.b.RecvBufferSize(), 64<<10, "autotuning grew the buffer")
}

// TestSndbufExpandPeerMSS: tcp_sndbuf_expand sizes a segment's memory
// from max(mss_clamp, mss_cache), the peer's MSS (clamped to ours when
// configured) and the sending MSS, not from the MSS we announce: a host
// whose 9000-byte link announces 8960 to a peer that announces 1460
// sends 1448-byte segments, and its initial send buffer holds 2 × 10 of
// them at 4096 + 256 bytes each (87040, half of it data). An auto MSS
// clamps nothing: a peer's 8960 counts in full when ours is 1460.
func TestSndbufExpandPeerMSS(t *testing.T) {
	for _, tc := range []struct {
		name       string
		mssA, mssB int
		want       int
	}{
		{"we announce more", 8960, 1460, 2 * 10 * (4096 + 256) / 2},
		{"the peer announces more", 0, 8960, 2 * 10 * (16384 + 256) / 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := DefaultConfig(), DefaultConfig()
			a.MSS, b.MSS = tc.mssA, tc.mssB
			ch := newChannel(t, a, b, time.Millisecond)
			ch.open()
			ch.runUntil(10 * time.Millisecond)
			require.Equal(t, Established, ch.a.State())
			assert.Equal(t, tc.want, ch.a.SendBufferSize())
		})
	}
}
