package e2e

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The checks below hold netsim's default TCP to the Linux facts listed in
// docs/tcp.md (Linux defaults followed), read from the trace of scenarios written for
// them. Times and sizes are worked out from each scenario's links.

// sends returns the pkt.send records of a host ("host/<name>") for conn.
func sends(recs []rec, host string, conn int64) []rec {
	return filter(recs, func(r rec) bool {
		return r.Kind == "pkt.send" && r.Subject == "host/"+host && r.Conn == conn
	})
}

// states returns the TCP states a host's end of conn went through.
func states(recs []rec, host string, conn int64) []rec {
	return filter(recs, func(r rec) bool {
		return r.Kind == "tcp.state" && r.Subject == "host/"+host && r.Conn == conn
	})
}

func TestLinuxHandshakeOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		tcp       string // defaults.tcp for the run; client overrides below
		client    string
		synOpts   string // regexp of the SYN's options, in wire order
		synAckOps string // regexp of the SYN-ACK's options
		synLen    int64  // IPv4 length of the SYN
	}{
		{
			name:      "linux defaults",
			synOpts:   `^mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale 7$`,
			synAckOps: `^mss 1460,sackOK,TS val \d+ ecr \d+,nop,wscale 7$`,
			synLen:    60, // 20 IPv4 + 20 TCP + 20 options
		},
		{
			name:      "no timestamps",
			tcp:       "{timestamps: false}",
			synOpts:   `^mss 1460,nop,nop,sackOK,nop,wscale 7$`,
			synAckOps: `^mss 1460,nop,nop,sackOK,nop,wscale 7$`,
			synLen:    52,
		},
		{
			name:      "peer offers only mss",
			client:    "{timestamps: false, sack: false, window_scale: false}",
			synOpts:   `^mss 1460$`,
			synAckOps: `^mss 1460$`,
			synLen:    44,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := "testdata/linux-bulk.yaml"
			var repl []string
			if tt.tcp != "" {
				repl = append(repl, "seed: 1\n", "seed: 1\ndefaults:\n  tcp: "+tt.tcp+"\n")
			}
			if tt.client != "" {
				repl = append(repl, "client: {address: 10.0.0.1}", "client: {address: 10.0.0.1, tcp: "+tt.client+"}")
			}
			sc = variant(t, sc, repl...)
			recs := readTrace(t, run(t, sc, "--until", "1s"))
			c, s := sends(recs, "client", 1), sends(recs, "server", 1)
			require.NotEmpty(t, c)
			require.NotEmpty(t, s)
			syn, synAck := c[0], s[0]
			assert.Equal(t, "S", syn.Flags)
			assert.Regexp(t, regexp.MustCompile(tt.synOpts), syn.Opts, "SYN options in Linux's order")
			assert.Equal(t, tt.synLen, syn.Len)
			assert.Equal(t, int64(64240), syn.Win, "the receive space (64 KiB) rounded down to a multiple of the MSS")
			assert.Equal(t, "S.", synAck.Flags)
			assert.Regexp(t, regexp.MustCompile(tt.synAckOps), synAck.Opts, "SYN-ACK mirrors the SYN")
			assert.Equal(t, tt.synLen, synAck.Len)
			// The receive space (64 KiB) rounded down to a multiple of
			// the MSS its data segments will carry: Linux's
			// tcp_openreq_init_rwin takes the timestamp option off when
			// both ends use timestamps (1448, so 65160), else 1460 gives
			// 64240.
			wantSynAck := int64(64240)
			if strings.Contains(syn.Opts, "TS val") && strings.Contains(synAck.Opts, "TS val") {
				wantSynAck = 65160
			}
			assert.Equal(t, wantSynAck, synAck.Win)
			if strings.Contains(syn.Opts, "TS val") {
				tsval := regexp.MustCompile(`TS val (\d+)`).FindStringSubmatch(syn.Opts)[1]
				assert.Contains(t, synAck.Opts, "ecr "+tsval, "the SYN-ACK echoes the SYN's timestamp")
			}
			// RFC 6691: a full segment carries the MSS minus the options
			// every segment carries (12 bytes of timestamps).
			full := int64(1460)
			if strings.Contains(syn.Opts, "TS val") && strings.Contains(synAck.Opts, "TS val") {
				full = 1448
			}
			data := filter(c, func(r rec) bool { return r.Plen > 0 })
			require.Greater(t, len(data), 20)
			for _, d := range data[:20] {
				assert.Equal(t, full, d.Plen, "full-sized segment at %d", d.T)
				assert.LessOrEqual(t, d.Len, int64(1500), "never larger than the path MTU")
			}
		})
	}
}

