package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// everyKind has one record of each kind, with values that exercise each
// field's range.
var everyKind = []Record{
	{T: 1, Subject: "host/client", Event: &PacketSend{ID: 7, Iface: "eth0", Len: 52,
		Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"), Proto: 6,
		SPort: 49152, DPort: 80, Flags: TCPFlagSYN | TCPFlagACK, Seq: math.MaxUint32, Ack: 1,
		RSeq: 0, RAck: 1, Win: 65535, PLen: 0, Opts: rawOpts(2, 4, 5, 0xb4, 1, 3, 3, 7), Conn: 1}},
	{T: 2, Subject: "link/l/a>b", Event: &PacketEnqueue{ID: 8, Len: 1500, QLen: 3, QBytes: 4500}},
	{T: 3, Subject: "link/l/a>b", Event: &PacketTx{ID: 8, Len: 1500, QLen: 2, QBytes: 3000, Arrive: MaxTime}},
	{T: 4, Subject: "link/l/a>b", Event: &PacketRx{ID: 8, Len: 1500, Corrupt: true}},
	{T: 5, Subject: "link/l/a>b", Event: &PacketDrop{ID: math.MaxUint64, Len: 40, Reason: DropQueue}},
	{T: 6, Subject: "router/r1", Event: &PacketForward{ID: 9, Iface: "eth1", TTL: 63}},
	{T: 7, Subject: "host/server", Event: &PacketDeliver{ID: 9, Iface: "eth0", Len: 40, Conn: 1}},
	{T: 8, Subject: "link/l/a>b", Event: &PacketDuplicate{ID: 10, Of: 9}},
	{T: 8, Subject: "link/l/a>b", Event: &PacketMark{ID: 11, Len: 1500, QLen: 40, QBytes: 60000}},
	{T: 9, Subject: "host/client", Event: &TCPState{Conn: 1, Side: "client",
		Local: netip.MustParseAddrPort("10.0.0.1:49152"), Remote: netip.MustParseAddrPort("10.0.0.2:80"), From: "SYN-SENT", To: "ESTABLISHED"}},
	{T: 10, Subject: "host/client", Event: &TCPCwnd{Conn: 1, Side: "client", Cwnd: 14600, Ssthresh: math.MaxInt64, Reason: "ack"}},
	{T: 11, Subject: "host/client", Event: &TCPRTT{Conn: 1, Side: "client", Sample: 10e6, SRTT: 10e6, RTTVar: 5e6, RTO: 200e6}},
	{T: 12, Subject: "host/client", Event: &TCPRetransmit{Conn: 1, Side: "client", RSeq: 1461, Len: 1460, Reason: "rto"}},
	{T: 13, Subject: "host/server", Event: &TCPTimer{Conn: 1, Side: "server", Timer: "delack"}},
	{T: 14, Subject: "host/server", Event: &TCPError{Conn: 1, Side: "server", Errno: "ECONNRESET"}},
	{T: 15, Subject: "app/client/bulk-send", Event: &App{Event: AppConnect, Has: AppHasConn | AppHasTo | AppHasBytes,
		Conn: 1, To: netip.MustParseAddrPort("10.0.0.2:80"), Bytes: 0}},
	{T: 16, Subject: "app/server/echo", Event: &App{Event: AppDone, Has: AppHasConn | AppHasBytes | AppHasSent | AppHasDuration,
		Conn: 2, Bytes: 10, Sent: 10, Duration: 5e6}},
	{T: 16, Subject: "app/server/sink", Event: &App{Event: AppRecv, Has: AppHasConn | AppHasBytes | AppHasTotal | AppHasMismatched,
		Conn: 3, Bytes: 1448, Total: 2896, Mismatched: 12}},
	{T: 17, Subject: "app/client/bulk-send", Event: &App{Event: AppError, Has: AppHasCall | AppHasErrno, Call: "connect", Errno: "ECONNREFUSED"}},
	{T: 18, Subject: "partition", Event: &Fault{What: "partition [a] | [b]"}},
	{T: MaxTime, Subject: "link/l/a>b", Event: &LinkState{Up: false}},
	{T: MaxTime, Subject: "router/r1", Event: &RouteChange{Changed: 3, Routes: 12}},
	{T: 19, Subject: "host/client", Event: &TCPRate{Conn: 1, Side: "client", Delivered: 14600, Interval: 10e6,
		Rate: 11680000, AppLimited: true, RTT: -1, Inflight: 29200, Lost: 1460}},
	{T: 20, Subject: "host/client", Event: &TCPBBR{Conn: 1, Side: "client", Mode: "probe_bw", BW: 10e6, MinRTT: 40e6,
		PacingGain: 125, CwndGain: 200, Cycle: 0, LongTerm: true, Reason: "cycle"}},
	{T: 21, Subject: "host/client", Event: &TCPState{Conn: 2, Side: "client",
		Local: netip.MustParseAddrPort("10.0.0.1:49153"), Remote: netip.MustParseAddrPort("10.0.0.2:80"), From: "TIME-WAIT", To: "CLOSED", Reason: "timewait_overflow"}},
}

