package e2e

import (
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
)

// chainRouters is the length of the router chain toward host far: more
// routers than a TTL of 64 lets a datagram cross (RFC 1812 §5.3.1: the
// router that would forward it with TTL 0 drops it and answers).
const chainRouters = 64

// icmpScenario has the three ICMP errors a user meets, all seen from the
// client: a datagram to a server port nobody binds (port unreachable,
// 3/3), a TCP transfer over a link of MTU 1000 (fragmentation needed,
// 3/4, then path-MTU discovery), and a datagram and a ping toward a host
// behind a chain of 64 routers (time exceeded, 11/0).
func icmpScenario() string {
	var b strings.Builder
	b.WriteString(`version: 1
name: icmp-errors
seed: 1
duration: 2s
hosts:
  client: {address: 10.0.0.1}
  server: {address: 10.0.1.1}
  far: {address: 10.0.2.1}
routers:
  r1: {}
  r2: {}
`)
	for i := 1; i <= chainRouters; i++ {
		fmt.Fprintf(&b, "  c%d: {}\n", i)
	}
	b.WriteString(`links:
  - {between: [client, r1], bandwidth: 100Mbps, delay: 1ms}
  - {name: narrow, between: [r1, r2], bandwidth: 10Mbps, delay: 5ms, mtu: 1000}
  - {between: [r2, server], bandwidth: 100Mbps, delay: 1ms}
  - {between: [r1, c1], bandwidth: 100Mbps, delay: 10us}
`)
	for i := 1; i < chainRouters; i++ {
		fmt.Fprintf(&b, "  - {between: [c%d, c%d], bandwidth: 100Mbps, delay: 10us}\n", i, i+1)
	}
	fmt.Fprintf(&b, "  - {between: [c%d, far], bandwidth: 100Mbps, delay: 10us}\n", chainRouters)
	b.WriteString(`apps:
  - {type: sink, host: server, port: 80}
  - {type: bulk-send, host: client, to: server:80, start: 10ms, bytes: 100KB}
  - {type: udp-send, host: client, to: server:9999, rate: 80kbps, size: 100, start: 20ms, stop: 30ms}
  - {type: udp-sink, host: far, port: 9000}
  - {type: udp-send, host: client, to: far:9000, rate: 80kbps, size: 100, start: 40ms, stop: 50ms}
  - {type: ping, host: client, to: far, interval: 10ms, count: 2, start: 60ms}
outputs:
  pcap: [client]
`)
	return b.String()
}

// icmpSeen is one ICMP message in a capture, as gopacket decodes it.
type icmpSeen struct {
	src        string
	typ, code  uint8
	mtu        uint16 // next-hop MTU of fragmentation needed
	quotedDst  string // the destination of the quoted datagram
	quotedPort uint16 // its UDP or TCP destination port
}

