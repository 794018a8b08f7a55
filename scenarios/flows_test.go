package scenarios

import (
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// udpSend and udpDeliver are the records of datagram id of a UDP flow from
// 10.0.0.1:5000 to 10.0.0.2:9000, sent and delivered at tm.
func udpSend(tm sim.Time, id uint64) sim.Record {
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	return sim.Record{T: tm, Subject: "host/a", Event: &sim.PacketSend{ID: id, Len: 128, Src: a, Dst: b, Proto: 17, SPort: 5000, DPort: 9000, PLen: 100}}
}

func udpDeliver(tm sim.Time, id uint64) sim.Record {
	return sim.Record{T: tm, Subject: "host/b", Event: &sim.PacketDeliver{ID: id, Len: 128}}
}

// Flows match sends and deliveries by packet ID: a copy a link made counts
// once, a packet dropped on its way is lost, delays are one-way and jitter
// follows RFC 3550 §6.4.1.
func TestFlowStats(t *testing.T) {
	b := netip.MustParseAddr("10.0.0.2")
	recs := []sim.Record{
		udpSend(0, 1), udpSend(1000, 2), udpSend(2000, 3), udpSend(3000, 4),
		udpDeliver(10000, 1),
		{T: 10500, Subject: "link/ab/a>b", Event: &sim.PacketDuplicate{ID: 9, Of: 2}},
		udpDeliver(11000, 2), udpDeliver(11500, 9), // the copy arrives too
		udpDeliver(14000, 4),
		{T: 14500, Subject: "link/ab/a>b", Event: &sim.PacketDrop{ID: 3, Len: 128, Reason: sim.DropLoss}}, // 3 is lost
		{T: 0, Subject: "app/a/ping", Event: &sim.App{Event: sim.AppSend, Has: sim.AppHasCount | sim.AppHasTo, Count: 1, To: netip.AddrPortFrom(b, 0)}},
		{T: 0, Subject: "app/a/ping", Event: &sim.App{Event: sim.AppSend, Has: sim.AppHasCount | sim.AppHasTo, Count: 2, To: netip.AddrPortFrom(b, 0)}},
		{T: 0, Subject: "app/a/ping", Event: &sim.App{Event: sim.AppReply, Has: sim.AppHasCount | sim.AppHasPeer | sim.AppHasLatency, Count: 1, Peer: netip.AddrPortFrom(b, 0), Latency: 2000}},
	}
	s := Summarize(recs)
	require.Len(t, s.Flows, 1)
	f := s.Flows[0]
	assert.Equal(t, int64(4), f.TxPackets)
	assert.Equal(t, int64(3), f.RxPackets)
	assert.Equal(t, int64(1), f.LostPackets)
	assert.Equal(t, int64(10000), f.DelayMin)
	assert.Equal(t, int64(11000), f.DelayMax)
	assert.Equal(t, int64(10000), f.DelayP50)
	assert.InDelta(t, (10000.0+10000+11000)/3, f.DelayMean, 1e-9)
	// Transit times 10000, 10000, 11000: |D| = 0 then 1000.
	assert.InDelta(t, 1000.0/16, f.Jitter, 1e-9)
	assert.InDelta(t, 300*8/(14000e-9), f.GoodputBps, 1e-6)
	require.Len(t, s.Pings, 1)
	assert.Equal(t, PingStats{Host: "a", To: "10.0.0.2", Transmitted: 2, Received: 1, LossPct: 50, RTTMin: 2000, RTTAvg: 2000, RTTMax: 2000}, s.Pings[0])
	csv := string(FlowsCSV(s.Flows))
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	require.Len(t, lines, 2)
	assert.Equal(t, FlowsCSVHeader, lines[0])
	assert.Equal(t, len(strings.Split(lines[0], ",")), len(strings.Split(lines[1], ",")))
	assert.True(t, strings.HasPrefix(lines[1], "1,17,10.0.0.1,5000,10.0.0.2,9000,4,512,3,384,1,0,14000,10000,"), lines[1])
}

// A packet is lost when it is dropped on its way (a pkt.drop record, on a
// link or at a node), as ns-3's FlowMonitor counts a packet lost only once
// it is known not to arrive: one still in flight when the run ends is
// neither received nor lost. A packet a link copied is lost only when the
// original and every copy were dropped.
func TestFlowLostIsDroppedNotInFlight(t *testing.T) {
	drop := func(tm sim.Time, subject string, id uint64) sim.Record {
		return sim.Record{T: tm, Subject: subject, Event: &sim.PacketDrop{ID: id, Len: 128, Reason: sim.DropQueue}}
	}
	dup := func(tm sim.Time, id, of uint64) sim.Record {
		return sim.Record{T: tm, Subject: "link/ab/a>b", Event: &sim.PacketDuplicate{ID: id, Of: of}}
	}
	recs := []sim.Record{
		udpSend(0, 1), udpSend(1, 2), udpSend(2, 3), udpSend(3, 4), udpSend(4, 5), udpSend(5, 6), udpSend(6, 7),
		udpDeliver(10, 1),
		drop(11, "link/ab/a>b", 2),                                     // lost on a link
		drop(12, "host/b", 3),                                          // lost at the receiving host
		dup(13, 20, 4), drop(14, "link/ab/a>b", 4), udpDeliver(15, 20), // the copy arrives
		dup(16, 21, 5), drop(17, "link/ab/a>b", 21), drop(18, "link/ab/a>b", 5), // both dropped
		dup(19, 22, 6), udpDeliver(20, 6), drop(21, "link/ab/a>b", 22), // the original arrives
		// 7 is still in flight when the run ends.
		// 8 is copied (30) by one link, and its copy again (31) by the
		// next: 8 and 30 are dropped, 31, a copy of a copy, arrives.
		udpSend(22, 8), dup(23, 30, 8), dup(24, 31, 30), drop(25, "link/ab/a>b", 8), drop(26, "link/bc/b>c", 30), udpDeliver(27, 31),
	}
	s := Summarize(recs)
	require.Len(t, s.Flows, 1)
	f := s.Flows[0]
	assert.Equal(t, int64(8), f.TxPackets)
	assert.Equal(t, int64(4), f.RxPackets, "1, 4 by its copy, 6, 8 by the copy of its copy")
	assert.Equal(t, int64(3), f.LostPackets, "2, 3 and 5; not 7, in flight")
}

// A ping whose send fails (EMSGSIZE past a path MTU it does not fit)
// counts as transmitted and as an error, as ping(8) sums it up: "3 packets
// transmitted, 0 received, +3 errors, 100% packet loss"; a ping app all of
// whose sends fail still has its row.
func TestPingErrors(t *testing.T) {
	b := netip.MustParseAddr("10.0.0.2")
	fail := func(seq int64) sim.Record {
		return sim.Record{T: sim.Time(seq) * 1e9, Subject: "app/a/ping", Event: &sim.App{Event: sim.AppError,
			Has: sim.AppHasCall | sim.AppHasErrno | sim.AppHasCount | sim.AppHasTo, Call: "sendto", Errno: "EMSGSIZE", Count: seq, To: netip.AddrPortFrom(b, 0)}}
	}
	s := Summarize([]sim.Record{fail(1), fail(2), fail(3)})
	require.Len(t, s.Pings, 1)
	assert.Equal(t, PingStats{Host: "a", To: "10.0.0.2", Transmitted: 3, Errors: 3, LossPct: 100}, s.Pings[0])
}

// twoPings is a host with a ping app toward b; the test adds a second one
// toward b too, as a second ping(8) process would be, that starts half a
// second later and sends every 200 ms, so their icmp_seq numbers
// interleave.
const twoPings = `version: 1
name: two-pings
duration: 5s
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
links:
  - {name: l, between: [a, b], bandwidth: 10Mbps, delay: 10ms}
apps:
  - {type: ping, host: a, to: b, interval: 1s, count: 3}
`

// runPings runs text and returns its summary's pings and the subjects of
// its app records, in the order they first appear.
func runPings(t *testing.T, text string) ([]PingStats, []string) {
	t.Helper()
	s, err := Parse("pings.yaml", []byte(text))
	require.NoError(t, err)
	records, _ := recordRun(t, s)
	var subjects []string
	for _, r := range records {
		if r.Kind() == sim.KindApp && !slices.Contains(subjects, r.Subject) {
			subjects = append(subjects, r.Subject)
		}
	}
	return Summarize(records).Pings, subjects
}

// Two ping apps on one host toward one target have a row each, in the
// order of their first request, as two ping(8) processes print a summary
// each; the first app's row and records are those it has alone.
func TestTwoPingsToOneTargetHaveARowEach(t *testing.T) {
	alone, aloneSubjects := runPings(t, twoPings)
	require.Len(t, alone, 1)
	assert.Equal(t, []string{"app/a/ping"}, aloneSubjects)

	pings, subjects := runPings(t, twoPings+"  - {type: ping, host: a, to: b, interval: 200ms, count: 4, start: 500ms}\n")
	require.Len(t, pings, 2)
	assert.Equal(t, alone[0], pings[0], "the first app's row is as if it ran alone")
	assert.Equal(t, int64(3), pings[0].Transmitted)
	assert.Equal(t, int64(3), pings[0].Received)
	second := pings[1]
	assert.Equal(t, "a", second.Host)
	assert.Equal(t, "10.0.0.2", second.To)
	assert.Equal(t, int64(4), second.Transmitted)
	assert.Equal(t, int64(4), second.Received)
	assert.Equal(t, []string{"app/a/ping", "app/a/2/ping"}, subjects)
}

// A TCP flow's goodput counts stream bytes that carried payload: the
// direction of a transfer that only acknowledges (its ACKs and FIN,
// relative sequence 1, no payload) has goodput 0, and the FIN of the data
// direction adds nothing to its 1000 bytes.
func TestTCPGoodputCountsPayloadOnly(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	seg := func(tm sim.Time, id uint64, src, dst netip.Addr, sport, dport uint16, rseq uint64, plen int) sim.Record {
		return sim.Record{T: tm, Subject: "host/x", Event: &sim.PacketSend{ID: id, Len: 52 + plen, Src: src, Dst: dst, Proto: 6, SPort: sport, DPort: dport, RSeq: rseq, PLen: plen}}
	}
	del := func(tm sim.Time, id uint64) sim.Record {
		return sim.Record{T: tm, Subject: "host/y", Event: &sim.PacketDeliver{ID: id}}
	}
	recs := []sim.Record{
		seg(0, 1, a, b, 40000, 80, 1, 1000), del(1000, 1),
		seg(1000, 2, b, a, 80, 40000, 1, 0), del(2000, 2), // the ACK
		seg(2000, 3, a, b, 40000, 80, 1001, 0), del(3000, 3), // a's FIN
		seg(3000, 4, b, a, 80, 40000, 1, 0), del(4000, 4), // b's FIN
	}
	s := Summarize(recs)
	require.Len(t, s.Flows, 2)
	assert.InDelta(t, 1000*8/(3000e-9), s.Flows[0].GoodputBps, 1e-6)
	assert.Zero(t, s.Flows[1].GoodputBps, "no payload, no goodput")
}

// An ICMP error that answers a ping's request is read by the app and
// counted in errors, as ping(8)'s "+N errors" counts the "Destination Host
// Unreachable" it prints; the request still counts as transmitted once and
// as lost. Here the router's link to b is down from 1s to 2s: the
// requests of 1.0, 1.25, 1.5 and 1.75s get host unreachable (the first
// four of the rate limit's burst of six), those before and after replies.
func TestPingCountsICMPErrors(t *testing.T) {
	text, err := os.ReadFile("testdata/ping-link-down.yaml")
	require.NoError(t, err)
	pings, _ := runPings(t, string(text))
	require.Len(t, pings, 1)
	p := pings[0]
	assert.Equal(t, int64(10), p.Transmitted)
	assert.Equal(t, int64(6), p.Received)
	assert.Equal(t, int64(4), p.Errors)
	assert.InDelta(t, 40, p.LossPct, 1e-9)
}

// A ping's count: 0 is what leaving it out means, ping(8) without -c:
// requests until the end of the run (docs/udp-icmp.md). It was refused as
// out of range, the range of a request-response client's count, where 0
// exchanges make no sense and stay refused.
func TestPingCountZeroPingsUntilTheEnd(t *testing.T) {
	text := strings.Replace(twoPings, "interval: 1s, count: 3}", "interval: 1s, count: 0}", 1)
	pings, _ := runPings(t, text)
	require.Len(t, pings, 1)
	assert.Equal(t, int64(5), pings[0].Transmitted, "one a second from 0 until the 5 s end, as ping -w 5: none at the end itself (TestPingSendsNothingAsTheRunEnds)")
	assert.Equal(t, int64(5), pings[0].Received)

	_, err := Parse("rr.yaml", []byte(strings.Replace(twoPings, "{type: ping, host: a, to: b, interval: 1s, count: 3}",
		"{type: request-response, host: b, port: 80, request: 10, response: 10}\n  - {type: request-response, host: a, to: b:80, request: 10, response: 10, count: 0}", 1)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "apps[1].count: 0 is out of range (a whole number from 1 to 2147483647)")
}

// A datagram's size, a link's MTU and a capture's snaplen are sizes,
// written as sizes are everywhere else in a scenario (docs/scenarios.md,
// Units): size: 1KB was refused as not a whole number, mtu: 1500B and
// snaplen: 1KiB too, where bytes: 2MB and limit: 64KiB are taken. The
// bounds stay those of the bytes.
func TestDatagramSizeAndMTUTakeUnits(t *testing.T) {
	s, err := Parse("u.yaml", []byte(`version: 1
name: units
duration: 1s
hosts: {a: {}, b: {}}
links:
  - {between: [a, b], bandwidth: 10Mbps, mtu: 1.5KB}
apps:
  - {type: udp-sink, host: b, port: 9}
  - {type: udp-send, host: a, to: b:9, rate: 1Mbps, size: 1KiB}
  - {type: ping, host: a, to: b, size: 0B}
  - {type: ping, host: a, to: b, size: 8 bit}
faults:
  - {at: 500ms, link: a-b, set: {mtu: 1KB}}
outputs: {snaplen: 1KiB}
`))
	require.NoError(t, err)
	assert.Equal(t, 1024, s.Outputs.SnapLen, "a capture's snaplen is a size too")
	assert.Equal(t, 1500, s.Links[0].MTU)
	assert.Equal(t, 1024, s.Apps[1].Size)
	assert.Equal(t, 0, s.Apps[2].Size)
	assert.Equal(t, 1, s.Apps[3].Size)
	require.NotNil(t, s.Faults[0].Set.MTU)
	assert.Equal(t, 1000, *s.Faults[0].Set.MTU)

	_, err = Parse("u.yaml", []byte(`version: 1
name: units
duration: 1s
hosts: {a: {}, b: {}}
links:
  - {between: [a, b], bandwidth: 10Mbps, mtu: 64KiB}
apps:
  - {type: udp-send, host: a, to: b:9, rate: 1Mbps, size: 64KiB}
  - {type: udp-send, host: a, to: b:9, rate: 1Mbps, size: 0B}
`))
	require.Error(t, err)
	assert.Equal(t, `u.yaml:6:47: links[0].mtu: 65536 bytes is out of range (a size from 68 to 65535 bytes)
u.yaml:8:59: apps[0].size: 65536 bytes is out of range (a size from 1 to 65507 bytes)
u.yaml:9:59: apps[1].size: 0 bytes is out of range (a size from 1 to 65507 bytes)`, err.Error())
}

// A ping sent one request more at the very end of the run, whose timer
// fell due then (an event at the end runs, docs/engine.md): it could get
// no reply, so every ping whose interval divides the run's duration
// reported loss on a path that loses nothing ("11 packets transmitted, 10
// received, 9% packet loss" over a clean link in 1 s at 100 ms). ping(8)
// -w stops at its deadline before sending one more; so does the app at
// the end of the run, the scenario's duration or a shorter --until
// (BuildOptions.End).
func TestPingSendsNothingAsTheRunEnds(t *testing.T) {
	text := strings.Replace(twoPings, "interval: 1s, count: 3}", "interval: 500ms}", 1)
	pings, _ := runPings(t, text)
	require.Len(t, pings, 1)
	assert.Equal(t, int64(10), pings[0].Transmitted, "at 0, 0.5 s, ..., 4.5 s")
	assert.Equal(t, int64(10), pings[0].Received)
	assert.Zero(t, pings[0].LossPct)

	s, err := Parse("pings.yaml", []byte(text))
	require.NoError(t, err)
	rec := &sim.Recorder{}
	w, err := Build(s, BuildOptions{Seed: 1, Trace: rec, End: sim.FromDuration(2 * time.Second)})
	require.NoError(t, err)
	end, err := w.Run(sim.FromDuration(2*time.Second), nil)
	require.NoError(t, err)
	require.Equal(t, sim.FromDuration(2*time.Second), end)
	short := Summarize(rec.Records).Pings
	require.Len(t, short, 1)
	assert.Equal(t, int64(4), short[0].Transmitted, "--until 2s: at 0, 0.5, 1 and 1.5 s")
	assert.Equal(t, int64(4), short[0].Received)
}
