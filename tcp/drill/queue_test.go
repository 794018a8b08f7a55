package drill_test

import (
	"testing"

	"github.com/netsimlab/netsim/internal/testutil"
	"github.com/netsimlab/netsim/tcp/drill"
)

// TestQueueUnmatched: with RunConfig.QueueUnmatched (packetdrill's rule) a
// segment no line lists waits for the next outbound line and is not
// checked if none comes; by default it fails the script at once.
func TestQueueUnmatched(t *testing.T) {
	const open = testutil.PassiveOpenScript + `// Data the script does not show being ACKed.
+.1 < P. 1:101(100) ack 1 win 500
`
	tests := []struct {
		name, rest string
		queue      bool
		want       string
	}{
		{"strict: the ACK nobody listed fails the next line", "+0 read(4, ..., 100) = 100\n", false, "unexpected outbound segment at 0.200000"},
		{"queued: left unread at the end", "+0 read(4, ..., 100) = 100\n", true, ""},
		{"queued: an inbound line does not check it", "+0 read(4, ..., 100) = 100\n+.01 < P. 101:201(100) ack 1 win 500\n", true, ""},
		{"queued: the next outbound line reads it first", "+0 read(4, ..., 100) = 100\n+.1 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 101\n", true, "segment sent at 0.200000, expected at 0.300000"},
		{"queued: listed, it matches", "+0 > . 1:1(0) ack 101\n+0 read(4, ..., 100) = 100\n", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := drill.DefaultRunConfig()
			rc.QueueUnmatched = tt.queue
			requireMismatch(t, runScript(t, "queue.pkt", open+tt.rest, rc), tt.want)
		})
	}
}

// TestQueueUnmatchedOtherConnection: with QueueUnmatched, segments waiting
// from an earlier connection (a FIN no line lists) do not stand in the way
// of the next connection's: packetdrill's sniffer only sees the socket
// under test. A segment of the connection itself still does.
func TestQueueUnmatchedOtherConnection(t *testing.T) {
	const first = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <...>
+.01 < S. 0:0(0) ack 1 win 65535 <mss 1460>
+0 > . 1:1(0) ack 1
// Its FIN is not listed.
+.01 close(3) = 0
`
	const second = `+.01 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <...>
`
	rc := drill.DefaultRunConfig()
	rc.QueueUnmatched = true
	requireMismatch(t, runScript(t, "other.pkt", first+second, rc), "")
	// The same FIN waiting for a line of its own connection fails it.
	requireMismatch(t, runScript(t, "same.pkt", first+"+.01 > . 1:1(0) ack 1\n", rc), "segment sent at 0.020000, expected at 0.030000")
}
