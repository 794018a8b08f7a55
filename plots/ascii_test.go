package plots

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// TestASCIIGolden holds the terminal diagrams as text in testdata/*.txt
// (rewrite with -update).
func TestASCIIGolden(t *testing.T) {
	for _, tc := range []struct {
		file  string
		trace func() []sim.Record
		hosts []HostLabel
		opts  ASCIIOptions
	}{
		{"handshake.txt", handshakeTrace, []HostLabel{{"client", "10.0.0.1"}, {"server", "10.0.0.2"}}, ASCIIOptions{}},
		{"handshake-states.txt", handshakeTrace, nil, ASCIIOptions{States: true}},
		{"syn-loss.txt", synLossTrace, nil, ASCIIOptions{Width: 90}},
		{"two-flows-conn2.txt", twoFlowTrace, []HostLabel{{"a1", "10.0.1.1"}, {"a2", "10.0.1.2"}, {"b", "10.0.2.1"}}, ASCIIOptions{Conn: 2, To: sim.Time(40e6)}},
		// The server never sends: its column comes from the caller's
		// labels, and every SYN is drawn toward it, ending in an X.
		{"syn-link-down.txt", synLinkDownTrace, []HostLabel{{"client", "10.0.0.1"}, {"server", "10.0.0.2"}}, ASCIIOptions{States: true}},
		// Without labels the address stands for the silent host.
		{"syn-link-down-unlabelled.txt", synLinkDownTrace, nil, ASCIIOptions{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, ASCII(&buf, tc.trace(), tc.hosts, tc.opts))
			checkGolden(t, tc.file, buf.Bytes())
			width := tc.opts.Width
			if width == 0 {
				width = 100
			}
			for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
				// The time column may pass the width only by its notes.
				body, _, _ := strings.Cut(line, "  retransmission")
				body, _, _ = strings.Cut(body, "  dropped")
				assert.LessOrEqual(t, len([]rune(body)), width, line)
			}
		})
	}
}

func TestASCIIHandshakeLines(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, ASCII(&buf, handshakeTrace(), []HostLabel{{"client", "10.0.0.1"}, {"server", "10.0.0.2"}}, ASCIIOptions{}))
	lines := strings.Split(buf.String(), "\n")
	require.GreaterOrEqual(t, len(lines), 4)
	assert.True(t, strings.HasPrefix(lines[0], "client 10.0.0.1"))
	assert.Contains(t, lines[0], "server 10.0.0.2")
	assert.Regexp(t, `^   \|---- SYN seq=0 win=64240 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7> -+>\|   0\.100000000s$`, lines[1])
	assert.Regexp(t, `^   \|<--- SYN,ACK seq=0 ack=1 win=64240 <.*> -+\|   0\.105067200s$`, lines[2])
	assert.Regexp(t, `^   \|---- ACK seq=1 ack=1 win=501 -+>\|   0\.110134400s$`, lines[3])
}

func TestASCIINarrow(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, ASCII(&buf, handshakeTrace(), nil, ASCIIOptions{Width: 66}))
	lines := strings.Split(buf.String(), "\n")
	assert.Contains(t, lines[1], "SYN seq=0 win=64240 <mss 1460,...>", "options shortened first")
	for _, l := range lines {
		assert.LessOrEqual(t, len([]rune(l)), 66, l)
	}
}

func TestASCIIEdges(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, ASCII(&buf, nil, nil, ASCIIOptions{}))
	assert.Empty(t, buf.String(), "no records, no diagram")
	err := ASCII(&buf, handshakeTrace(), nil, ASCIIOptions{Conn: 4})
	assert.True(t, errors.Is(err, ErrNoData))
	// A host the caller did not name still gets its column.
	buf.Reset()
	require.NoError(t, ASCII(&buf, handshakeTrace(), []HostLabel{{"server", "10.0.0.2"}}, ASCIIOptions{}))
	head := strings.SplitN(buf.String(), "\n", 2)[0]
	assert.True(t, strings.HasPrefix(head, "server 10.0.0.2"))
	assert.Contains(t, head, "client 10.0.0.1")
}

// TestDrawASCIIArrow: arrows both ways fill the gap between lifelines
// exactly; a lost packet stops about three quarters of the way in an X;
// a label with no room is cut.
func TestDrawASCIIArrow(t *testing.T) {
	ack := &packet{tcp: true, flags: ".", rseq: 1, rack: 1, win: 502}
	lost := &packet{tcp: true, flags: ".", rseq: 1, rack: 1, win: 502, dropped: true}
	for _, tc := range []struct {
		a, b int
		p    *packet
		want string
	}{
		{3, 50, ack, "   |---- ACK seq=1 ack=1 win=502 ---------------->|"},
		{3, 50, lost, "   |---- ACK seq=1 ack=1 win=502 ----X            |"},
		{50, 3, ack, "   |<--- ACK seq=1 ack=1 win=502 -----------------|"},
		{50, 3, lost, "   |            X--- ACK seq=1 ack=1 win=502 -----|"},
		{3, 20, ack, "   |---- ACK ... -->|"},
	} {
		line := []byte(strings.Repeat(" ", max(tc.a, tc.b)+1))
		line[tc.a], line[tc.b] = '|', '|'
		drawASCIIArrow(line, tc.a, tc.b, tc.p)
		assert.Equal(t, tc.want, string(line))
	}
}

