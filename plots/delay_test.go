package plots

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// The delay figures of a voice call beside a bulk transfer: the UDP flow
// and the TCP data flow are drawn (not the ACK flow), numbered as in
// flows.csv, with the one-way delays of the trace.
func TestDelayFigureFlows(t *testing.T) {
	recs := voiceTrace()
	c := NewCollector(Options{}, KindDelay, KindDelayCDF, KindPing)
	for i := range recs {
		c.Emit(&recs[i])
	}
	m := c.m
	m.finish()
	shown, hidden, err := shownFlows(m, Options{})
	require.NoError(t, err)
	assert.Zero(t, hidden)
	require.Len(t, shown, 2)
	assert.Equal(t, "flow 1 udp, phone → b:5004", shown[0].label(m))
	assert.Equal(t, "flow 2 tcp conn 1, a → b:5001", shown[1].label(m))
	assert.Equal(t, int64(50), shown[0].arrived)
	// The first datagram crosses an idle path: serialization of 188 bytes
	// at 100 Mbit/s and 2 Mbit/s, and 11 ms of propagation.
	first := shown[0].delay.points()[0]
	want := 188*8*time.Second/100e6 + 188*8*time.Second/2e6 + 11*time.Millisecond
	assert.Equal(t, int64(want), first.v)
	// The queue the bulk flow builds delays the voice flow.
	var top int64
	for _, pt := range shown[0].delay.points() {
		top = max(top, pt.v)
	}
	assert.Greater(t, top, 4*int64(want))

	for _, kind := range []string{KindDelay, KindDelayCDF, KindPing} {
		var buf bytes.Buffer
		require.NoError(t, c.RenderTo(Options{Kind: kind}, "svg", &buf), kind)
		switch kind {
		case KindDelay:
			assert.Contains(t, buf.String(), "Interarrival jitter (RFC 3550)")
			assert.Contains(t, buf.String(), "flow 1 udp, phone → b:5004")
		case KindDelayCDF:
			assert.Contains(t, buf.String(), "p99 ≈")
		case KindPing:
			assert.Contains(t, buf.String(), "phone → b (10.0.2.1): 10 sent, 9 received", "the third request was lost")
			assert.Contains(t, buf.String(), "no reply")
		}
	}
	// A connection filter keeps that connection's flows only.
	shown, _, err = shownFlows(m, Options{Conn: 1})
	require.NoError(t, err)
	require.Len(t, shown, 1)
	assert.Equal(t, 2, shown[0].num)
}

// A trace without TCP or UDP arrivals has no delay figure, and no pings no
// ping figure: ErrNoData, as a run without a queue has no queue figure.
func TestDelayFiguresNoData(t *testing.T) {
	for _, kind := range []string{KindDelay, KindDelayCDF, KindPing} {
		err := RenderTo([]sim.Record{}, Options{Kind: kind}, "svg", &bytes.Buffer{})
		assert.ErrorIs(t, err, ErrNoData, kind)
	}
	err := RenderTo(voiceTrace(), Options{Kind: KindDelay, From: sim.Time(5 * time.Second)}, "svg", &bytes.Buffer{})
	assert.ErrorIs(t, err, ErrNoData, "a window after the run")
}

