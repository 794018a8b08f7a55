package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// congestionAppYAML is a dumbbell whose first sender picks BBR and second
// DCTCP by the apps' congestion key (TCP_CONGESTION), and whose third
// keeps its host's CUBIC, through a 20 Mbit/s bottleneck.
const congestionAppYAML = `version: 1
name: cc
duration: 1s
topology:
  - {kind: dumbbell, pairs: 3, prefix: db, access: {bandwidth: 1Gbps, delay: 1ms},
     bottleneck: {bandwidth: 20Mbps, delay: 5ms, queue: {limit: 100}}}
apps:
  - {type: sink, host: db-right-1, port: 80}
  - {type: sink, host: db-right-2, port: 80, congestion: dctcp}
  - {type: sink, host: db-right-3, port: 80}
  - {type: bulk-send, host: db-left-1, to: db-right-1:80, bytes: 200kB, congestion: bbr}
  - {type: bulk-send, host: db-left-2, to: db-right-2:80, bytes: 200kB, congestion: dctcp}
  - {type: bulk-send, host: db-left-3, to: db-right-3:80, bytes: 200kB}
`

// TestAppCongestion: an app's congestion key gives its connections that
// congestion control and no other app's: only the first sender's
// connection leaves BBR records, only the second's SYN asks for ECN
// (DCTCP needs it; the hosts' ecn setting only accepts it), and all three
// transfers complete.
func TestAppCongestion(t *testing.T) {
	s, err := Parse("cc.yaml", []byte(congestionAppYAML))
	require.NoError(t, err)
	recs, _ := recordRun(t, s)
	bbr := map[string]bool{}
	ecnSYN := map[string]bool{}
	sum := NewSummarizer()
	for i := range recs {
		sum.Emit(&recs[i])
		switch e := recs[i].Event.(type) {
		case *sim.TCPBBR:
			bbr[recs[i].Subject] = true
		case *sim.PacketSend:
			const ecnSetup = sim.TCPFlagSYN | sim.TCPFlagECE | sim.TCPFlagCWR
			if e.Flags&ecnSetup == ecnSetup {
				ecnSYN[recs[i].Subject] = true
			}
		}
	}
	assert.Equal(t, map[string]bool{"host/db-left-1": true}, bbr, "BBR records")
	assert.Equal(t, map[string]bool{"host/db-left-2": true}, ecnSYN, "SYNs asking for ECN")
	conns := sum.Summary().Conns
	require.Len(t, conns, 3)
	for _, c := range conns {
		assert.Equal(t, int64(200_000), c.BytesAcked, "conn %d", c.ID)
	}
}

// TestAppCongestionErrors: a congestion control netsim does not have, or
// the key on an app that opens no TCP connection, is an error at its
// place.
func TestAppCongestionErrors(t *testing.T) {
	_, err := Parse("cc.yaml", []byte(`version: 1
name: cc
duration: 1s
hosts: {a: {}, b: {}}
links: [{between: [a, b], bandwidth: 1Gbps}]
apps:
  - {type: sink, host: b, port: 80, congestion: westwood}
  - {type: udp-sink, host: b, port: 90, congestion: bbr}
`))
	require.Error(t, err)
	assert.Equal(t, `cc.yaml:7:49: apps[0].congestion: unknown value "westwood" (one of: bbr, cubic, dctcp, newreno, reno, vegas)
cc.yaml:8:41: apps[1]: unknown key "congestion" for a udp-sink app (allowed keys: type, host, port, start)`, err.Error())
}
