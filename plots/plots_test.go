package plots

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/lifelines"
	"github.com/netsimlab/netsim/internal/testflags"
	"github.com/netsimlab/netsim/sim"
)

// synthTraces are the synthetic traces every kind is drawn from.
var synthTraces = []struct {
	name  string
	trace func() []sim.Record
}{
	{"handshake", handshakeTrace},
	{"bulk-loss", bulkLossTrace},
	{"syn-loss", synLossTrace},
	{"two-flows", twoFlowTrace},
	{"voice", voiceTrace},
}

// noPings: a trace without ping apps has no ping figure, and says so.
func noPings(t *testing.T, kind string, recs []sim.Record, err error) bool {
	for i := range recs {
		if recs[i].Kind() == sim.KindApp && strings.HasSuffix(recs[i].Subject, "/ping") {
			return false
		}
	}
	if kind != KindPing {
		return false
	}
	assert.ErrorIs(t, err, ErrNoData)
	return true
}

func TestRenderEveryKind(t *testing.T) {
	for _, tr := range synthTraces {
		recs := tr.trace()
		for _, kind := range append(Kinds(), KindRTT) {
			for _, o := range []Options{
				{Kind: kind},
				{Kind: kind, Conn: 1, CompressTime: true, ShowRouters: true},
			} {
				t.Run(tr.name+"/"+kind, func(t *testing.T) {
					var buf bytes.Buffer
					err := RenderTo(recs, o, "svg", &buf)
					if noPings(t, kind, recs, err) {
						return
					}
					require.NoError(t, err)
					assert.Greater(t, buf.Len(), 5000, "an SVG with axes, labels and data")
					assert.True(t, bytes.HasPrefix(buf.Bytes(), []byte("<?xml")))
				})
			}
		}
	}
}

func TestRenderFormats(t *testing.T) {
	recs := handshakeTrace()
	dir := t.TempDir()
	for _, tc := range []struct {
		file  string
		magic string
	}{
		{"seq.png", "\x89PNG"},
		{"seq.PNG", "\x89PNG"},
		{"seq.svg", "<?xml"},
		{"seq.pdf", "%PDF"},
	} {
		path := filepath.Join(dir, tc.file)
		require.NoError(t, Render(recs, Options{Kind: KindSequence}, path))
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(b, []byte(tc.magic)), tc.file)
	}
	// No temporary file is left behind.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 4)
}

func TestRenderErrors(t *testing.T) {
	recs := handshakeTrace()
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		opts    Options
		path    string
		records []sim.Record
		is      error
		msg     string
	}{
		{"unknown extension", Options{Kind: KindSequence}, "out.bmp", recs, ErrUnknownFormat, `".bmp"`},
		{"no extension", Options{Kind: KindSequence}, "out", recs, ErrUnknownFormat, "no file extension"},
		{"unknown kind", Options{Kind: "pie"}, "out.svg", recs, ErrUnknownKind, `"pie"`},
		{"no such conn", Options{Kind: KindTimeSequence, Conn: 9}, "out.svg", recs, ErrNoData, "conn 9"},
		{"window ends before it starts", Options{Kind: KindQueue, From: 10, To: 5}, "out.svg", recs, ErrNoData, "before it starts"},
		{"empty window", Options{Kind: KindSequence, From: sim.Time(5e9)}, "out.svg", recs, ErrNoData, "no packet"},
		{"empty window: queue", Options{Kind: KindQueue, From: sim.Time(5e9)}, "out.svg", recs, ErrNoData, "no queue records in the time window"},
		{"empty window inside the run: queue", Options{Kind: KindQueue, From: 1, To: 2}, "out.svg", recs, ErrNoData, "no queue records in the time window"},
		{"no records: sequence", Options{Kind: KindSequence}, "out.svg", nil, ErrNoData, ""},
		{"no records: time-sequence", Options{Kind: KindTimeSequence}, "out.svg", nil, ErrNoData, ""},
		{"no records: cwnd", Options{Kind: KindCwnd}, "out.svg", nil, ErrNoData, ""},
		{"no records: throughput", Options{Kind: KindThroughput}, "out.svg", nil, ErrNoData, ""},
		{"no records: queue", Options{Kind: KindQueue}, "out.svg", nil, ErrNoData, ""},
		{"negative width", Options{Kind: KindQueue, Width: -1}, "out.svg", recs, ErrBadSize, "out of range"},
		{"huge height", Options{Kind: KindQueue, Height: 1e6}, "out.png", recs, ErrBadSize, "out of range"},
		{"window too fine", Options{Kind: KindThroughput, Window: 1}, "out.svg", recs, nil, "at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.path)
			err := Render(tc.records, tc.opts, path)
			require.Error(t, err)
			if tc.is != nil {
				assert.True(t, errors.Is(err, tc.is), "%v is not %v", err, tc.is)
			}
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), path, "the error names the file")
			_, statErr := os.Stat(path)
			assert.True(t, os.IsNotExist(statErr), "nothing is written on error")
		})
	}
}