// everyKindText is everyKind as JSONL: the trace format, field by field.
var everyKindText = []string{
	`{"t":1,"kind":"pkt.send","subject":"host/client","id":7,"iface":"eth0","len":52,"src":"10.0.0.1","dst":"10.0.0.2","proto":6,"sport":49152,"dport":80,"flags":"S.","seq":4294967295,"ack":1,"rseq":0,"rack":1,"win":65535,"plen":0,"opts":"mss 1460,nop,wscale 7","conn":1}`,
	`{"t":2,"kind":"pkt.enqueue","subject":"link/l/a>b","id":8,"len":1500,"qlen":3,"qbytes":4500}`,
	`{"t":3,"kind":"pkt.tx","subject":"link/l/a>b","id":8,"len":1500,"qlen":2,"qbytes":3000,"arrive":9223372036854775807}`,
	`{"t":4,"kind":"pkt.rx","subject":"link/l/a>b","id":8,"len":1500,"corrupt":true}`,
	`{"t":5,"kind":"pkt.drop","subject":"link/l/a>b","id":18446744073709551615,"len":40,"reason":"queue"}`,
	`{"t":6,"kind":"pkt.forward","subject":"router/r1","id":9,"iface":"eth1","ttl":63}`,
	`{"t":7,"kind":"pkt.deliver","subject":"host/server","id":9,"iface":"eth0","len":40,"conn":1}`,
	`{"t":8,"kind":"pkt.dup","subject":"link/l/a>b","id":10,"of":9}`,
	`{"t":8,"kind":"pkt.mark","subject":"link/l/a>b","id":11,"len":1500,"qlen":40,"qbytes":60000}`,
	`{"t":9,"kind":"tcp.state","subject":"host/client","conn":1,"side":"client","local":"10.0.0.1:49152","remote":"10.0.0.2:80","from":"SYN-SENT","to":"ESTABLISHED"}`,
	`{"t":10,"kind":"tcp.cwnd","subject":"host/client","conn":1,"side":"client","cwnd":14600,"ssthresh":9223372036854775807,"reason":"ack"}`,
	`{"t":11,"kind":"tcp.rtt","subject":"host/client","conn":1,"side":"client","sample":10000000,"srtt":10000000,"rttvar":5000000,"rto":200000000}`,
	`{"t":12,"kind":"tcp.retransmit","subject":"host/client","conn":1,"side":"client","rseq":1461,"len":1460,"reason":"rto"}`,
	`{"t":13,"kind":"tcp.timer","subject":"host/server","conn":1,"side":"server","timer":"delack"}`,
	`{"t":14,"kind":"tcp.error","subject":"host/server","conn":1,"side":"server","errno":"ECONNRESET"}`,
	`{"t":15,"kind":"app","subject":"app/client/bulk-send","event":"connect","conn":1,"to":"10.0.0.2:80","bytes":0}`,
	`{"t":16,"kind":"app","subject":"app/server/echo","event":"done","conn":2,"bytes":10,"sent":10,"duration":5000000}`,
	`{"t":16,"kind":"app","subject":"app/server/sink","event":"recv","conn":3,"bytes":1448,"total":2896,"mismatched":12}`,
	`{"t":17,"kind":"app","subject":"app/client/bulk-send","event":"error","call":"connect","errno":"ECONNREFUSED"}`,
	`{"t":18,"kind":"fault","subject":"partition","what":"partition [a] | [b]"}`,
	`{"t":9223372036854775807,"kind":"link.state","subject":"link/l/a>b","up":false}`,
	`{"t":9223372036854775807,"kind":"route.change","subject":"router/r1","changed":3,"routes":12}`,
	`{"t":19,"kind":"tcp.rate","subject":"host/client","conn":1,"side":"client","delivered":14600,"interval":10000000,"rate":11680000,"app_limited":true,"rtt":-1,"inflight":29200,"lost":1460}`,
	`{"t":20,"kind":"tcp.bbr","subject":"host/client","conn":1,"side":"client","mode":"probe_bw","bw":10000000,"min_rtt":40000000,"pacing_gain":125,"cwnd_gain":200,"cycle":0,"lt":true,"reason":"cycle"}`,
	`{"t":21,"kind":"tcp.state","subject":"host/client","conn":2,"side":"client","local":"10.0.0.1:49153","remote":"10.0.0.2:80","from":"TIME-WAIT","to":"CLOSED","reason":"timewait_overflow"}`,
}

// rawOpts returns an option list of the raw option bytes b.
func rawOpts(b ...byte) TCPOptions {
	var o TCPOptions
	o.SetRaw(b)
	return o
}

func TestAppendJSONLGolden(t *testing.T) {
	require.Len(t, everyKindText, len(everyKind))
	seen := map[Kind]bool{}
	for i := range everyKind {
		r := &everyKind[i]
		seen[r.Kind()] = true
		t.Run(r.Kind().String(), func(t *testing.T) {
			line := AppendJSONL(nil, r)
			assert.Equal(t, everyKindText[i]+"\n", string(line))
			assert.True(t, json.Valid(line))
		})
	}
	for k := Kind(1); k < kindEnd; k++ {
		assert.True(t, seen[k], "no example of %v", k)
	}
	assert.Equal(t, `{"t":0,"kind":"unknown","subject":"s"}`+"\n", string(AppendJSONL(nil, &Record{Subject: "s"})),
		"a record without an event")
	assert.Equal(t, `{"t":0,"kind":"fault","subject":"x\ny","what":"\u0000\u2028é\""}`+"\n",
		string(AppendJSONL(nil, &Record{Subject: "x\ny", Event: &Fault{What: "\x00\u2028é\""}})), "escapes")
}

