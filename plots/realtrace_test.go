package plots

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/third_party/gonumplot/plotter"
)

// The *.trace.jsonl files in testdata are real traces written by netsim
// (topology/, nodes/ and tcp/ producing the records), so the figures are
// checked against the producers and not only against synthetic records.
// Refresh them after a deliberate change in the producers with
//
//	go run ./cmd/netsim run scenarios/handshake.yaml --out /tmp/h
//	cp /tmp/h/trace.jsonl plots/testdata/handshake.trace.jsonl
//	go run ./cmd/netsim run scenarios/bulk-transfer.yaml --until 200ms --out /tmp/b
//	cp /tmp/b/trace.jsonl plots/testdata/bulk-transfer-200ms.trace.jsonl
//	go test ./plots -update

func readTestTrace(t testing.TB, file string) []sim.Record {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	require.NoError(t, err)
	defer f.Close()
	var rec sim.Recorder
	require.NoError(t, sim.ReadJSONL(f, func(r *sim.Record) error { rec.Emit(r); return nil }))
	require.NotEmpty(t, rec.Records)
	return rec.Records
}

func TestRealTraceGoldens(t *testing.T) {
	for _, tc := range []struct {
		golden, trace string
		opts          Options
	}{
		{"handshake-real-sequence.svg", "handshake.trace.jsonl", Options{Kind: KindSequence}},
		{"bulk-transfer-200ms-time-sequence.svg", "bulk-transfer-200ms.trace.jsonl", Options{Kind: KindTimeSequence}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, RenderTo(readTestTrace(t, tc.trace), tc.opts, "svg", &buf))
			checkGolden(t, tc.golden, buf.Bytes())
		})
	}
}

func TestRealTraceEveryKind(t *testing.T) {
	files, err := filepath.Glob("testdata/*.trace.jsonl")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		recs := readTestTrace(t, filepath.Base(f))
		for _, kind := range append(Kinds(), KindRTT) {
			t.Run(filepath.Base(f)+"/"+kind, func(t *testing.T) {
				var buf bytes.Buffer
				err := RenderTo(recs, Options{Kind: kind}, "svg", &buf)
				if noPings(t, kind, recs, err) {
					return
				}
				if kind == KindThroughput && strings.HasPrefix(filepath.Base(f), "handshake") {
					assert.ErrorIs(t, err, ErrNoData, "the handshake carries no payload")
					return
				}
				require.NoError(t, err)
				assert.Greater(t, buf.Len(), 5000)
			})
		}
	}
}

// TestRealHandshakeContent reads the real handshake as a textbook would.
func TestRealHandshakeContent(t *testing.T) {
	recs := readTestTrace(t, "handshake.trace.jsonl")
	assert.Equal(t, []int{1}, Conns(recs))
	var buf bytes.Buffer
	require.NoError(t, RenderTo(recs, Options{Kind: KindSequence}, "svg", &buf))
	for _, want := range []string{"SYN seq=0", "SYN, ACK seq=0 ack=1", "ACK ack=1", "SYN-SENT", "ESTABLISHED", "TIME-WAIT", "10.0.0.1", "10.0.0.2"} {
		assert.Contains(t, buf.String(), want)
	}
	buf.Reset()
	require.NoError(t, ASCII(&buf, recs, nil, ASCIIOptions{}))
	lines := strings.Split(buf.String(), "\n")
	assert.Regexp(t, `^   \|---- SYN seq=0 win=64240 <mss 1460,.*> -+>\|   0\.100000000s$`, lines[1])
	assert.Regexp(t, `^   \|<--- SYN,ACK seq=0 ack=1 win=\d+ <.*> -+\|   0\.105`, lines[2])
	assert.Regexp(t, `^   \|---- ACK seq=1 ack=1 win=\d+`, lines[3])
}

// TestRealBulkWindowScale: the receiver offered wscale 7, so the window
// line sits win << 7 above the ACK line (RFC 7323 §2.2).
func TestRealBulkWindowScale(t *testing.T) {
	m := buildModel(readTestTrace(t, "bulk-transfer-200ms.trace.jsonl"))
	d, err := m.timeSequenceData(1, Options{})
	require.NoError(t, err)
	assert.Equal(t, "client", d.sender)
	require.NotEmpty(t, d.acks)
	require.NotEmpty(t, d.data)
	var synack *packet
	for _, p := range m.packets {
		if p.flags == "S." {
			synack = p
		}
	}
	require.NotNil(t, synack)
	ws, ok := optWScale(synack.opts)
	require.True(t, ok)
	last := m.packets[len(m.packets)-1]
	for i := len(m.packets) - 1; i >= 0; i-- {
		if p := m.packets[i]; p.host == "server" && p.delivered && hasFlag(p.flags, '.') && !hasFlag(p.flags, 'S') {
			last = p
			break
		}
	}
	j := len(d.window) - 1
	assert.Equal(t, last.rack+last.win<<ws, d.window[j].v)
}