func TestLinuxBulkTransfer(t *testing.T) {
	t.Parallel()
	recs := readTrace(t, run(t, "testdata/linux-bulk.yaml"))
	c, s := sends(recs, "client", 1), sends(recs, "server", 1)
	sent := map[int64]rec{}
	for _, r := range append(append([]rec{}, c...), s...) {
		sent[r.ID] = r
	}

	t.Run("full segments are 1500-byte datagrams", func(t *testing.T) {
		data := filter(c, func(r rec) bool { return r.Plen > 0 })
		require.Len(t, data, 208) // ceil(300000 / 1448)
		for _, d := range data[:len(data)-1] {
			assert.Equal(t, int64(1448), d.Plen)
			assert.Equal(t, int64(1500), d.Len)
		}
		assert.Equal(t, int64(300000-207*1448), data[len(data)-1].Plen)
	})

	t.Run("initial window of 10 segments", func(t *testing.T) {
		// The data the client sends before the first ACK of data reaches it.
		var firstAck int64 = -1
		for _, r := range recs {
			if r.Kind == "pkt.deliver" && r.Subject == "host/client" && sent[r.ID].Rack > 1 {
				firstAck = r.T
				break
			}
		}
		require.Positive(t, firstAck)
		var n, bytes int64
		for _, d := range c {
			if d.Plen > 0 && d.T < firstAck {
				n++
				bytes += d.Plen
			}
		}
		assert.Equal(t, int64(10), n, "RFC 6928 initial window")
		assert.Equal(t, int64(14480), bytes)
	})

	t.Run("quick ACK of the first data segment", func(t *testing.T) {
		var first rec
		for _, r := range recs {
			if r.Kind == "pkt.deliver" && r.Subject == "host/server" && sent[r.ID].Plen > 0 {
				first = r
				break
			}
		}
		require.NotZero(t, first.T)
		acks := filter(s, func(r rec) bool { return r.Flags == "." && r.Rack == 1449 })
		require.NotEmpty(t, acks)
		assert.Equal(t, first.T, acks[0].T, "ACKed at the instant it arrives")
	})

	t.Run("active close then TIME-WAIT for 60 s", func(t *testing.T) {
		var got []string
		for _, r := range states(recs, "client", 1) {
			got = append(got, r.To)
		}
		assert.Equal(t, []string{"SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"}, got)
		got = nil
		for _, r := range states(recs, "server", 1) {
			got = append(got, r.To)
		}
		assert.Equal(t, []string{"SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"}, got)
		st := states(recs, "client", 1)
		tw, closed := st[len(st)-2], st[len(st)-1]
		assert.Equal(t, int64(60*time.Second), closed.T-tw.T, "TIME-WAIT lasts 60 s (TCP_TIMEWAIT_LEN)")
		// The last segments: the client's FIN (on its last data), the
		// server's F., the client's final ACK of it.
		fin := filter(c, func(r rec) bool { return strings.Contains(r.Flags, "F") })
		require.Len(t, fin, 1)
		sfin := filter(s, func(r rec) bool { return strings.Contains(r.Flags, "F") })
		require.Len(t, sfin, 1)
		assert.Equal(t, "F.", sfin[0].Flags)
		assert.Equal(t, fin[0].Rseq+fin[0].Plen+1, sfin[0].Rack, "the server's FIN acknowledges the client's")
		last := c[len(c)-1]
		assert.Equal(t, ".", last.Flags)
		assert.Equal(t, sfin[0].Rseq+1, last.Rack)
		assert.Equal(t, tw.T, last.T, "TIME-WAIT is entered as the last ACK goes out")
	})

	t.Run("RTO at least RTT + 200 ms", func(t *testing.T) {
		rtts := filter(recs, func(r rec) bool { return r.Kind == "tcp.rtt" })
		require.NotEmpty(t, rtts)
		for _, r := range rtts {
			assert.GreaterOrEqual(t, r.RTO, int64(200*time.Millisecond), "RTO min at %d", r.T)
			assert.GreaterOrEqual(t, r.RTO, r.Srtt+int64(200*time.Millisecond), "Linux: srtt + max(rttvar term, 200 ms) at %d", r.T)
			assert.LessOrEqual(t, r.RTO, int64(120*time.Second))
		}
	})
}

