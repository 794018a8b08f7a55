package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// chainOutage is a bulk transfer across a - r1 - r2 - b whose middle link
// is down from 2 s to 8 s: r1 answers what it cannot forward with ICMP
// host unreachable (docs/udp-icmp.md).
const chainOutage = `version: 1
name: chain-outage
duration: 9500ms
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.3.1}
routers: {r1: {}, r2: {}}
links:
  - {between: [a, r1], bandwidth: 100Mbps, delay: 10ms}
  - {name: mid, between: [r1, r2], bandwidth: 100Mbps, delay: 10ms}
  - {between: [r2, b], bandwidth: 100Mbps, delay: 10ms}
apps:
  - {type: sink, host: b, port: 80}
  - {type: bulk-send, host: a, to: b:80, bytes: 20MB}
faults:
  - {at: 2s, link: mid, down: true}
  - {at: 8s, link: mid, up: true}
`

// The host unreachables r1 sends during an outage undo a backoff of a's
// retransmission timer each (RFC 6069, Linux's tcp_ld_RTO_revert), so the
// transfer resends within one unbacked RTO of the link coming back. It
// resent only at 10.2 s without the revert: the timer had doubled to
// 4.2 s during the six-second outage.
func TestUnreachableRevertsRTOBackoff(t *testing.T) {
	s, err := Parse("chain.yaml", []byte(chainOutage))
	require.NoError(t, err)
	records, _ := recordRun(t, s)
	up := sim.FromDuration(8 * time.Second)
	unreach, firstAfter := 0, sim.Time(0)
	for _, r := range records {
		switch e := r.Event.(type) {
		case *sim.PacketSend:
			if r.Subject == "router/r1" && e.Proto == 1 && r.T > sim.FromDuration(2*time.Second) {
				unreach++
			}
		case *sim.TCPRetransmit:
			if r.Subject == "host/a" && e.Reason == "rto" && r.T >= up && firstAfter == 0 {
				firstAfter = r.T
			}
		}
	}
	assert.Greater(t, unreach, 6, "r1 answers the outage with host unreachables, past its burst of 6")
	require.NotZero(t, firstAfter, "a resends after the link is back")
	assert.Less(t, firstAfter.Sub(up), 1200*time.Millisecond, "within one reverted RTO (1.04 s) of the link's return")
}