// TestICMPErrorsInCaptures: the client's capture holds each ICMP error
// the RFCs call for, decoded by gopacket (an independent decoder) field by
// field, and by tshark, when installed, with no expert error; the TCP
// transfer across the narrow link completes with segments that fit it.
func TestICMPErrorsInCaptures(t *testing.T) {
	t.Parallel()
	slow(t) // tshark takes about a second to start
	dir := run(t, writeScenario(t, "icmp-errors.yaml", icmpScenario()))
	pcapFile := filepath.Join(dir, "pcap", "client-eth0.pcap")
	var seen []icmpSeen
	var bigSegs, smallSegs int
	for _, p := range readPcap(t, pcapFile) {
		pkt := gopacket.NewPacket(p.data, layers.LayerTypeIPv4, gopacket.Default)
		require.Nil(t, pkt.ErrorLayer(), "gopacket decodes every frame")
		ip := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if tcp, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP); ok && ip.SrcIP.String() == "10.0.0.1" && len(tcp.Payload) > 0 {
			assert.True(t, ip.Flags&layers.IPv4DontFragment != 0, "TCP sets DF (RFC 1191)")
			if ip.Length > 1000 {
				bigSegs++
			} else {
				smallSegs++
			}
		}
		ic, ok := pkt.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
		if !ok || ip.DstIP.String() != "10.0.0.1" {
			continue
		}
		s := icmpSeen{src: ip.SrcIP.String(), typ: ic.TypeCode.Type(), code: ic.TypeCode.Code()}
		if s.typ == layers.ICMPv4TypeDestinationUnreachable && s.code == layers.ICMPv4CodeFragmentationNeeded {
			s.mtu = ic.Seq // RFC 1191: the next-hop MTU is the low 16 bits of the second word
		}
		if s.typ != layers.ICMPv4TypeEchoReply {
			q := gopacket.NewPacket(ic.Payload, layers.LayerTypeIPv4, gopacket.Default)
			qip, ok := q.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
			require.True(t, ok, "an ICMP error quotes the datagram's IP header")
			s.quotedDst = qip.DstIP.String()
			if u, ok := q.Layer(layers.LayerTypeUDP).(*layers.UDP); ok {
				s.quotedPort = uint16(u.DstPort)
			}
			if tc, ok := q.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
				s.quotedPort = uint16(tc.DstPort)
			}
		}
		seen = append(seen, s)
	}
	count := func(typ, code uint8, check func(s icmpSeen)) int {
		n := 0
		for _, s := range seen {
			if s.typ == typ && s.code == code {
				n++
				check(s)
			}
		}
		return n
	}
	portUnreach := count(3, 3, func(s icmpSeen) {
		assert.Equal(t, "10.0.1.1", s.src, "the server's stack answers")
		assert.Equal(t, "10.0.1.1", s.quotedDst)
		assert.Equal(t, uint16(9999), s.quotedPort)
	})
	fragNeeded := count(3, 4, func(s icmpSeen) {
		assert.True(t, strings.HasPrefix(s.src, "100."), "r1 answers from its 100.64.0.0/10 address, not %s", s.src)
		assert.Equal(t, uint16(1000), s.mtu)
		assert.Equal(t, uint16(80), s.quotedPort)
	})
	timeExceeded := count(11, 0, func(s icmpSeen) {
		assert.True(t, strings.HasPrefix(s.src, "100."), "a router of the chain answers, not %s", s.src)
		assert.Equal(t, "10.0.2.1", s.quotedDst)
	})
	assert.Positive(t, portUnreach, "a datagram to a closed port gets port unreachable")
	assert.Positive(t, fragNeeded, "a segment too big for the narrow link gets fragmentation needed")
	toFar := 0
	recs := readTrace(t, dir)
	for _, r := range recs {
		if r.Kind == "pkt.send" && r.Subject == "host/client" && r.Dst == "10.0.2.1" {
			toFar++
		}
	}
	assert.Equal(t, 3, toFar, "a datagram and two echo requests")
	assert.Equal(t, toFar, timeExceeded, "every datagram toward far runs out of TTL in the chain")
	assert.Positive(t, smallSegs)
	assert.LessOrEqual(t, bigSegs, 10, "only the first flight is too big (its initial window)")
	sum := readSummary(t, dir)
	require.Len(t, sum.Connections, 1)
	assert.Equal(t, int64(100_000), sum.Connections[0].BytesDelivered, "the transfer completes across the narrow link")

	// The trace agrees: the 64th router of the path drops with reason ttl.
	var ttlDrops []string
	for _, r := range recs {
		if r.Kind == "pkt.drop" && r.Reason == "ttl" {
			ttlDrops = append(ttlDrops, r.Subject)
		}
	}
	// client -> r1 -> c1 ... : r1 is the first router, so c63 the 64th.
	assert.Equal(t, []string{"router/c63", "router/c63", "router/c63"}, ttlDrops)

	tshark := testflags.Program(t, "tshark", "the capture was checked with gopacket only")
	// The ICMP messages to the client; a field of the quoted datagram
	// (an echo request's type inside time exceeded) comes after a ";".
	out, err := exec.Command(tshark, "-r", pcapFile, "-Y", "icmp && ip.dst == 10.0.0.1", "-T", "fields",
		"-E", "separator=,", "-E", "aggregator=;",
		"-e", "icmp.type", "-e", "icmp.code", "-e", "icmp.mtu", "-e", "_ws.expert.severity", "-e", "_ws.malformed").Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, len(seen), "tshark sees the ICMP messages gopacket saw")
	types := map[string]int{}
	for i, line := range lines {
		f := strings.Split(line, ",")
		require.Len(t, f, 5, line)
		f[0], _, _ = strings.Cut(f[0], ";")
		f[1], _, _ = strings.Cut(f[1], ";")
		types[f[0]+"/"+f[1]]++
		assert.Equal(t, fmt.Sprintf("%d/%d", seen[i].typ, seen[i].code), f[0]+"/"+f[1], "ICMP message %d", i)
		if f[0] == "3" && f[1] == "4" {
			assert.Equal(t, "1000", f[2])
		}
		for _, sev := range strings.Split(f[3], ";") {
			// 8388608 is PI_ERROR. Notes and warnings come from TCP's
			// sequence analysis of a quoted segment (it looks like a
			// retransmission) or the quoted TTL of 1: not errors.
			assert.NotEqual(t, "8388608", sev, "ICMP message %d: expert error", i)
		}
		assert.Empty(t, f[4], "ICMP message %d: malformed", i)
	}
	assert.Equal(t, portUnreach, types["3/3"])
	assert.Equal(t, fragNeeded, types["3/4"])
	assert.Equal(t, timeExceeded, types["11/0"])
}

