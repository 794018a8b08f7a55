package plots

import (
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"strings"
	"testing"

	"github.com/netsimlab/netsim/sim"
)

// bulkTrace returns the records of one long bulk transfer of n packets:
// full-sized data segments every 12 µs (about 1 Gbit/s), one ACK for every
// second segment arriving 10 ms later, every 500th segment lost and sent
// again, the ACKs carrying a SACK block meanwhile. Records follow the
// vocabulary field for field; only the ones the time-sequence graph reads
// in a real trace are made (pkt.send, pkt.tx, pkt.deliver,
// tcp.retransmit, pkt.drop), so the benchmark measures the graph, not the
// generator.
func bulkTrace(n int) []sim.Record {
	const (
		mss   = 1448
		gap   = 12_000    // ns between data segments
		owd   = 5_000_000 // one-way delay, ns
		isnA  = 1_000_000
		isnB  = 2_000_000_000
		lossN = 500
	)
	recs := make([]sim.Record, 0, n*2+n/lossN*3)
	var id int64
	send := func(t sim.Time, host, flags string, rseq, rack, plen int64, opts string) int64 {
		id++
		src, dst, sport, dport, isn, pisn := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), uint16(40000), uint16(5001), int64(isnA), int64(isnB)
		if host == "b" {
			src, dst, sport, dport, isn, pisn = dst, src, dport, sport, isnB, isnA
		}
		fl, err := sim.ParseTCPFlags(flags)
		if err != nil {
			panic(err)
		}
		recs = append(recs, sim.Record{T: t, Subject: "host/" + host, Event: &sim.PacketSend{
			ID: uint64(id), Iface: "eth0", Len: int(52 + plen), Src: src, Dst: dst, Proto: 6, SPort: sport, DPort: dport,
			Flags: fl, Seq: uint32(isn + rseq), Ack: uint32(pisn + rack), RSeq: uint64(rseq), RAck: uint64(rack),
			Win: 501, PLen: int(plen), Opts: sim.TCPOptionsText(opts), Conn: 1}})
		return id
	}
	deliver := func(t sim.Time, host string, id int64) {
		recs = append(recs, sim.Record{T: t, Subject: "host/" + host, Event: &sim.PacketDeliver{
			ID: uint64(id), Iface: "eth0", Len: 52, Conn: 1}})
	}
	// Data first, ACKs later in time: build in two streams and merge by
	// time, as a real trace is ordered.
	type ev struct {
		t    sim.Time
		emit func()
	}
	var evs []ev
	send(0, "a", "S", 0, 0, 0, "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7")
	deliver(owd, "b", id)
	send(owd, "b", "S.", 0, 1, 0, "mss 1460,sackOK,TS val 1 ecr 1,nop,wscale 7")
	deliver(2*owd, "a", id)
	packets := 2
	var hole int64 = -1
	for i := 0; packets < n; i++ {
		t := sim.Time(2*owd + int64(i)*gap)
		rseq := 1 + int64(i)*mss
		lost := i%lossN == lossN-1
		// Data segment: the ACK and SACK state at the receiver.
		evs = append(evs, ev{t, func() {
			id := send(t, "a", ".", rseq, 1, mss, "")
			if lost {
				recs = append(recs, sim.Record{T: t + 1000, Subject: "link/l/a>b", Event: &sim.PacketDrop{
					ID: uint64(id), Len: 52 + mss, Reason: sim.DropLoss}})
			} else {
				deliver(t+owd, "b", id)
			}
		}})
		packets++
		if lost {
			hole = rseq
			// Sent again 3 segments later, as after three duplicate ACKs.
			rt := t + 3*gap + 2*owd
			evs = append(evs, ev{rt, func() {
				recs = append(recs, sim.Record{T: rt, Subject: "host/a", Event: &sim.TCPRetransmit{
					Conn: 1, Side: "client", RSeq: uint64(rseq), Len: mss, Reason: "fast"}})
				id := send(rt, "a", ".", rseq, 1, mss, "")
				deliver(rt+owd, "b", id)
			}})
			packets++
		}
		if i%2 == 1 && packets < n {
			at := t + owd
			ack, opts := rseq+mss, ""
			if hole >= 0 && rseq > hole && rseq < hole+lossN/2*mss {
				ack = hole
				opts = fmt.Sprintf("nop,nop,sack %d:%d", uint32(isnA+hole+mss), uint32(isnA+rseq+mss))
			}
			evs = append(evs, ev{at, func() {
				id := send(at, "b", ".", 1, ack, 0, opts)
				deliver(at+owd, "a", id)
			}})
			packets++
		}
	}
	// Events are nearly sorted; a stable sort keeps generation order on ties.
	sortEvents(evs, func(i int) sim.Time { return evs[i].t })
	for _, e := range evs {
		e.emit()
	}
	sortRecords(recs)
	return recs
}

