package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ecnConfig(m ECNMode) Config {
	c := DefaultConfig()
	c.ECN = m
	return c
}

// TestECNNegotiation: the SYN asks with ECE+CWR only in mode on; the
// SYN-ACK answers with ECE unless the listener's mode is off (RFC 3168
// §6.1.1, Linux tcp_ecn 0/1/2); both ends agree or neither does.
func TestECNNegotiation(t *testing.T) {
	tests := []struct {
		client, server ECNMode
		synECN, ok     bool
	}{
		{ECNAccept, ECNAccept, false, false}, // Linux's default: nobody asks
		{ECNOn, ECNAccept, true, true},
		{ECNOn, ECNOn, true, true},
		{ECNOn, ECNOff, true, false},
		{ECNOff, ECNOn, false, false},
		{ECNAccept, ECNOn, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.client.String()+"-"+tt.server.String(), func(t *testing.T) {
			ch := newChannel(t, ecnConfig(tt.client), ecnConfig(tt.server), 10*time.Millisecond)
			var syn, synack Flags
			ch.drop = func(toB bool, h *Header, n int) bool {
				if h.Flags.Has(FlagSYN) {
					if toB {
						syn = h.Flags
					} else {
						synack = h.Flags
					}
				}
				return false
			}
			ch.open()
			ch.runUntil(100 * time.Millisecond)
			require.Equal(t, Established, ch.a.State())
			assert.Equal(t, tt.synECN, syn.Has(FlagECE) && syn.Has(FlagCWR), "SYN %v", syn)
			assert.Equal(t, tt.ok, synack.Has(FlagECE), "SYN-ACK %v", synack)
			assert.False(t, synack.Has(FlagCWR))
			assert.Equal(t, tt.ok, ch.a.ECNCapable())
			assert.Equal(t, tt.ok, ch.b.ECNCapable())
		})
	}
}

func TestECNModeNames(t *testing.T) {
	for _, n := range ECNModeNames() {
		m, err := ParseECNMode(n)
		require.NoError(t, err)
		assert.Equal(t, n, m.String())
	}
	_, err := ParseECNMode("yes")
	assert.ErrorIs(t, err, ErrConfig)
	c := DefaultConfig()
	assert.Equal(t, ECNAccept, c.ECN)
	c.ECN = 3
	assert.ErrorIs(t, c.Validate(), ErrConfig)
}

// TestECNResponse: with every data segment marked CE for half a second,
// the receiver echoes ECE until it sees CWR, the sender reduces its
// window once per window of data (so about once per RTT) and sets CWR,
// nothing is retransmitted, only new data is ECN-capable, and everything
// arrives.
func TestECNResponse(t *testing.T) {
	for _, cc := range []string{CongestionNewReno, CongestionCubic} {
		t.Run(cc, func(t *testing.T) {
			a, b := ecnConfig(ECNOn), ecnConfig(ECNAccept)
			a.Congestion = cc
			ch := newChannel(t, a, b, 10*time.Millisecond) // 20 ms RTT
			ch.toWriteA = testPayload(16<<20, 1)
			ch.closeWhenDone = true
			var ectPure, ectRetx, cwrSent, eceSent, marked int
			var eceAfterCWR bool
			cwrSeen := false
			ch.mark = func(toB bool, h *Header, n int) bool {
				if !toB || n == 0 {
					ectPure++
				}
				if toB && ch.now >= 100*time.Millisecond && ch.now < 600*time.Millisecond {
					marked++
					return true
				}
				return false
			}
			var maxSeq Seq
			ch.drop = func(toB bool, h *Header, n int) bool {
				if toB && n > 0 {
					if h.Seq.LessThan(maxSeq) && ch.a.cfg.ECN == ECNOn {
						// retransmission: must not be ECT (checked below)
						ectRetx++
					}
					if end := h.Seq.Add(uint32(n)); end.GreaterThan(maxSeq) {
						maxSeq = end
					}
					if h.Flags.Has(FlagCWR) {
						cwrSent++
						cwrSeen = true
					}
				}
				if !toB && h.Flags.Has(FlagECE) {
					eceSent++
					if ch.now >= 700*time.Millisecond {
						eceAfterCWR = true
					}
				}
				return false
			}
			var reductions int
			ch.onEventA = func(now time.Duration, e Event) {
				if e.Kind == EvCwnd && e.Reason == "ecn" {
					reductions++
				}
			}
			ch.open()
			ch.runUntil(30 * time.Second)
			assert.Equal(t, 16<<20, ch.gotB.Len())
			assert.Zero(t, ectPure, "ACKs are never ECN-capable")
			assert.Zero(t, ectRetx)
			assert.Zero(t, ch.a.Stats().Retransmits)
			assert.Greater(t, marked, 0)
			// One reduction per window of data, so one per RTT of marks:
			// 500 ms / 20 ms is 25.
			// (cwnd events are only those that changed the window: not
			// at its floor.)
			assert.InDelta(t, 25, ch.a.ecn.reductions, 3, "reductions")
			assert.LessOrEqual(t, reductions, ch.a.ecn.reductions)
			assert.Positive(t, reductions)
			reductions = ch.a.ecn.reductions
			// A CWR per reduction, except when a tiny window sends no
			// new data before the next reduction (one flag for both,
			// as Linux's TCP_ECN_QUEUE_CWR).
			assert.LessOrEqual(t, cwrSent, reductions)
			assert.GreaterOrEqual(t, cwrSent, reductions-3)
			assert.True(t, cwrSeen)
			assert.Greater(t, eceSent, reductions)
			assert.False(t, eceAfterCWR, "ECE stops once CWR arrived")
		})
	}
}

// TestECNThenLossReducesOnce: a loss in the window already reduced for
// ECE does not reduce it again (Linux enters recovery without a second
// cwnd reduction).
func TestECNThenLossReducesOnce(t *testing.T) {
	a, b := ecnConfig(ECNOn), ecnConfig(ECNAccept)
	ch := newChannel(t, a, b, 10*time.Millisecond)
	ch.toWriteA = testPayload(4<<20, 1)
	marked, dropped := false, false
	var markedSeq Seq
	ch.mark = func(toB bool, h *Header, n int) bool {
		if toB && !marked && ch.now >= 50*time.Millisecond {
			marked, markedSeq = true, h.Seq
			return true
		}
		return false
	}
	var cutAt time.Duration
	var reasons []string
	ch.onEventA = func(now time.Duration, e Event) {
		if e.Kind != EvCwnd || e.Reason == "ack" || e.Reason == "init" {
			return
		}
		reasons = append(reasons, e.Reason)
		if e.Reason == "ecn" {
			cutAt = now
		}
	}
	ch.drop = func(toB bool, h *Header, n int) bool {
		// Lose a segment sent after the marked one but before the ECE
		// came back: it belongs to the window the reduction covers.
		if toB && n > 0 && marked && h.Seq.GreaterThan(markedSeq) && cutAt == 0 && !dropped {
			dropped = true
			return true
		}
		return false
	}
	ch.open()
	ch.runUntil(5 * time.Second)
	require.True(t, marked)
	require.True(t, dropped)
	assert.Equal(t, 1, ch.a.ecn.reductions)
	assert.Equal(t, []string{"ecn"}, reasons, "the loss in the reduced window does not cut again")
	st := ch.a.Stats()
	assert.Positive(t, st.FastRetransmits)
	assert.Zero(t, st.Timeouts)
	assert.Equal(t, 4<<20, ch.gotB.Len())
}
