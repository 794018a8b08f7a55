package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
	"github.com/netsimlab/netsim/internal/testutil"
)

// TestCapturesOpenInTshark: the pcaps netsim run writes open in tshark, the
// reference decoder, with every packet well formed and every IPv4 and TCP
// checksum valid (the contract's pcap row). A long check: e2e's
// TestCaptures reads the same captures of partition.yaml with tshark in the
// quick run. Skipped without tshark.
func TestCapturesOpenInTshark(t *testing.T) {
	testflags.SkipUnlessLong(t, "tshark over the captures of netsim run; e2e TestCaptures covers them in the quick run")
	tshark := testflags.Program(t, "tshark", "the captures are not checked (Debian package tshark)")
	out := t.TempDir()
	code, _, stderr := cli(t, "run", "../../scenarios/partition.yaml", "--out", out, "--until", "400ms")
	require.NotEqual(t, exitUsage, code, stderr)
	pcap := filepath.Join(out, "pcap", "r1-eth0.pcap")
	// One row per packet: its number, whether it is malformed, the
	// checksum statuses (Wireshark: 0 bad, 1 good, 2 unverified).
	rows := testutil.TsharkFields(t, tshark, pcap, "frame.number", "_ws.malformed", "ip.checksum.status", "tcp.checksum.status")
	require.Greater(t, len(rows), 10, "packets in the capture")
	for _, f := range rows {
		require.Len(t, f, 4, f)
		assert.Empty(t, f[1], "malformed: %v", f)
		assert.Equal(t, "1", f[2], "ip checksum: %v", f)
		assert.Equal(t, "1", f[3], "tcp checksum: %v", f)
	}
}