// BenchmarkTimeSequence draws the time-sequence graph of long transfers:
// decimation keeps the drawing bounded, so the cost grows with reading the
// records only. The "exact" case turns decimation off for comparison.
func BenchmarkTimeSequence(b *testing.B) {
	for _, tc := range []struct {
		name    string
		packets int
		exact   bool
	}{
		{"packets=100k", 100_000, false},
		{"packets=100k/exact", 100_000, true},
		{"packets=1M", 1_000_000, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			recs := bulkTrace(tc.packets)
			prev := decimation
			decimation = !tc.exact
			defer func() { decimation = prev }()
			runtime.GC() // the generator's garbage is not the graph's cost
			b.ResetTimer()
			var out countWriter
			for b.Loop() {
				out = 0
				if err := RenderTo(recs, Options{Kind: KindTimeSequence}, "svg", &out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(PacketCount(recs)), "packets")
			b.ReportMetric(float64(out), "svg-bytes")
		})
	}
}

func TestBulkTraceShape(t *testing.T) {
	if testing.Short() {
		t.Skip("draws a 20000-record trace: skipped in -short mode")
	}
	recs := bulkTrace(20_000)
	assert := func(cond bool, msg string) {
		t.Helper()
		if !cond {
			t.Fatal(msg)
		}
	}
	assert(PacketCount(recs) == 20_000, fmt.Sprintf("%d packets", PacketCount(recs)))
	for i := 1; i < len(recs); i++ {
		assert(recs[i-1].T <= recs[i].T, "records in time order")
	}
	m := buildModel(recs)
	d, err := m.timeSequenceData(1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	assert(len(d.retrans) > 0 && len(d.sacks) > 0 && len(d.drops) > 0, "losses, SACKs and retransmissions")
	nb := bins{lo: d.lo, hi: d.hi, n: 864}
	assert(len(decimateBars(d.data, nb)) <= 864, "data bars bounded by the bins")
	assert(len(decimateLine(d.acks, nb)) <= 4*864, "ACK line bounded by the bins")
}

// countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// TestLongTraceFiguresBounded: figures of a long trace stay small files.
func TestLongTraceFiguresBounded(t *testing.T) {
	recs := bulkTrace(8_000)
	for _, tc := range []struct {
		kind    string
		maxSize int
		text    string
	}{
		{KindSequence, 2_000_000, "first 30 of 8000 packets"},
		{KindTimeSequence, 1_000_000, "Time-sequence graph"},
		{KindThroughput, 200_000, "Throughput"},
	} {
		var buf countWriter
		var b bytesWriter
		if err := RenderTo(recs, Options{Kind: tc.kind}, "svg", io.MultiWriter(&buf, &b)); err != nil {
			t.Fatal(tc.kind, err)
		}
		if int(buf) > tc.maxSize {
			t.Errorf("%s: %d bytes, want at most %d", tc.kind, buf, tc.maxSize)
		}
		if !strings.Contains(string(b), tc.text) {
			t.Errorf("%s: no %q", tc.kind, tc.text)
		}
	}
}

// bytesWriter keeps what is written to it.
type bytesWriter []byte

func (b *bytesWriter) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
}
