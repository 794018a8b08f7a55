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