func TestLinuxSYNRetransmissionAndTimeout(t *testing.T) {
	t.Parallel()
	recs := readTrace(t, run(t, "testdata/syn-timeout.yaml"))
	var at []time.Duration
	for _, r := range sends(recs, "client", 1) {
		require.Equal(t, "S", r.Flags)
		at = append(at, time.Duration(r.T))
	}
	s := time.Second
	assert.Equal(t, []time.Duration{0, 1 * s, 3 * s, 7 * s, 15 * s, 31 * s, 63 * s}, at,
		"initial RTO 1 s doubling, tcp_syn_retries 6")
	errs := filter(recs, func(r rec) bool { return r.Kind == "tcp.error" })
	require.Len(t, errs, 1)
	assert.Equal(t, "ETIMEDOUT", errs[0].Errno)
	assert.Equal(t, int64(127*time.Second), errs[0].T)
}

func TestLinuxRSTToClosedPort(t *testing.T) {
	t.Parallel()
	recs := readTrace(t, run(t, "testdata/closed-port.yaml"))
	syn := sends(recs, "client", 1)
	require.Len(t, syn, 1)
	rst := filter(recs, func(r rec) bool { return r.Kind == "pkt.send" && r.Subject == "host/server" })
	require.Len(t, rst, 1)
	r := rst[0]
	// 10 Mbit/s, 5 ms: a 60-byte SYN takes 48 us to serialize.
	assert.Equal(t, syn[0].T+5_048_000, r.T, "answered at once")
	assert.Equal(t, "R.", r.Flags)
	assert.Equal(t, uint32(0), r.Seq)
	assert.Equal(t, syn[0].Seq+1, r.Ack, "ack = the SYN's seq + 1")
	assert.Equal(t, int64(0), r.Win)
	assert.Equal(t, int64(40), r.Len, "no options")
	errs := filter(recs, func(r rec) bool { return r.Kind == "tcp.error" })
	require.Len(t, errs, 1)
	assert.Equal(t, "ECONNREFUSED", errs[0].Errno)
	// 40 bytes back at 10 Mbit/s: 32 us, + 5 ms.
	assert.Equal(t, r.T+5_032_000, errs[0].T)

	t.Run("relative ack in the trace", func(t *testing.T) {
		// No connection at the server: relative to the SYN it answers.
		assert.Equal(t, int64(0), r.Rseq)
		assert.Equal(t, int64(1), r.Rack)
	})
}

