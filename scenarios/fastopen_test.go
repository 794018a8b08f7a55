package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// fastOpenYAML is three request-response exchanges, each on a new
// connection, over a 10 ms link (a 20 ms round trip), with fastopen set
// on both apps and the hosts' fastopen setting as given.
func fastOpenYAML(mask string) string {
	return `version: 1
name: fastopen
duration: 2s
defaults:
  tcp: {fastopen: ` + mask + `}
hosts:
  client: {}
  server: {}
links:
  - {between: [client, server], bandwidth: 100Mbps, delay: 10ms}
apps:
  - {type: request-response, host: server, port: 80, request: 500, response: 2KB, fastopen: true}
  - {type: request-response, host: client, to: server:80, request: 500, response: 2KB, count: 3, think: 100ms, fastopen: true}
`
}

// With Fast Open, the first connection gets the server's cookie in its
// SYN-ACK and its exchange takes two round trips (handshake, then the
// request); the next connections send the request in the SYN and the
// server answers at once: one round trip. To the nanosecond: 20 ms of
// propagation, the 572-byte SYN with the request (45.76 us at 100
// Mbit/s) and the SYN-ACK, 1500- and 604-byte segments of the response
// back to back (173.12 us). The summary counts the SYN's data as
// acknowledged. With the hosts' server bit off (fastopen: 1, as Linux's
// default) no SYN carries data and every exchange takes two round trips;
// a warning says why, at the server's fastopen key.
func TestFastOpenRequestResponse(t *testing.T) {
	for _, tc := range []struct {
		mask      string
		synData   int
		latencies []time.Duration
	}{
		{"3", 2, []time.Duration{40231680, 20218880, 20218880}},
		{"1", 0, []time.Duration{40230720, 40230720, 40230720}},
	} {
		t.Run("fastopen="+tc.mask, func(t *testing.T) {
			s, err := Parse("fastopen.yaml", []byte(fastOpenYAML(tc.mask)))
			require.NoError(t, err)
			if tc.mask == "1" {
				require.Len(t, s.Warnings, 1)
				assert.Contains(t, s.Warnings[0].Error(), "fastopen.yaml:12:93: warning: apps[0].fastopen:")
				assert.Contains(t, s.Warnings[0].Error(), "host server's fastopen setting 0x1 has no server bit")
			} else {
				assert.Empty(t, s.Warnings)
			}
			recs, _ := recordRun(t, s)
			sum := NewSummarizer()
			synData := 0
			var latencies []time.Duration
			for i := range recs {
				sum.Emit(&recs[i])
				switch e := recs[i].Event.(type) {
				case *sim.PacketSend:
					if e.Flags.Has(sim.TCPFlagSYN) && e.PLen > 0 {
						synData++
						assert.Equal(t, 500, e.PLen, "the whole request rides on the SYN")
					}
				case *sim.App:
					if e.Event == sim.AppResponse {
						latencies = append(latencies, e.Latency)
					}
				}
			}
			assert.Equal(t, tc.synData, synData)
			assert.Equal(t, tc.latencies, latencies)
			for _, c := range sum.Summary().Conns {
				assert.Equal(t, int64(500), c.BytesAcked, "conn %d", c.ID)
			}
		})
	}
}

// A client's fastopen: true does nothing when the server it connects to
// has no Fast Open listener (no cookie ever comes back): a warning says
// so at the client's key.
func TestFastOpenWarnsWithoutListener(t *testing.T) {
	s, err := Parse("f.yaml", []byte(`version: 1
name: f
duration: 1s
defaults: {tcp: {fastopen: 3}}
hosts: {c: {}, s: {}}
links: [{between: [c, s], bandwidth: 1Gbps}]
apps:
  - {type: request-response, host: s, port: 80, request: 1, response: 1}
  - {type: request-response, host: c, to: s:80, request: 1, response: 1, fastopen: true}
`))
	require.NoError(t, err)
	require.Len(t, s.Warnings, 1)
	assert.Equal(t, "f.yaml:9:84: warning: apps[1].fastopen: no Fast Open listener on s:80: its SYN-ACKs carry no cookie and take no data from a SYN, so Fast Open gains nothing (fastopen: true on the app that listens on s:80)", s.Warnings[0].Error())
}

// A server host whose fastopen setting has 0x400 with the server bit
// gives every listener a Fast Open queue, fastopen: true or not (Linux's
// inet_listen with TFO_SERVER_WO_SOCKOPT1): no warning then.
func TestFastOpenAnyListenerNoWarning(t *testing.T) {
	s, err := Parse("f.yaml", []byte(`version: 1
name: f
duration: 1s
hosts: {c: {}, s: {tcp: {fastopen: 0x402}}}
links: [{between: [c, s], bandwidth: 1Gbps}]
apps:
  - {type: request-response, host: s, port: 80, request: 1, response: 1}
  - {type: request-response, host: c, to: s:80, request: 1, response: 1, fastopen: true, count: 2}
`))
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)
}