// TestSVGDeterministic: the same trace gives byte-identical SVG, for every
// kind.
func TestSVGDeterministic(t *testing.T) {
	for _, kind := range append(Kinds(), KindRTT) {
		trace := twoFlowTrace
		if kind == KindDelay || kind == KindDelayCDF || kind == KindPing {
			trace = voiceTrace
		}
		var a, b bytes.Buffer
		require.NoError(t, RenderTo(trace(), Options{Kind: kind, ShowRouters: true, CompressTime: true}, "svg", &a))
		require.NoError(t, RenderTo(trace(), Options{Kind: kind, ShowRouters: true, CompressTime: true}, "svg", &b))
		assert.True(t, bytes.Equal(a.Bytes(), b.Bytes()), kind)
	}
	var a, b bytes.Buffer
	require.NoError(t, RenderTo(bulkLossTrace(), Options{Kind: KindTimeSequence}, "png", &a))
	require.NoError(t, RenderTo(bulkLossTrace(), Options{Kind: KindTimeSequence}, "png", &b))
	assert.True(t, bytes.Equal(a.Bytes(), b.Bytes()), "png")
}

// TestGoldenSVG holds the handshake sequence diagram and a small
// time-sequence graph byte for byte. Rewrite with go test ./plots -update
// after a deliberate change, and look at the pictures before committing.
func TestGoldenSVG(t *testing.T) {
	for _, tc := range []struct {
		file  string
		trace func() []sim.Record
		opts  Options
	}{
		{"handshake-sequence.svg", handshakeTrace, Options{Kind: KindSequence}},
		{"bulk-loss-time-sequence.svg", bulkLossTrace, Options{Kind: KindTimeSequence, Conn: 1}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, RenderTo(tc.trace(), tc.opts, "svg", &buf))
			checkGolden(t, tc.file, buf.Bytes())
		})
	}
}

func checkGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if testflags.Update() {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no golden file: run go test ./plots -update")
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file (%d bytes, want %d); if the change is deliberate, rerun with -update and look at the result", path, len(got), len(want))
	}
}

func TestConnsAndPacketCount(t *testing.T) {
	assert.Equal(t, []int{1}, Conns(handshakeTrace()))
	assert.Equal(t, []int{1, 2}, Conns(twoFlowTrace()))
	assert.Empty(t, Conns(nil))
	assert.Equal(t, 11, PacketCount(handshakeTrace()))
	assert.Equal(t, 0, PacketCount(nil))
	assert.Equal(t, []string{"sequence", "time-sequence", "cwnd", "throughput", "queue", "delay", "delay-cdf", "ping"}, Kinds())
	for _, k := range Kinds() {
		assert.Equal(t, k == KindTimeSequence || k == KindCwnd, PerConn(k), k)
	}
}

