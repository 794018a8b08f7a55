package sweep

import (
	"math"

	"github.com/netsimlab/netsim/internal/loghist"
	"github.com/netsimlab/netsim/sim"
)

// RTTStats is every RTT sample of a run, over all connections and both
// ends (the tcp.rtt records): their count, sum and a logarithmic histogram
// (buckets under 0.8% wide, so a percentile read from it is within 0.4%
// of the exact one, in bounded memory however many samples a run takes).
type RTTStats struct {
	Count int64
	Sum   float64 // ns
	hist  loghist.Hist
}

// Emit takes one record (sim.Sink).
func (r *RTTStats) Emit(rec *sim.Record) {
	e, ok := rec.Event.(*sim.TCPRTT)
	if !ok {
		return
	}
	r.hist.Add(int64(e.Sample))
	r.Count++
	r.Sum += float64(e.Sample)
}

// Mean is the mean RTT in ns (NaN without samples).
func (r *RTTStats) Mean() float64 {
	if r.Count == 0 {
		return math.NaN()
	}
	return r.Sum / float64(r.Count)
}

// Quantile is the q-quantile (0 < q ≤ 1) of the RTT in ns, the middle of
// the histogram bucket that holds it (NaN without samples).
func (r *RTTStats) Quantile(q float64) float64 {
	v, ok := r.hist.Quantile(q)
	if !ok {
		return math.NaN()
	}
	return float64(v)
}
