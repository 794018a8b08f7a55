package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// drained collects what a Conn queued.
type drained struct {
	segs   []Header
	lens   []int
	events []Event
}

func drain(c *Conn) drained {
	var d drained
	c.Segments(func(h *Header, p []byte) {
		d.segs = append(d.segs, *h)
		d.lens = append(d.lens, len(p))
	})
	c.Events(func(e *Event) { d.events = append(d.events, *e) })
	return d
}

// eventsOf returns field of each drained event of the given kind, in order.
func eventsOf[T any](d drained, kind EventKind, field func(Event) T) []T {
	var out []T
	for _, e := range d.events {
		if e.Kind == kind {
			out = append(out, field(e))
		}
	}
	return out
}

// errs returns the errors the Conn reported.
func (d drained) errs() []Errno { return eventsOf(d, EvError, func(e Event) Errno { return e.Err }) }

func TestConnectSYNOptionsLinuxOrder(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*Config)
		want   string
		window uint16
	}{
		{"defaults", func(*Config) {}, "mss 1460,sackOK,TS val 77 ecr 0,nop,wscale 7", 64240},
		{"no timestamps", func(c *Config) { c.Timestamps = false }, "mss 1460,nop,nop,sackOK,nop,wscale 7", 64240},
		{"no sack", func(c *Config) { c.SACK = false }, "mss 1460,nop,nop,TS val 77 ecr 0,nop,wscale 7", 64240},
		{"mss only", func(c *Config) { c.SACK, c.Timestamps, c.WindowScale = false, false, false }, "mss 1460", 64240},
		{"small buffer", func(c *Config) { c.RecvBuffer = 8000 }, "mss 1460,sackOK,TS val 77 ecr 0,nop,wscale 7", 7300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.mod(&cfg)
			c, err := NewConn(cfg, epA, epB, 100, 77)
			require.NoError(t, err)
			require.NoError(t, c.Connect(0))
			d := drain(c)
			require.Len(t, d.segs, 1)
			h := d.segs[0]
			require.Equal(t, FlagSYN, h.Flags)
			require.Equal(t, Seq(100), h.Seq)
			require.Equal(t, tt.window, h.Window)
			require.Equal(t, tt.want, FormatOptions(&h.Options))
			require.Equal(t, SynSent, c.State())
		})
	}
}

func TestConnectRefusedByRST(t *testing.T) {
	c, err := NewConn(DefaultConfig(), epA, epB, 100, 0)
	require.NoError(t, err)
	require.NoError(t, c.Connect(0))
	drain(c)
	// RFC 9293 §3.10.7.3: a RST with an acceptable ACK refuses the SYN.
	c.Input(time.Millisecond, &Header{Flags: FlagRST | FlagACK, Ack: 101}, nil)
	d := drain(c)
	require.Empty(t, d.segs)
	require.Equal(t, []Errno{ECONNREFUSED}, d.errs())
	require.Equal(t, Closed, c.State())
	_, err = c.Write(time.Millisecond, []byte("x"))
	require.ErrorIs(t, err, EPIPE)
}

// tickToError drains c and runs its timers from now, at most steps times,
// handing each step's output to each, until c reports errors, which it
// returns with their time (0 and none if no error came, or c had no
// timer left).
func tickToError(c *Conn, now time.Duration, steps int, each func(now time.Duration, d drained)) (time.Duration, []Errno) {
	for range steps {
		d := drain(c)
		each(now, d)
		if errs := d.errs(); len(errs) > 0 {
			return now, errs
		}
		next, ok := c.Deadline()
		if !ok {
			break
		}
		now = next
		c.Tick(now)
	}
	return 0, nil
}

