package drill_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/netsimlab/netsim/tcp/drill"
)

// TestReport: a mismatch shows the script's packet and the actual one in
// the same notation, with the time difference; a timing error shows the
// actual time.
func TestReport(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"flags", `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS
+0 > S. 0:0(0) <...>`, []string{
			"t.pkt:4: error handling packet: flags S, want S.\n",
			"script packet:  0.000000 S. 0:0(0) <...>\n",
			"actual packet:  0.000000 S 0:0(0) win 64240 <mss 1460,sackOK,TS val ",
			"time difference: +0.000000 s (actual - script)\n"}},
		{"timing", `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS
+0 > S 0:0(0) <...>
+2 > S 0:0(0) <...>`, []string{
			"t.pkt:5: error handling packet: segment sent at 1.000000, expected at 2.000000 (tolerance 4ms)\n",
			"script packet:  2.000000 S 0:0(0) <...>\n",
			"actual packet:  1.000000 S 0:0(0) win 64240",
			"time difference: -1.000000 s (actual - script)\n"}},
		{"syscall", `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 1`, []string{
			"t.pkt:2: error handling system call: fcntl returned 0, want 1\n",
			"script line:    +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 1\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := failureReport(t, "t.pkt", tt.src)
			for _, w := range tt.want {
				assert.Contains(t, report, w)
			}
			assert.NotContains(t, report, "192.168.0.1")
		})
	}
	var b bytes.Buffer
	drill.Report(&b, nil, &drill.ParseError{File: "x.pkt", Line: 2, Col: 3, Msg: "bad"}, nil, drill.DefaultRunConfig())
	assert.Equal(t, "x.pkt:2:3: bad\n", b.String())
}
