package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
)

// queueSummary is the part of summary.json the queue checks read.
type queueSummary struct {
	Connections []struct {
		ThroughputBps float64 `json:"throughput_bps"`
		Retransmits   int64   `json:"retransmits"`
		RTT           struct {
			Samples int64   `json:"samples"`
			Min     int64   `json:"min_ns"`
			Mean    float64 `json:"mean_ns"`
			Max     int64   `json:"max_ns"`
		} `json:"rtt"`
	} `json:"connections"`
	Links []struct {
		Link      string           `json:"link"`
		Direction string           `json:"direction"`
		Dropped   map[string]int64 `json:"dropped"`
		Marked    int64            `json:"marked"`
		Sojourn   struct {
			Samples int64   `json:"samples"`
			Mean    float64 `json:"mean"`
			P50     int64   `json:"p50"`
			P99     int64   `json:"p99"`
			Max     int64   `json:"max"`
		} `json:"sojourn_ns"`
	} `json:"links"`
}

func readQueueSummary(t *testing.T, dir string) queueSummary {
	t.Helper()
	return readJSON[queueSummary](t, dir, "summary.json")
}

// bufferbloat returns scenarios/bufferbloat.yaml with its bottleneck queue
// and TCP defaults replaced, written to a temporary file.
func bufferbloat(t *testing.T, queue, tcp string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "scenarios", "bufferbloat.yaml"))
	require.NoError(t, err)
	text := string(b)
	for _, r := range [][2]string{
		{"queue: {kind: droptail, limit: 1000}", "queue: " + queue},
		{"tcp: {congestion: cubic, send_buffer: 4MiB, recv_buffer: 4MiB}", "tcp: " + tcp},
	} {
		require.Contains(t, text, r[0])
		text = strings.Replace(text, r[0], r[1], 1)
	}
	return writeScenario(t, "bufferbloat.yaml", text)
}

// ecnRun runs TestECNMarking's scenario for 10 s, its whole 30 s with
// -long: CoDel marks from 0.34 s on and the sender cuts its window about
// once a second, so 10 s hold ten cuts and every check, and the capture
// tshark reads is a third as long.
func ecnRun(t *testing.T, scenario string) string {
	t.Helper()
	if long() {
		return run(t, scenario)
	}
	return run(t, scenario, "--until", "10s")
}

// bottleneck returns the summary of the bottleneck's data direction.
func bottleneck(t *testing.T, s queueSummary) int {
	for i, l := range s.Links {
		if l.Link == "bottleneck" && l.Direction == "r1>server" {
			return i
		}
	}
	t.Fatal("no bottleneck r1>server in summary.json")
	return -1
}

// TestBufferbloat is the classic figure (Nichols & Jacobson, "Controlling
// Queue Delay", ACM Queue 2012; RFC 8289 §1, RFC 8033 §1): one bulk flow
// over 10 Mbit/s with a 40 ms base RTT. A 1000-packet drop-tail queue
// holds 1.2 s of data and the flow keeps it nearly full, so the RTT climbs
// past 500 ms; CoDel, FQ-CoDel and PIE at their defaults (targets 5 ms and
// 15 ms) keep the mean RTT within base + 25 ms and the goodput within 11%
// of the link rate over the 30 s, start-up included (CUBIC's window counts
// whole segments, as Linux's snd_cwnd: about 89.9% with CoDel).
func TestBufferbloat(t *testing.T) {
	t.Parallel()
	const (
		base = 40 * time.Millisecond
		rate = 10e6
	)
	const cubic = "{congestion: cubic, send_buffer: 4MiB, recv_buffer: 4MiB}"
	t.Run("droptail", func(t *testing.T) {
		if testing.Short() {
			// The bounds are of the 30 s run: 10 s fill the queue to
			// about 480 ms, not past 500 ms.
			t.Skip("30 s of simulated time; not with -short")
		}
		out := run(t, bufferbloat(t, "{kind: droptail, limit: 1000}", cubic))
		s := readQueueSummary(t, out)
		require.Len(t, s.Connections, 1)
		c := s.Connections[0]
		assert.Greater(t, c.RTT.Max, int64(500*time.Millisecond))
		assert.Greater(t, c.RTT.Mean, float64(500*time.Millisecond))
		l := s.Links[bottleneck(t, s)]
		assert.Greater(t, l.Sojourn.P99, int64(400*time.Millisecond), "the queue's own sojourn times")
		assert.Zero(t, l.Dropped["aqm"])
	})
	for _, q := range []struct{ name, queue string }{
		{"codel", "{kind: codel}"},
		{"fq-codel", "{kind: fq-codel}"},
		{"pie", "{kind: pie}"},
	} {
		t.Run(q.name, func(t *testing.T) {
			if testing.Short() {
				// The bounds are of the 30 s run: the start-up overshoot
				// weighs too much in a shorter one.
				t.Skip("30 s of simulated time; not with -short")
			}
			out := run(t, bufferbloat(t, q.queue, cubic))
			s := readQueueSummary(t, out)
			require.Len(t, s.Connections, 1)
			c := s.Connections[0]
			assert.Less(t, c.RTT.Mean, float64(base+25*time.Millisecond), "mean RTT")
			assert.GreaterOrEqual(t, c.ThroughputBps, 0.89*rate, "goodput")
			l := s.Links[bottleneck(t, s)]
			assert.Positive(t, l.Dropped["aqm"], "the AQM drops")
			assert.Zero(t, l.Dropped["queue"], "never full")
			assert.Less(t, l.Sojourn.Mean, float64(25*time.Millisecond))
		})
	}
}