func TestConnectTimeoutSchedule(t *testing.T) {
	c, err := NewConn(DefaultConfig(), epA, epB, 100, 0)
	require.NoError(t, err)
	require.NoError(t, c.Connect(0))
	var synAt []time.Duration
	failedAt, errs := tickToError(c, 0, 20, func(now time.Duration, d drained) {
		for range d.segs {
			synAt = append(synAt, now)
		}
	})
	require.Equal(t, []Errno{ETIMEDOUT}, errs)
	// Linux with tcp_syn_retries 6: SYNs at 0, 1, 3, 7, 15, 31, 63 s;
	// connect() fails at 127 s.
	want := []time.Duration{0, 1, 3, 7, 15, 31, 63}
	for i := range want {
		want[i] *= time.Second
	}
	require.Equal(t, want, synAt)
	require.Equal(t, 127*time.Second, failedAt)
	require.Equal(t, Closed, c.State())
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		ok   bool
	}{
		{"default", func(*Config) {}, true},
		{"tiny mss", func(c *Config) { c.MSS = 10 }, false},
		{"zero iw", func(c *Config) { c.InitialCwnd = 0 }, false},
		{"rto order", func(c *Config) { c.RTOMin = 2 * time.Second }, false},
		{"delack too long", func(c *Config) { c.DelayedAck = time.Second }, false},
		{"unknown cc", func(c *Config) { c.Congestion = "westwood" }, false},
		{"cubic", func(c *Config) { c.Congestion = "cubic" }, true},
		{"small buffer", func(c *Config) { c.SendBuffer = 100 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.mod(&cfg)
			err := cfg.Validate()
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrConfig)
			}
		})
	}
}

// handshake returns a passive Conn in SYN-RECEIVED and the SYN-ACK.
func synReceived(t *testing.T) (*Conn, Header) {
	c, err := NewConn(DefaultConfig(), epB, epA, 5000, 0)
	require.NoError(t, err)
	require.NoError(t, c.Listen(0))
	c.Input(0, &Header{Seq: 100, Flags: FlagSYN, Window: 65535, Options: SYNOptions(1460, true, 0, false, 7)}, nil)
	d := drain(c)
	require.Len(t, d.segs, 1)
	return c, d.segs[0]
}

// statePath returns the states the Conn entered, in order.
func statePath(d drained) []State {
	return eventsOf(d, EvStateChange, func(e Event) State { return e.To })
}

// TestCloseBeforeEstablished covers the diagram's edges out of SYN-SENT
// and SYN-RECEIVED on a user close (RFC 9293 §3.10.4).
func TestCloseBeforeEstablished(t *testing.T) {
	t.Run("SYN-SENT close", func(t *testing.T) {
		c, err := NewConn(DefaultConfig(), epA, epB, 100, 0)
		require.NoError(t, err)
		require.NoError(t, c.Connect(0))
		drain(c)
		require.NoError(t, c.Close(time.Millisecond))
		d := drain(c)
		require.Empty(t, d.segs)
		require.Equal(t, []State{Closed}, statePath(d))
		_, ok := c.Deadline()
		require.False(t, ok, "no timer after CLOSED")
	})
	t.Run("SYN-RECEIVED close, FIN after the handshake", func(t *testing.T) {
		c, _ := synReceived(t)
		require.NoError(t, c.Close(time.Millisecond))
		d := drain(c)
		require.Empty(t, d.segs, "nothing before the SYN-ACK is acknowledged")
		require.Equal(t, []State{FinWait1}, statePath(d))
		// The SYN-ACK is retransmitted by its timer.
		at, ok := c.Deadline()
		require.True(t, ok)
		c.Tick(at)
		d = drain(c)
		require.Len(t, d.segs, 1)
		require.Equal(t, FlagSYN|FlagACK, d.segs[0].Flags)
		// The ACK of the SYN-ACK lets the FIN go.
		c.Input(at+time.Millisecond, &Header{Seq: 101, Ack: 5001, Flags: FlagACK, Window: 100}, nil)
		d = drain(c)
		require.Len(t, d.segs, 1)
		require.Equal(t, FlagFIN|FlagACK, d.segs[0].Flags)
		require.Equal(t, Seq(5001), d.segs[0].Seq)
		c.Input(at+2*time.Millisecond, &Header{Seq: 101, Ack: 5002, Flags: FlagACK, Window: 100}, nil)
		d = drain(c)
		require.Equal(t, []State{FinWait2}, statePath(d))
	})
	t.Run("LISTEN close", func(t *testing.T) {
		c, err := NewConn(DefaultConfig(), epA, epB, 100, 0)
		require.NoError(t, err)
		require.NoError(t, c.Listen(0))
		require.NoError(t, c.Close(0))
		require.Equal(t, []State{Listen, Closed}, statePath(drain(c)))
	})
}