func TestKindNames(t *testing.T) {
	for k := Kind(1); k < kindEnd; k++ {
		got, ok := ParseKind(k.String())
		assert.True(t, ok, "%v", k)
		assert.Equal(t, k, got)
		assert.Equal(t, k, newEvent(k).Kind())
	}
	_, ok := ParseKind("pkt.nope")
	assert.False(t, ok)
	assert.Equal(t, "unknown", Kind(0).String())
	assert.Equal(t, "unknown", kindEnd.String())
	assert.True(t, KindTCPRTT.IsTCP())
	assert.False(t, KindApp.IsTCP())
}

func TestJSONLStringsMatchEncodingJSON(t *testing.T) {
	inputs := []string{
		"", "plain", `quote " and \ backslash`, "\b\f\n\r\t\x00\x01\x1f\x7f",
		"<html> & friends", "é ü 中文 😀", "\u2028\u2029", "\xff", "a\xc3(b", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", strings.Repeat("x", 1000),
	}
	for _, s := range inputs {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(s))
			got := appendJSONString(nil, s)
			assert.Equal(t, strings.TrimSuffix(want.String(), "\n"), string(got))
		})
	}
}

// traceRun runs a small deterministic simulation, two senders at random
// intervals over a lossy channel, and returns its JSONL trace and hash.
func traceRun(t testing.TB, seed uint64) ([]byte, string) {
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf)
	s := NewScheduler()
	st := NewStreams(seed)
	rec := &Record{}
	var sendEv PacketSend
	var drop PacketDrop
	id := uint64(0)
	for _, host := range []string{"client", "server"} {
		gap := st.Rand("host/" + host + "/gap")
		loss := st.Rand("link/" + host + "/loss")
		var send func()
		send = func() {
			id++
			sendEv = PacketSend{ID: id, Len: 1500, Proto: 6, Seq: uint32(id) * 1460, Flags: TCPFlagACK}
			rec.T, rec.Subject, rec.Event = s.Now(), "host/"+host, &sendEv
			w.Emit(rec)
			if loss.Bernoulli(0.1) {
				drop = PacketDrop{ID: id, Len: 1500, Reason: DropLoss}
				rec.Event = &drop
				w.Emit(rec)
			}
			if _, err := s.After(gap.ExponentialDuration(time.Millisecond), send); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.At(0, send); err != nil {
			t.Fatal(err)
		}
	}
	require.NoError(t, s.RunUntil(FromDuration(200*time.Millisecond)))
	require.NoError(t, w.Flush())
	require.NoError(t, w.Err())
	assert.Equal(t, int64(buf.Len()), w.Bytes())
	assert.Equal(t, uint64(bytes.Count(buf.Bytes(), []byte("\n"))), w.Records())
	return buf.Bytes(), w.Sum()
}

// goldenTraceSum is the sha256 of traceRun(t, 1). It changes only when the
// trace format, the scheduler's order or the random streams change; each is
// a change to every golden trace in the project, so update it on purpose.
const goldenTraceSum = "3123f08a5a6ad1b34c7640cabe9413b86d71ccd0786ec56ad4bd776510c141b5"

func TestJSONLDeterministicAndHashed(t *testing.T) {
	a, sumA := traceRun(t, 1)
	b, sumB := traceRun(t, 1)
	require.Greater(t, len(a), 1000)
	assert.Equal(t, a, b, "the same run gives the same bytes")
	assert.Equal(t, sumA, sumB)
	h := sha256.Sum256(a)
	assert.Equal(t, hex.EncodeToString(h[:]), sumA, "Sum is the sha256 of the bytes written")
	assert.Equal(t, goldenTraceSum, sumA)

	c, sumC := traceRun(t, 2)
	assert.NotEqual(t, a, c, "another seed gives another run")
	assert.NotEqual(t, sumA, sumC)

	// Every line is valid JSON.
	for _, line := range bytes.Split(bytes.TrimSuffix(a, []byte("\n")), []byte("\n")) {
		require.True(t, json.Valid(line), "%s", line)
	}
	empty := NewJSONLWriter(io.Discard)
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", empty.Sum())
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestJSONLWriterKeepsFirstError(t *testing.T) {
	w := NewJSONLWriter(&failingWriter{n: 100})
	r := &Record{Subject: strings.Repeat("s", 200), Event: &LinkState{}}
	for i := 0; i < 10000; i++ { // more than the buffer holds
		w.Emit(r)
	}
	require.ErrorIs(t, w.Err(), errDiskFull)
	require.ErrorIs(t, w.Flush(), errDiskFull)
	assert.Equal(t, uint64(10000), w.Records(), "records are still counted and hashed")

	w = NewJSONLWriter(&failingWriter{n: 10})
	w.Emit(r)
	assert.NoError(t, w.Err(), "buffered: nothing written yet")
	require.ErrorIs(t, w.Flush(), errDiskFull)
	require.ErrorIs(t, w.Err(), errDiskFull)
}

func TestJSONLEmitAllocatesNothing(t *testing.T) {
	for _, inline := range []bool{false, true} {
		gate := &gatedWriter{gate: make(chan struct{})}
		w := NewJSONLWriter(gate)
		if inline {
			w.EncodeInline()
		}
		testJSONLEmitAllocatesNothing(t, w, gate)
	}
}

// gatedWriter discards what is written to it once gate is closed, and
// holds its writer until then.
type gatedWriter struct{ gate chan struct{} }

func (g *gatedWriter) Write(p []byte) (int, error) {
	<-g.gate
	return len(p), nil
}

func testJSONLEmitAllocatesNothing(t *testing.T, w *JSONLWriter, gate *gatedWriter) {
	w.Emit(nil)       // ignored
	w.Emit(&Record{}) // no event: ignored
	// Every batch (or, encoding inline, every buffer of lines) the writer
	// can hold exists before allocations are counted, their arrays grown
	// to what a batch holds: the worker waits at its first write until
	// as many wait as may and Emit fills one more; then each fills whole.
	full := func() bool {
		if w.chunks != nil {
			return w.chunks.InFlight() == chunksInFlight && len(w.buf) > 0
		}
		return w.q.w.InFlight() == batchesInFlight && len(w.q.batch.recs) > 0
	}
	n := 0
	for ; !full(); n++ {
		w.Emit(&everyKind[n%len(everyKind)])
	}
	close(gate.gate)
	// Then each of them fills whole once.
	for range (max(batchesInFlight, chunksInFlight) + 1) * jsonlBatchRecords {
		w.Emit(&everyKind[n%len(everyKind)])
		n++
	}
	assert.Equal(t, uint64(n), w.Records())
	allocs := testing.AllocsPerRun(100, func() {
		for i := range everyKind {
			w.Emit(&everyKind[i])
		}
	})
	assert.Zero(t, allocs)
	require.NoError(t, w.Flush())
}

func TestJSONLRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf)
	for i := range everyKind {
		w.Emit(&everyKind[i])
	}
	require.NoError(t, w.Flush())
	text := buf.String()

	var got []Record
	require.NoError(t, ReadJSONL(&buf, func(r *Record) error { got = append(got, *r); return nil }))
	require.Len(t, got, len(everyKind))
	var again bytes.Buffer
	for i, want := range everyKind {
		g := got[i]
		if send, ok := g.Event.(*PacketSend); ok {
			// Options read back as their text.
			assert.Equal(t, want.Event.(*PacketSend).Opts.String(), send.Opts.String())
			c := *want.Event.(*PacketSend)
			c.Opts = send.Opts
			want.Event = &c
		}
		assert.Equal(t, want, g)
		again.Write(AppendJSONL(nil, &g))
	}
	assert.Equal(t, text, again.String(), "read and written again, the same bytes")
}