// TestHandshakeCwndHasNoEmptyPanel: in a handshake-only run each end
// records only its initial window, so the cwnd figure is the RTT panel
// alone, not an empty "Congestion window" panel above it (issue 21).
func TestHandshakeCwndHasNoEmptyPanel(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, RenderTo(readTestTrace(t, "handshake.trace.jsonl"), Options{Kind: KindCwnd}, "svg", &buf))
	svg := buf.String()
	assert.Contains(t, svg, "Round-trip time, connection 1")
	assert.NotContains(t, svg, "Congestion window")
	// A transfer's window moves: both panels.
	buf.Reset()
	require.NoError(t, RenderTo(readTestTrace(t, "bulk-transfer-200ms.trace.jsonl"), Options{Kind: KindCwnd}, "svg", &buf))
	assert.Contains(t, buf.String(), "Congestion window, connection 1")
	assert.Contains(t, buf.String(), "Round-trip time, connection 1")
}

// TestSequenceToKeepsArrowsInside: with --to, packets sent before it that
// arrive after it still end inside the figure (issue 21: the ACKs of
// bulk-transfer's first flight ran off its bottom edge with --to 170ms).
func TestSequenceToKeepsArrowsInside(t *testing.T) {
	recs := readTestTrace(t, "bulk-transfer-200ms.trace.jsonl")
	to := sim.Time(170e6)
	opts := Options{Kind: KindSequence, To: to}
	c := collect(recs, opts)
	fig, err := sequenceFigure(c.m, opts)
	require.NoError(t, err)
	p, d := fig.panels[0], fig.seq
	require.NotEmpty(t, d.arrows)
	late := 0
	for _, a := range d.arrows {
		assert.LessOrEqual(t, a.y2, d.yBot, "an arrow ends above the lifelines' end")
		assert.LessOrEqual(t, a.y2, p.Y.Max, "an arrow ends inside the figure")
		if a.y2 > d.axis.pos(to) {
			late++
		}
	}
	assert.Positive(t, late, "some packets sent before --to arrive after it")
}

// TestSparseLinesAreMarked: a line of a few samples (the handshake's SRTT,
// the sojourn of its two queued packets) gets a marker on each point, so
// that the segment between two samples does not read as a measured trend;
// a dense line does not.
func TestSparseLinesAreMarked(t *testing.T) {
	few := plotter.XYs{{X: 110, Y: 4}, {X: 120, Y: 0}}
	m := sparseMarks(few, 0)
	require.NotNil(t, m)
	assert.Equal(t, few, m.XYs)
	assert.Nil(t, sparseMarks(make(plotter.XYs, sparseSeries), 0))
	// The handshake's queue figure has the sojourn panel whose two
	// samples are marked.
	var buf bytes.Buffer
	require.NoError(t, RenderTo(readTestTrace(t, "handshake.trace.jsonl"), Options{Kind: KindQueue}, "svg", &buf))
	assert.Contains(t, buf.String(), "Queueing delay (sojourn time)")
}

// TestTimeSequenceFromKeepsSACKRelative: a time-sequence graph that starts
// with --from after SACKed data draws the SACK blocks at the same relative
// sequence numbers as the whole graph (issue 21: blocks of data sent
// before --from stayed absolute, and the y axis reached 1.5×10⁶ kB).
func TestTimeSequenceFromKeepsSACKRelative(t *testing.T) {
	recs := bulkLossTrace()
	opts := Options{Kind: KindTimeSequence}
	d0, err := collect(recs, opts).m.timeSequenceData(1, opts)
	require.NoError(t, err)
	require.NotEmpty(t, d0.sacks)
	at := map[sim.Time][2]int64{}
	for _, s := range d0.sacks {
		at[s.t] = [2]int64{s.lo, s.hi}
	}
	opts.From = d0.sacks[len(d0.sacks)/2].t
	d1, err := collect(recs, opts).m.timeSequenceData(1, opts)
	require.NoError(t, err)
	require.NotEmpty(t, d1.sacks, "SACK blocks after --from")
	for _, s := range d1.sacks {
		want, ok := at[s.t]
		require.True(t, ok, "a block at %v in the whole graph", s.t)
		assert.Equal(t, want, [2]int64{s.lo, s.hi}, "block at %v", s.t)
		assert.LessOrEqual(t, s.hi, d0.maxSeq, "within the bytes sent")
	}
}
