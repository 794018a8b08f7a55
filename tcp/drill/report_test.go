package drill

import (
	"testing"

	"github.com/stretchr/testify/assert"

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

// TestSkipped counts the lines no stack runs.
func TestSkipped(t *testing.T) {
	s := mustParse(t, "`a`\n0 `b`\n+0 %{ x = 1 }%\n+0 %{ assert tcpi_snd_cwnd == 10 }%\n")
	cmds, code := Skipped(s, false)
	assert.Equal(t, 2, cmds)
	assert.Equal(t, 2, code)
	cmds, code = Skipped(s, true)
	assert.Equal(t, 2, cmds)
	assert.Equal(t, 1, code)
}