func TestReadJSONLFieldTypes(t *testing.T) {
	read := func(line string) (Record, error) {
		var got Record
		err := ReadJSONL(strings.NewReader(line), func(r *Record) error { got = *r; return nil })
		return got, err
	}
	// Unknown keys are skipped, known ones may come in any order, and
	// missing ones read as zero.
	r, err := read(`{"t":1,"kind":"pkt.drop","subject":"s","later":[1],"reason":"loss","id":3}`)
	require.Error(t, err, "an array is not a trace value even for an unknown key")
	r, err = read(`{"t":1,"kind":"pkt.drop","subject":"s","later":1.5,"reason":"loss","id":3}`)
	require.NoError(t, err)
	assert.Equal(t, Record{T: 1, Subject: "s", Event: &PacketDrop{ID: 3, Reason: "loss"}}, r)
	r, err = read(`{"t":1,"kind":"tcp.state","subject":"s","local":"invalid AddrPort","remote":""}`)
	require.NoError(t, err)
	assert.Equal(t, Record{T: 1, Subject: "s", Event: &TCPState{}}, r)
	r, err = read(`{"t":1,"kind":"pkt.send","subject":"s","flags":"none","src":"::1"}`)
	require.NoError(t, err)
	assert.Equal(t, Record{T: 1, Subject: "s", Event: &PacketSend{Src: netip.MustParseAddr("::1"), Opts: TCPOptions{}}}, r)

	for _, tt := range []struct{ line, msg string }{
		{`{"t":1,"kind":"pkt.nope","subject":"s"}`, `unknown kind "pkt.nope"`},
		{`{"t":1,"kind":"pkt.drop","subject":"s","id":-1}`, `pkt.drop field "id": integer out of range`},
		{`{"t":1,"kind":"pkt.drop","subject":"s","id":"1"}`, `pkt.drop field "id": want an integer`},
		{`{"t":1,"kind":"pkt.drop","subject":"s","len":1.0}`, `want an integer`},
		{`{"t":1,"kind":"pkt.drop","subject":"s","reason":1}`, `want a string`},
		{`{"t":1,"kind":"pkt.rx","subject":"s","corrupt":1}`, `want true or false`},
		{`{"t":1,"kind":"pkt.send","subject":"s","sport":65536}`, `integer out of range`},
		{`{"t":1,"kind":"pkt.send","subject":"s","src":"x"}`, `not an IP address: "x"`},
		{`{"t":1,"kind":"pkt.send","subject":"s","flags":"SX"}`, `unknown flag letter`},
		{`{"t":1,"kind":"tcp.state","subject":"s","local":"10.0.0.1"}`, `not an address:port`},
		{`{"t":1,"kind":"tcp.rtt","subject":"s","rto":18446744073709551615}`, `integer out of range`},
	} {
		_, err := read(tt.line)
		require.ErrorIs(t, err, ErrMalformedTrace, tt.line)
		assert.Contains(t, err.Error(), tt.msg)
	}
}

