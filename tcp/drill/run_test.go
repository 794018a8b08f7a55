package drill

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/netsimlab/netsim/tcp"
	"github.com/stretchr/testify/require"
)

// TestScripts runs every tcp/testdata/*.pkt script against tcp.Conn.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("../testdata/*.pkt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			require.NoError(t, RunFile(f, tcp.DefaultConfig()))
		})
	}
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
