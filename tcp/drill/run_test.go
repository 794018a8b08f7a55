package drill_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/netsimlab/netsim/tcp/drill"
	"github.com/stretchr/testify/require"
)

// TestRunnerCatchesMismatch: the runner must fail a script whose
// expectations the stack does not meet, naming the line.
func TestRunnerCatchesMismatch(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"wrong flags", `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 connect(3, ..., ...) = -1 EINPROGRESS
+0 > S. 0:0(0) <...>`, "flags S, want S."},
		{"missing fcntl nonblock", `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = 0`, "connect returned -1 EINPROGRESS, want 0"},
		{"late segment", `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS
+0 > S 0:0(0) <...>
+0.5 > S 0:0(0) <...>`, "expected an outbound segment by 0.504000; none was sent"},
		{"unexpected", `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS
+0.1 < S. 0:0(0) ack 1 win 1000`, "unexpected outbound segment"},
		{"wrong options", `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS
+0 > S 0:0(0) <mss 1460,nop,wscale 7>`, "options <mss 1460,sackOK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := drill.Parse(tt.name+".pkt", []byte(tt.src))
			require.NoError(t, err)
			rc := drill.DefaultRunConfig()
			st := newStack(t)
			err = drill.Run(s, st, rc)
			require.Error(t, err)
			require.True(t, errors.Is(err, drill.ErrMismatch), "%v", err)
			require.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestBlockingCallEnd: a "...END" call must return at END.
func TestBlockingCallEnd(t *testing.T) {
	src := `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0...%s connect(3, ..., ...) = 0
+0 > S 0:0(0) <...>
+.1 < S. 0:0(0) ack 1 win 65535 <mss 1460>
+0 > . 1:1(0) ack 1
`
	for _, tt := range []struct {
		end string
		ok  bool
	}{{"0.1", true}, {"0.3", false}} {
		s, err := drill.Parse("end.pkt", []byte(fmt.Sprintf(src, tt.end)))
		require.NoError(t, err)
		rc := drill.DefaultRunConfig()
		err = drill.Run(s, newStack(t), rc)
		if tt.ok {
			require.NoError(t, err)
		} else {
			require.ErrorContains(t, err, "connect returned at 0.100000, expected at 0.300000")
		}
	}
}