func TestTCPOptionsText(t *testing.T) {
	for _, tt := range []struct {
		raw  []byte
		want string
	}{
		{nil, ""},
		{[]byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}, "nop,nop,TS val 1 ecr 2"},
		{[]byte{4, 2, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20}, "sackOK,sack 10:20"},
		{[]byte{0, 1, 1}, "eol"},
		{[]byte{30, 4, 0xab, 0xcd, 31, 2}, "unknown-30 0xabcd,unknown-31"},
		// Fast Open, as packetdrill writes it: a cookie request, a
		// cookie, the experimental option with its magic, kind 254
		// without it.
		{[]byte{34, 2, 1, 1}, "FO,nop,nop"},
		{[]byte{34, 10, 0x51, 0x36, 0x73, 0x16, 0x03, 0x4f, 0xdf, 0x54}, "FO 51367316034fdf54"},
		{[]byte{254, 4, 0xf9, 0x89, 254, 8, 0xf9, 0x89, 1, 2, 3, 4}, "FOEXP,FOEXP 01020304"},
		{[]byte{254, 4, 0x12, 0x34}, "unknown-254 0x1234"},
		{[]byte{1, 2, 3, 4, 0, 0}, "nop,bad-option-2"},
		{[]byte{2}, "bad-option-2"},
		{[]byte{2, 1}, "bad-option-2"},
		{[]byte{5, 6, 0, 0, 0, 0}, "bad-option-5"},
	} {
		o := rawOpts(tt.raw...)
		assert.Equal(t, tt.want, o.String(), "% x", tt.raw)
		assert.Equal(t, tt.want, TCPOptionsText(tt.want).String())
		if back := TCPOptionsText(tt.want); strings.HasPrefix(tt.want, "FO") {
			// Read back into the bytes written, not kept as text.
			assert.Equal(t, o.raw[:o.n], back.raw[:back.n], "%s read back", tt.want)
		}
	}
	for f, want := range map[TCPFlags]string{0: "none", TCPFlagSYN: "S", TCPFlagFIN | TCPFlagACK: "F.", 0x1ff: "FSRP.UEWN"} {
		assert.Equal(t, want, f.String())
		back, err := ParseTCPFlags(want)
		require.NoError(t, err)
		assert.Equal(t, f, back)
	}
}

func TestReadJSONLAcceptsValidJSON(t *testing.T) {
	input := "\n" +
		"  { \"t\" : 5 , \"kind\":\"pkt.drop\",\"subject\":\"s\" , \"id\" : -0 , \"b\":1E3, \"c\":2.5e-1 }\r\n" +
		"   \t\n" +
		`{"t":6,"kind":"\u0066ault","subject":"\ud83d\ude00 \ud800 x \udc00\u00e9","what":"\"\\\b\f\n\r\t\/","yes":true}` + "\n" +
		`{"t":7,"kind":"link.state","subject":""}`
	var got []Record
	require.NoError(t, ReadJSONL(strings.NewReader(input), func(r *Record) error { got = append(got, *r); return nil }))
	assert.Equal(t, []Record{
		{T: 5, Subject: "s", Event: &PacketDrop{}},
		{T: 6, Subject: "😀 \uFFFD x \uFFFDé", Event: &Fault{What: "\"\\\b\f\n\r\t/"}},
		{T: 7, Subject: "", Event: &LinkState{}},
	}, got)
}

func TestReadJSONLLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*jsonlBufferSize)
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf)
	w.Emit(&Record{Subject: long, Event: &LinkState{}})
	w.Emit(&Record{Event: &Fault{What: long}})
	require.NoError(t, w.Flush())
	var got []Record
	require.NoError(t, ReadJSONL(&buf, func(r *Record) error { got = append(got, *r); return nil }))
	require.Len(t, got, 2)
	assert.Equal(t, long, got[0].Subject)
	assert.Equal(t, long, got[1].Event.(*Fault).What)
}

