package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
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
	// One line per packet: its number, whether it is malformed, the
	// checksum statuses (Wireshark: 0 bad, 1 good, 2 unverified).
	cmd := exec.Command(tshark, "-r", pcap, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
		"-T", "fields", "-e", "frame.number", "-e", "_ws.malformed", "-e", "ip.checksum.status", "-e", "tcp.checksum.status")
	b, err := cmd.Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Greater(t, len(lines), 10, "packets in the capture")
	for _, l := range lines {
		f := strings.Split(l, "\t")
		require.Len(t, f, 4, l)
		assert.Empty(t, f[1], "malformed: %s", l)
		assert.Equal(t, "1", f[2], "ip checksum: %s", l)
		assert.Equal(t, "1", f[3], "tcp checksum: %s", l)
	}
}
