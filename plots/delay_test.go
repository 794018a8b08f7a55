package plots

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// The histogram's buckets tile the values with no gap or overlap, and
// each is at most 1/128 of its values wide.
func TestDelayHistBuckets(t *testing.T) {
	prevHi := int64(-1)
	for i := 0; i < histIndex(int64(10*time.Second)); i++ {
		lo, hi := histBounds(i)
		require.Equal(t, prevHi+1, lo, "bucket %d starts where %d ended", i, i-1)
		require.Equal(t, i, histIndex(lo))
		require.Equal(t, i, histIndex(hi))
		if lo >= histExact {
			assert.LessOrEqual(t, float64(hi-lo+1)/float64(lo), 1.0/128, "bucket %d [%d, %d]", i, lo, hi)
		}
		prevHi = hi
	}
}

// Quantiles read from the histogram are within half a bucket of the
// nearest-rank ones flows.csv computes from every value.
func TestDelayHistQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h delayHist
	var vals []int64
	for range 5000 {
		v := int64(10*time.Millisecond) + r.Int64N(int64(100*time.Millisecond))
		h.add(v)
		vals = append(vals, v)
	}
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.99} {
		exact := vals[int(q*float64(len(vals))+0.999999)-1]
		assert.InEpsilon(t, float64(exact), float64(h.quantile(q)), 0.004, "q %v", q)
	}
	xs, fs := h.cdf()
	require.NotEmpty(t, xs)
	assert.Equal(t, 0.0, fs[0])
	assert.Equal(t, 1.0, fs[len(fs)-1])
	assert.True(t, slices.IsSorted(xs) && slices.IsSorted(fs))
}

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
	assert.Greater(t, shown[0].top, 4*int64(want))

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
