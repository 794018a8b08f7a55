package drill

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
)

// TestRecorderFormat: segments print in the script's notation, numbers
// relative to the stack's ISN on the side that uses it.
func TestRecorderFormat(t *testing.T) {
	r := &Recorder{localISN: 1000, haveISN: true}
	seg := func(f tcp.Flags, seq, ack tcp.Seq, win uint16, n int, opts func(o *tcp.Options)) *Segment {
		s := &Segment{Header: tcp.Header{Flags: f, Seq: seq, Ack: ack, Window: win}, Payload: make([]byte, n)}
		if opts != nil {
			opts(&s.Header.Options)
		}
		return s
	}
	tests := []struct {
		name string
		seg  *Segment
		dir  Direction
		want string
	}{
		{"outbound data", seg(tcp.FlagPSH|tcp.FlagACK, 1001, 1, 502, 100, nil), Outbound, "P. 1:101(100) ack 1 win 502"},
		{"outbound syn", seg(tcp.FlagSYN, 1000, 0, 64240, 0, func(o *tcp.Options) { _ = o.AppendMSS(1460) }), Outbound, "S 0:0(0) win 64240 <mss 1460>"},
		{"inbound ack", seg(tcp.FlagACK, 1, 1101, 257, 0, nil), Inbound, ". 1:1(0) ack 101 win 257"},
		{"no flags", seg(0, 1001, 0, 0, 0, nil), Outbound, "- 1:1(0) win 0"},
		{"inbound sack relative to our ISN", seg(tcp.FlagACK, 1, 1001, 257, 0, func(o *tcp.Options) {
			_ = o.AppendRaw(tcp.OptNOP, nil)
			_ = o.AppendRaw(tcp.OptNOP, nil)
			_ = o.AppendSACK([]tcp.SACKBlock{{Start: 2461, End: 3921}})
		}), Inbound, ". 1:1(0) ack 1 win 257 <nop,nop,sack 1461:2921>"},
		{"outbound sack of the peer's data", seg(tcp.FlagACK, 1001, 1, 257, 0, func(o *tcp.Options) {
			_ = o.AppendSACK([]tcp.SACKBlock{{Start: 2001, End: 3001}})
		}), Outbound, ". 1:1(0) ack 1 win 257 <sack 2001:3001>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, r.Format(tt.seg, tt.dir))
		})
	}
}

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
		{"syscall", `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4`, []string{
			"t.pkt:1: error handling system call: socket returned 3, want 4\n",
			"script line:    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.pkt", []byte(tt.src))
			require.NoError(t, err)
			rc := DefaultRunConfig()
			rec := NewRecorder(NewConnStack(tcp.DefaultConfig(), rc.Local, tcp.Endpoint{Addr: rc.Remote, Port: rc.ServerPort}), nil)
			err = Run(s, rec, rc)
			require.Error(t, err)
			var b bytes.Buffer
			Report(&b, s, err, rec, rc)
			for _, w := range tt.want {
				assert.Contains(t, b.String(), w)
			}
			assert.NotContains(t, b.String(), "192.168.0.1")
		})
	}
	var b bytes.Buffer
	Report(&b, nil, &ParseError{File: "x.pkt", Line: 2, Col: 3, Msg: "bad"}, nil, DefaultRunConfig())
	assert.Equal(t, "x.pkt:2:3: bad\n", b.String())
}

// TestSkipped counts the lines no stack runs.
func TestSkipped(t *testing.T) {
	s, err := Parse("t.pkt", []byte("`a`\n0 `b`\n+0 %{ x = 1 }%\n+0 %{ assert tcpi_snd_cwnd == 10 }%\n"))
	require.NoError(t, err)
	cmds, code := Skipped(s, false)
	assert.Equal(t, 2, cmds)
	assert.Equal(t, 2, code)
	cmds, code = Skipped(s, true)
	assert.Equal(t, 2, cmds)
	assert.Equal(t, 1, code)
}
