package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestNewRenoWindow(t *testing.T) {
	const mss = 1000
	tests := []struct {
		name   string
		iw     int
		events []congestionEvent
	}{
		{name: "RFC 5681 §3.1 slow start: one SMSS per segment ACKed", iw: 10, events: []congestionEvent{
			{what: "ack 1", ack: 1, inflight: 10, wantCwnd: 11000, wantThresh: -1},
			{what: "ack 1", ack: 1, inflight: 10, wantCwnd: 12000, wantThresh: -1},
		}},
		{name: "RFC 3465 §2.2 ABC: at most L = 2*SMSS per ACK", iw: 10, events: []congestionEvent{
			{what: "delayed ack of 2", ack: 2, inflight: 10, wantCwnd: 12000, wantThresh: -1},
			{what: "stretch ack of 5", ack: 5, inflight: 12, wantCwnd: 14000, wantThresh: -1},
		}},
		{name: "Linux tcp_is_cwnd_limited: slow start grows cwnd only while below twice the flight", iw: 10, events: []congestionEvent{
			{what: "4 of 10 in flight", ack: 1, inflight: 4, wantCwnd: 10000, wantThresh: -1},
			{what: "5 of 10 in flight", ack: 1, inflight: 5, wantCwnd: 10000, wantThresh: -1},
			{what: "6 of 10 in flight", ack: 1, inflight: 6, wantCwnd: 11000, wantThresh: -1},
		}},
		{name: "RFC 7661 §4.1: in congestion avoidance half the window in flight is enough", iw: 10, events: []congestionEvent{
			{what: "enter", enter: true, inflight: 20, wantCwnd: 10000, wantThresh: 10000},
			{what: "exit", exit: true, wantCwnd: 10000, wantThresh: 10000},
			{what: "4 of 10 in flight", ack: 10, inflight: 4, wantCwnd: 10000, wantThresh: 10000},
			{what: "5 of 10 in flight", ack: 10, inflight: 5, wantCwnd: 11000, wantThresh: 10000},
		}},
		{name: "RFC 5681 §3.2 fast retransmit halves the flight", iw: 10, events: []congestionEvent{
			{what: "enter", enter: true, inflight: 20, wantCwnd: 10000, wantThresh: 10000},
			{what: "exit", exit: true, wantCwnd: 10000, wantThresh: 10000},
		}},
		{name: "RFC 5681 eq. 4: ssthresh is at least 2*SMSS", iw: 10, events: []congestionEvent{
			{what: "enter with 3 in flight", enter: true, inflight: 3, wantCwnd: 2000, wantThresh: 2000},
		}},
		{name: "RFC 3465 §2.1 congestion avoidance: one SMSS per window ACKed", iw: 10, events: []congestionEvent{
			{what: "enter", enter: true, inflight: 20, wantCwnd: 10000, wantThresh: 10000},
			{what: "exit", exit: true, wantCwnd: 10000, wantThresh: 10000},
			{what: "ack 4", ack: 4, inflight: 10, wantCwnd: 10000, wantThresh: 10000},
			{what: "ack 5", ack: 5, inflight: 10, wantCwnd: 10000, wantThresh: 10000},
			{what: "ack 1 completes the window", ack: 1, inflight: 10, wantCwnd: 11000, wantThresh: 10000},
			{what: "ack 10", ack: 10, inflight: 11, wantCwnd: 11000, wantThresh: 10000},
			{what: "ack 1 completes 11", ack: 1, inflight: 11, wantCwnd: 12000, wantThresh: 10000},
		}},
		{name: "slow start stops at ssthresh; the rest counts for avoidance", iw: 10, events: []congestionEvent{
			{what: "rto", rto: true, inflight: 8, wantCwnd: 1000, wantThresh: 4000},
			{what: "ack 1", ack: 1, inflight: 1, wantCwnd: 2000, wantThresh: 4000},
			{what: "ack 2", ack: 2, inflight: 2, wantCwnd: 4000, wantThresh: 4000},
			{what: "ack 2 (avoidance)", ack: 2, inflight: 4, wantCwnd: 4000, wantThresh: 4000},
			{what: "ack 2 completes the window", ack: 2, inflight: 4, wantCwnd: 5000, wantThresh: 4000},
		}},
		{name: "slow start crossing ssthresh mid-ACK", iw: 3, events: []congestionEvent{
			{what: "enter", enter: true, inflight: 6, wantCwnd: 3000, wantThresh: 3000},
			{what: "rto", rto: true, inflight: 6, wantCwnd: 1000, wantThresh: 3000},
			{what: "ack 1", ack: 1, inflight: 1, wantCwnd: 2000, wantThresh: 3000},
			{what: "ack 2: 1 to ssthresh, 1 counted", ack: 2, inflight: 2, wantCwnd: 3000, wantThresh: 3000},
			{what: "ack 2 completes", ack: 2, inflight: 3, wantCwnd: 4000, wantThresh: 3000},
		}},
		{name: "RFC 5681 §3.1: repeated RTO of the same data holds ssthresh", iw: 10, events: []congestionEvent{
			{what: "rto", rto: true, inflight: 10, wantCwnd: 1000, wantThresh: 5000},
			{what: "rto again, 1 in flight", rto: true, inflight: 1, wantCwnd: 1000, wantThresh: 5000},
			{what: "new ack", ack: 1, inflight: 1, wantCwnd: 2000, wantThresh: 5000},
			{what: "a later rto recomputes", rto: true, inflight: 8, wantCwnd: 1000, wantThresh: 4000},
		}},
		{name: "SetMSS keeps the window in segments", iw: 10, events: []congestionEvent{
			{what: "mss 500", setMSS: 500, wantCwnd: 5000, wantThresh: -1},
			{what: "enter", enter: true, inflight: 8, wantCwnd: 2000, wantThresh: 2000},
			{what: "mss 1000", setMSS: 1000, wantCwnd: 4000, wantThresh: 4000},
		}},
		{name: "zero or negative acks change nothing", iw: 10, events: []congestionEvent{
			{what: "ack 0", ack: 0, inflight: 10, wantCwnd: 10000, wantThresh: -1},
			{what: "ack -1", ack: -1, inflight: 10, wantCwnd: 10000, wantThresh: -1},
			{what: "mss 0 ignored", setMSS: -5, wantCwnd: 10000, wantThresh: -1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runCongestionEvents(t, NewNewReno(mss, tt.iw), mss, tt.events)
		})
	}
}

// TestNewRenoDoublesPerRound checks the slow start shape over whole round
// trips with delayed ACKs: the window doubles every RTT (RFC 3465 §2.2).
func TestNewRenoDoublesPerRound(t *testing.T) {
	const mss = 1448
	r := NewNewReno(mss, 10)
	now := time.Duration(0)
	for round := 0; round < 5; round++ {
		start := r.Cwnd()
		for acked := 0; acked < start; acked += 2 * mss {
			r.OnAck(now, 2*mss, r.Cwnd(), 50*time.Millisecond) // the sender keeps the window full
		}
		assert.Equal(t, 2*start, r.Cwnd(), "round %d", round)
		now += 50 * time.Millisecond
	}
}