// TestLinuxDelayedACK: after the quick ACKs that start a connection, the
// receiver ACKs every second segment at once and a lone segment when the
// 40 ms delayed-ACK timer fires; no segment waits longer. Data after a
// silence longer than the RTO is quick-ACKed again.
func TestLinuxDelayedACK(t *testing.T) {
	t.Parallel()
	recs := readTrace(t, run(t, "testdata/delayed-ack.yaml"))
	sent := map[int64]rec{}
	for _, r := range recs {
		if r.Kind == "pkt.send" {
			sent[r.ID] = r
		}
	}
	const delack = int64(40 * time.Millisecond)
	var (
		pending     []int64 // arrival times of data segments not yet ACKed
		timerAt     int64   = -1
		timerAcks   int
		pairedAcks  int
		quickPhase  = 16 // Linux's TCP_MAX_QUICKACKS
		quickLeft   = quickPhase
		lastArrival int64
		// Data arriving after a silence longer than the receiver's RTO
		// (about 210 ms here), and how long its ACK took.
		idleGap      = int64(300 * time.Millisecond)
		idleStarts   []int64
		idleAckDelay []int64
	)
	for _, r := range recs {
		switch {
		case r.Kind == "pkt.deliver" && r.Subject == "host/server" && sent[r.ID].Plen > 0:
			if lastArrival > 0 && r.T-lastArrival > idleGap && len(pending) == 0 {
				idleStarts = append(idleStarts, r.T)
				// Linux's tcp_event_data_recv: quick-ACK mode again (the
				// window here allows all 16).
				quickLeft = quickPhase
			}
			pending = append(pending, r.T)
			lastArrival = r.T
		case r.Kind == "tcp.timer" && r.Subject == "host/server" && r.Timer == "delack":
			timerAt = r.T
		case r.Kind == "pkt.send" && r.Subject == "host/server" && r.Plen == 0 && r.Flags == ".":
			require.NotEmpty(t, pending, "an ACK at %d with no data to acknowledge", r.T)
			oldest := pending[0]
			where := fmt.Sprintf("ACK at %d covering %d segments", r.T, len(pending))
			afterIdle := len(idleStarts) > 0 && idleStarts[len(idleStarts)-1] == oldest
			if afterIdle {
				idleAckDelay = append(idleAckDelay, r.T-oldest)
			}
			switch {
			case quickLeft > 0:
				assert.Equal(t, lastArrival, r.T, "%s: quick ACK at once", where)
				assert.Len(t, pending, 1, where)
				quickLeft--
			case len(pending) >= 2:
				assert.Equal(t, lastArrival, r.T, "%s: the second segment is ACKed at once", where)
				assert.Len(t, pending, 2, where)
				pairedAcks++
			default:
				assert.Equal(t, timerAt, r.T, "%s: a lone segment waits for the timer", where)
				assert.Equal(t, oldest+delack, r.T, "%s: 40 ms after it arrived", where)
				timerAcks++
			}
			pending = nil
		}
	}
	assert.Positive(t, timerAcks, "the scenario must exercise the timer")
	assert.Positive(t, pairedAcks, "and ACKs of every second segment")
	require.NotEmpty(t, idleStarts, "the scenario must pause longer than the RTO")
	t.Logf("ACK delay of the first segment after each pause (ns): %v", idleAckDelay)

	t.Run("quick ACK again after an idle period longer than the RTO", func(t *testing.T) {
		// Linux's tcp_event_data_recv re-enters quick-ACK mode when the
		// gap exceeds the RTO, so the first segment is ACKed at once.
		require.NotEmpty(t, idleAckDelay, "ACKs after a pause were seen")
		for i, d := range idleAckDelay {
			assert.Zero(t, d, "first segment after pause %d", i+1)
		}
	})
}

// TestLinuxFastRetransmit: without SACK, a lost segment is sent again at
// the instant the third duplicate ACK arrives (RFC 5681 §3.2), never on
// the second; retransmission timeouts respect the 200 ms minimum.
func TestLinuxFastRetransmit(t *testing.T) {
	t.Parallel()
	slow(t)
	recs := readTrace(t, run(t, "testdata/fast-retransmit.yaml"))
	sent := map[int64]rec{}
	acks := newDupAcks()
	var (
		lastDupAt  int64 = -1
		fast, rtos int
		lastNewAck int64
		lastRTO    int64
	)
	for _, r := range recs {
		switch {
		case r.Kind == "pkt.send":
			sent[r.ID] = r
		case r.Kind == "pkt.deliver" && r.Subject == "host/client":
			switch acks.add(sent[r.ID]) {
			case ackNew:
				lastNewAck = r.T
			case ackDup:
				if acks.dups == 3 {
					lastDupAt = r.T
				}
			}
		case r.Kind == "tcp.retransmit" && r.Subject == "host/client":
			switch r.Reason {
			case "fast":
				fast++
				assert.Equal(t, lastDupAt, r.T, "fast retransmit of %d at %d: at the third duplicate ACK", r.Rseq, r.T)
				assert.Equal(t, 3, acks.dups, "fast retransmit of %d at %d", r.Rseq, r.T)
				assert.Equal(t, acks.una, r.Rseq, "the first unacknowledged segment")
			}
		case r.Kind == "tcp.timer" && r.Subject == "host/client" && r.Timer == "rto":
			rtos++
			// The timer was (re)started no earlier than the last ACK of
			// new data or the last timeout (RFC 6298 §5).
			assert.GreaterOrEqual(t, r.T-max(lastNewAck, lastRTO), int64(200*time.Millisecond),
				"retransmission timeout at %d: 200 ms minimum", r.T)
			lastRTO = r.T
		}
	}
	t.Logf("%d fast retransmits, %d timeouts", fast, rtos)
	assert.GreaterOrEqual(t, fast, 10, "the scenario must exercise fast retransmit")
}

