package sweep

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// Result is what a Runner reports of one finished simulation.
type Result struct {
	Summary scenarios.Summary
	// Completion is each connection's flow completion time: from the
	// client app's connect to the first app "done" event of the connection
	// (the receiver reading end of stream). A connection missing here did
	// not complete.
	Completion map[uint64]time.Duration
	// RTT is the run's RTT samples (nil: none were gathered).
	RTT *RTTStats
	// TraceSHA256 is the hex sha256 of the run's trace.jsonl, the same
	// netsim run prints.
	TraceSHA256 string
	// ExpectFailed counts the scenario's expectations that failed.
	ExpectFailed int
	Events       uint64
}

// The metric column families, in column order. A family's first column is
// over all flows; per-connection columns (<family>_conn<ID>) or, for the
// per-flow metrics, per-flow columns (<family>_flow<N>, N as in flows.csv)
// follow.
const (
	ColGoodput     = "goodput_bps"
	ColGoodputSum  = "goodput_sum_bps"
	ColRTTMean     = "rtt_mean_ms"
	ColRTTP99      = "rtt_p99_ms"
	ColCompletion  = "completion_s"
	ColRetransmits = "retransmits"
	ColQueuePeak   = "queue_peak_packets"
	ColFairness    = "jain_fairness"
	ColDelayP99    = "delay_p99_ns"
	ColJitter      = "jitter_ns"
	ColLoss        = "loss_ratio"
)

// axisTitle is the y axis title of a metric column in a figure, for a
// paper: a name and the unit (empty: none) the values are scaled to by
// scale, not a column name.
type axisTitle struct {
	name  string
	scale float64
	unit  string
}

var families = []struct {
	metric, col string
	perConn     bool
	title       axisTitle // in a figure
}{
	{MetricGoodput, ColGoodput, true, axisTitle{"goodput", 1e-6, "Mbit/s"}},
	{MetricGoodputSum, ColGoodputSum, false, axisTitle{"aggregate goodput (sum over flows)", 1e-6, "Mbit/s"}},
	{MetricCompletion, ColCompletion, true, axisTitle{"completion time", 1, "s"}},
	{MetricRetransmits, ColRetransmits, true, axisTitle{"retransmissions", 1, ""}},
	{MetricQueuePeak, ColQueuePeak, false, axisTitle{"peak queue", 1, "packets"}},
	{MetricFairness, ColFairness, false, axisTitle{"Jain's fairness index", 1, ""}},
	{MetricDelayP99, ColDelayP99, false, axisTitle{"99th percentile one-way delay", 1e-6, "ms"}},
	{MetricJitter, ColJitter, false, axisTitle{"jitter", 1e-6, "ms"}},
	{MetricLoss, ColLoss, false, axisTitle{"loss", 100, "%"}},
	{MetricRTT, ColRTTMean, false, axisTitle{"mean RTT", 1, "ms"}},
	{MetricRTTP99, ColRTTP99, false, axisTitle{"99th percentile RTT", 1, "ms"}},
}

// MetricColumn returns the column that holds a metric's value over all
// flows ("goodput" gives "goodput_bps"), or false for an unknown name. A
// column name is returned as is.
func MetricColumn(metric string) (string, bool) {
	for _, f := range families {
		if f.metric == metric || f.col == metric {
			return f.col, true
		}
	}
	return "", false
}

// Measure computes the metrics asked for from a run's result. A metric
// that is undefined for the run (no flow completed, every goodput 0) is
// left out rather than given a made-up value.
//
//   - goodput_bps: mean over connections of the client-to-server
//     throughput_bps of summary.json; goodput_bps_connN per connection.
//   - completion_s: mean flow completion time in seconds, defined only
//     when every connection completed; completion_s_connN per connection.
//   - retransmits: retransmitted segments of both directions, summed over
//     connections; retransmits_connN per connection.
//   - queue_peak_packets: the highest queue length on any link direction.
//   - jain_fairness: Jain's index over the connections' goodputs.
//   - delay_p99_ns: the highest 99th-percentile one-way delay of any
//     flow (summary.json's flows, TCP and UDP) that received a packet;
//     delay_p99_ns_flowN per flow.
//   - jitter_ns: the highest RFC 3550 jitter of any flow; jitter_ns_flowN
//     per flow.
//   - loss_ratio: packets lost over packets received or lost (those
//     still in flight when the run ends are left out), all flows
//     together; loss_ratio_flowN per flow.
//   - goodput_sum_bps: the sum of the connections' goodputs, what the
//     flows got together (goodput_bps is the mean per flow).
//   - rtt_mean_ms, rtt_p99_ms: the mean and the 99th percentile of every
//     RTT sample of the run (all connections, both ends), in ms.
func Measure(res Result, metrics []string) map[string]float64 {
	want := map[string]bool{}
	for _, m := range metrics {
		want[m] = true
	}
	out := map[string]float64{}
	conns := res.Summary.Conns
	if want[MetricGoodputSum] {
		var sum float64
		for _, c := range conns {
			sum += c.ThroughputBps
		}
		out[ColGoodputSum] = sum
	}
	if res.RTT != nil && want[MetricRTT] {
		out[ColRTTMean] = res.RTT.Mean() / 1e6
	}
	if res.RTT != nil && want[MetricRTTP99] {
		out[ColRTTP99] = res.RTT.Quantile(0.99) / 1e6
	}
	if want[MetricGoodput] || want[MetricFairness] {
		gp := make([]float64, len(conns))
		for i, c := range conns {
			gp[i] = c.ThroughputBps
		}
		if want[MetricGoodput] {
			for i, c := range conns {
				out[connCol(ColGoodput, c.ID)] = gp[i]
			}
			if st := Describe(gp); st.N > 0 {
				out[ColGoodput] = st.Mean
			}
		}
		if j, ok := Jain(gp); ok && want[MetricFairness] {
			out[ColFairness] = j
		}
	}
	if want[MetricCompletion] {
		var fct []float64
		for _, c := range conns {
			if d, ok := res.Completion[c.ID]; ok {
				out[connCol(ColCompletion, c.ID)] = d.Seconds()
				fct = append(fct, d.Seconds())
			}
		}
		if len(fct) > 0 && len(fct) == len(conns) {
			out[ColCompletion] = Describe(fct).Mean
		}
	}
	if want[MetricRetransmits] {
		var total int64
		for _, c := range conns {
			n := c.Retransmits + c.Reverse.Retransmits
			out[connCol(ColRetransmits, c.ID)] = float64(n)
			total += n
		}
		out[ColRetransmits] = float64(total)
	}
	if want[MetricQueuePeak] {
		var peak int64
		for _, l := range res.Summary.Links {
			peak = max(peak, l.QueuePeak)
		}
		out[ColQueuePeak] = float64(peak)
	}
	measureFlows(res.Summary.Flows, want, out)
	for k, v := range out {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			delete(out, k)
		}
	}
	return out
}

