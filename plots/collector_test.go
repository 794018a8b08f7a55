package plots

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/loghist"
	"github.com/netsimlab/netsim/sim"
)

// collectAt reads recs into a collector whose streams keep res bins.
func collectAt(recs []sim.Record, res int) *Collector {
	c := NewCollector(Options{})
	c.m.res = res
	for i := range recs {
		c.Emit(&recs[i])
	}
	return c
}

// TestCollectorMemoryBounded: what a collector holds does not grow with
// the length of the trace. With the streams' resolution turned down to 32
// bins, a transfer ten times longer leaves the collector holding about as
// much, within a bound set by the resolution alone; with reduction off
// (a resolution above the trace's length) it holds ten times more, so the
// bound is not met by accident.
func TestCollectorMemoryBounded(t *testing.T) {
	const res = 32
	short, long := bulkTrace(1_000), bulkTrace(10_000)
	// Every series of the trace (one connection: 8 time-sequence series per
	// end, 2 ends; throughput counters per flow) reduced to res bins, with
	// M4's 4 points per bin and the cap of streamCapFactor × res; per flow
	// (data and ACKs) 3 delay series and a delay histogram, whose size
	// depends on the largest delay (under a second), not on the packets.
	bound := 2*8*streamCapFactor*res + 2*res + 2*defaultSeqPackets + 64 +
		2*3*streamCapFactor*res + 2*(loghist.Index(int64(time.Second))+1)
	kShort, kLong := collectAt(short, res).m.retained(), collectAt(long, res).m.retained()
	assert.LessOrEqual(t, kLong, bound, "kept %d items of %d records", kLong, len(long))
	assert.Less(t, kLong, 2*kShort, "ten times the records, not twice the memory (%d, %d)", kShort, kLong)
	exact := collectAt(long, len(long)).m.retained()
	assert.Greater(t, exact, 5*kLong, "without reduction the collector keeps every segment (%d)", exact)

	// The figures drawn from the reduced series still show the whole run.
	c := collectAt(long, res)
	for _, kind := range []string{KindSequence, KindTimeSequence, KindThroughput} {
		var buf bytes.Buffer
		require.NoError(t, c.RenderTo(Options{Kind: kind}, "svg", &buf), kind)
	}
	d, err := c.m.timeSequenceData(1, Options{})
	require.NoError(t, err)
	whole := buildModel(long)
	want, err := whole.timeSequenceData(1, Options{})
	require.NoError(t, err)
	assert.Equal(t, want.lo, d.lo)
	assert.Equal(t, want.hi, d.hi)
	assert.Equal(t, want.maxSeq, d.maxSeq)
	assert.Equal(t, want.data[len(want.data)-1].hi, d.data[len(d.data)-1].hi, "the last segment survives")
	assert.Equal(t, len(want.retrans) > 0, len(d.retrans) > 0)
}

