package tcp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSegLen(t *testing.T) {
	tests := []struct {
		flags   Flags
		payload int
		want    int
	}{
		{FlagACK, 0, 0},
		{FlagACK | FlagPSH, 100, 100},
		{FlagSYN, 0, 1},
		{FlagSYN | FlagFIN, 10, 12},
		{FlagFIN | FlagACK, 0, 1},
		{FlagRST, 0, 0},
	}
	for _, tt := range tests {
		h := Header{Flags: tt.flags}
		assert.Equal(t, tt.want, SegLen(&h, tt.payload), "%v + %d bytes", tt.flags, tt.payload)
	}
}

// TestReplyRst holds RFC 9293 §3.10.7.1 and what Linux's
// tcp_v4_send_reset puts on the wire.
func TestReplyRst(t *testing.T) {
	tests := []struct {
		name string
		in   Header
		plen int
		ok   bool
		want Header
	}{
		{
			name: "SYN: R. 0:0(0) ack seq+1",
			in:   Header{SrcPort: 40000, DstPort: 80, Seq: 1000, Flags: FlagSYN, Window: 64240},
			ok:   true,
			want: Header{SrcPort: 80, DstPort: 40000, Seq: 0, Ack: 1001, Flags: FlagRST | FlagACK},
		},
		{
			name: "data without ACK: ack seq+len",
			in:   Header{SrcPort: 40000, DstPort: 80, Seq: 0xfffffff0, Flags: FlagPSH | FlagFIN},
			plen: 100,
			ok:   true,
			want: Header{SrcPort: 80, DstPort: 40000, Ack: Seq(0xfffffff0).Add(101), Flags: FlagRST | FlagACK},
		},
		{
			name: "ACK: R <ack>, no ACK flag",
			in:   Header{SrcPort: 40000, DstPort: 80, Seq: 5, Ack: 777, Flags: FlagACK | FlagPSH},
			plen: 10,
			ok:   true,
			want: Header{SrcPort: 80, DstPort: 40000, Seq: 777, Flags: FlagRST},
		},
		{
			name: "SYN-ACK: R <ack>",
			in:   Header{SrcPort: 80, DstPort: 40000, Seq: 9, Ack: 1001, Flags: FlagSYN | FlagACK},
			ok:   true,
			want: Header{SrcPort: 40000, DstPort: 80, Seq: 1001, Flags: FlagRST},
		},
		{
			name: "RST: no answer",
			in:   Header{SrcPort: 40000, DstPort: 80, Seq: 5, Ack: 7, Flags: FlagRST | FlagACK},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Header{Window: 1}
			ok := ReplyRst(&tt.in, SegLen(&tt.in, tt.plen), &r)
			require.Equal(t, tt.ok, ok)
			if !ok {
				assert.Equal(t, Header{Window: 1}, r, "r untouched")
				return
			}
			assert.Equal(t, tt.want, r)
		})
	}
}

// TestClosedConnRepliesWithReplyRst: a Conn that is CLOSED answers a
// segment exactly as the host answers one that finds no socket.
func TestClosedConnRepliesWithReplyRst(t *testing.T) {
	in := Header{SrcPort: epB.Port, DstPort: epA.Port, Seq: 4242, Flags: FlagSYN, Window: 1000}
	c, err := NewConn(DefaultConfig(), epA, epB, 100, 77)
	require.NoError(t, err)
	c.Input(0, &in, nil)
	d := drain(c)
	require.Len(t, d.segs, 1)
	var want Header
	require.True(t, ReplyRst(&in, SegLen(&in, 0), &want))
	assert.Equal(t, want, d.segs[0])

	in.Flags = FlagRST
	c.Input(0, &in, nil)
	assert.Empty(t, drain(c).segs, "a RST is not answered")
}
