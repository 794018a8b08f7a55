package e2e

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redScenario is four NewReno flows with different RTTs through a 10
// Mbit/s bottleneck whose queue is RED with Floyd's recommended
// parameters (min_th 5, max_th 15 packets, p_max 10%, w_q 0.002,
// gentle), marking (ecn: true, every end ECN-capable) or dropping.
func redScenario(t *testing.T, ecn bool) string {
	t.Helper()
	return writeScenario(t, "red.yaml", fmt.Sprintf(`version: 1
name: red
seed: 1
duration: 10s
defaults:
  tcp: {congestion: newreno, ecn: %s}
hosts: {s1: {}, s2: {}, s3: {}, s4: {}, sink: {}}
routers: {left: {}, right: {}}
links:
  - {between: [s1, left], bandwidth: 100Mbps, delay: 1ms}
  - {between: [s2, left], bandwidth: 100Mbps, delay: 2ms}
  - {between: [s3, left], bandwidth: 100Mbps, delay: 3ms}
  - {between: [s4, left], bandwidth: 100Mbps, delay: 4ms}
  - name: bottleneck
    between: [left, right]
    bandwidth: 10Mbps
    delay: 15ms
    queue: {kind: red, min_th: 5, max_th: 15, p_max: 10%%, weight: 0.002, gentle: true, ecn: %v}
  - {between: [right, sink], bandwidth: 100Mbps, delay: 1ms}
apps:
  - {type: sink, host: sink, port: 5001}
  - {type: bulk-send, host: s1, to: sink:5001, bytes: 100MB}
  - {type: bulk-send, host: s2, to: sink:5001, bytes: 100MB, start: 100ms}
  - {type: bulk-send, host: s3, to: sink:5001, bytes: 100MB, start: 200ms}
  - {type: bulk-send, host: s4, to: sink:5001, bytes: 100MB, start: 300ms}
outputs: {pcap: false}
`, map[bool]string{true: "on", false: "off"}[ecn], ecn))
}

// redModel is the algorithm of Floyd & Jacobson 1993 (§11, figure 2),
// written here from the paper, with Floyd's gentle variant (2000), to
// replay a bottleneck's trace: at each arrival the average queue takes a
// sample of the instantaneous queue, or decays by (1-w_q)^m after an idle
// spell of m packet times; below min_th nothing happens, between the
// thresholds the arrival is marked with pa = pb / (1 - count·pb), where
// pb rises linearly to p_max at max_th (then to 1 at 2·max_th, gentle),
// and above every arrival is marked.
type redModel struct {
	minTh, maxTh, maxP, w float64
	slot                  time.Duration // one 1500-byte packet at the link rate
	avg                   float64
	count                 int
	idle                  bool
	idleSince             int64
}

// arrival updates the average for an arrival that finds q packets queued
// at time at, and returns the probability the model gives it of being
// marked or dropped.
func (m *redModel) arrival(at int64, q int64) float64 {
	if m.idle && q == 0 {
		m.avg *= math.Pow(1-m.w, float64(at-m.idleSince)/float64(m.slot))
	} else {
		m.avg += m.w * (float64(q) - m.avg)
	}
	m.idle = false
	var pb float64
	switch {
	case m.avg < m.minTh:
		m.count = -1
		return 0
	case m.avg < m.maxTh:
		pb = m.maxP * (m.avg - m.minTh) / (m.maxTh - m.minTh)
	case m.avg < 2*m.maxTh:
		pb = m.maxP + (1-m.maxP)*(m.avg-m.maxTh)/m.maxTh
	default:
		return 1
	}
	m.count++
	if d := 1 - float64(m.count)*pb; d > 0 {
		return min(pb/d, 1)
	}
	return 1
}