// TestECNMarking: with ECN on at the sender (the receiver accepts, Linux's
// default) and a CoDel queue that marks, the flow sees marks and no AQM
// drop or retransmission; the handshake and the segments carry the RFC
// 3168 flags; the sender halves its window (NewReno) at most once per
// RTT.
func TestECNMarking(t *testing.T) {
	t.Parallel()
	scenario := bufferbloat(t, "{kind: codel, ecn: true}",
		"{congestion: newreno, ecn: on, send_buffer: 4MiB, recv_buffer: 4MiB}")
	out := ecnRun(t, withCaptures(t, scenario))
	s := readQueueSummary(t, out)
	require.Len(t, s.Connections, 1)
	l := s.Links[bottleneck(t, s)]
	assert.Positive(t, l.Marked)
	assert.Zero(t, l.Dropped["aqm"])
	assert.Zero(t, l.Dropped["queue"])
	assert.Zero(t, s.Connections[0].Retransmits)

	recs := readTrace(t, out)
	marks := filter(recs, func(r rec) bool { return r.Kind == "pkt.mark" })
	require.Len(t, marks, int(l.Marked))
	for _, m := range marks {
		assert.Equal(t, "link/bottleneck/r1>server", m.Subject)
	}
	client := sends(recs, "client", 1)
	server := sends(recs, "server", 1)
	require.NotEmpty(t, client)
	require.NotEmpty(t, server)
	assert.Equal(t, "SEW", client[0].Flags, "ECN-setup SYN: ECE and CWR")
	assert.Equal(t, "S.E", server[0].Flags, "ECN-setup SYN-ACK: ECE only")
	cwr := filter(client, func(r rec) bool { return strings.Contains(r.Flags, "W") && r.Plen > 0 })
	ece := filter(server, func(r rec) bool { return strings.Contains(r.Flags, "E") && r.Plen == 0 })
	assert.NotEmpty(t, cwr, "CWR on data after a reduction")
	assert.NotEmpty(t, ece, "ECE on ACKs after a mark")

	var cuts []rec
	var prev rec
	for _, r := range recs {
		if r.Kind != "tcp.cwnd" || r.Subject != "host/client" {
			continue
		}
		if r.Reason == "ecn" {
			// Half the flight, and the flight is at most the window.
			assert.LessOrEqual(t, r.Ssthresh, prev.Cwnd/2+1448, "halved at %d", r.T)
			cuts = append(cuts, r)
		}
		prev = r
	}
	require.NotEmpty(t, cuts)
	for i := 1; i < len(cuts); i++ {
		assert.GreaterOrEqual(t, cuts[i].T-cuts[i-1].T, int64(40*time.Millisecond), "once per RTT")
	}

	// Wireshark's reading of the server's capture: ECT(0) on data, CE on
	// the marked data, nothing on pure ACKs, ECE on ACKs, CWR on data.
	tshark := testflags.Program(t, "tshark", "Wireshark's reading of the ECN bits is not checked")
	fields, err := exec.Command(tshark, "-r", filepath.Join(out, "pcap", "server-eth0.pcap"), "-T", "fields",
		"-e", "ip.dsfield.ecn", "-e", "tcp.flags.ece", "-e", "tcp.flags.cwr", "-e", "tcp.len").Output()
	require.NoError(t, err)
	count := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(fields)), "\n") {
		f := strings.Split(line, "\t")
		require.Len(t, f, 4, line)
		ecn, ece, cwr, data := f[0], f[1] == "1" || f[1] == "True", f[2] == "1" || f[2] == "True", f[3] != "0"
		switch {
		case data && ecn == "3":
			count["ce"]++
		case data && ecn == "2":
			count["ect0"]++
		case data:
			count["data-not-ect"]++
		case ecn != "0":
			count["ack-ect"]++
		}
		if ece && !data {
			count["ece"]++
		}
		if cwr && data {
			count["cwr"]++
		}
	}
	assert.Positive(t, count["ce"], "%v", count)
	assert.LessOrEqual(t, count["ce"], int(l.Marked), "%v", count)
	assert.Positive(t, count["ect0"], "%v", count)
	assert.Positive(t, count["ece"], "%v", count)
	assert.Positive(t, count["cwr"], "%v", count)
	assert.Zero(t, count["ack-ect"], "%v", count)
}