func TestReadJSONLErrors(t *testing.T) {
	const ok = `{"t":1,"kind":"fault","subject":"s"}` + "\n"
	tests := []struct {
		name  string
		input string
		line  int
		col   int
		msg   string
	}{
		{"not an object", "[1]", 1, 1, `expected '{' at the start of a record, found '['`},
		{"empty object", "{}", 1, 2, `expected a quoted key, found '}'`},
		{"missing kind", `{"t":1}`, 1, 7, `record ends before key "kind"`},
		{"missing subject", `{"t":1,"kind":"fault"}`, 1, 22, `record ends before key "subject"`},
		{"wrong first key", `{"kind":"fault","t":1,"subject":""}`, 1, 2, `key 1 is "kind", want "t"`},
		{"t a float", `{"t":1.5,"kind":"fault","subject":""}`, 1, 6, `"t" must be an integer number of nanoseconds, found a float`},
		{"t too big", `{"t":9223372036854775808,"kind":"fault","subject":""}`, 1, 6, `found an integer`},
		{"kind a number", `{"t":1,"kind":2,"subject":""}`, 1, 15, `"kind" must be a string, found an integer`},
		{"second line", ok + `{"t":1,"kind":"fault","subject":"s","x":}`, 2, 41, `expected a value for key "x", found '}'`},
		{"after blank lines", ok + "\n\n" + `{"t":1,"kind":"fault","subject":"s","x":null}`, 4, 41, `null is not a trace value (key "x")`},
		{"nested", `{"t":1,"kind":"fault","subject":"s","x":{}}`, 1, 41, `nested objects and arrays are not trace values`},
		{"array", `{"t":1,"kind":"fault","subject":"s","x":[1]}`, 1, 41, `nested objects and arrays`},
		{"missing colon", `{"t" 1}`, 1, 6, `expected ':' after key "t", found '1'`},
		{"missing comma", `{"t":1 "kind":"fault"}`, 1, 8, `expected ',' between fields, found '"'`},
		{"trailing comma", `{"t":1,"kind":"fault","subject":"s",}`, 1, 37, `expected a quoted key, found '}'`},
		{"unterminated object", `{"t":1,"kind":"fault","subject":"s"`, 1, 36, `expected ',' between fields, found end of line`},
		{"trailing garbage", `{"t":1,"kind":"fault","subject":"s"} x`, 1, 38, `unexpected 'x' after the record`},
		{"two objects", `{"t":1,"kind":"fault","subject":"s"}{}`, 1, 37, `unexpected '{' after the record`},
		{"bad literal", `{"t":1,"kind":"fault","subject":"s","x":tru}`, 1, 41, `invalid literal for key "x"`},
		{"literal run-on", `{"t":1,"kind":"fault","subject":"s","x":truex}`, 1, 41, `invalid literal`},
		{"leading zero", `{"t":01,"kind":"fault","subject":"s"}`, 1, 6, `leading zero`},
		{"bare minus", `{"t":-,"kind":"fault","subject":"s"}`, 1, 7, `expected a digit in the number for key "t"`},
		{"plus sign", `{"t":+1,"kind":"fault","subject":"s"}`, 1, 6, `expected a value for key "t", found '+'`},
		{"dot without digits", `{"t":1,"kind":"fault","subject":"s","x":1.}`, 1, 43, `expected a digit after '.'`},
		{"leading dot", `{"t":1,"kind":"fault","subject":"s","x":.5}`, 1, 41, `expected a value for key "x", found '.'`},
		{"empty exponent", `{"t":1,"kind":"fault","subject":"s","x":1e+}`, 1, 44, `expected a digit in the exponent`},
		{"float out of range", `{"t":1,"kind":"fault","subject":"s","x":1e400}`, 1, 41, `number 1e400 for key "x" is out of range`},
		{"integer beyond uint64", `{"t":1,"kind":"fault","subject":"s","x":18446744073709551616}`, 1, 41, `integer 18446744073709551616 for key "x" is out of range`},
		{"integer below int64", `{"t":1,"kind":"fault","subject":"s","x":-9223372036854775809}`, 1, 41, `integer -9223372036854775809 for key "x" is out of range`},
		{"unterminated string", `{"t":1,"kind":"k`, 1, 17, `unterminated string`},
		{"raw control character", "{\"t\":1,\"kind\":\"a\tb\"}", 1, 17, `control character 0x9 in a string must be escaped`},
		{"bad escape", `{"t":1,"kind":"\x"}`, 1, 16, `invalid escape "\\x"`},
		{"short unicode escape", `{"t":1,"kind":"\u12"}`, 1, 16, `invalid \u escape`},
		{"escape at end", `{"t":1,"kind":"\`, 1, 16, `unterminated escape`},
		{"unquoted key", `{t:1}`, 1, 2, `expected a quoted key, found 't'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := ReadJSONL(strings.NewReader(tt.input), func(*Record) error { calls++; return nil })
			require.Error(t, err)
			require.ErrorIs(t, err, ErrMalformedTrace)
			var le *LineError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tt.line, le.Line, "line")
			assert.Equal(t, tt.col, le.Col, "column")
			assert.Contains(t, err.Error(), tt.msg)
			assert.Contains(t, err.Error(), fmt.Sprintf("trace line %d, column %d: ", tt.line, tt.col))
			assert.Equal(t, strings.Count(tt.input, ok), calls, "records before the bad line were delivered")
		})
	}
}

func TestReadJSONLCallbackAndReaderErrors(t *testing.T) {
	input := `{"t":1,"kind":"fault","subject":""}` + "\n" + `{"t":2,"kind":"link.state","subject":""}` + "\n"
	errStop := errors.New("enough")
	err := ReadJSONL(strings.NewReader(input), func(r *Record) error {
		if r.Kind() == KindLinkState {
			return errStop
		}
		return nil
	})
	require.ErrorIs(t, err, errStop)
	assert.NotErrorIs(t, err, ErrMalformedTrace)
	assert.EqualError(t, err, "trace line 2: enough")

	err = ReadJSONL(io.MultiReader(strings.NewReader(input), &failingReader{}), func(*Record) error { return nil })
	require.ErrorIs(t, err, errDiskFull)
	assert.Contains(t, err.Error(), "read trace line 3")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errDiskFull }