// TestLinuxMSSFromInterfaceMTU: Linux advertises and uses an MSS of the
// interface MTU minus 40 (tcp_mss_clamp / rt_mtu), so a host on a link
// with a smaller MTU still gets its data through.
func TestLinuxMSSFromInterfaceMTU(t *testing.T) {
	t.Parallel()
	sc := variant(t, "testdata/linux-bulk.yaml", "    delay: 10ms\n", "    delay: 10ms\n    mtu: 576\n")
	recs := readTrace(t, run(t, sc))
	syn := sends(recs, "client", 1)[0]
	assert.Regexp(t, `^mss 536,`, syn.Opts)
	for _, r := range sends(recs, "client", 1) {
		assert.LessOrEqual(t, r.Len, int64(576))
	}
	assert.Empty(t, filter(recs, func(r rec) bool { return r.Kind == "pkt.drop" && r.Reason == "mtu" }))
}

// TestLinuxSACKRecoveryOfABurst: slow start overshoots the bottleneck
// queue and loses a few hundred segments in one window, every other one
// for a while, so the receiver holds over a hundred out-of-order ranges
// (Linux bounds them by the receive buffer only). With SACK (on by
// default, as in Linux), RFC 6675 recovery marks a hole lost once three
// segments above it are SACKed and retransmits at the pace Proportional
// Rate Reduction allows (RFC 6937, as Linux), so the burst is repaired
// within a few RTTs, without a retransmission timeout and without
// resending data the receiver already SACKed.
func TestLinuxSACKRecoveryOfABurst(t *testing.T) {
	t.Parallel()
	slow(t)
	dir := run(t, "testdata/sack-burst.yaml")
	recs := readTrace(t, dir)
	drops := len(filter(recs, func(r rec) bool { return r.Kind == "pkt.drop" }))
	rtx := filter(recs, func(r rec) bool { return r.Kind == "tcp.retransmit" && r.Subject == "host/client" })
	timeouts := filter(recs, func(r rec) bool { return r.Kind == "tcp.timer" && r.Timer == "rto" })
	assert.Empty(t, timeouts, "SACK recovery repairs the burst without a timeout")
	assert.LessOrEqual(t, len(rtx), drops+drops/10, "retransmissions beyond the segments lost")
	s := readSummary(t, dir)
	require.Len(t, s.Connections, 1)
	assert.Equal(t, int64(20e6), s.Connections[0].BytesDelivered)
}

func TestLinuxSYNACKRetransmission(t *testing.T) {
	t.Parallel()
	recs := readTrace(t, run(t, "testdata/synack-timeout.yaml"))
	synArrived := int64(5_048_000)
	var at []time.Duration
	for _, r := range sends(recs, "server", 1) {
		require.Equal(t, "S.", r.Flags)
		at = append(at, time.Duration(r.T-synArrived))
	}
	s := time.Second
	assert.Equal(t, []time.Duration{0, 1 * s, 3 * s, 7 * s, 15 * s, 31 * s}, at, "tcp_synack_retries 5")
	var dropped []rec
	for _, r := range states(recs, "server", 1) {
		if r.To == "CLOSED" {
			dropped = append(dropped, r)
		}
	}
	require.Len(t, dropped, 1)
	assert.Equal(t, synArrived+int64(63*time.Second), dropped[0].T, "the request is dropped at 63 s")
}

