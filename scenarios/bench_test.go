package scenarios

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// bigScenario returns a scenario of n hosts (addresses assigned), one
// router per 100 hosts on a chain, a link per host and a sink/bulk-send
// pair per 2 hosts.
func bigScenario(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nname: big\nduration: 10s\nhosts:\n")
	for i := range n {
		fmt.Fprintf(&b, "  h%d: {}\n", i)
	}
	routers := (n + 99) / 100
	b.WriteString("routers:\n")
	for r := range routers {
		fmt.Fprintf(&b, "  r%d: {}\n", r)
	}
	b.WriteString("links:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {between: [h%d, r%d], bandwidth: 100Mbps, delay: 1ms, loss: 0.1%%}\n", i, i/100)
	}
	for r := 1; r < routers; r++ {
		fmt.Fprintf(&b, "  - {between: [r%d, r%d], bandwidth: 1Gbps, delay: 5ms, queue: {kind: droptail, limit: 1MiB}}\n", r-1, r)
	}
	b.WriteString("apps:\n")
	for i := 0; i+1 < n; i += 2 {
		fmt.Fprintf(&b, "  - {type: sink, host: h%d, port: 80}\n  - {type: bulk-send, host: h%d, to: h%d:80, bytes: 1MB}\n", i+1, i, i+1)
	}
	return []byte(b.String())
}

func TestLoadBig(t *testing.T) {
	s, err := Parse("big.yaml", bigScenario(1000))
	require.NoError(t, err)
	require.Len(t, s.Hosts, 1000)
	require.Equal(t, "10.0.3.238", s.Hosts[999].Address.String(), "addresses skip .0 and .255")
}

// BenchmarkLoad10000Hosts loads and validates a 10,000-host scenario; the
// issue asks for under a second.
//
//	go test ./scenarios -run '^$' -bench Load10000 -benchtime 3x
func BenchmarkLoad10000Hosts(b *testing.B) {
	data := bigScenario(10000)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Parse("big.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBulkTransfer runs bulk-transfer.yaml and reports simulated
// events per wall-clock second, the figure docs/performance.md quotes: with the
// JSONL trace hashed (as netsim run does, minus the disk) and, as the
// baseline of the same run, with no trace at all.
//
//	go test ./scenarios -run '^$' -bench BulkTransfer -benchtime 20x
func BenchmarkBulkTransfer(b *testing.B) {
	s, err := Load("bulk-transfer.yaml")
	require.NoError(b, err)
	for _, bc := range []struct {
		name  string
		trace func() sim.Sink
	}{
		{"trace=none", func() sim.Sink { return nil }},
		{"trace=jsonl", func() sim.Sink { return sim.NewJSONLWriter(io.Discard) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			reportEventRate(b, s, bc.trace)
		})
	}
}

// bbrLargeWindow is a BBR bulk flow over a 2 Gbit/s, 50 ms bottleneck with
// a 3,000-packet queue and 256 MB buffers: its window grows to tens of
// thousands of segments, BBR's probing overflows the queue, and SACK
// recovery then runs with thousands of holes on the scoreboard.
const bbrLargeWindow = `version: 1
name: bbr-large-window
seed: 1
duration: 2.6s
defaults:
  tcp: {congestion: bbr, send_buffer_max: 256MB, recv_buffer_max: 256MB}
hosts:
  client: {address: 10.0.0.1}
  server: {address: 10.0.1.1}
routers:
  r1: {}
links:
  - {between: [client, r1], bandwidth: 10Gbps, delay: 1ms}
  - name: bottleneck
    between: [r1, server]
    bandwidth: 2Gbps
    delay: 50ms
    loss: 0.0001
    queue: {kind: droptail, limit: 3000}
apps:
  - {type: sink, host: server, port: 5001}
  - {type: bulk-send, host: client, to: server:5001, start: 0s, bytes: 2GB}
outputs: {pcap: false, trace: false}
`

// BenchmarkBBRLargeWindowRecovery runs bbrLargeWindow with no trace and
// reports simulated events per wall-clock second: the case where RFC 6675
// SetPipe, walking every hole for each segment sent, took half the CPU
// (docs/performance.md).
//
//	go test ./scenarios -run '^$' -bench BBRLargeWindow -benchtime 1x -count 3
func BenchmarkBBRLargeWindowRecovery(b *testing.B) {
	s, err := Parse("bbr-large-window.yaml", []byte(bbrLargeWindow))
	require.NoError(b, err)
	reportEventRate(b, s, func() sim.Sink { return nil })
}

// reportEventRate builds and runs s with the sink trace makes once per
// iteration, and reports simulated events per wall-clock second.
func reportEventRate(b *testing.B, s *Scenario, trace func() sim.Sink) {
	b.Helper()
	var events uint64
	for b.Loop() {
		w, err := Build(s, BuildOptions{Seed: s.Seed, Trace: trace()})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Run(0, nil); err != nil {
			b.Fatal(err)
		}
		events += w.Events()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
