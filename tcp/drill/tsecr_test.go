package drill_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp/drill"
)

// tsSpy wraps a stack and records the TS val of every segment it sends
// and the TS ecr of every segment injected into it.
type tsSpy struct {
	drill.Stack
	sent, echoed []uint32
}

func (s *tsSpy) Inject(now time.Duration, seg *drill.Segment) {
	if _, ecr, ok := seg.Header.Options.Timestamps(); ok {
		s.echoed = append(s.echoed, ecr)
	}
	s.Stack.Inject(now, seg)
}

func (s *tsSpy) Drain(fn func(seg *drill.Segment)) {
	s.Stack.Drain(func(seg *drill.Segment) {
		if val, _, ok := seg.Header.Options.Timestamps(); ok {
			s.sent = append(s.sent, val)
		}
		fn(seg)
	})
}

// TestInboundEcr: an inbound TS ecr is the stack's TS val in the segment
// whose outbound line wrote that value, as packetdrill maps it
// (get_outbound_ts_val_mapping), not the last one sent: here the first
// SYN's, not its retransmission's. With --tcp_ts_ecr_scaled a value no
// line wrote is moved by the first pair's difference.
func TestInboundEcr(t *testing.T) {
	const head = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
+1 > S 0:0(0) <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 7>
`
	for _, tt := range []struct {
		name, opt string
		ecr       uint32
		want      func(sent []uint32) uint32
	}{
		{"exact", "", 100, func(sent []uint32) uint32 { return sent[0] }},
		{"scaled", "--tcp_ts_ecr_scaled\n", 40, func(sent []uint32) uint32 { return sent[0] - 60 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.opt + head + "+.01 < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 7 ecr " +
				strconv.Itoa(int(tt.ecr)) + ",nop,wscale 7>\n"
			s, err := drill.Parse(tt.name+".pkt", []byte(src))
			require.NoError(t, err)
			spy := &tsSpy{Stack: newStack(t)}
			rc := drill.DefaultRunConfig()
			rc.QueueUnmatched = true
			require.NoError(t, drill.Run(s, spy, rc))
			require.GreaterOrEqual(t, len(spy.sent), 2)
			require.NotEqual(t, spy.sent[0], spy.sent[1], "the retransmitted SYN has a later TS val")
			require.Equal(t, []uint32{tt.want(spy.sent)}, spy.echoed)
		})
	}
}