// TestScenarioTCPSettings: each defaults.tcp key a scenario sets shows on
// the wire.
func TestScenarioTCPSettings(t *testing.T) {
	t.Parallel()
	type view struct {
		synOpts   string
		iw        int   // data segments before the first ACK of data
		plen      int64 // payload of the first data segment
		acks      int   // pure ACKs the receiver sent
		dataSegs  int   // data segments the receiver got
		minRTO    int64
		cwndCause map[string]bool
	}
	look := func(t *testing.T, recs []rec) view {
		sent := map[int64]rec{}
		for _, r := range recs {
			if r.Kind == "pkt.send" {
				sent[r.ID] = r
			}
		}
		c, s := sends(recs, "client", 1), sends(recs, "server", 1)
		v := view{synOpts: c[0].Opts, minRTO: math.MaxInt64, cwndCause: map[string]bool{}}
		var firstAck int64 = math.MaxInt64
		for _, r := range recs {
			switch {
			case r.Kind == "pkt.deliver" && r.Subject == "host/client" && sent[r.ID].Rack > 1 && firstAck == math.MaxInt64:
				firstAck = r.T
			case r.Kind == "pkt.deliver" && r.Subject == "host/server" && sent[r.ID].Plen > 0:
				v.dataSegs++
			case r.Kind == "tcp.rtt":
				v.minRTO = min(v.minRTO, r.RTO)
			case r.Kind == "tcp.cwnd":
				v.cwndCause[r.Reason] = true
			}
		}
		for _, r := range c {
			if r.Plen > 0 && r.T < firstAck {
				if v.iw == 0 {
					v.plen = r.Plen
				}
				v.iw++
			}
		}
		for _, r := range s {
			if r.Plen == 0 && r.Flags == "." {
				v.acks++
			}
		}
		return v
	}
	tests := []struct {
		set   string
		check func(t *testing.T, v view)
	}{
		{"initial_cwnd: 4", func(t *testing.T, v view) { assert.Equal(t, 4, v.iw) }},
		{"delayed_ack: 0", func(t *testing.T, v view) { assert.Equal(t, v.dataSegs, v.acks, "every segment ACKed") }},
		{"mss: 536", func(t *testing.T, v view) {
			assert.Regexp(t, `^mss 536,`, v.synOpts)
			assert.Equal(t, int64(536-12), v.plen)
		}},
		{"rto_min: 1s", func(t *testing.T, v view) { assert.GreaterOrEqual(t, v.minRTO, int64(time.Second)) }},
		{"window_scale: false", func(t *testing.T, v view) { assert.NotContains(t, v.synOpts, "wscale") }},
		{"sack: false", func(t *testing.T, v view) { assert.NotContains(t, v.synOpts, "sackOK") }},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			t.Parallel()
			sc := variant(t, "testdata/linux-bulk.yaml", "seed: 1\n", "seed: 1\ndefaults:\n  tcp: {"+tt.set+"}\n")
			v := look(t, readTrace(t, run(t, sc, "--until", "3s")))
			// The defaults hold where the setting is not the one changed.
			if !strings.HasPrefix(tt.set, "initial_cwnd") {
				assert.Equal(t, 10, v.iw)
			}
			tt.check(t, v)
		})
	}
}

