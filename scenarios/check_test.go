package scenarios

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// Synthetic trace records, written the way nodes/ writes them.

func state(t sim.Time, host string, conn uint64, side, local, remote, from, to string) sim.Record {
	return sim.Record{T: t, Subject: "host/" + host, Event: &sim.TCPState{Conn: conn, Side: side,
		Local: netip.MustParseAddrPort(local), Remote: netip.MustParseAddrPort(remote), From: from, To: to}}
}

func send(t sim.Time, host string, conn uint64, flags string, rseq, rack, plen int64) sim.Record {
	f, err := sim.ParseTCPFlags(flags)
	if err != nil {
		panic(err)
	}
	return sim.Record{T: t, Subject: "host/" + host, Event: &sim.PacketSend{ID: 1, Proto: 6, Flags: f,
		RSeq: uint64(rseq), RAck: uint64(rack), PLen: int(plen), Conn: conn}}
}

func recv(t sim.Time, host, typ string, conn uint64, bytes int64) sim.Record {
	return sim.Record{T: t, Subject: "app/" + host + "/" + typ, Event: &sim.App{Event: sim.AppRecv,
		Has: sim.AppHasConn | sim.AppHasBytes, Conn: conn, Bytes: bytes}}
}

const ms = sim.Time(1e6)

// transfer is a client sending 3000 bytes to server:80, established after
// 10 ms, with one retransmission, one RTT sample and one queue drop.
func transfer() []sim.Record {
	return []sim.Record{
		state(100*ms, "client", 1, "client", "10.0.0.1:49152", "10.0.0.2:80", "CLOSED", "SYN-SENT"),
		send(100*ms, "client", 1, "S", 0, 0, 0),
		state(105*ms, "server", 1, "server", "10.0.0.2:80", "10.0.0.1:49152", "LISTEN", "SYN-RECEIVED"),
		send(105*ms, "server", 1, "S.", 0, 1, 0),
		state(110*ms, "client", 1, "client", "10.0.0.1:49152", "10.0.0.2:80", "SYN-SENT", "ESTABLISHED"),
		{T: 110 * ms, Subject: "host/client", Event: &sim.TCPRTT{Conn: 1, Side: "client", Sample: (10 * ms).Duration()}},
		send(110*ms, "client", 1, ".", 1, 1, 1500),
		send(110*ms, "client", 1, "P.", 1501, 1, 1500),
		{T: 110 * ms, Subject: "link/l/client>server", Event: &sim.PacketEnqueue{ID: 3, Len: 1552, QLen: 1, QBytes: 1552}},
		{T: 110 * ms, Subject: "link/l/client>server", Event: &sim.PacketTx{ID: 3, Len: 1552}},
		{T: 111 * ms, Subject: "link/l/client>server", Event: &sim.PacketDrop{ID: 4, Reason: sim.DropQueue}},
		{T: 111 * ms, Subject: "host/server", Event: &sim.PacketDrop{ID: 5, Reason: sim.DropChecksum}},
		state(115*ms, "server", 1, "server", "10.0.0.2:80", "10.0.0.1:49152", "SYN-RECEIVED", "ESTABLISHED"),
		recv(115*ms, "server", "sink", 1, 1500),
		send(115*ms, "server", 1, ".", 1, 1501, 0),
		{T: 320 * ms, Subject: "host/client", Event: &sim.TCPRetransmit{Conn: 1, Side: "client", RSeq: 1501}},
		send(320*ms, "client", 1, "P.", 1501, 1, 1500),
		recv(325*ms, "server", "sink", 1, 1500),
		send(325*ms, "server", 1, ".", 1, 3001, 0),
		recv(330*ms, "client", "sink", 1, 7), // the other direction
	}
}

