package drill_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp/drill"
)

// TestReportPeerISN: the report and the verbose log number the peer's
// side from its ISN, as the script does (here 5000): our ACK and SACK
// blocks, and the peer's segments after its SYN; the SYN itself and the
// ACK of our SYN-ACK stay absolute.
func TestReportPeerISN(t *testing.T) {
	src := `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 5000:5000(0) win 65535 <mss 1460,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 5001 <mss 1460,nop,nop,sackOK,nop,wscale 7>
+.1 < . 1:1(0) ack 1 win 502
+.1 < . 1001:2001(1000) ack 1 win 502
+0 > . 1:1(0) ack 1 <nop,nop,sack 1001:3001>
`
	report := failureReport(t, "peer-isn.pkt", src)
	require.Contains(t, report, "actual packet:  0.200000 . 1:1(0) ack 1 win 501 <nop,nop,sack 1001:2001>\n")

	var log strings.Builder
	s, err := drill.Parse("peer-isn.pkt", []byte(src))
	require.NoError(t, err)
	require.Error(t, drill.Run(s, drill.NewRecorder(newStack(t), &log), drill.DefaultRunConfig()))
	require.Contains(t, log.String(), "0.000000 < S 5000:5000(0) win 65535")
	require.Contains(t, log.String(), "0.000000 > S. 0:0(0) ack 5001 win")
	require.Contains(t, log.String(), "0.200000 < . 1001:2001(1000) ack 1 win 502\n")
}