// TestLinuxRTOBackoff: RFC 6298 §5.5 doubling of the retransmission
// timeout, capped at Linux's TCP_RTO_MAX of 120 s, until the connection
// times out (tcp_retries2 = 15, which Linux counts as the 924.6 s that 15
// retransmissions take from a 200 ms RTO: this link's RTO is 200 ms, so
// it gives up at the 16th expiry).
func TestLinuxRTOBackoff(t *testing.T) {
	t.Parallel()
	recs := readTrace(t, run(t, "testdata/rto-backoff.yaml"))
	var at []int64
	for _, r := range recs {
		if r.Kind == "tcp.timer" && r.Timer == "rto" && r.Subject == "host/client" {
			at = append(at, r.T)
		}
	}
	require.Greater(t, len(at), 10)
	const ceiling = int64(120 * time.Second)
	for i := 2; i < len(at); i++ {
		prev, cur := at[i-1]-at[i-2], at[i]-at[i-1]
		want := min(2*prev, ceiling)
		assert.InDelta(t, want, cur, 2, "timeout %d: %d ns after %d ns", i+1, cur, prev)
	}
	assert.Equal(t, ceiling, at[len(at)-1]-at[len(at)-2], "the ceiling is reached")
	errs := filter(recs, func(r rec) bool { return r.Kind == "tcp.error" && r.Subject == "host/client" })
	require.Len(t, errs, 1)
	assert.Equal(t, "ETIMEDOUT", errs[0].Errno)
	assert.Len(t, at, 16, "15 retransmissions, then the 16th expiry gives up (tcp_retries2)")
	assert.GreaterOrEqual(t, errs[0].T-at[0], int64(924600*time.Millisecond), "924.6 s after the first retransmission, at the first expiry")
}

// TestLinuxUserTimeout: with user_timeout (Linux's TCP_USER_TIMEOUT, RFC
// 5482 §2) the connection of rto-backoff.yaml gives up 10 s after its
// first RTO retransmission, to the nanosecond, not after 15 expiries
// (tcp_write_timeout with icsk_user_timeout): the timeouts double as
// before, and the last is cut to end when the user timeout does
// (tcp_clamp_rto_to_user_timeout). The tail loss probe before the first
// RTO does not start the count.
func TestLinuxUserTimeout(t *testing.T) {
	t.Parallel()
	sc := variant(t, "testdata/rto-backoff.yaml", "hosts:", "defaults:\n  tcp: {user_timeout: 10s}\n\nhosts:")
	recs := readTrace(t, run(t, sc))
	var rtos []int64
	for _, r := range recs {
		if r.Kind == "tcp.timer" && r.Timer == "rto" && r.Subject == "host/client" {
			rtos = append(rtos, r.T)
		}
	}
	require.Greater(t, len(rtos), 3)
	first := filter(recs, func(r rec) bool {
		return r.Kind == "tcp.retransmit" && r.Subject == "host/client" && r.Reason == "rto"
	})
	require.NotEmpty(t, first)
	assert.Equal(t, rtos[0], first[0].T, "the first RTO retransmits")
	last := len(rtos) - 1
	for i := 2; i < last; i++ {
		assert.InDelta(t, 2*(rtos[i-1]-rtos[i-2]), rtos[i]-rtos[i-1], 2, "timeout %d doubles", i+1)
	}
	assert.Less(t, rtos[last]-rtos[last-1], 2*(rtos[last-1]-rtos[last-2]), "the last timeout is cut short")
	errs := filter(recs, func(r rec) bool { return r.Kind == "tcp.error" && r.Subject == "host/client" })
	require.Len(t, errs, 1)
	assert.Equal(t, "ETIMEDOUT", errs[0].Errno)
	assert.Equal(t, rtos[0]+int64(10*time.Second), errs[0].T, "given up 10 s after the first RTO retransmission")
	assert.Equal(t, rtos[last], errs[0].T, "at the last expiry, which resends nothing")
	assert.Less(t, len(rtos), 16, "fewer expiries than tcp_retries2 allows")
}