// TestREDAgainstFloydJacobson runs the RED scenario (YAML to trace and
// summary) and replays the bottleneck's records through the paper's
// algorithm: the queue a packet found (from the pkt.enqueue, pkt.mark and
// pkt.tx records; a packet that found the transmitter idle goes straight
// to the wire and never meets the queue), the average, and the
// probability of each arrival. Then, as the paper predicts: no early mark
// or drop while the average is below min_th; every arrival above 2·max_th
// marked or dropped; between, the number of marks (or AQM drops) within
// four standard deviations of the sum of the model's probabilities (a sum
// of independent Bernoulli draws); and under this load the average stays
// between min_th and max_th most of the time. The summary's marked and
// aqm counts are the trace's.
func TestREDAgainstFloydJacobson(t *testing.T) {
	t.Parallel()
	if !long() {
		t.Skip("two 10 s runs of four flows, replayed record by record: -long")
	}
	for _, ecn := range []bool{true, false} {
		name := map[bool]string{true: "marking", false: "dropping"}[ecn]
		t.Run(name, func(t *testing.T) {
			out := run(t, redScenario(t, ecn))
			const subject = "link/bottleneck/left>right"
			recs := filter(readTrace(t, out), func(r rec) bool { return r.Subject == subject })
			require.NotEmpty(t, recs)

			m := &redModel{minTh: 5, maxTh: 15, maxP: 0.1, w: 0.002, count: -1,
				slot: time.Duration(1500 * 8 * float64(time.Second) / 10e6)}
			var (
				cur         int64              // packets queued, from the latest record
				inQueue     = map[int64]bool{} // packets that went through the discipline
				seen        = map[int64]bool{} // arrivals already counted (a mark, then its enqueue)
				below, over int                // arrivals below min_th and above 2·max_th
				overHit     int
				sumP, varP  float64 // between the thresholds
				hits, n     int
				inBand      int // arrivals after the first second with min_th <= avg < max_th
				late        int
				marked      int64
				aqm         int64
			)
			arrive := func(r rec, q int64, congested bool) {
				seen[r.ID] = true
				p := m.arrival(r.T, q)
				if r.T > int64(time.Second) {
					late++
					if m.avg >= m.minTh && m.avg < m.maxTh {
						inBand++
					}
				}
				switch {
				case p == 0:
					below++
					assert.False(t, congested, "packet %d at %v: marked or dropped with the average %.2f below min_th", r.ID, time.Duration(r.T), m.avg)
				case p == 1 && m.avg >= 2*m.maxTh:
					over++
					if congested {
						overHit++
					}
				default:
					n++
					sumP += p
					varP += p * (1 - p)
					if congested {
						hits++
					}
				}
				if congested {
					m.count = 0
				}
			}
			for _, r := range recs {
				switch r.Kind {
				case "pkt.mark":
					marked++
					inQueue[r.ID] = true
					require.Equal(t, cur, r.Qlen-1, "packet %d: the queue it found", r.ID)
					arrive(r, r.Qlen-1, true)
					cur = r.Qlen
				case "pkt.enqueue":
					if seen[r.ID] {
						continue // its pkt.mark was the arrival
					}
					if r.Qlen == 0 {
						continue // straight to an idle transmitter
					}
					inQueue[r.ID] = true
					require.Equal(t, cur, r.Qlen-1, "packet %d: the queue it found", r.ID)
					arrive(r, r.Qlen-1, false)
					cur = r.Qlen
				case "pkt.drop":
					switch r.Reason {
					case "aqm":
						aqm++
						arrive(r, cur, true)
					case "queue":
						t.Fatalf("packet %d dropped by a full queue: the limit is 1000", r.ID)
					}
				case "pkt.tx":
					cur = r.Qlen
					if inQueue[r.ID] && r.Qlen == 0 {
						m.idle, m.idleSince = true, r.T
					}
				}
			}
			t.Logf("%s: %d arrivals below min_th, %d between (expected %.1f ± %.1f marks, got %d), %d above 2·max_th (%d marked); average in [min_th, max_th) for %d of %d arrivals after 1 s",
				name, below, n, sumP, math.Sqrt(varP), hits, over, overHit, inBand, late)
			require.Positive(t, n, "arrivals between the thresholds")
			assert.InDelta(t, sumP, float64(hits), 4*math.Sqrt(varP)+1, "marks between the thresholds against the model")
			assert.Equal(t, over, overHit, "every arrival above 2·max_th is marked or dropped")
			assert.Greater(t, float64(inBand), 0.5*float64(late), "the average stays between min_th and max_th under load")
			if ecn {
				assert.Positive(t, marked)
			} else {
				assert.Zero(t, marked)
				assert.Positive(t, aqm)
			}

			s := readQueueSummary(t, out)
			for _, l := range s.Links {
				if l.Link == "bottleneck" && l.Direction == "left>right" {
					assert.Equal(t, marked, l.Marked, "summary.json marked")
					assert.Equal(t, aqm, l.Dropped["aqm"], "summary.json dropped.aqm")
				}
			}
		})
	}
}