// TestDataRetriesTimeout: with no ACK at all, a tail loss probe goes
// first (RFC 8985 §7), then the data is retransmitted with doubling RTOs
// capped at RTOMax, and after DataRetries expiries the connection fails
// with ETIMEDOUT (Linux tcp_retries2 = 15).
func TestDataRetriesTimeout(t *testing.T) {
	a, _ := establishedPair(t, DefaultConfig())
	now := time.Second
	_, err := a.Write(now, []byte("hello"))
	require.NoError(t, err)
	var sends []time.Duration
	_, errs := tickToError(a, now, 40, func(now time.Duration, d drained) {
		for range d.segs {
			sends = append(sends, now)
		}
	})
	require.Equal(t, []Errno{ETIMEDOUT}, errs)
	require.Len(t, sends, 17, "the first send, the probe and 15 retransmissions")
	for i := 3; i < len(sends); i++ {
		gap, prev := sends[i]-sends[i-1], sends[i-1]-sends[i-2]
		require.Equal(t, min(2*prev, 120*time.Second), gap, "gap %d", i)
	}
	require.Equal(t, Closed, a.State())
}

// TestDataRetriesModelTimeout: Linux's tcp_retries2 is a length of time,
// not a count (tcp_write_timeout, retransmits_timed_out,
// tcp_model_timeout): the time that many retransmissions take from a 200
// ms RTO doubling to 120 s. A connection whose RTO starts at 1 s
// reaches it, 924.6 s after its first retransmission with the default
// 15, at its 13th expiry after that one: 12 more retransmissions, not 14.
func TestDataRetriesModelTimeout(t *testing.T) {
	for _, tc := range []struct {
		boundary int
		want     time.Duration
	}{
		{3, 3 * time.Second},            // 0.2 + 0.4 + 0.8 + 1.6
		{9, 204600 * time.Millisecond},  // (2^10 - 1) x 0.2 s: the last doubling below 120 s
		{10, 324600 * time.Millisecond}, // then 120 s each
		{15, 924600 * time.Millisecond}, // tcp_retries2's default
	} {
		assert.Equal(t, tc.want, modelTimeout(tc.boundary, 200*time.Millisecond, 120*time.Second), "boundary %d", tc.boundary)
	}

	cfg := DefaultConfig()
	cfg.RTOMin = time.Second
	a, _ := establishedPair(t, cfg)
	now := time.Second
	_, err := a.Write(now, []byte("hello"))
	require.NoError(t, err)
	var rtx []time.Duration
	failedAt, errs := tickToError(a, now, 40, func(now time.Duration, _ drained) {
		if a.Stats().RTORetransmits > len(rtx) {
			rtx = append(rtx, now)
		}
	})
	require.Equal(t, []Errno{ETIMEDOUT}, errs)
	require.NotZero(t, failedAt, "the connection must time out")
	require.Len(t, rtx, 13, "the first RTO retransmission and 12 more")
	elapsed := failedAt - rtx[0]
	assert.GreaterOrEqual(t, elapsed, 924600*time.Millisecond)
	assert.Less(t, rtx[len(rtx)-1]-rtx[0], 924600*time.Millisecond, "the last retransmission came before the limit")
}

func TestISN(t *testing.T) {
	x := ISN(42, epA, epB, 0)
	require.Equal(t, x, ISN(42, epA, epB, 0), "deterministic")
	require.NotEqual(t, x, ISN(43, epA, epB, 0), "keyed by the secret")
	require.NotEqual(t, x, ISN(42, epB, epA, 0), "keyed by the endpoints")
	// RFC 6528: the clock part advances once every 4 µs.
	require.Equal(t, x.Add(250000), ISN(42, epA, epB, time.Second))
}