// fqScenario is a bottleneck of 10 Mbit/s behind router r1 whose queue is
// FQ-CoDel at its defaults, with hosts, extra links and apps given.
func fqScenario(t *testing.T, name, hosts, links, apps string) string {
	t.Helper()
	return writeScenario(t, name+".yaml", `version: 1
name: `+name+`
seed: 1
duration: 20s
defaults:
  tcp: {congestion: cubic, send_buffer: 4MiB, recv_buffer: 4MiB}
hosts:
`+hosts+`  server: {address: 10.0.1.1}
routers:
  r1: {}
links:
`+links+`  - name: bottleneck
    between: [r1, server]
    bandwidth: 10Mbps
    queue: {kind: fq-codel}
    delay: `+map[bool]string{true: "19ms", false: "9ms"}[name == "fq-sparse"]+`
apps:
`+apps+`outputs: {trace: true}
`)
}

// fqRun runs for 20 s (10 s with -short).
func fqRun(t *testing.T, scenario string) string {
	t.Helper()
	if testing.Short() {
		return run(t, scenario, "--until", "10s")
	}
	return run(t, scenario)
}

// TestFQCoDelSparseFlow (RFC 8290 §1.2, §4.1.2): beside a bulk flow that
// keeps the bottleneck busy, a sparse flow (small requests every 200 ms)
// goes through the new-flows list and waits almost nothing: its packets'
// mean sojourn at the bottleneck stays under 2 ms (the bulk flow's
// packets wait a CoDel target or more) and its RTT near the 40 ms base.
func TestFQCoDelSparseFlow(t *testing.T) {
	t.Parallel()
	out := fqRun(t, fqScenario(t, "fq-sparse",
		"  client: {address: 10.0.0.1}\n",
		"  - {between: [client, r1], bandwidth: 1Gbps, delay: 1ms}\n",
		`  - {type: sink, host: server, port: 5001}
  - {type: bulk-send, host: client, to: server:5001, start: 100ms, bytes: 100MB}
  - {type: request-response, host: server, port: 5002, request: 100, response: 100}
  - {type: request-response, host: client, to: server:5002, start: 2s, request: 100, response: 100, count: 50, think: 200ms}
`))
	recs := readTrace(t, out)
	sparse := map[int64]bool{}
	enq := map[int64]int64{}
	var sum, n, most int64
	for _, r := range recs {
		switch {
		case r.Kind == "pkt.send" && r.Subject == "host/client" && r.Dport == 5002:
			sparse[r.ID] = true
		case r.Subject != "link/bottleneck/r1>server" || !sparse[r.ID]:
		case r.Kind == "pkt.enqueue":
			enq[r.ID] = r.T
		case r.Kind == "pkt.tx":
			d := r.T - enq[r.ID]
			sum, n, most = sum+d, n+1, max(most, d)
		}
	}
	require.Greater(t, n, int64(50), "sparse packets through the bottleneck")
	assert.Less(t, sum/n, int64(2*time.Millisecond), "mean sojourn of the sparse flow (max %v)", time.Duration(most))
	s := readQueueSummary(t, out)
	require.Greater(t, len(s.Connections), 2)
	for _, c := range s.Connections[1:] {
		if c.RTT.Samples > 0 {
			assert.Less(t, c.RTT.Mean, float64(45*time.Millisecond), "sparse connection RTT")
		}
	}
	l := s.Links[bottleneck(t, s)]
	assert.Greater(t, l.Sojourn.P99, int64(5*time.Millisecond), "the bulk flow does queue")
}

// TestFQCoDelFairness (RFC 8290 §1.1, §4.2): two bulk flows with RTTs of
// 20 ms and 100 ms share the FQ-CoDel bottleneck within Jain's fairness
// index 0.95 (a shared FIFO gives the short-RTT flow most of the link).
func TestFQCoDelFairness(t *testing.T) {
	t.Parallel()
	out := fqRun(t, fqScenario(t, "fq-two",
		"  near: {address: 10.0.0.1}\n  far: {address: 10.0.0.2}\n",
		"  - {between: [near, r1], bandwidth: 1Gbps, delay: 1ms}\n  - {between: [far, r1], bandwidth: 1Gbps, delay: 41ms}\n",
		`  - {type: sink, host: server, port: 5001}
  - {type: sink, host: server, port: 5002}
  - {type: bulk-send, host: near, to: server:5001, start: 100ms, bytes: 100MB}
  - {type: bulk-send, host: far, to: server:5002, start: 100ms, bytes: 100MB}
`))
	s := readQueueSummary(t, out)
	require.Len(t, s.Connections, 2)
	x1, x2 := s.Connections[0].ThroughputBps, s.Connections[1].ThroughputBps
	jain := (x1 + x2) * (x1 + x2) / (2 * (x1*x1 + x2*x2))
	assert.GreaterOrEqual(t, jain, 0.95, "throughputs %.0f and %.0f bit/s", x1, x2)
	assert.Greater(t, x1+x2, 0.85*10e6, "together they fill the link")
}