// TestSequenceContent checks what the handshake diagram says, in its SVG
// text.
func TestSequenceContent(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, RenderTo(handshakeTrace(), Options{Kind: KindSequence}, "svg", &buf))
	svg := buf.String()
	for _, want := range []string{"SYN seq=0", "SYN, ACK seq=0 ack=1", "ACK ack=1", "seq=1:101 ack=1",
		"SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "TIME-WAIT", "client", "10.0.0.2", "time (ms)"} {
		assert.Contains(t, svg, want)
	}
	buf.Reset()
	require.NoError(t, RenderTo(synLossTrace(), Options{Kind: KindSequence, CompressTime: true}, "svg", &buf))
	svg = buf.String()
	assert.Contains(t, svg, "idle gaps shortened")
	assert.Contains(t, svg, "≈ 999.999 ms idle", "the cut gap says how long it really was")
	assert.Contains(t, svg, "retransmission")
	assert.Contains(t, svg, "dropped")
}

func TestSequenceColumnsFollowTheNetwork(t *testing.T) {
	m := buildModel(twoFlowTrace())
	cols, _ := seqColumns(m, m.packets, nil, true, lifelines.Order{})
	var names []string
	for _, c := range cols {
		names = append(names, c.name)
	}
	assert.Equal(t, []string{"a1", "a2", "r", "b"}, names)
	cols, _ = seqColumns(m, m.packets, nil, false, lifelines.Order{})
	names = names[:0]
	for _, c := range cols {
		names = append(names, c.name)
	}
	assert.Equal(t, []string{"a1", "a2", "b"}, names)
}

func TestTimeSequenceData(t *testing.T) {
	m := buildModel(bulkLossTrace())
	d, err := m.timeSequenceData(1, Options{})
	require.NoError(t, err)
	assert.Equal(t, "a", d.sender)
	assert.Equal(t, "b", d.receiver)
	assert.Len(t, d.syn, 1)
	assert.Len(t, d.fin, 1)
	require.NotEmpty(t, d.retrans, "the lost segment was sent again")
	assert.Equal(t, int64(1+5*1448), d.retrans[0].lo)
	assert.NotEmpty(t, d.drops)
	assert.NotEmpty(t, d.sacks)
	for _, s := range d.sacks {
		assert.Greater(t, s.lo, int64(1+5*1448), "SACK blocks lie above the hole")
	}
	// The window is scaled by the receiver's wscale 7 (RFC 7323 §2.2):
	// 501 << 7 above the ACK.
	last := len(d.acks) - 1
	assert.Equal(t, d.acks[last].v+501<<7, d.window[last].v)
	// Data bars and ACKs never go backwards in time.
	for i := 1; i < len(d.data); i++ {
		assert.LessOrEqual(t, d.data[i-1].t, d.data[i].t)
	}
}

func TestRenderNeverReadsAMap(t *testing.T) {
	// A guard on the determinism rule: no "range" over a map in the
	// package's code.
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "range x.sparse") || strings.Contains(line, "range m.nodeIdx") ||
				strings.Contains(line, "range m.hostOf") || strings.Contains(line, "range m.linkIdx") ||
				strings.Contains(line, "range adj {") {
				t.Errorf("%s:%d ranges over a map", f, i+1)
			}
		}
	}
}

// TestQueueMarks: pkt.mark records become the link direction's CE marks,
// at the queue length they give, and the queue figure's legend names them.
func TestQueueMarks(t *testing.T) {
	const subj = "link/l/a>b"
	recs := []sim.Record{
		{T: 0, Subject: subj, Event: &sim.PacketEnqueue{ID: 1, Len: 1500, QLen: 1, QBytes: 1500}},
		{T: 1, Subject: subj, Event: &sim.PacketEnqueue{ID: 2, Len: 1500, QLen: 2, QBytes: 3000}},
		{T: 1, Subject: subj, Event: &sim.PacketMark{ID: 2, Len: 1500, QLen: 2, QBytes: 3000}},
	}
	m := buildModel(recs)
	require.Len(t, m.links, 1)
	require.Len(t, m.links[0].marks.points(), 1)
	assert.Equal(t, int64(2), m.links[0].marks.points()[0].v)
	var buf bytes.Buffer
	require.NoError(t, RenderTo(recs, Options{Kind: KindQueue}, "svg", &buf))
	assert.Contains(t, buf.String(), "ECN mark (CE)")
}

