package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/scenarios"
)

// TestKeepaliveTimeoutReported: an idle connection with keepalive on
// whose link goes down fails with ETIMEDOUT when Linux's would, the last
// segment heard + keepalive_time + keepalive_probes × keepalive_intvl,
// and netsim run says so: the connection line and summary.json name the
// error of the end that failed, and its unanswered probes are not
// counted as retransmissions.
func TestKeepaliveTimeoutReported(t *testing.T) {
	path := writeScript(t, "ka.yaml", `version: 1
name: ka
duration: 60s
hosts:
  client: {address: 10.0.0.1, tcp: {keepalive: true, keepalive_time: 10s, keepalive_intvl: 2s, keepalive_probes: 3}}
  server: {address: 10.0.0.2}
links:
  - {name: l, between: [client, server], bandwidth: 10Mbps, delay: 5ms}
apps:
  - {type: request-response, host: server, port: 80, request: 100, response: 100}
  - {type: request-response, host: client, to: server:80, request: 100, response: 100, count: 2, think: 1h, persistent: true}
faults:
  - {at: 5s, link: l, down: true}
outputs: {pcap: false}
`)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli(t, "run", path, "--out", out)
	require.Equal(t, 0, code, stderr)
	// The response arrives at 20.4224 ms (5 ms and 84 µs each way, twice,
	// behind the handshake); probes at +10 s, +12 s, +14 s; the fourth
	// expiry, 2 s after the third probe, gives up.
	assert.Contains(t, stdout, "16.020422400s  client/request-response  connection failed: ETIMEDOUT")
	assert.Contains(t, stdout, "client CLOSED (ETIMEDOUT), server ESTABLISHED; sent 100 B, acked 100 B, delivered 100 B, 0 retransmits")
	assert.Contains(t, stdout, "app client/request-response: connection failed: ETIMEDOUT, once at 16.020422400s\n")
	sum := readSummary(t, out)
	require.Len(t, sum.Conns, 1)
	assert.Equal(t, map[string]string{"client": "ETIMEDOUT"}, sum.Conns[0].Errors)
	assert.Equal(t, int64(0), sum.Conns[0].Retransmits)
	assert.Equal(t, []scenarios.AppError{{App: "client/request-response", Call: "connection", Errno: "ETIMEDOUT",
		Count: 1, First: 16_020_422_400}}, sum.AppErrors)
}
