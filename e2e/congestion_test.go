package e2e

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ccScenario is one or more bulk flows from client-N to server over a
// bottleneck of rate and base RTT rtt with the given queue, each flow
// with the given TCP settings, run for duration.
func ccScenario(t *testing.T, flows int, rate string, rtt time.Duration, queue, tcp string, duration time.Duration) string {
	t.Helper()
	access := "1Gbps"
	if rate == "1Gbps" {
		access = "10Gbps"
	}
	hosts, links, apps := "", "", ""
	for i := 1; i <= flows; i++ {
		hosts += fmt.Sprintf("  client-%d: {address: 10.0.0.%d}\n", i, i)
		links += fmt.Sprintf("  - {name: access-%d, between: [client-%d, r1], bandwidth: %s, delay: 1us}\n", i, i, access)
		apps += fmt.Sprintf("  - {type: bulk-send, host: client-%d, to: server:5001, start: %dms, bytes: 1GB}\n", i, 10*i)
	}
	text := fmt.Sprintf(`version: 1
name: cc
seed: 1
duration: %v
defaults:
  tcp: %s
hosts:
%s  server: {address: 10.0.1.1}
routers:
  r1: {}
links:
%s  - {name: bottleneck, between: [r1, server], bandwidth: %s, delay: %v, queue: %s}
apps:
  - {type: sink, host: server, port: 5001}
%soutputs: {pcap: false, trace: true}
`, duration, tcp, hosts, links, rate, rtt/2-time.Microsecond, queue, apps)
	return writeScenario(t, "cc.yaml", text)
}

// queueLengths returns the bottleneck queue's length in packets at each
// enqueue after from.
func queueLengths(recs []rec, from time.Duration) []int {
	var q []int
	for _, r := range recs {
		if r.Kind == "pkt.enqueue" && r.Subject == "link/bottleneck/r1>server" && r.T >= int64(from) {
			q = append(q, int(r.Qlen))
		}
	}
	sort.Ints(q)
	return q
}

