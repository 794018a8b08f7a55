package drill_test

import (
	"testing"

	"github.com/netsimlab/netsim/tcp/drill"
)

// TestQueueUnmatched: with RunConfig.QueueUnmatched (packetdrill's rule) a
// segment no line lists waits for the next outbound line and is not
// checked if none comes; by default it fails the script at once.
func TestQueueUnmatched(t *testing.T) {
	const open = passiveOpen + `// Data the script does not show being ACKed.
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
