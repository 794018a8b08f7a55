package drillstack

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testutil"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp/drill"
)

// The host implements the system calls' socket API through the adapter.
var _ drill.Sockets = sockets{}

func run(t *testing.T, src string, o Options) error {
	t.Helper()
	s, err := drill.Parse("t.pkt", []byte(src))
	require.NoError(t, err)
	return Run(s, o)
}

// TestPollWithoutTimeout: a poll that waits forever (timeout -1) blocks
// until data arrives, and adds no deadline of its own.
func TestPollWithoutTimeout(t *testing.T) {
	src := testutil.PassiveOpenScript + `+0...0.2 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, -1) = 1
+.2 < P. 1:11(10) ack 1 win 500
+0 > . 1:1(0) ack 11
+0 read(4, ..., 10) = 10
`
	o := DefaultOptions()
	o.Run.MaxWait = 10 * time.Second
	require.NoError(t, run(t, src, o))
	// Without the data it never returns.
	src = testutil.PassiveOpenScript + `+0 poll([{fd=4, events=POLLIN}], 1, -1) = 1
`
	require.ErrorContains(t, run(t, src, o), "blocking call never returned")
}

// TestTraceAndCapture: a run writes the host's records and a pcap of its
// interface, one record per datagram each way.
func TestTraceAndCapture(t *testing.T) {
	var rec sim.Recorder
	var pcap bytes.Buffer
	o := DefaultOptions()
	o.Trace, o.Capture = &rec, &pcap
	require.NoError(t, run(t, testutil.PassiveOpenScript, o))
	kinds := map[sim.Kind]int{}
	for _, r := range rec.Records {
		kinds[r.Kind()]++
	}
	assert.Positive(t, kinds[sim.KindTCPState], "state changes traced")
	// The pcap header (24 bytes) and three datagrams: SYN, SYN-ACK, ACK.
	assert.Greater(t, pcap.Len(), 24+3*16)
}

// TestSyscallErrorsAreErrnos: a socket error reaches the script as its
// errno; a call netsim does not model is an error, not a result.
func TestSyscallErrorsAreErrnos(t *testing.T) {
	o := DefaultOptions()
	require.NoError(t, run(t, "0 close(7) = -1 EBADF (Bad file descriptor)\n", o))
	require.NoError(t, run(t, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 read(3, ..., 10) = -1 ENOTCONN\n", o))
	err := run(t, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 sendfile(3, 5, [0], 10) = 10\n", o)
	require.ErrorContains(t, err, "t.pkt:2: sendfile: drill: unsupported: system call sendfile is not implemented")
}