// synLinkDownTrace is what netsim traces for e2e/testdata/syn-timeout.yaml
// up to the fourth SYN: the only link is down from the start, so each SYN
// dies at the client's end of it and the server is in no record.
func synLinkDownTrace() []sim.Record {
	var recs []sim.Record
	add := func(t sim.Time, kind sim.Kind, subject string, fields ...tfield) {
		recs = append(recs, record(t, kind, subject, fields...))
	}
	state := func(t sim.Time, from, to string) {
		add(t, sim.KindTCPState, "host/client", tUint("conn", 1), tStr("side", "client"),
			tStr("local", "10.0.0.1:49152"), tStr("remote", "10.0.0.2:80"), tStr("from", from), tStr("to", to))
	}
	state(0, "CLOSED", "SYN-SENT")
	for i, at := range []sim.Time{0, 1e9, 3e9, 7e9} {
		if i > 0 {
			add(at, sim.KindTCPTimer, "host/client", tUint("conn", 1), tStr("side", "client"), tStr("timer", "rto"))
			add(at, sim.KindTCPRetransmit, "host/client", tUint("conn", 1), tStr("side", "client"),
				tUint("rseq", 0), tInt("len", 0), tStr("reason", "syn"))
		}
		id := uint64(i + 1)
		add(at, sim.KindPacketSend, "host/client", tUint("id", id), tStr("iface", "eth0"), tInt("len", 60),
			tStr("src", "10.0.0.1"), tStr("dst", "10.0.0.2"), tInt("proto", 6),
			tInt("sport", 49152), tInt("dport", 80), tStr("flags", "S"), tUint("seq", 1535493016), tUint("ack", 0),
			tUint("rseq", 0), tUint("rack", 0), tInt("win", 64240), tInt("plen", 0),
			tStr("opts", "mss 1460,sackOK,TS val 132448350 ecr 0,nop,wscale 7"), tUint("conn", 1))
		add(at, sim.KindPacketDrop, "link/lan/client>server", tUint("id", id), tInt("len", 60), tStr("reason", sim.DropDown))
	}
	state(15e9, "SYN-SENT", "CLOSED")
	return recs
}

// TestASCIIDroppedTowardSilentHost: a packet that was never delivered is
// drawn from its sender toward its destination's column, like any other
// arrow, even when the destination never appears as a sender.
func TestASCIIDroppedTowardSilentHost(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, ASCII(&buf, synLinkDownTrace(), []HostLabel{{"client", "10.0.0.1"}, {"server", "10.0.0.2"}}, ASCIIOptions{}))
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	require.Len(t, lines, 5)
	assert.NotContains(t, buf.String(), "(self)")
	server := strings.Index(lines[0], "server") + 1 // its lifeline
	for i, l := range lines[1:] {
		assert.Regexp(t, `^   \|---- SYN seq=0 win=64240 <mss 1460,[^>]*> -+X +\|   \d+\.000000000s  (retransmission, )?dropped \(down\)$`, l)
		assert.Equal(t, server, strings.LastIndex(l, "|"), "line %d: the arrow stops in the server's column", i+1)
	}
}

// TestASCIISelf: a packet a host sends to itself is labelled beside its
// lifeline without crossing the next one or the time column.
func TestASCIISelf(t *testing.T) {
	syn := &packet{tcp: true, flags: "S", win: 65535, opts: "mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 7"}
	for _, tc := range []struct {
		name string
		xs   []int
		c    int
		want string
	}{
		{"first of two", []int{3, 40}, 0, "   | (self) SYN seq=0 win=65535 <...>   |"},
		{"last of two: on its left", []int{3, 40}, 1, "   |   (self) SYN seq=0 win=65535 <...> |"},
		{"narrow: cut", []int{3, 20}, 0, "   | (self) SYN ... |"},
		{"no room", []int{3, 10}, 0, "   |      |"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := []byte(strings.Repeat(" ", tc.xs[len(tc.xs)-1]+1))
			for _, x := range tc.xs {
				line[x] = '|'
			}
			placeSelf(line, tc.xs, tc.c, syn)
			assert.Equal(t, tc.want, string(line))
		})
	}
}