func connCol(family string, id uint64) string {
	return family + "_conn" + strconv.FormatUint(id, 10)
}

// flowCol names a per-flow column: a flow's number in flows.csv.
func flowCol(family string, flow int) string {
	return family + "_flow" + strconv.Itoa(flow)
}

// columnKey orders metric columns: by family, the all-flows column first,
// then connections or flows by number.
func columnKey(col string) (family int, conn int64) {
	for i, f := range families {
		if col == f.col {
			return i, -1
		}
		rest, ok := strings.CutPrefix(col, f.col+"_conn")
		if !ok {
			rest, ok = strings.CutPrefix(col, f.col+"_flow")
		}
		if ok {
			n, err := strconv.ParseInt(rest, 10, 64)
			if err == nil {
				return i, n
			}
		}
	}
	return len(families), math.MaxInt64
}

// sortColumns sorts metric column names into their fixed order.
func sortColumns(cols []string) {
	slices.SortFunc(cols, func(a, b string) int {
		fa, ca := columnKey(a)
		fb, cb := columnKey(b)
		return cmp.Or(cmp.Compare(fa, fb), cmp.Compare(ca, cb), strings.Compare(a, b))
	})
}

// completionSink finds each connection's flow completion time while the
// records stream by: from its app's connect to its app's done.
type completionSink struct {
	start map[uint64]sim.Time
	out   map[uint64]time.Duration
}

func newCompletionSink() *completionSink {
	return &completionSink{start: map[uint64]sim.Time{}, out: map[uint64]time.Duration{}}
}

// Emit takes one record (sim.Sink).
func (c *completionSink) Emit(r *sim.Record) {
	e, ok := r.Event.(*sim.App)
	if !ok || e.Has&sim.AppHasConn == 0 {
		return
	}
	switch e.Event {
	case sim.AppConnect:
		if _, seen := c.start[e.Conn]; !seen {
			c.start[e.Conn] = r.T
		}
	case sim.AppDone:
		t0, ok := c.start[e.Conn]
		if _, done := c.out[e.Conn]; ok && !done {
			c.out[e.Conn] = r.T.Sub(t0)
		}
	}
}

// completions finds each connection's flow completion time in the records.
func completions(recs []sim.Record) map[uint64]time.Duration {
	c := newCompletionSink()
	for i := range recs {
		c.Emit(&recs[i])
	}
	return c.out
}

// measureFlows adds the per-flow metrics (delay_p99, jitter, loss) to out:
// over all flows, and per flow, so that a sweep can follow one flow (a
// voice call's delay beside the bulk transfer that queues it).
func measureFlows(flows []scenarios.FlowStats, want map[string]bool, out map[string]float64) {
	var p99, jitter float64
	var known, lost int64 // packets received or lost
	received := false
	for _, f := range flows {
		k := f.RxPackets + f.LostPackets
		known += k
		lost += f.LostPackets
		if want[MetricLoss] && k > 0 {
			out[flowCol(ColLoss, f.Flow)] = float64(f.LostPackets) / float64(k)
		}
		if f.RxPackets > 0 {
			received = true
			p99 = max(p99, float64(f.DelayP99))
			jitter = max(jitter, f.Jitter)
			if want[MetricDelayP99] {
				out[flowCol(ColDelayP99, f.Flow)] = float64(f.DelayP99)
			}
			if want[MetricJitter] {
				out[flowCol(ColJitter, f.Flow)] = f.Jitter
			}
		}
	}
	if want[MetricDelayP99] && received {
		out[ColDelayP99] = p99
	}
	if want[MetricJitter] && received {
		out[ColJitter] = jitter
	}
	if want[MetricLoss] && known > 0 {
		out[ColLoss] = float64(lost) / float64(known)
	}
}