func TestReopensTimeWait(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Timestamps = false
	ch := newChannel(t, cfg, cfg, time.Millisecond)
	ch.open()
	ch.closeWhenDone = true
	for ch.a.State() != TimeWait && ch.step() { // both close; A waits in TIME-WAIT
	}
	require.Equal(t, TimeWait, ch.a.State())
	rcvNxt := ch.a.rcvNxt
	tests := []struct {
		name string
		h    Header
		want bool
	}{
		{"SYN beyond RCV.NXT", Header{Flags: FlagSYN, Seq: rcvNxt.Add(100000)}, true},
		{"old SYN", Header{Flags: FlagSYN, Seq: rcvNxt.Add(^uint32(0))}, false},
		{"SYN-ACK", Header{Flags: FlagSYN | FlagACK, Seq: rcvNxt.Add(100000)}, false},
		{"not a SYN", Header{Flags: FlagACK, Seq: rcvNxt.Add(100000)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, ch.a.ReopensTimeWait(&tt.h))
		})
	}
}

// TestListenToSynSent: RFC 9293 §3.10.2, SEND in LISTEN turns the passive
// open into an active one.
func TestListenToSynSent(t *testing.T) {
	c, err := NewConn(DefaultConfig(), epA, epB, 100, 0)
	require.NoError(t, err)
	require.NoError(t, c.Listen(0))
	require.NoError(t, c.Connect(time.Millisecond))
	d := drain(c)
	require.Equal(t, []State{Listen, SynSent}, statePath(d))
	require.Len(t, d.segs, 1)
	require.Equal(t, FlagSYN, d.segs[0].Flags)
	require.ErrorIs(t, c.Connect(time.Millisecond), EISCONN)
}

// TestSynReceivedStrangeSegments: what a passive connection in SYN-RECEIVED
// does with segments other than the ACK of its SYN-ACK, as Linux's
// tcp_check_req: an out-of-window SYN or ACK gets an ACK of ISS+1 (rate
// limited), an in-window SYN or RST ends the attempt (embryonic_reset; the
// SYN gets a RST, the RST nothing), a retransmitted SYN gets the SYN-ACK.
func TestSynReceivedStrangeSegments(t *testing.T) {
	tests := []struct {
		name   string
		seg    Header
		flags  []Flags // of the segments sent in answer
		seq    Seq     // of the first answer
		ack    Seq
		closed bool
	}{
		{"out-of-window SYN", Header{Seq: 900000, Flags: FlagSYN, Window: 100}, []Flags{FlagACK}, 5001, 101, false},
		{"out-of-window ACK", Header{Seq: 900000, Ack: 5001, Flags: FlagACK, Window: 100}, []Flags{FlagACK}, 5001, 101, false},
		{"in-window SYN", Header{Seq: 150, Flags: FlagSYN, Window: 100}, []Flags{FlagRST | FlagACK}, 0, 151, true},
		{"in-window RST", Header{Seq: 150, Flags: FlagRST}, nil, 0, 0, true},
		{"RST at RCV.NXT", Header{Seq: 101, Flags: FlagRST}, nil, 0, 0, true},
		{"SYN+RST at the peer's ISN (before the window)", Header{Seq: 100, Flags: FlagSYN | FlagRST}, nil, 0, 0, false},
		{"retransmitted SYN", Header{Seq: 100, Flags: FlagSYN, Window: 100}, []Flags{FlagSYN | FlagACK}, 5000, 101, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := synReceived(t)
			c.Input(time.Second, &tt.seg, nil)
			d := drain(c)
			var flags []Flags
			for _, h := range d.segs {
				flags = append(flags, h.Flags)
			}
			require.Equal(t, tt.flags, flags)
			if len(d.segs) > 0 {
				require.Equal(t, tt.seq, d.segs[0].Seq)
				require.Equal(t, tt.ack, d.segs[0].Ack)
			}
			require.Equal(t, tt.closed, c.State() == Closed, "state %s", c.State())
			require.Empty(t, d.errs(), "a listener's child fails silently")
			if !tt.closed {
				// A second one within 500 ms draws no answer
				// (tcp_oow_rate_limited).
				c.Input(time.Second+100*time.Millisecond, &tt.seg, nil)
				require.Empty(t, drain(c).segs)
			}
		})
	}
}