// FuzzReadJSONL checks that the reader never panics, and that what it
// accepts is a fixed point: written again and read again, the records are
// the same, and the written lines are valid JSON.
func FuzzReadJSONL(f *testing.F) {
	for _, r := range everyKind {
		f.Add(AppendJSONL(nil, &r))
	}
	f.Add([]byte(`{"t":6,"kind":"\u0066ault","subject":"\ud83d\ude00 \ud800","x":1E3}` + "\r\n\n"))
	f.Add([]byte(`{"t":1,"kind":"fault","subject":"s","x":-0.0,"what":"a\xffb"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var first Recorder
		if err := ReadJSONL(bytes.NewReader(data), func(r *Record) error { first.Emit(r); return nil }); err != nil {
			var le *LineError
			if !errors.As(err, &le) || !errors.Is(err, ErrMalformedTrace) || le.Line < 1 || le.Col < 1 {
				t.Fatalf("error without a line and column: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		w := NewJSONLWriter(&buf)
		for i := range first.Records {
			w.Emit(&first.Records[i])
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(buf.Bytes(), []byte("\n")) {
			if len(line) > 0 && !json.Valid(line) {
				t.Fatalf("invalid JSON written: %s", line)
			}
		}
		var second Recorder
		if err := ReadJSONL(&buf, func(r *Record) error { second.Emit(r); return nil }); err != nil {
			t.Fatalf("cannot read back what was written: %v\n%s", err, buf.Bytes())
		}
		if len(first.Records) != len(second.Records) {
			t.Fatalf("%d records, then %d", len(first.Records), len(second.Records))
		}
		for i := range first.Records {
			a, b := AppendJSONL(nil, &first.Records[i]), AppendJSONL(nil, &second.Records[i])
			if !bytes.Equal(a, b) {
				t.Fatalf("record %d changed:\n%s%s", i, a, b)
			}
		}
	})
}

// FuzzJSONLString checks the string encoder against encoding/json's
// decoder and the reader: any Go string becomes valid JSON that both decode
// to the same text, which is the input itself when it is valid UTF-8.
func FuzzJSONLString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x00\"\\\u2028", "a\xffb", "\xed\xa0\x80", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := AppendJSONL(nil, &Record{Subject: s, Event: &Fault{What: s}})
		var decoded map[string]any
		if err := json.Unmarshal(line, &decoded); err != nil {
			t.Fatalf("invalid JSON for %q: %v\n%s", s, err, line)
		}
		want, _ := decoded["subject"].(string)
		err := ReadJSONL(bytes.NewReader(line), func(r *Record) error {
			if r.Subject != want {
				return fmt.Errorf("subject %q, encoding/json %q", r.Subject, want)
			}
			if got := r.Event.(*Fault).What; got != want {
				return fmt.Errorf("field %q, encoding/json %q", got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if isValidUTF8(s) && want != s {
			t.Fatalf("valid string %q read back as %q", s, want)
		}
	})
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// TestTCPOptionsTextRoundTrip: the text of a well-formed list reads back
// as its raw bytes; any other text is kept as it is.
func TestTCPOptionsTextRoundTrip(t *testing.T) {
	for _, raw := range [][]byte{
		nil, {1}, {0}, {1, 1, 8, 10, 0, 0, 0, 0, 255, 255, 255, 255}, {2, 4, 0, 0, 4, 2, 3, 3, 0, 1},
		{5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 255, 255, 255, 255, 0, 0, 0, 0}, {30, 4, 0xab, 0xcd, 31, 2}, {1, 0},
	} {
		o := rawOpts(raw...)
		back := TCPOptionsText(o.String())
		assert.Equal(t, o, back, "% x: %s", raw, o.String())
	}
	for _, text := range []string{"bad-option-2", "nop,bad-option-5", "mss 01", "mss 70000", "TS val 1", "sack", "sack 1:2 3",
		"unknown-2 0x0001", "unknown-30 0xAB", "eol,nop", "nop,,nop", " nop", "wscale 7 ", strings.Repeat("nop,", 40) + "nop"} {
		o := TCPOptionsText(text)
		assert.Equal(t, text, o.String())
		assert.True(t, o.fromText, text)
	}
}

// TestAppendKeyNumber: keys and numbers are written as strconv writes
// them, at every digit count, both signs and the extremes, keys of every
// length, and into a slice with no room left.
func TestAppendKeyNumber(t *testing.T) {
	var vals []uint64
	for p := uint64(1); p < math.MaxUint64/10; p *= 10 {
		vals = append(vals, p-1, p, p+1, 2*p, 9*p+p-1)
	}
	vals = append(vals, 0, math.MaxUint64, math.MaxInt64, 1<<63)
	// And numbers of every length with random digits (the digits are
	// written eight at a time).
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		vals = append(vals, r.Uint64()>>r.IntN(64))
	}
	for _, key := range []string{"", `,"a":`, `,"id":`, `,"len":`, `,"qbytes":`, `,"rttvar":`, `,"mismatched":`, `,"a_long_key_name":`} {
		for _, v := range vals {
			got := string(appendKeyUint([]byte("x"), key, v))
			if want := "x" + key + strconv.FormatUint(v, 10); got != want {
				t.Fatalf("appendKeyUint(%q, %d) = %q, want %q", key, v, got, want)
			}
			for _, s := range []int64{int64(v), -int64(v)} {
				got := string(appendKeyInt(make([]byte, 0), key, s))
				if want := key + strconv.FormatInt(s, 10); got != want {
					t.Fatalf("appendKeyInt(%q, %d) = %q, want %q", key, s, got, want)
				}
			}
		}
	}
	if got := string(appendKeyInt(nil, `,"t":`, math.MinInt64)); got != `,"t":-9223372036854775808` {
		t.Fatalf("MinInt64: %q", got)
	}
}

// TestJSONLWriterHeads: the writer, which caches the head of a line by
// kind and subject, writes what AppendJSONL writes: every kind twice
// (from the cache the second time), one subject string under several
// kinds, equal subjects in different strings, a subject too long to
// cache, and more pairs than the cache holds.
func TestJSONLWriterHeads(t *testing.T) {
	var recs []Record
	recs = append(recs, everyKind...)
	recs = append(recs, everyKind...)
	shared := "link/l/a>b"
	for _, e := range []Event{&PacketEnqueue{ID: 1}, &PacketTx{ID: 1}, &PacketRx{ID: 1}, &PacketEnqueue{ID: 2}} {
		recs = append(recs, Record{T: 30, Subject: shared, Event: e})
		recs = append(recs, Record{T: 30, Subject: string([]byte(shared)), Event: e})
	}
	long := strings.Repeat("link/a-very-long-link-name/", 6) + "a>b"
	recs = append(recs, Record{T: 31, Subject: long, Event: &PacketTx{ID: 2}}, Record{T: 31, Subject: long, Event: &PacketTx{ID: 3}})
	for i := range 200 {
		recs = append(recs, Record{T: Time(i), Subject: fmt.Sprintf("host/h%d", i%70), Event: &PacketDeliver{ID: uint64(i)}})
	}
	var want []byte
	for i := range recs {
		want = AppendJSONL(want, &recs[i])
	}
	var got bytes.Buffer
	w := NewJSONLWriter(&got)
	for i := range recs {
		w.Emit(&recs[i])
	}
	require.NoError(t, w.Flush())
	assert.Equal(t, string(want), got.String())
}

// slowWriter keeps what it is given, sleeping in each write so that the
// encoder runs ahead of it, fails once it holds failAt bytes (0: never),
// and notes writes that overlap.
type slowWriter struct {
	buf     bytes.Buffer
	failAt  int
	writes  int
	busy    atomic.Bool
	overlap atomic.Bool
}

func (s *slowWriter) Write(p []byte) (int, error) {
	if s.busy.Swap(true) {
		s.overlap.Store(true)
	}
	defer s.busy.Store(false)
	time.Sleep(2 * time.Millisecond)
	s.writes++
	if s.failAt > 0 && s.buf.Len()+len(p) > s.failAt {
		k := s.failAt - s.buf.Len()
		s.buf.Write(p[:k])
		return k, errDiskFull
	}
	return s.buf.Write(p)
}

// TestJSONLWriterDoubleBuffered writes several buffers' worth of records
// through a slow writer: the bytes arrive whole and in order, one write at
// a time, Sum is their sha256 (also when asked mid-run), and a write error
// on a buffer in flight reaches Err and Flush and stops the output; the
// same with EncodeInline (called after some records were batched).
func TestJSONLWriterDoubleBuffered(t *testing.T) {
	for _, inline := range []bool{false, true} {
		t.Run(fmt.Sprintf("inline=%v", inline), func(t *testing.T) { testJSONLWriterDoubleBuffered(t, inline) })
	}
}

func testJSONLWriterDoubleBuffered(t *testing.T, inline bool) {
	newWriter := func(dst io.Writer) *JSONLWriter {
		w := NewJSONLWriter(dst)
		if inline {
			w.EncodeInline()
		}
		return w
	}
	emit := func(w *JSONLWriter, from, to int) []byte {
		var want []byte
		for i := from; i < to; i++ {
			r := &everyKind[i%len(everyKind)]
			r2 := *r
			r2.T = Time(i)
			w.Emit(&r2)
			want = AppendJSONL(want, &r2)
		}
		return want
	}
	sw := &slowWriter{}
	w := NewJSONLWriter(sw)
	want := emit(w, 0, 5000)
	if inline {
		w.EncodeInline()
	}
	want = append(want, emit(w, 5000, 30000)...)
	require.Greater(t, len(want), 3*jsonlWriteBufferSize, "several buffers")
	mid := sha256.Sum256(want)
	assert.Equal(t, hex.EncodeToString(mid[:]), w.Sum(), "Sum mid-run, with a buffer in flight")
	want = append(want, emit(w, 30000, 60000)...)
	require.NoError(t, w.Flush())
	assert.Equal(t, want, sw.buf.Bytes(), "the same bytes, in order")
	assert.False(t, sw.overlap.Load(), "one write at a time")
	assert.Greater(t, sw.writes, 3)
	h := sha256.Sum256(want)
	assert.Equal(t, hex.EncodeToString(h[:]), w.Sum())
	assert.Equal(t, int64(len(want)), w.Bytes())
	assert.Equal(t, uint64(60000), w.Records())

	// The second buffer fails: the third is not written, and Err and
	// Flush report the error; Sum still covers every line.
	fw := &slowWriter{failAt: jsonlWriteBufferSize + 100}
	w = newWriter(fw)
	want = emit(w, 0, 60000)
	require.ErrorIs(t, w.Err(), errDiskFull)
	require.ErrorIs(t, w.Flush(), errDiskFull)
	assert.Equal(t, jsonlWriteBufferSize+100, fw.buf.Len(), "nothing after the failed write")
	assert.Equal(t, want[:fw.buf.Len()], fw.buf.Bytes())
	assert.Equal(t, 2, fw.writes, "output stops at the first error")
	h = sha256.Sum256(want)
	assert.Equal(t, hex.EncodeToString(h[:]), w.Sum())
}

// TestRecordBatchCopies: a JSONLWriter's batch keeps a copy of every kind
// of event, in an array of its type (no allocation once the arrays are
// made, so no kind falls to the cloning fallback), which later changes to
// the producer's event do not reach.
func TestRecordBatchCopies(t *testing.T) {
	b := newRecordBatch()
	for i := range everyKind {
		b.add(&everyKind[i])
	}
	b.reset()
	allocs := testing.AllocsPerRun(10, func() {
		b.reset()
		for i := range everyKind {
			b.add(&everyKind[i])
		}
	})
	assert.Zero(t, allocs)
	require.Len(t, b.recs, len(everyKind))
	for i := range everyKind {
		assert.NotSame(t, everyKind[i].Event, b.recs[i].Event)
		assert.Equal(t, everyKind[i], b.recs[i])
	}
	e := &PacketTx{ID: 1}
	b.reset()
	b.add(&Record{T: 5, Subject: "link/l/a>b", Event: e})
	e.ID = 2
	assert.Equal(t, uint64(1), b.recs[0].Event.(*PacketTx).ID)
}