// TestUDPLossOverSeeds: over a link that loses 1% of packets (Bernoulli),
// a CBR flow's measured loss, the mean over 20 seeds of netsim sweep's
// loss_ratio, has a 95% interval (Student's t, as aggregate.csv gives it)
// that contains 1%. Each run sends 2000 datagrams, so each seed's loss
// has a standard deviation of about 0.22 percentage points.
func TestUDPLossOverSeeds(t *testing.T) {
	t.Parallel()
	slow(t)
	scenario := writeScenario(t, "udp-loss.yaml", `version: 1
name: udp-loss
seed: 1
duration: 2100ms
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
links:
  - {name: lossy, between: [a, b], bandwidth: 100Mbps, delay: 5ms, loss: 1%}
apps:
  - {type: udp-sink, host: b, port: 9000}
  - {type: udp-send, host: a, to: b:9000, rate: 1Mbps, size: 125, start: 0s, stop: 2s}
outputs:
  pcap: false
  trace: false
`)
	sweepFile := filepath.Join(filepath.Dir(scenario), "udp-loss-sweep.yaml")
	require.NoError(t, os.WriteFile(sweepFile, []byte(`version: 1
name: udp-loss
base: udp-loss.yaml
grid:
  links[lossy].delay: [5ms]
seeds: 1..20
metrics: [loss]
`), 0o644))
	out := filepath.Join(t.TempDir(), "sweep")
	r := netsim(t, "", "sweep", sweepFile, "--out", out, "--workers", "2")
	require.Equal(t, 0, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	f, err := os.Open(filepath.Join(out, "aggregate.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var found bool
	for _, row := range rows[1:] {
		if row[col["metric"]] != "loss_ratio" {
			continue
		}
		found = true
		num := func(name string) float64 {
			v, err := strconv.ParseFloat(row[col[name]], 64)
			require.NoError(t, err, name)
			return v
		}
		assert.Equal(t, 20.0, num("n"))
		mean, lo, hi := num("mean"), num("ci95_low"), num("ci95_high")
		t.Logf("loss over 20 seeds: mean %.5f, 95%% interval [%.5f, %.5f]", mean, lo, hi)
		assert.LessOrEqual(t, lo, 0.01)
		assert.GreaterOrEqual(t, hi, 0.01)
		assert.Less(t, hi-lo, 0.004, "2000 datagrams a seed pin the loss down to a few tenths of a percent")
		assert.Positive(t, num("stddev"), "the seeds draw different losses")
	}
	assert.True(t, found, "aggregate.csv has loss_ratio")
}