// TestSequenceColumnsOfADumbbell: the receivers of a dumbbell all sit one
// hop behind the same router, and the first sender's peer used to be put
// rightmost by its distance, the others in the order their packets came:
// sink-2, sink-3, sink-4, sink-1. Nodes at the same place read in natural
// name order.
func TestSequenceColumnsOfADumbbell(t *testing.T) {
	m := buildModel(dumbbellTrace())
	var tie lifelines.Order
	names := func(routers bool) []string {
		cols, _ := seqColumns(m, m.packets, nil, routers, tie)
		var ns []string
		for _, c := range cols {
			ns = append(ns, c.name)
		}
		return ns
	}
	assert.Equal(t, []string{"cubic-1", "cubic-2", "reno-1", "reno-2", "left", "right",
		"sink-1", "sink-2", "sink-3", "sink-4"}, names(true))
	assert.Equal(t, []string{"cubic-1", "cubic-2", "reno-1", "reno-2",
		"sink-1", "sink-2", "sink-3", "sink-4"}, names(false))
	// With the scenario's declared order (scenarios/dumbbell.yaml lists
	// reno-1, reno-2, cubic-1, cubic-2, then the sinks), that order.
	tie = lifelines.Declared([]string{"reno-1", "reno-2", "cubic-1", "cubic-2", "sink-4", "sink-3", "sink-2", "sink-1", "left", "right"})
	assert.Equal(t, []string{"reno-1", "reno-2", "cubic-1", "cubic-2", "left", "right",
		"sink-4", "sink-3", "sink-2", "sink-1"}, names(true))
}

// TestSequenceColumnsOfOneWayTraffic: the first sender's packets go one
// way only (a UDP source), so the trace has no link direction out of its
// peer. Distances to the peer were taken along the directions seen, so
// every node but the peer counted as unconnected: a dumbbell run whose
// first packet was a datagram drew its receiver leftmost, then the
// senders and routers, and two senders right of the routers, every
// arrow crossing the figure. Lifelines follow the links, whichever way
// packets crossed them.
func TestSequenceColumnsOfOneWayTraffic(t *testing.T) {
	n := newSynthDumbbell()
	for i, s := range []string{"udp-1", "tcp-2", "tcp-3"} {
		sink := n.dumbbellPair(i+1, s)
		if i == 0 {
			for k := range 3 {
				n.at(sim.Time(time.Duration(k)*time.Millisecond), func() {
					n.send(&synthPkt{fromHost: s, toHost: sink, sport: 49152, dport: 9, plen: 100, size: 128})
				})
			}
			continue
		}
		c, _ := n.tcpPair(s, sink, 49152, 5001, linuxSYNOpts)
		c.onEstab = func() { c.closeAfter = true; c.write(2 * 1448) }
		n.at(sim.Time(time.Duration(i)*10*time.Millisecond), func() { c.connect() })
	}
	n.s.Run()
	m := buildModel(n.rec.Records)
	names := func(routers bool) []string {
		cols, _ := seqColumns(m, m.packets, nil, routers, lifelines.Order{})
		var ns []string
		for _, c := range cols {
			ns = append(ns, c.name)
		}
		return ns
	}
	assert.Equal(t, []string{"tcp-2", "tcp-3", "udp-1", "left", "right", "sink-1", "sink-2", "sink-3"}, names(true))
	assert.Equal(t, []string{"tcp-2", "tcp-3", "udp-1", "sink-1", "sink-2", "sink-3"}, names(false))
}
