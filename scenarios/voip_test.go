package scenarios

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
	"github.com/netsimlab/netsim/sim"
)

// exampleChecks are assertions on an example's run beyond its expect
// entries and its trace hash, run by TestExamples on the records it
// already has.
var exampleChecks = map[string]func(t *testing.T, recs []sim.Record){
	"voip-vs-bulk": checkVoipVsBulk,
}

// voipNumbersFile holds voip-vs-bulk's flows.csv, its ping summary and its
// path-MTU discovery counts, refreshed with -update like the trace hashes.
const voipNumbersFile = "testdata/voip-vs-bulk-numbers.txt"

// checkVoipVsBulk: what docs/udp-icmp.md says of the example holds.
// Physics first: the voice flow's fastest datagram crossed the idle path
// (160 bytes of payload + 8 UDP + 20 IPv4 = 188 bytes, serialized at 100,
// 10 and 100 Mbit/s, plus 12 ms of propagation), and the first ping's RTT
// is twice that for an 84-byte datagram. Path-MTU discovery: router r1
// drops the first flight's 1500-byte segments (reason mtu) and answers
// each with fragmentation needed, the client resends them (reason pmtu),
// and every data segment after the first report fits the 1400-byte link.
// Then the numbers (delays, jitter, losses, RTTs) are the golden ones.
func checkVoipVsBulk(t *testing.T, recs []sim.Record) {
	s := Summarize(recs)
	require.GreaterOrEqual(t, len(s.Flows), 2)
	voice := s.Flows[0]
	require.Equal(t, "udp", voice.Proto)
	ser := func(bytes int64, bps float64) int64 { return int64(float64(bytes*8) / bps * 1e9) }
	idle := 2*ser(188, 100e6) + ser(188, 10e6) + int64(12*time.Millisecond)
	assert.Equal(t, idle, voice.DelayMin, "the voice flow's first datagrams cross the idle path")
	require.NotEmpty(t, s.Pings)
	assert.Equal(t, 2*(2*ser(84, 100e6)+ser(84, 10e6)+int64(12*time.Millisecond)), s.Pings[0].RTTMin)
	// The queue of 100 packets (about 1400 bytes each at 10 Mbit/s, 112
	// ms) is what the voice flow waits behind.
	assert.Greater(t, voice.DelayP99, int64(100*time.Millisecond))

	var mtuDrops, fragNeeded, pmtuResends, bigAfter int
	var reported bool
	for i := range recs {
		r := &recs[i]
		switch e := r.Event.(type) {
		case *sim.PacketDrop:
			if r.Subject == "router/r1" && e.Reason == sim.DropMTU {
				mtuDrops++
			}
		case *sim.PacketSend:
			if r.Subject == "router/r1" && e.Proto == 1 {
				fragNeeded++
				reported = true
			}
			if r.Subject == "host/client" && e.PLen > 0 && reported && e.Len > 1400 {
				bigAfter++
			}
		case *sim.TCPRetransmit:
			if e.Reason == "pmtu" {
				pmtuResends++
			}
		}
	}
	assert.Equal(t, 10, mtuDrops, "the initial window of 10 full-size segments")
	assert.Equal(t, mtuDrops, fragNeeded, "each dropped segment is answered (fragmentation needed is not rate-limited)")
	assert.Positive(t, pmtuResends)
	// A segment sent before the first report arrived may still be too big;
	// a few are, while the report is on its way back.
	assert.LessOrEqual(t, bigAfter, mtuDrops)

	var b bytes.Buffer
	b.Write(FlowsCSV(s.Flows))
	for _, p := range s.Pings {
		fmt.Fprintf(&b, "ping %s -> %s: %d/%d received, rtt min/avg/max/mdev %d/%.0f/%d/%.0f ns\n",
			p.Host, p.To, p.Received, p.Transmitted, p.RTTMin, p.RTTAvg, p.RTTMax, p.RTTMdev)
	}
	fmt.Fprintf(&b, "pmtu: %d segments dropped at r1 (mtu), %d fragmentation needed, %d resends (pmtu)\n", mtuDrops, fragNeeded, pmtuResends)
	if testflags.Update() {
		require.NoError(t, os.WriteFile(voipNumbersFile, b.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(filepath.Clean(voipNumbersFile))
	require.NoError(t, err, "go test ./scenarios -run TestExamples -update writes it")
	assert.Equal(t, string(want), b.String(), "voip-vs-bulk's numbers moved (docs/udp-icmp.md quotes them): if on purpose, go test ./scenarios -run TestExamples -update and update the docs")
}
