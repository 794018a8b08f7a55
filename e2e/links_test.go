package e2e

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// lossPattern is, for one link direction in trace order, whether each
// packet that finished serialization was lost (true) or arrived (false).
func lossPattern(recs []rec, subject string) []bool {
	var out []bool
	for _, r := range recs {
		if r.Subject != subject {
			continue
		}
		switch {
		case r.Kind == "pkt.rx":
			out = append(out, false)
		case r.Kind == "pkt.drop" && r.Reason == "loss":
			out = append(out, true)
		}
	}
	return out
}

// TestLossModels: the loss a link applies matches its model over a few
// thousand packets: a Bernoulli rate p, and for Gilbert-Elliott the
// stationary loss p/(p+r) (loss_bad 100%) in bursts of mean length 1/r.
// Each bound is three standard deviations or more of the estimate.
func TestLossModels(t *testing.T) {
	tests := []struct {
		name      string
		loss      string
		rate      float64 // expected long-run loss rate
		meanBurst float64 // expected mean run of consecutive losses
		rateTol   float64
		burstTol  float64
	}{
		{"bernoulli 2%", "loss: 2%", 0.02, 1 / 0.98, 0.006, 0.1},
		{"gilbert-elliott p 1% r 30%", "loss: {model: gilbert-elliott, p: 1%, r: 30%}", 0.01 / 0.31, 1 / 0.3, 0.012, 1.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := variant(t, "testdata/mathis.yaml", "loss: 1%", tt.loss,
				"duration: 60s", "duration: 30s", "trace: false", "trace: true")
			recs := readTrace(t, run(t, sc))
			pat := lossPattern(recs, "link/lossy/client>server")
			var lost, bursts, run int
			for _, l := range pat {
				if l {
					lost++
					run++
					continue
				}
				if run > 0 {
					bursts++
					run = 0
				}
			}
			rate := float64(lost) / float64(len(pat))
			mean := float64(lost) / math.Max(1, float64(bursts))
			t.Logf("%d packets, %d lost (%.4f, model %.4f), mean burst %.2f (model %.2f)", len(pat), lost, rate, tt.rate, mean, tt.meanBurst)
			assert.Greater(t, len(pat), 3000)
			assert.InDelta(t, tt.rate, rate, tt.rateTol)
			assert.InDelta(t, tt.meanBurst, mean, tt.burstTol)
		})
	}
}