// TestCollectorQueueFromRealTrace: the queue figure of a real run, read
// record by record with a low resolution, keeps the peak and every drop's
// bin, and draws the sojourn-time panel.
func TestCollectorQueueFromRealTrace(t *testing.T) {
	recs := readTestTrace(t, "bulk-transfer-200ms.trace.jsonl")
	whole, small := collectAt(recs, streamBins), collectAt(recs, 16)
	for i, ld := range whole.m.links {
		sl := small.m.links[i]
		assert.Equal(t, ld.peak, sl.peak, ld.subject)
		assert.Equal(t, ld.signals, sl.signals, ld.subject)
		assert.LessOrEqual(t, len(sl.qlen.xs), streamCapFactor*16, ld.subject)
		if len(ld.qlen.xs) > 0 {
			assert.Equal(t, maxPoint(ld.qlen.points()), maxPoint(sl.qlen.points()), "M4 keeps the highest point: %s", ld.subject)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, small.RenderTo(Options{Kind: KindQueue}, "svg", &buf))
	assert.Contains(t, buf.String(), "Queueing delay (sojourn time)")
}

func maxPoint(ps []seqPoint) int64 {
	var m int64
	for _, p := range ps {
		m = max(m, p.v)
	}
	return m
}

// TestSojournFromQueueRecords: a packet's sojourn is the time from its
// pkt.enqueue to its pkt.tx on the same link direction; a packet dropped
// from the queue has none.
func TestSojournFromQueueRecords(t *testing.T) {
	const subj = "link/l/a>b"
	recs := []sim.Record{
		{T: 0, Subject: subj, Event: &sim.PacketEnqueue{ID: 1, Len: 1500, QLen: 1, QBytes: 1500}},
		{T: 0, Subject: subj, Event: &sim.PacketTx{ID: 1, Len: 1500, QLen: 0}},
		{T: 10, Subject: subj, Event: &sim.PacketEnqueue{ID: 2, Len: 1500, QLen: 1, QBytes: 1500}},
		{T: 11, Subject: subj, Event: &sim.PacketEnqueue{ID: 3, Len: 1500, QLen: 2, QBytes: 3000}},
		{T: 12, Subject: subj, Event: &sim.PacketEnqueue{ID: 4, Len: 1500, QLen: 3, QBytes: 4500}},
		{T: 40, Subject: subj, Event: &sim.PacketDrop{ID: 3, Len: 1500, Reason: sim.DropAQM}},
		{T: 50, Subject: subj, Event: &sim.PacketTx{ID: 2, Len: 1500, QLen: 1}},
		{T: 90, Subject: subj, Event: &sim.PacketTx{ID: 4, Len: 1500, QLen: 0}},
	}
	c := collectAt(recs, streamBins)
	require.Len(t, c.m.links, 1)
	assert.Equal(t, []seqPoint{{0, 0}, {50, 40}, {90, 78}}, c.m.links[0].sojourn.points())
	assert.Empty(t, c.m.links[0].enqueued, "nothing left waiting")
	var buf bytes.Buffer
	require.NoError(t, c.RenderTo(Options{Kind: KindQueue}, "svg", &buf))
	assert.Contains(t, buf.String(), "sojourn time (ns)")
}

// BenchmarkCollector reads a long transfer record by record and reports
// how many items the collector keeps at the end (items-kept), which stays
// flat as the trace grows.
func BenchmarkCollector(b *testing.B) {
	recs := bulkTrace(100_000)
	b.ResetTimer()
	var kept int
	for i := 0; i < b.N; i++ {
		kept = collectAt(recs, streamBins).m.retained()
	}
	b.ReportMetric(float64(kept), "items-kept")
	b.ReportMetric(float64(len(recs)), "records")
}

// TestCwndBackedOffTimeouts: every retransmission timeout is marked, also
// those of a backed-off series that leave the window at one segment (no
// tcp.cwnd record, since the window did not change), at that window;
// neither the go-back-N resends after a timeout nor an expiry with
// nothing to resend are.
func TestCwndBackedOffTimeouts(t *testing.T) {
	subj := "host/a"
	cw := func(at sim.Time, cwnd int64, reason string) sim.Record {
		return sim.Record{T: at, Subject: subj, Event: &sim.TCPCwnd{Conn: 1, Side: "client", Cwnd: cwnd, Ssthresh: 2920, Reason: reason}}
	}
	timer := func(at sim.Time) sim.Record {
		return sim.Record{T: at, Subject: subj, Event: &sim.TCPTimer{Conn: 1, Side: "client", Timer: "rto"}}
	}
	rtx := func(at sim.Time, rseq uint64) sim.Record {
		return sim.Record{T: at, Subject: subj, Event: &sim.TCPRetransmit{Conn: 1, Side: "client", RSeq: rseq, Len: 1448, Reason: "rto"}}
	}
	recs := []sim.Record{cw(0, 14480, "init"),
		timer(300), cw(300, 1448, "rto"), rtx(300, 1), rtx(320, 1449), // a timeout, then go-back-N
		timer(700), rtx(700, 1), // backed off: the window stays at one segment
		timer(1500), rtx(1500, 1),
		timer(3000), // nothing to resend: no timeout
	}
	es := collectAt(recs, streamBins).m.ends[0]
	assert.Equal(t, []seqPoint{{300, 1448}, {700, 1448}, {1500, 1448}}, es.rto.points())
}

// TestCwndCongestionEvents: fast recovery, timeouts and ECN echoes in
// tcp.cwnd records are marked on the cwnd panel at the window they left,
// with a legend entry each; other reasons are not.
func TestCwndCongestionEvents(t *testing.T) {
	subj := "host/a"
	cw := func(at sim.Time, cwnd int64, reason string) sim.Record {
		return sim.Record{T: at, Subject: subj, Event: &sim.TCPCwnd{Conn: 1, Side: "client", Cwnd: cwnd, Ssthresh: 1 << 31, Reason: reason}}
	}
	recs := []sim.Record{cw(0, 14600, "init"), cw(10, 29200, "ack"), cw(20, 14600, "recovery"),
		cw(30, 16000, "ack"), cw(40, 1460, "rto"), cw(50, 2920, "ack"), cw(60, 1460, "ecn")}
	c := collectAt(recs, streamBins)
	es := c.m.ends[0]
	assert.Equal(t, []seqPoint{{20, 14600}}, es.recovery.points())
	assert.Equal(t, []seqPoint{{40, 1460}}, es.rto.points())
	assert.Equal(t, []seqPoint{{60, 1460}}, es.ecn.points())
	var buf bytes.Buffer
	require.NoError(t, c.RenderTo(Options{Kind: KindCwnd}, "svg", &buf))
	for _, name := range []string{"loss (fast recovery), client", "retransmission timeout, client", "ECN echo, client"} {
		assert.Contains(t, buf.String(), name)
	}
}

// TestCwndBBRModes: tcp.bbr records shade the time each mode lasted
// behind the cwnd line, one legend entry per mode seen in the window; a
// window that starts in mid-mode starts with that mode's band.
func TestCwndBBRModes(t *testing.T) {
	subj := "host/a"
	cw := func(at sim.Time, cwnd int64) sim.Record {
		return sim.Record{T: at, Subject: subj, Event: &sim.TCPCwnd{Conn: 1, Side: "client", Cwnd: cwnd, Ssthresh: 1 << 31, Reason: "ack"}}
	}
	bbr := func(at sim.Time, mode, reason string) sim.Record {
		return sim.Record{T: at, Subject: subj, Event: &sim.TCPBBR{Conn: 1, Side: "client", Mode: mode, Reason: reason}}
	}
	recs := []sim.Record{bbr(0, "startup", "mode"), cw(0, 14600), cw(10, 29200), bbr(20, "drain", "mode"),
		cw(20, 29200), bbr(25, "drain", "bw"), bbr(30, "probe_bw", "mode"), cw(40, 20000), bbr(50, "probe_bw", "cycle"),
		cw(60, 21000), bbr(70, "probe_rtt", "mode"), cw(70, 5840), bbr(80, "probe_bw", "mode"), cw(90, 21000)}
	c := collectAt(recs, streamBins)
	require.Len(t, c.m.ends, 1)
	es := c.m.ends[0]
	assert.Equal(t, []modeChange{{0, "startup"}, {20, "drain"}, {30, "probe_bw"}, {70, "probe_rtt"}, {80, "probe_bw"}}, es.modes)

	x := func(t sim.Time) float64 { return float64(t) }
	bands, used := bbrBands(es, 0, 90, x)
	assert.Equal(t, []int{0, 1, 2, 3}, used)
	require.Len(t, bands.spans, 5)
	assert.Equal(t, [2]float64{0, 20}, [2]float64{bands.spans[0].from, bands.spans[0].to})
	assert.Equal(t, [2]float64{80, 90}, [2]float64{bands.spans[4].from, bands.spans[4].to})
	// A window from 40 to 75 starts in probe_bw and shows no startup.
	bands, used = bbrBands(es, 40, 75, x)
	assert.Equal(t, []int{2, 3}, used)
	assert.Equal(t, []modeSpan{{40, 70, bbrModes[2].fill}, {70, 75, bbrModes[3].fill}}, bands.spans)

	var buf bytes.Buffer
	require.NoError(t, c.RenderTo(Options{Kind: KindCwnd}, "svg", &buf))
	for _, name := range []string{"BBR startup, client", "BBR drain, client", "BBR probe_bw, client", "BBR probe_rtt, client"} {
		assert.Contains(t, buf.String(), name)
	}
	buf.Reset()
	require.NoError(t, c.RenderTo(Options{Kind: KindCwnd, From: 40, To: 75}, "svg", &buf))
	assert.NotContains(t, buf.String(), "BBR startup")
	assert.Contains(t, buf.String(), "BBR probe_rtt, client")
}
