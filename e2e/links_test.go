package e2e

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	t.Parallel()
	slow(t)
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

// TestJitterKeepsOrder: with jitter and reorder off, each packet arrives
// between its jitter-free arrival and that plus the jitter, never before
// the packet sent ahead of it; with reorder on, some overtake.
func TestJitterKeepsOrder(t *testing.T) {
	t.Parallel()
	slow(t)
	const jitter = int64(5 * time.Millisecond)
	for _, reorder := range []bool{false, true} {
		t.Run(fmt.Sprintf("reorder=%v", reorder), func(t *testing.T) {
			t.Parallel()
			sc := variant(t, "../scenarios/lossy-link.yaml", "jitter: 2ms", fmt.Sprintf("jitter: 5ms\n    reorder: %v", reorder))
			recs := readTrace(t, run(t, sc))
			arrive := map[int64]int64{}
			order := map[int64]int{}      // packet -> rank of its departure
			lastOrder := map[string]int{} // link direction -> highest rank arrived
			var sent int
			var overtaken, checked int
			for _, r := range recs {
				switch r.Kind {
				case "pkt.tx":
					arrive[r.ID] = r.Arrive
					sent++
					order[r.ID] = sent
				case "pkt.dup":
					arrive[r.ID] = arrive[r.Of]
					order[r.ID] = order[r.Of]
				case "pkt.rx":
					a, ok := arrive[r.ID]
					require.True(t, ok, "rx of %d without tx", r.ID)
					assert.GreaterOrEqual(t, r.T, a, "packet %d", r.ID)
					assert.LessOrEqual(t, r.T, a+jitter, "packet %d", r.ID)
					if order[r.ID] < lastOrder[r.Subject] {
						overtaken++ // a later packet arrived first
					}
					lastOrder[r.Subject] = max(lastOrder[r.Subject], order[r.ID])
					checked++
				}
			}
			assert.Greater(t, checked, 1000)
			if reorder {
				assert.Positive(t, overtaken, "with reorder on, jitter reorders")
			} else {
				assert.Zero(t, overtaken, "with reorder off, no packet overtakes")
			}
		})
	}
}
