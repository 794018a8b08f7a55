package drill

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/netsimlab/netsim/tcp"
	"github.com/stretchr/testify/require"
)

// transitions lists, per script, the states the first connection goes
// through: together they cover every transition of the RFC 9293 §3.3.2
// diagram that a socket API can reach.
var transitions = map[string]string{
	"server-basic.pkt":             "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED",
	"connect-refused.pkt":          "CLOSED>SYN-SENT>CLOSED",
	"connect-timeout.pkt":          "CLOSED>SYN-SENT>CLOSED",
	"simultaneous-open.pkt":        "CLOSED>SYN-SENT>SYN-RECEIVED>ESTABLISHED",
	"simultaneous-close.pkt":       "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT>CLOSED",
	"time-wait.pkt":                "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT>CLOSED",
	"fin-ack-together.pkt":         "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT",
	"half-close-client.pkt":        "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT",
	"rst-syn-received.pkt":         "CLOSED>LISTEN>SYN-RECEIVED>CLOSED",
	"rst-established.pkt":          "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED",
	"rst-fin-wait-1.pkt":           "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSED",
	"rst-fin-wait-2.pkt":           "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>CLOSED",
	"rst-close-wait.pkt":           "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>CLOSED",
	"rst-closing.pkt":              "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSING>CLOSED",
	"rst-last-ack.pkt":             "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED",
	"rst-time-wait.pkt":            "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT>CLOSED",
	"close-unread-data.pkt":        "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED",
	"synack-timeout.pkt":           "CLOSED>LISTEN>SYN-RECEIVED>CLOSED",
	"fin-wait-2-timeout-quiet.pkt": "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>CLOSED",
}

// TestScripts runs every tcp/testdata/*.pkt script against tcp.Conn and
// checks the state transitions listed for it.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("../testdata/*.pkt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	seen := 0
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			path := "CLOSED"
			_, err := RunFileStack(f, tcp.DefaultConfig(), func(conn int, e tcp.Event) {
				if conn == 0 && e.Kind == tcp.EvStateChange {
					path += ">" + e.To.String()
				}
			})
			require.NoError(t, err)
			if want, ok := transitions[name]; ok {
				seen++
				require.Equal(t, want, path)
			}
		})
	}
	require.Equal(t, len(transitions), seen, "every listed script exists")
}

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
			s, err := Parse(tt.name+".pkt", []byte(tt.src))
			require.NoError(t, err)
			rc := DefaultRunConfig()
			st := NewConnStack(tcp.DefaultConfig(), rc.Local, tcp.Endpoint{Addr: rc.Remote, Port: rc.ServerPort})
			err = Run(s, st, rc)
			require.Error(t, err)
			require.True(t, errors.Is(err, ErrMismatch), "%v", err)
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
		s, err := Parse("end.pkt", []byte(fmt.Sprintf(src, tt.end)))
		require.NoError(t, err)
		rc := DefaultRunConfig()
		err = Run(s, NewConnStack(tcp.DefaultConfig(), rc.Local, tcp.Endpoint{Addr: rc.Remote, Port: rc.ServerPort}), rc)
		if tt.ok {
			require.NoError(t, err)
		} else {
			require.ErrorContains(t, err, "connect returned at 0.100000, expected at 0.300000")
		}
	}
}