// A ping toward a host that never answers: icmp_seq wraps at 65536, and a
// request unanswered when its number comes round again is counted lost
// then, so what the collector holds stays bounded; the requests answered
// are matched whatever their number.
func TestPingSeqWraps(t *testing.T) {
	const n = 65536 + 100
	c := NewCollector(Options{}, KindPing)
	to := netip.MustParseAddrPort("10.0.0.2:0")
	for i := int64(1); i <= n; i++ {
		r := sim.Record{T: sim.Time(i * int64(time.Millisecond)), Subject: "app/a/ping",
			Event: &sim.App{Event: sim.AppSend, Has: sim.AppHasCount | sim.AppHasTo, Count: i, To: to}}
		c.Emit(&r)
		if i > n-10 {
			r = sim.Record{T: r.T + sim.Time(time.Millisecond/2), Subject: "app/a/ping",
				Event: &sim.App{Event: sim.AppReply, Has: sim.AppHasCount | sim.AppHasPeer | sim.AppHasLatency, Count: i & 0xffff, Peer: to, Latency: time.Millisecond / 2}}
			c.Emit(&r)
		}
	}
	ps := c.m.pings[0]
	assert.LessOrEqual(t, len(ps.pending), 65536)
	c.m.finish()
	assert.Equal(t, int64(n), ps.sent)
	assert.Equal(t, int64(10), ps.received)
	var buf bytes.Buffer
	require.NoError(t, c.RenderTo(Options{Kind: KindPing}, "svg", &buf))
	assert.Contains(t, buf.String(), "65636 sent, 10 received")
}

// Asking for a connection the trace does not have says which it has, or
// that it has none (a UDP-only run), rather than "(have [])".
func TestUnknownConnSaysWhichThereAre(t *testing.T) {
	err := RenderTo(voiceTrace(), Options{Kind: KindTimeSequence, Conn: 5}, "svg", &bytes.Buffer{})
	require.ErrorIs(t, err, ErrNoData)
	assert.Contains(t, err.Error(), "conn 5 is not in the trace (its connections: 1)")
	var recs []sim.Record // the UDP datagrams alone
	for _, r := range voiceTrace() {
		if e, ok := r.Event.(*sim.PacketSend); ok && e.Proto == 17 {
			recs = append(recs, r)
		}
	}
	require.NotEmpty(t, recs)
	err = RenderTo(recs, Options{Kind: KindTimeSequence, Conn: 5}, "svg", &bytes.Buffer{})
	require.ErrorIs(t, err, ErrNoData)
	assert.Contains(t, err.Error(), "conn 5 is not in the trace (it has no TCP connection)")
	err = ASCII(&bytes.Buffer{}, recs, nil, ASCIIOptions{Conn: 5})
	require.ErrorIs(t, err, ErrNoData)
	assert.Contains(t, err.Error(), "conn 5 is not in the trace (it has no TCP connection)")
}

// The legend's cross for a lost packet or an unanswered ping is drawn as
// the crosses on the figure are: in the colour of the one series that has
// any (each series' crosses take its colour), not in a red no cross of
// the figure has.
func TestLostLegendMatchesTheCrosses(t *testing.T) {
	for _, kind := range []string{KindPing} {
		var buf bytes.Buffer
		require.NoError(t, RenderTo(voiceTrace(), Options{Kind: kind}, "svg", &buf))
		svg := buf.String()
		require.True(t, strings.Contains(svg, ">no reply<") || strings.Contains(svg, ">lost<"), "%s: the figure has crosses", kind)
		assert.False(t, strings.Contains(svg, "#C80000"), "%s: a red cross in the legend, none in the figure", kind)
	}
}

// The throughput figure counts the payload delivered, as its title says:
// for a datagram that is not TCP, the UDP payload or the ICMP message,
// not its IPv4 length (a voice call's 160-byte datagrams are 64 kbit/s,
// not the 75.2 kbit/s their 188-byte datagrams make).
func TestThroughputOfDatagramsIsTheirPayload(t *testing.T) {
	recs := voiceTrace()
	delivered := map[uint64]bool{}
	for _, r := range recs {
		if e, ok := r.Event.(*sim.PacketDeliver); ok {
			delivered[e.ID] = true
		}
	}
	var want int64
	for _, r := range recs {
		if e, ok := r.Event.(*sim.PacketSend); ok && e.Proto != 6 && delivered[e.ID] {
			want += int64(e.PLen)
		}
	}
	require.Positive(t, want)
	m := buildModel(recs)
	var got int64
	for _, f := range m.flows {
		if f.key.conn == 0 {
			for _, v := range f.bytes.counts {
				got += v
			}
		}
	}
	assert.Equal(t, want, got)
}
