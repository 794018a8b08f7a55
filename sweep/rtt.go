package sweep

import (
	"math"

	"github.com/netsimlab/netsim/sim"
)

// rttBinsPerDecade sets the resolution of the RTT histogram: bins 1/200 of
// a decade wide (1.2%), so a percentile read from it is within 0.6% of
// the exact one, in bounded memory however many samples a run takes.
const rttBinsPerDecade = 200

// rttDecades covers 1 ns to 1000 s.
const rttDecades = 12

// RTTStats is every RTT sample of a run, over all connections and both
// ends (the tcp.rtt records): their count, sum and a log-spaced histogram.
type RTTStats struct {
	Count int64
	Sum   float64 // ns
	bins  []int64
}

// Emit takes one record (sim.Sink).
func (r *RTTStats) Emit(rec *sim.Record) {
	e, ok := rec.Event.(*sim.TCPRTT)
	if !ok {
		return
	}
	ns := float64(e.Sample)
	if r.bins == nil {
		r.bins = make([]int64, rttDecades*rttBinsPerDecade+1)
	}
	r.bins[rttBin(ns)]++
	r.Count++
	r.Sum += ns
}

func rttBin(ns float64) int {
	if ns < 1 {
		return 0
	}
	return min(int(math.Log10(ns)*rttBinsPerDecade), rttDecades*rttBinsPerDecade)
}

// Mean is the mean RTT in ns (NaN without samples).
func (r *RTTStats) Mean() float64 {
	if r.Count == 0 {
		return math.NaN()
	}
	return r.Sum / float64(r.Count)
}

// Quantile is the q-quantile (0 < q ≤ 1) of the RTT in ns, the geometric
// middle of the histogram bin that holds it (NaN without samples).
func (r *RTTStats) Quantile(q float64) float64 {
	if r.Count == 0 {
		return math.NaN()
	}
	rank := int64(math.Ceil(q * float64(r.Count)))
	var seen int64
	for i, n := range r.bins {
		seen += n
		if seen >= max(rank, 1) {
			return math.Pow(10, (float64(i)+0.5)/rttBinsPerDecade)
		}
	}
	return math.NaN()
}