func TestSummarize(t *testing.T) {
	sum := Summarize(transfer())
	require.Len(t, sum.Conns, 1)
	c := sum.Conns[0]
	assert.Equal(t, uint64(1), c.ID)
	assert.Equal(t, "10.0.0.1:49152", c.Client)
	assert.Equal(t, "10.0.0.2:80", c.Server)
	assert.Equal(t, map[string]string{"client": "ESTABLISHED", "server": "ESTABLISHED"}, c.FinalState)
	require.NotNil(t, c.EstablishedAt)
	assert.Equal(t, int64(110*ms), *c.EstablishedAt)
	assert.Equal(t, int64(4500), c.BytesSent, "retransmissions count as sent")
	assert.Equal(t, int64(3000), c.BytesAcked)
	assert.Equal(t, int64(3000), c.BytesDelivered)
	assert.Equal(t, int64(1), c.Retransmits)
	// 3000 bytes from the first data at 110 ms to the last delivery at 325 ms.
	assert.InDelta(t, 3000*8/0.215, c.ThroughputBps, 1e-6)
	assert.Equal(t, RTTSummary{Samples: 1, Min: int64(10 * ms), Mean: float64(10 * ms), Max: int64(10 * ms)}, c.RTT)
	assert.Equal(t, int64(7), c.Reverse.BytesDelivered)
	require.Len(t, sum.Links, 1)
	assert.Equal(t, LinkSummary{Link: "l", Direction: "client>server", Sent: 1, Dropped: map[string]int64{"queue": 1}, QueuePeak: 1, QueueMax: 1552,
		Sojourn: SojournSummary{Samples: 1}}, sum.Links[0])
	assert.Equal(t, []NodeSummary{{Node: "host/server", Dropped: map[string]int64{"checksum": 1}}}, sum.Nodes)
}

// TestSummarizePast4GiB: relative sequence numbers are 64-bit, so a flow
// of 5 GB reports 5,000,000,000 bytes acknowledged, not the count modulo
// 2^32.
func TestSummarizePast4GiB(t *testing.T) {
	const total = 5_000_000_000
	recs := transfer()[:5]
	recs = append(recs,
		send(200*ms, "client", 1, "P.", total-1447, 1, 1448),
		send(210*ms, "server", 1, ".", 1, total+1, 0),
	)
	c := Summarize(recs).Conns[0]
	assert.Equal(t, int64(total), c.BytesAcked)
}

func TestSummarizeEmpty(t *testing.T) {
	sum := Summarize(nil)
	assert.NotNil(t, sum.Conns)
	assert.NotNil(t, sum.Links)
	assert.NotNil(t, sum.Nodes)
}

func TestCheck(t *testing.T) {
	s, err := Parse("t.yaml", []byte(`version: 1
name: t
duration: 1s
hosts:
  client: {address: 10.0.0.1}
  server: {address: 10.0.0.2}
  other: {address: 10.0.0.3}
`))
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		expect Expect
		ok     bool
		detail string
	}{
		{"established in time", Expect{Kind: ExpectEstablished, From: "client", To: Endpoint{"server", 80}, Within: 10 * ms.Duration()}, true,
			"connection 1 established at 0.110000000s, 10ms after its first SYN"},
		{"established too slowly", Expect{Kind: ExpectEstablished, From: "client", To: Endpoint{"server", 80}, Within: 9 * ms.Duration()}, false,
			"the fastest connection took 10ms"},
		{"established without deadline", Expect{Kind: ExpectEstablished, From: "client", To: Endpoint{"server", 80}}, true,
			"connection 1 established at 0.110000000s, 10ms after its first SYN"},
		{"no such connection", Expect{Kind: ExpectEstablished, From: "other", To: Endpoint{"server", 80}}, false,
			"no connection from 10.0.0.3 to 10.0.0.2:80 was attempted by 1.000000000s"},
		{"wrong port", Expect{Kind: ExpectEstablished, From: "client", To: Endpoint{"server", 81}}, false,
			"no connection from 10.0.0.1 to 10.0.0.2:81 was attempted by 1.000000000s"},
		{"delivered", Expect{Kind: ExpectDelivered, To: Endpoint{"server", 80}, Bytes: 3000}, true,
			"3000 bytes delivered by 1.000000000s; the first 3000 by 0.325000000s"},
		{"delivered from", Expect{Kind: ExpectDelivered, From: "client", To: Endpoint{"server", 80}, Bytes: 3000}, true,
			"3000 bytes delivered by 1.000000000s; the first 3000 by 0.325000000s"},
		{"delivered too late", Expect{Kind: ExpectDelivered, To: Endpoint{"server", 80}, Bytes: 3000, By: 200 * ms.Duration()}, false,
			"only 1500 of 3000 bytes delivered by 0.200000000s"},
		{"delivered from another host", Expect{Kind: ExpectDelivered, From: "other", To: Endpoint{"server", 80}, Bytes: 1}, false,
			"only 0 of 1 bytes delivered by 1.000000000s"},
		{"the client's reads do not count", Expect{Kind: ExpectDelivered, To: Endpoint{"server", 80}, Bytes: 3001}, false,
			"only 3000 of 3001 bytes delivered by 1.000000000s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.Expect = []Expect{tc.expect}
			res := Check(s, transfer(), sim.FromDuration(s.Duration))
			require.Len(t, res, 1)
			assert.Equal(t, tc.ok, res[0].OK)
			assert.Equal(t, tc.detail, res[0].Detail)
		})
	}
}

