package e2e

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSummaryFollowsHandshakeRetransmissions: summary.json gives a
// connection one record, with every byte, however its handshake went:
// through lost SYNs and a lost SYN-ACK (syn-synack-lost.yaml), and through
// a server that gave the half-open connection up and answered a later
// retransmitted SYN as a new request, with a new ISN (server-restart.yaml;
// before connection IDs followed it, the client's record showed 0 bytes
// acknowledged and a second record, "never established", the delivered
// bytes).
func TestSummaryFollowsHandshakeRetransmissions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scenario        string
		synRtx, synacks int   // SYNs the client sends, SYN-ACKs the server sends
		serverISNs      int   // distinct ISNs among the SYN-ACKs
		established     int64 // ns
	}{
		// SYNs at 0, 1 and 3 s; the first SYN-ACK (3.005 s) is lost, its
		// retransmission (4.005 s) opens the connection.
		{"testdata/syn-synack-lost.yaml", 3, 2, 1, 4_010_096_000},
		// SYNs at 0, 1, 3 and 7 s; SYN-ACKs at 0.005 and 1.005 s are lost,
		// the request is dropped at 3.005 s, and the SYN of 7 s gets a
		// SYN-ACK with a new ISN.
		{"testdata/server-restart.yaml", 4, 3, 2, 7_010_096_000},
	} {
		t.Run(filepath.Base(tc.scenario), func(t *testing.T) {
			t.Parallel()
			dir := run(t, tc.scenario)
			recs := readTrace(t, dir)
			var syns, synacks int
			isns := map[uint32]bool{}
			for _, r := range recs {
				switch {
				case r.Kind != "pkt.send":
				case r.Flags == "S":
					syns++
				case r.Flags == "S.":
					synacks++
					isns[r.Seq] = true
				}
			}
			require.Equal(t, tc.synRtx, syns, "SYNs sent")
			require.Equal(t, tc.synacks, synacks, "SYN-ACKs sent")
			require.Len(t, isns, tc.serverISNs, "the server's ISNs")

			s := readSummary(t, dir)
			require.Len(t, s.Connections, 1, "one connection, one record")
			c := s.Connections[0]
			assert.Equal(t, tc.established, c.EstablishedAt)
			assert.Equal(t, int64(700_000), c.BytesAcked)
			assert.Equal(t, int64(700_000), c.BytesDelivered)
			for _, r := range recs {
				if r.Conn != 0 {
					require.Equal(t, c.ID, r.Conn, "every record of the run names the one connection: %+v", r)
				}
			}
		})
	}
}

// TestFlowPast4GiB: a 5 GB flow (over 2^32 bytes) reports 5,000,000,000
// bytes acknowledged and delivered in summary.json: relative sequence
// numbers and byte counts are 64-bit end to end, where 32-bit ones gave
// 705,032,704 (5e9 mod 2^32).
func TestFlowPast4GiB(t *testing.T) {
	t.Parallel()
	if !long() {
		t.Skip("moves 5 GB through the simulator (about 20 s): a long check (-long or NETSIM_LONG=1)")
	}
	s := readSummary(t, run(t, "testdata/large/flow-5gb.yaml"))
	require.Len(t, s.Connections, 1)
	c := s.Connections[0]
	assert.Equal(t, int64(5_000_000_000), c.BytesAcked)
	assert.Equal(t, int64(5_000_000_000), c.BytesDelivered)
	assert.GreaterOrEqual(t, c.BytesSent, int64(5_000_000_000))
}

// TestSsthreshNeverRisesOnLoss: in every example scenario, each loss
// response (a fast recovery, an RTO, a tail loss probe's repair, an ECN
// echo) sets ssthresh no higher than the congestion window it reduces, and
// does not raise the window: Linux's ssthresh functions (tcp_reno_ssthresh,
// bictcp_recalc_ssthresh's max(cwnd × 717/1024, 2), dctcp_ssthresh) all
// scale the window down. It was broken once: CUBIC took 0.7 × the bytes in
// flight, SACKed data included, and a loss raised cwnd from 84 to 92 kB in
// the dumbbell example.
func TestSsthreshNeverRisesOnLoss(t *testing.T) {
	t.Parallel()
	slow(t)
	paths, err := filepath.Glob(filepath.Join(repoRoot(t), "scenarios", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	responses := 0
	for _, p := range paths {
		dir := run(t, p, "--set", "outputs.trace=true", "--set", "outputs.pcap=false", "--set", "outputs.plots=[]",
			"--set", "outputs.flows=false", "--progress=false")
		n := checkLossResponses(t, filepath.Base(p), filepath.Join(dir, "trace.jsonl"))
		t.Logf("%s: %d loss responses", filepath.Base(p), n)
		responses += n
	}
	// The examples lose packets (dumbbell, bufferbloat, lossy-link ...) and
	// mark them (dctcp): a check over no response would prove nothing.
	assert.Greater(t, responses, 100)
}

// checkLossResponses reads the tcp.cwnd records of a trace and checks
// every loss response against the window before it; it returns how many
// there were.
func checkLossResponses(t *testing.T, name, path string) int {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	type end struct {
		subject, side string
		conn          int64
	}
	last := map[end]rec{}
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, `"kind":"tcp.cwnd"`) {
			continue
		}
		var r rec
		require.NoError(t, json.Unmarshal([]byte(line), &r))
		k := end{r.Subject, r.Side, r.Conn}
		prev, seen := last[k]
		last[k] = r
		switch r.Reason {
		case "recovery", "rto", "tlp", "ecn":
		default:
			continue
		}
		require.True(t, seen, "%s: a loss response before any window: %+v", name, r)
		n++
		if r.Ssthresh < math.MaxInt32 { // BBR leaves ssthresh unset
			assert.LessOrEqual(t, r.Ssthresh, prev.Cwnd, "%s: %s at %d ns raises ssthresh above the window (cwnd %d)", name, r.Reason, r.T, prev.Cwnd)
		}
		assert.LessOrEqual(t, r.Cwnd, prev.Cwnd, "%s: %s at %d ns raises cwnd", name, r.Reason, r.T)
	}
	require.NoError(t, sc.Err())
	return n
}