// TestLinuxFastRetransmitWithSACK: with SACK on (the default), fast
// retransmit starts once three duplicate ACKs arrived or SACKs cover more
// than two segments above SND.UNA (RFC 6675 §5, IsLost), or, with fewer
// SACKs, by RACK's rule (RFC 8985 §6.2): when its reordering timer fires
// (Linux's tcp_rack_reo_timeout), or when a SACKed segment was sent a
// reordering window (a quarter of the minimum RTT) or more after the
// first unacknowledged one. Never before.
func TestLinuxFastRetransmitWithSACK(t *testing.T) {
	t.Parallel()
	sc := variant(t, "testdata/fast-retransmit.yaml", "sack: false", "sack: true")
	recs := readTrace(t, run(t, sc))
	const mss = 1448
	sent := map[int64]rec{}
	var (
		isn        uint32 // the client's initial sequence number
		acks       = newDupAcks()
		sacked     = map[int64]bool{} // relative segment starts SACKed above SND.UNA
		fast, byDA int
		reoAt      int64 = -1 // when the client's reordering timer last fired
		byReo      int
		sentAt     = map[int64]int64{} // relative sequence number: last sent
		minRTT     int64
	)
	sackRE := regexp.MustCompile(`sack ((?:\d+:\d+ ?)+)`)
	for _, r := range recs {
		switch {
		case r.Kind == "pkt.send":
			sent[r.ID] = r
			if r.Subject == "host/client" && r.Plen > 0 {
				sentAt[r.Rseq] = r.T
			}
		case r.Kind == "tcp.rtt" && r.Subject == "host/client":
			if minRTT == 0 || r.Sample < minRTT {
				minRTT = r.Sample
			}
			if r.Subject == "host/client" && r.Flags == "S" {
				isn = r.Seq
			}
		case r.Kind == "pkt.deliver" && r.Subject == "host/client":
			a := sent[r.ID]
			if acks.add(a) == ackNotPure {
				continue
			}
			if m := sackRE.FindStringSubmatch(a.Opts); m != nil {
				for _, b := range strings.Fields(m[1]) {
					var s, e uint32
					_, err := fmt.Sscanf(b, "%d:%d", &s, &e)
					require.NoError(t, err)
					for x := int64(s - isn); x < int64(e-isn); x += mss {
						sacked[x] = true
					}
				}
			}
		case r.Kind == "tcp.timer" && r.Subject == "host/client" && r.Timer == "reo":
			reoAt = r.T
		case r.Kind == "tcp.retransmit" && r.Subject == "host/client" && r.Reason == "fast":
			fast++
			above, latest := 0, int64(-1)
			for x := range sacked {
				if x > acks.una {
					above++
					latest = max(latest, sentAt[x])
				}
			}
			rack := r.T == reoAt || latest-sentAt[acks.una] >= minRTT/4
			if rack && acks.dups < 3 && above <= 2 {
				byReo++
			}
			assert.True(t, acks.dups >= 3 || above > 2 || rack, "fast retransmit of %d at %d after %d duplicate ACKs and %d SACKed segments above it", r.Rseq, r.T, acks.dups, above)
			if acks.dups >= 3 {
				byDA++
			}
			assert.Equal(t, acks.una, r.Rseq, "the first unacknowledged segment")
		}
	}
	t.Logf("%d fast retransmits, %d of them at the third duplicate ACK or later, %d by RACK alone", fast, byDA, byReo)
	assert.GreaterOrEqual(t, fast, 10)
}

// dupAcks follows the ACKs the client receives and counts duplicates as
// RFC 5681 §2 defines them: a segment with no data and no SYN or FIN whose
// ACK number is the highest so far (SND.UNA) and whose window is the
// previous one.
type dupAcks struct {
	una, win int64
	dups     int
}

// ackKind is what one received segment was to dupAcks.
type ackKind int

// The kinds of segment dupAcks tells apart.
const (
	ackNotPure ackKind = iota // carries data, SYN or FIN: not counted
	ackNew                    // acknowledges new data: the count restarts
	ackDup                    // a duplicate ACK
	ackOther                  // an old ACK or a window update
)

func newDupAcks() dupAcks { return dupAcks{win: -1} }

// add takes the segment a the client received.
func (d *dupAcks) add(a rec) ackKind {
	if a.Plen > 0 || strings.ContainsAny(a.Flags, "SF") {
		return ackNotPure
	}
	k := ackOther
	switch {
	case a.Rack > d.una:
		d.una, d.dups, k = a.Rack, 0, ackNew
	case a.Rack == d.una && a.Win == d.win:
		d.dups++
		k = ackDup
	}
	d.win = a.Win
	return k
}