// A host that keeps at most max_tw_buckets connections in TIME-WAIT
// closes the next ones at once: summary.json counts them.
func TestSummaryTimeWaitOverflow(t *testing.T) {
	s, err := Parse("tw.yaml", []byte(`version: 1
name: tw
duration: 2s
hosts:
  client: {tcp: {max_tw_buckets: 2}}
  server: {}
links:
  - {between: [client, server], bandwidth: 100Mbps, delay: 1ms}
apps:
  - {type: request-response, host: server, port: 80, request: 100B, response: 1KB}
  - {type: request-response, host: client, to: server:80, request: 100B, response: 1KB, count: 5, think: 10ms}
`))
	require.NoError(t, err)
	sum := NewSummarizer()
	w, err := Build(s, BuildOptions{Seed: 1, Trace: sum})
	require.NoError(t, err)
	_, err = w.Run(0, nil)
	require.NoError(t, err)
	got := sum.Summary()
	assert.Equal(t, int64(3), got.TimeWaitOverflow, "5 client ends closed first, 2 fit in TIME-WAIT")
	states := map[string]int{}
	for _, c := range got.Conns {
		states[c.FinalState["client"]]++
	}
	assert.Equal(t, map[string]int{"TIME-WAIT": 2, "CLOSED": 3}, states)
}

// TestSummarizeProbesAreNotRetransmits: a keepalive or zero-window probe
// (traced as tcp.retransmit with reason "probe", no data) is not counted
// in retransmits, as Linux's tcpi_total_retrans does not count it: an idle
// connection whose keepalive probes go unanswered resent nothing.
func TestSummarizeProbesAreNotRetransmits(t *testing.T) {
	recs := transfer()
	for i := range 3 {
		at := 400*ms + sim.Time(i)*75*ms
		recs = append(recs,
			sim.Record{T: at, Subject: "host/client", Event: &sim.TCPRetransmit{Conn: 1, Side: "client", RSeq: 3001, Reason: "probe"}},
			send(at, "client", 1, ".", 3000, 1, 0))
	}
	c := Summarize(recs).Conns[0]
	assert.Equal(t, int64(1), c.Retransmits, "the one data retransmission, not the three probes")
}

// TestSummarizeErrors: an end that failed says with what error, so that a
// connection whose keepalive probes went unanswered (CLOSED, ETIMEDOUT)
// is told from one that closed; a connection that did not fail has none.
func TestSummarizeErrors(t *testing.T) {
	recs := transfer()
	assert.Nil(t, Summarize(recs).Conns[0].Errors)
	recs = append(recs,
		sim.Record{T: 16_000 * ms, Subject: "host/client", Event: &sim.TCPError{Conn: 1, Side: "client", Errno: "ETIMEDOUT"}},
		state(16_000*ms, "client", 1, "client", "10.0.0.1:49152", "10.0.0.2:80", "ESTABLISHED", "CLOSED"))
	c := Summarize(recs).Conns[0]
	assert.Equal(t, map[string]string{"client": "ETIMEDOUT"}, c.Errors)
	assert.Equal(t, "CLOSED", c.FinalState["client"])
}

// TestSummarizeAppErrors: the apps' errors are counted per app, call and
// errno, in the order of the first, with its time: a client stopped short
// of its count by a failed connect says so.
func TestSummarizeAppErrors(t *testing.T) {
	appErr := func(at sim.Time, subject, call, errno string) sim.Record {
		return sim.Record{T: at, Subject: subject, Event: &sim.App{Event: sim.AppError,
			Has: sim.AppHasCall | sim.AppHasErrno, Call: call, Errno: errno}}
	}
	recs := transfer()
	assert.Nil(t, Summarize(recs).AppErrors)
	recs = append(recs,
		appErr(400*ms, "app/client/request-response", "connect", "EADDRNOTAVAIL"),
		appErr(500*ms, "app/other/bulk-send", "connection", "ECONNREFUSED"),
		appErr(600*ms, "app/client/request-response", "connect", "EADDRNOTAVAIL"))
	assert.Equal(t, []AppError{
		{App: "client/request-response", Call: "connect", Errno: "EADDRNOTAVAIL", Count: 2, First: int64(400 * ms)},
		{App: "other/bulk-send", Call: "connection", Errno: "ECONNREFUSED", Count: 1, First: int64(500 * ms)},
	}, Summarize(recs).AppErrors)
}