func percentile(sorted []int, p float64) int {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// TestVegasQueue: a single Vegas flow keeps between alpha = 2 and beta = 4
// segments queued at the bottleneck once out of slow start (Brakmo and
// Peterson 1995; Linux tcp_vegas.c), where Reno fills the drop-tail queue.
func TestVegasQueue(t *testing.T) {
	t.Parallel()
	dur := 6 * time.Second
	out := run(t, ccScenario(t, 1, "10Mbps", 40*time.Millisecond, "{kind: droptail, limit: 1000}",
		"{congestion: vegas, send_buffer: 4MiB, recv_buffer: 4MiB}", dur))
	recs := readTrace(t, out)
	q := queueLengths(recs, 3*time.Second)
	require.NotEmpty(t, q)
	t.Logf("vegas queue p5 %d p50 %d p95 %d", percentile(q, 0.05), percentile(q, 0.5), percentile(q, 0.95))
	// The queue length at each arrival: the alpha..beta segments plus the
	// one arriving with its predecessor (an ACK of two segments releases
	// two).
	assert.GreaterOrEqual(t, percentile(q, 0.5), 2)
	assert.LessOrEqual(t, percentile(q, 0.5), 5)
	assert.LessOrEqual(t, percentile(q, 0.95), 8)
	s := readSummary(t, out)
	require.Len(t, s.Connections, 1)
	assert.Greater(t, s.Connections[0].ThroughputBps, 0.9*10e6, "goodput")
}

// TestBBRDeepBuffer: one BBR flow over 10 Mbit/s with a 40 ms base RTT and
// a 1000-packet drop-tail queue keeps the queue near empty: goodput at
// least 90% of the link with a mean RTT within 1.5 times the base, where
// CUBIC's exceeds 300 ms (TestBufferbloat; Cardwell et al., ACM Queue
// 2016). STARTUP ends (three rounds without 25% growth), then DRAIN and
// PROBE_BW; PROBE_RTT comes every 10 s.
func TestBBRDeepBuffer(t *testing.T) {
	t.Parallel()
	dur := 12 * time.Second
	if long() {
		dur = 30 * time.Second
	}
	out := run(t, ccScenario(t, 1, "10Mbps", 40*time.Millisecond, "{kind: droptail, limit: 1000}",
		"{congestion: bbr, send_buffer: 4MiB, recv_buffer: 4MiB}", dur))
	s := readQueueSummary(t, out)
	require.Len(t, s.Connections, 1)
	c := s.Connections[0]
	t.Logf("bbr goodput %.2f Mbit/s, mean RTT %.1f ms", c.ThroughputBps/1e6, c.RTT.Mean/1e6)
	assert.GreaterOrEqual(t, c.ThroughputBps, 0.9*10e6, "goodput")
	assert.LessOrEqual(t, c.RTT.Mean, 1.5*float64(40*time.Millisecond), "mean RTT")

	var modes []string
	var probeRTT []int64
	for _, r := range readTrace(t, out) {
		if r.Kind == "tcp.bbr" && r.Reason == "mode" {
			modes = append(modes, r.Mode)
			if r.Mode == "probe_rtt" {
				probeRTT = append(probeRTT, r.T)
			}
		}
	}
	require.GreaterOrEqual(t, len(modes), 4, "%v", modes)
	assert.Equal(t, []string{"startup", "drain", "probe_bw", "probe_rtt"}, modes[:4])
	require.NotEmpty(t, probeRTT)
	assert.InDelta(t, float64(10*time.Second), float64(probeRTT[0]), float64(time.Second), "the first PROBE_RTT 10 s in")
	for i := 1; i < len(probeRTT); i++ {
		assert.InDelta(t, float64(10*time.Second), float64(probeRTT[i]-probeRTT[i-1]), float64(500*time.Millisecond), "PROBE_RTT every 10 s")
	}
}

// TestDCTCPStepMarking: two DCTCP flows over 1 Gbit/s with a 100 µs base
// RTT and step marking at K = 20 packets keep the link busy with the
// queue near K, and share it fairly (Alizadeh et al., SIGCOMM 2010; RFC
// 8257), where CUBIC on the same drop-tail queue fills it.
func TestDCTCPStepMarking(t *testing.T) {
	t.Parallel()
	if !long() {
		t.Skip("1 Gbit/s for 300 ms reads a large trace; runs with -long")
	}
	dur := 300 * time.Millisecond
	const k = 20
	out := run(t, ccScenario(t, 2, "1Gbps", 100*time.Microsecond, fmt.Sprintf("{kind: step, limit: 1000, threshold: %d, ecn: true}", k),
		"{congestion: dctcp}", dur))
	s := readQueueSummary(t, out)
	require.Len(t, s.Connections, 2)
	x1, x2 := s.Connections[0].ThroughputBps, s.Connections[1].ThroughputBps
	jain := (x1 + x2) * (x1 + x2) / (2 * (x1*x1 + x2*x2))
	recs := readTrace(t, out)
	q := queueLengths(recs, 100*time.Millisecond)
	t.Logf("dctcp %.0f + %.0f Mbit/s, Jain %.3f, queue p50 %d p95 %d", x1/1e6, x2/1e6, jain, percentile(q, 0.5), percentile(q, 0.95))
	assert.GreaterOrEqual(t, x1+x2, 0.9*1e9*1448/1500, "utilisation of the link's payload capacity")
	assert.GreaterOrEqual(t, jain, 0.95, "Jain's fairness index")
	assert.LessOrEqual(t, percentile(q, 0.95), 2*k, "queue p95 within 2K")
	l := s.Links[bottleneck(t, s)]
	assert.Positive(t, l.Marked)
	assert.Zero(t, l.Dropped["queue"])
}

// mixed returns ccScenario with client-1 running cc1 and client-2 cc2.
func mixed(t *testing.T, queue, cc1, cc2 string, dur time.Duration) string {
	t.Helper()
	path := ccScenario(t, 2, "10Mbps", 40*time.Millisecond, queue, "{send_buffer: 4MiB, recv_buffer: 4MiB}", dur)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	text := strings.Replace(string(b), "client-1: {address: 10.0.0.1}", "client-1: {address: 10.0.0.1, tcp: {congestion: "+cc1+"}}", 1)
	text = strings.Replace(text, "client-2: {address: 10.0.0.2}", "client-2: {address: 10.0.0.2, tcp: {congestion: "+cc2+"}}", 1)
	return writeScenario(t, "mixed.yaml", text)
}

// goodputs returns the two flows' goodputs, client-1's first.
func goodputs(t *testing.T, out string) (float64, float64) {
	t.Helper()
	s := readSummary(t, out)
	require.Len(t, s.Connections, 2)
	x := map[string]float64{}
	for _, c := range s.Connections {
		x[strings.Split(c.Client, ":")[0]] = c.ThroughputBps
	}
	return x["10.0.0.1"], x["10.0.0.2"]
}

// TestBBRAgainstCubic: in a shallow buffer (half a BDP) BBR takes most of
// the bandwidth from CUBIC, and in a deep one (10 BDP) CUBIC takes most
// (Hock et al., ICNP 2017; Cardwell et al. 2016). Two flows of the same
// algorithm share the link fairly.
func TestBBRAgainstCubic(t *testing.T) {
	t.Parallel()
	dur := 20 * time.Second
	for _, tc := range []struct {
		name, queue string
		bbrWins     bool
	}{
		{"shallow", "{kind: droptail, limit: 17}", true},
		{"deep", "{kind: droptail, limit: 333}", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bbr, cubic := goodputs(t, run(t, mixed(t, tc.queue, "bbr", "cubic", dur)))
			t.Logf("%s: bbr %.2f Mbit/s, cubic %.2f Mbit/s", tc.name, bbr/1e6, cubic/1e6)
			if tc.bbrWins {
				assert.Greater(t, bbr, 2*cubic)
			} else {
				assert.Greater(t, cubic, bbr)
			}
		})
	}
	for _, cc := range []string{"bbr", "cubic", "vegas"} {
		t.Run("fair-"+cc, func(t *testing.T) {
			x1, x2 := goodputs(t, run(t, mixed(t, "{kind: droptail, limit: 67}", cc, cc, dur)))
			jain := (x1 + x2) * (x1 + x2) / (2 * (x1*x1 + x2*x2))
			t.Logf("%s: %.2f and %.2f Mbit/s, Jain %.3f", cc, x1/1e6, x2/1e6, jain)
			assert.GreaterOrEqual(t, jain, 0.9)
			assert.GreaterOrEqual(t, x1+x2, 0.9*10e6*1448/1500)
		})
	}
}
