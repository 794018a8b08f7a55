package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The handshake gives each end one RTT sample: the client's from its SYN
// to the SYN-ACK, the server's from its SYN-ACK to the ACK that
// completes the open (Linux's tcp_synack_rtt_meas), which must not give
// a second, timestamp-based one (the server once took 0 ms from it when
// the path was under a millisecond, and 10 ms for 10.0096 ms). Over a
// path of 300 µs each way, with timestamps on.
func TestHandshakeRTTSamples(t *testing.T) {
	const oneWay = 300 * time.Microsecond
	a, err := NewConn(DefaultConfig(), epA, epB, 1000, 1)
	require.NoError(t, err)
	b, err := NewConn(DefaultConfig(), epB, epA, 900000, 2)
	require.NoError(t, err)
	require.NoError(t, b.Listen(0))
	samples := map[string][]time.Duration{}
	drain := func(name string, c *Conn) {
		c.Events(func(e *Event) {
			if e.Kind == EvRTTSample {
				samples[name] = append(samples[name], e.Sample)
			}
		})
	}
	now := time.Duration(0)
	require.NoError(t, a.Connect(now))
	for range 3 { // SYN, SYN-ACK, ACK
		drain("client", a)
		now += oneWay
		a.Segments(func(h *Header, p []byte) { b.Input(now, h, p) })
		drain("server", b)
		now += oneWay
		b.Segments(func(h *Header, p []byte) { a.Input(now, h, p) })
	}
	drain("client", a)
	require.Equal(t, Established, a.State())
	require.Equal(t, Established, b.State())
	assert.Equal(t, []time.Duration{2 * oneWay}, samples["client"], "SYN to SYN-ACK")
	assert.Equal(t, []time.Duration{2 * oneWay}, samples["server"], "SYN-ACK to ACK, once")
}

// A timestamp echo of the current millisecond is a sample of 1 ms, not of
// none (Linux's tcp_rtt_tsopt_us): the echo has millisecond resolution.
func TestTimestampSampleAtLeastOneMillisecond(t *testing.T) {
	a, b := establishedPair(t, DefaultConfig())
	now := 10 * time.Millisecond
	_, err := a.Write(now, make([]byte, 1000))
	require.NoError(t, err)
	var sent *Header
	a.Segments(func(h *Header, p []byte) {
		c := *h
		sent = &c
		b.Input(now, h, p)
	})
	require.NotNil(t, sent)
	// The segment went out twice (Karn: no sample from its timing), and
	// the ACK echoes a TSval of this very millisecond.
	a.markAllRetransmitted()
	var got []time.Duration
	now += 100 * time.Microsecond
	b.Segments(func(h *Header, p []byte) { a.Input(now, h, p) })
	a.Events(func(e *Event) {
		if e.Kind == EvRTTSample {
			got = append(got, e.Sample)
		}
	})
	assert.Equal(t, []time.Duration{time.Millisecond}, got)
}
