package view

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/netsimlab/netsim/internal/testflags"
	"github.com/netsimlab/netsim/sim"
)

// send is a pkt.send line of a handwritten trace.
func send(t int64, host string, id int, src, dst string, sport, dport int, flags string, rseq, rack, plen, conn int) string {
	return fmt.Sprintf(`{"t":%d,"kind":"pkt.send","subject":"host/%s","id":%d,"iface":"eth0","len":%d,"src":"%s","dst":"%s","proto":6,"sport":%d,"dport":%d,"flags":"%s","seq":%d,"ack":%d,"rseq":%d,"rack":%d,"win":502,"plen":%d,"opts":"","conn":%d}`,
		t, host, id, 52+plen, src, dst, sport, dport, flags, 1000+rseq, 5000+rack, rseq, rack, plen, conn)
}

func state(t int64, host, side, local, remote, from, to string, conn int) string {
	return fmt.Sprintf(`{"t":%d,"kind":"tcp.state","subject":"host/%s","conn":%d,"side":"%s","local":"%s","remote":"%s","from":"%s","to":"%s"}`,
		t, host, conn, side, local, remote, from, to)
}

// transfer is a trace of one connection a -> b: a handshake, three data
// segments of which the second is dropped by the link and retransmitted.
func transfer() string {
	const a, b, ap, bp = "10.0.0.1", "10.0.0.2", 40000, 80
	lines := []string{
		state(100, "a", "client", "10.0.0.1:40000", "10.0.0.2:80", "CLOSED", "SYN-SENT", 1),
		send(100, "a", 1, a, b, ap, bp, "S", 0, 0, 0, 1),
		`{"t":100,"kind":"pkt.tx","subject":"link/l/a>b","id":1,"len":52,"qlen":0,"qbytes":0,"arrive":1100}`,
		`{"t":1100,"kind":"pkt.deliver","subject":"host/b","id":1,"iface":"eth0","len":52,"conn":1}`,
		state(1100, "b", "server", "10.0.0.2:80", "10.0.0.1:40000", "LISTEN", "SYN-RECEIVED", 1),
		send(1100, "b", 2, b, a, bp, ap, "S.", 0, 1, 0, 1),
		`{"t":2100,"kind":"pkt.deliver","subject":"host/a","id":2,"iface":"eth0","len":52,"conn":1}`,
		state(2100, "a", "client", "10.0.0.1:40000", "10.0.0.2:80", "SYN-SENT", "ESTABLISHED", 1),
		send(2100, "a", 3, a, b, ap, bp, ".", 1, 1, 100, 1),
		send(2200, "a", 4, a, b, ap, bp, ".", 101, 1, 100, 1),
		`{"t":2300,"kind":"pkt.drop","subject":"link/l/a>b","id":4,"len":152,"reason":"loss"}`,
		send(2400, "a", 5, a, b, ap, bp, "P.", 201, 1, 100, 1),
		`{"t":3100,"kind":"pkt.deliver","subject":"host/b","id":3,"iface":"eth0","len":152,"conn":1}`,
		`{"t":5000,"kind":"tcp.retransmit","subject":"host/a","conn":1,"side":"client","rseq":101,"len":100,"reason":"fast"}`,
		send(5000, "a", 6, a, b, ap, bp, ".", 101, 1, 100, 1),
		`{"t":5100,"kind":"tcp.cwnd","subject":"host/a","conn":1,"side":"client","cwnd":14480,"ssthresh":2147483647,"reason":"ack"}`,
	}
	return strings.Join(lines, "\n") + "\n"
}

// builtPage is a page's data with its packets read back from their
// compact form.
type builtPage struct {
	pageData
	Packets []packet
}

func build(t *testing.T, trace string, opts Options) (*Page, builtPage) {
	t.Helper()
	p, err := Build(t.TempDir(), strings.NewReader(trace), opts)
	require.NoError(t, err)
	blob, err := base64.RawURLEncoding.DecodeString(p.packets)
	require.NoError(t, err)
	ps, err := decodePackets(blob)
	require.NoError(t, err)
	require.Len(t, ps, p.shown)
	return p, builtPage{p.data, ps}
}

func TestBuildFollowsEachPacket(t *testing.T) {
	_, d := build(t, transfer(), Options{})
	assert.Equal(t, []string{"a", "b"}, d.Hosts)
	require.Len(t, d.Packets, 6)
	syn := d.Packets[0]
	assert.Equal(t, "S", syn.Flags)
	assert.Equal(t, 0, syn.Src)
	assert.Equal(t, 1, syn.Dst)
	assert.Equal(t, int64(1100), syn.End)
	assert.Equal(t, "client", syn.Side)
	assert.Equal(t, "server", d.Packets[1].Side)
	lost := d.Packets[3]
	assert.Equal(t, "loss", lost.Drop)
	assert.Equal(t, "link/l/a>b", lost.DropAt)
	assert.Equal(t, 1, lost.Dst, "a dropped packet is drawn towards the host of its address")
	assert.Equal(t, "fast", d.Packets[5].Retrans, "a tcp.retransmit just before the send marks it")
	assert.Empty(t, d.Packets[4].Retrans)
	assert.Zero(t, d.Packets[4].End, "never delivered in the trace")
	require.Len(t, d.Conns, 1)
	c := d.Conns[0]
	assert.Equal(t, "10.0.0.1:40000", c.Client)
	assert.Equal(t, 6, c.Packets)
	assert.Equal(t, 1, c.Drops)
	assert.Equal(t, 1, c.Retrans)
	assert.Equal(t, "ESTABLISHED", c.ClientEnd)
	assert.False(t, d.Cut.Captured)
	var names []string
	for _, s := range d.Series {
		names = append(names, s.Side+"/"+s.Name)
	}
	assert.Equal(t, []string{"client/seq", "server/seq", "client/ack", "server/ack", "client/cwnd", "client/ssthresh"}, names)
}

func TestRetransmitRecordAfterTheSend(t *testing.T) {
	trace := strings.Replace(transfer(),
		`{"t":5000,"kind":"tcp.retransmit","subject":"host/a","conn":1,"side":"client","rseq":101,"len":100,"reason":"fast"}`+"\n"+send(5000, "a", 6, "10.0.0.1", "10.0.0.2", 40000, 80, ".", 101, 1, 100, 1),
		send(5000, "a", 6, "10.0.0.1", "10.0.0.2", 40000, 80, ".", 101, 1, 100, 1)+"\n"+`{"t":5000,"kind":"tcp.retransmit","subject":"host/a","conn":1,"side":"client","rseq":101,"len":100,"reason":"rto"}`, 1)
	_, d := build(t, trace, Options{})
	assert.Equal(t, "rto", d.Packets[5].Retrans)
}

func TestBoundsAreCountedAndSaid(t *testing.T) {
	_, d := build(t, transfer(), Options{MaxPackets: 2})
	require.Len(t, d.Packets, 2)
	assert.Equal(t, 6, d.Cut.PacketsInWindow)
	assert.Equal(t, 4, d.Cut.PacketsLeft)
	assert.Equal(t, 1, d.Conns[0].Drops, "drops of packets left out still count")

	_, d = build(t, transfer(), Options{From: 2100, To: 2400})
	require.Len(t, d.Packets, 3)
	assert.Equal(t, uint64(3), d.Packets[0].ID)
	assert.Equal(t, 3, d.Cut.PacketsOutside)
	assert.Equal(t, int64(3100), d.Packets[0].End, "a packet sent in the window is followed past its end")
	// Both ends changed state before the window: the page shows where
	// they were at the window's start, then what happened in it.
	assert.Equal(t, []stateChange{
		{T: 2100, Host: 0, Conn: 1, Side: "client", From: "", To: "SYN-SENT"},
		{T: 2100, Host: 1, Conn: 1, Side: "server", From: "", To: "SYN-RECEIVED"},
		{T: 2100, Host: 0, Conn: 1, Side: "client", From: "SYN-SENT", To: "ESTABLISHED"},
	}, d.States)

	_, d = build(t, transfer(), Options{Conn: 2})
	assert.Empty(t, d.Packets)
	assert.Empty(t, d.Conns)
	assert.Equal(t, 6, d.Cut.PacketsOutside)
}

func TestBuildRejectsABadTrace(t *testing.T) {
	_, err := Build(t.TempDir(), strings.NewReader(`{"t":1,"kind":"pkt.bogus","subject":"x"}`+"\n"), Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "trace.jsonl")
	_, err = Build(t.TempDir(), strings.NewReader(transfer()), Options{From: 10, To: 5})
	require.Error(t, err)
}

// TestNamesCannotInjectMarkup: a host name from the trace that looks like
// markup stays text: the page's data is JSON with <, > and & escaped.
func TestNamesCannotInjectMarkup(t *testing.T) {
	evil := `x</script><script>alert(1)</script>&amp;`
	trace := strings.ReplaceAll(transfer(), `"subject":"host/a"`, `"subject":"host/`+strings.ReplaceAll(evil, `"`, `\"`)+`"`)
	p, d := build(t, trace, Options{})
	require.Equal(t, evil, d.Hosts[0])
	var b bytes.Buffer
	require.NoError(t, p.WriteHTML(&b))
	page := b.String()
	assert.NotContains(t, page, "alert(1)</script>")
	assert.Equal(t, 3, strings.Count(page, "</script>"), "only the page's own three script elements close")
	// The data reads back as written.
	m := regexp.MustCompile(`(?s)<script id="netsim-data" type="application/json">(.*?)</script>`).FindStringSubmatch(page)
	require.NotNil(t, m)
	var back pageData
	require.NoError(t, json.Unmarshal([]byte(m[1]), &back))
	assert.Equal(t, evil, back.Hosts[0])
}

func TestPageIsSelfContained(t *testing.T) {
	p, _ := build(t, transfer(), Options{})
	var b bytes.Buffer
	require.NoError(t, p.WriteHTML(&b))
	page := b.String()
	for _, ref := range []string{"<script src", "<link", "@import", "url(", "https://", "fetch(", "XMLHttpRequest"} {
		assert.NotContains(t, page, ref)
	}
	assert.Contains(t, page, `id="ladder"`)
}

func TestSummaryAndManifestAreEmbedded(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "summary.json"), []byte(`{"connections": [ {"id": 1} ]}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"netsim_version":"0.1.0","scenario":{"path":"s.yaml","name":"demo"},"seed":7,"duration":"2s","fingerprint":"abc"}`), 0o644))
	p, err := Build(dir, strings.NewReader(transfer()), Options{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"connections":[{"id":1}]}`, string(p.data.Summary))
	assert.Equal(t, "demo", p.data.Meta.Scenario.Name)
	assert.Equal(t, int64(7), p.data.Meta.Seed)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "summary.json"), []byte(`{"connections": [`), 0o644))
	_, err = Build(dir, strings.NewReader(transfer()), Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "summary.json")
}

// TestWindowScaling: a segment's window in bytes is its field shifted by
// the sender's own announced shift when both SYNs carried the option
// (RFC 7323 §2.2), as is when one did not, unknown without the SYNs, and
// a window opened after the SYNs (--from) still knows their shifts.
func TestWindowScaling(t *testing.T) {
	const a, b = "10.0.0.1", "10.0.0.2"
	withOpts := func(line, opts string) string {
		return strings.Replace(line, `"opts":""`, `"opts":"`+opts+`"`, 1)
	}
	trace := func(synAckOpts string) string {
		return strings.Join([]string{
			state(100, "a", "client", "10.0.0.1:40000", "10.0.0.2:80", "CLOSED", "SYN-SENT", 1),
			withOpts(send(100, "a", 1, a, b, 40000, 80, "S", 0, 0, 0, 1), "mss 1460,nop,wscale 7"),
			state(1100, "b", "server", "10.0.0.2:80", "10.0.0.1:40000", "LISTEN", "SYN-RECEIVED", 1),
			withOpts(send(1100, "b", 2, b, a, 80, 40000, "S.", 0, 1, 0, 1), synAckOpts),
			send(2100, "a", 3, a, b, 40000, 80, ".", 1, 1, 100, 1),
			send(3100, "b", 4, b, a, 80, 40000, ".", 1, 101, 0, 1),
		}, "\n") + "\n"
	}
	wnd := func(d builtPage) []int64 {
		var w []int64
		for _, p := range d.Packets {
			w = append(w, p.Wnd)
		}
		return w
	}
	_, d := build(t, trace("mss 1460,nop,wscale 9"), Options{})
	assert.Equal(t, []int64{0, 0, 502 << 7, 502 << 9}, wnd(d), "SYNs unscaled; each end shifts by its own shift")
	_, d = build(t, trace("mss 1460"), Options{})
	assert.Equal(t, []int64{0, 0, 502, 502}, wnd(d), "the SYN-ACK refused scaling")
	_, d = build(t, trace("mss 1460,nop,wscale 9"), Options{From: 2000})
	assert.Equal(t, []int64{502 << 7, 502 << 9}, wnd(d), "a window after the SYNs")
	_, d = build(t, strings.Join(strings.Split(trace("wscale 9"), "\n")[4:], "\n"), Options{})
	assert.Equal(t, []int64{-1, -1}, wnd(d), "no SYN in the trace: unknown")

	assert.Equal(t, 14, windowShift("wscale 15"), "clamped as Linux does")
	assert.Equal(t, -1, windowShift("mss 1460,sackOK"))
	assert.Equal(t, 0, windowShift("nop,wscale 0"))
}

// TestBBRAndDeliveryRate: tcp.rate samples and BBR's model become series,
// and BBR's mode changes a list the cwnd graph shades; a window that opens
// in the middle of a mode starts with that mode.
func TestBBRAndDeliveryRate(t *testing.T) {
	bbr := func(t int64, mode string, bw int64) string {
		return fmt.Sprintf(`{"t":%d,"kind":"tcp.bbr","subject":"host/a","conn":1,"side":"client","mode":"%s","bw":%d,"min_rtt":40000000,"pacing_gain":288,"cwnd_gain":288,"cycle":0,"lt":false,"reason":"bw"}`, t, mode, bw)
	}
	trace := transfer() + strings.Join([]string{
		bbr(5200, "startup", 1000),
		`{"t":5200,"kind":"tcp.rate","subject":"host/a","conn":1,"side":"client","delivered":1448,"interval":1000,"rate":11584000,"app_limited":false,"rtt":1000,"inflight":2896,"lost":0}`,
		bbr(5300, "startup", 2000),
		bbr(5400, "drain", 2000),
		bbr(5500, "probe_bw", 2000),
	}, "\n") + "\n"
	_, d := build(t, trace, Options{})
	var modes []string
	for _, m := range d.Modes {
		modes = append(modes, fmt.Sprintf("%d %s", m.T, m.Mode))
	}
	assert.Equal(t, []string{"5200 startup", "5400 drain", "5500 probe_bw"}, modes, "one entry per change")
	names := map[string]int{}
	for _, s := range d.Series {
		names[s.Name] = len(s.Points)
	}
	assert.Equal(t, 1, names["rate"])
	assert.Equal(t, 4, names["bbr_bw"])
	assert.Equal(t, 4, names["bbr_min_rtt"])

	_, d = build(t, trace, Options{From: 5350})
	require.NotEmpty(t, d.Modes)
	assert.Equal(t, modeChange{T: 5350, Conn: 1, Side: "client", Mode: "startup"}, d.Modes[0], "the mode when the window opens")
	assert.Equal(t, "drain", d.Modes[1].Mode)
}

// TestRoutersOnTheWay: routers that forward a packet become nodes of the
// page (listed as routers) and the packet records where and when each
// forwarded it, so that the diagram can draw it hop by hop; a router's
// own datagram (an ICMP error) has the router as its sender.
func TestRoutersOnTheWay(t *testing.T) {
	trace := strings.Join([]string{
		send(100, "a", 1, "10.0.0.1", "10.0.0.2", 40000, 80, "S", 0, 0, 0, 1),
		`{"t":600,"kind":"pkt.forward","subject":"router/r1","id":1,"iface":"eth1","ttl":63}`,
		`{"t":900,"kind":"pkt.forward","subject":"router/r2","id":1,"iface":"eth1","ttl":62}`,
		`{"t":1100,"kind":"pkt.deliver","subject":"host/b","id":1,"iface":"eth0","len":52,"conn":1}`,
		`{"t":1200,"kind":"pkt.send","subject":"router/r2","id":2,"iface":"eth0","len":80,"src":"100.64.0.2","dst":"10.0.0.1","proto":1,"sport":0,"dport":0,"flags":"none","seq":0,"ack":0,"rseq":0,"rack":0,"win":0,"plen":60,"opts":"","conn":0}`,
	}, "\n") + "\n"
	_, d := build(t, trace, Options{})
	assert.Equal(t, []string{"a", "r1", "r2", "b"}, d.Hosts)
	assert.Equal(t, []int{1, 2}, d.Routers)
	require.Len(t, d.Packets, 2)
	assert.Equal(t, [][2]int64{{1, 600}, {2, 900}}, d.Packets[0].Via)
	assert.Equal(t, 3, d.Packets[0].Dst)
	assert.Equal(t, 2, d.Packets[1].Src, "the router sent the ICMP message")
}

// TestPacketWithoutFateDoesNotHoldTheRest: a packet sent and never
// delivered or dropped (queued on a link that stays down) goes into the
// page as still in flight once its fate is lingerAfterWindow late, and
// the packets after it, whose fates came, are let go as before instead of
// waiting for the end of the trace; the page is the same either way.
func TestPacketWithoutFateDoesNotHoldTheRest(t *testing.T) {
	const a, b, sec = "10.0.0.1", "10.0.0.2", int64(1e9)
	lines := []string{send(0, "a", 1, a, b, 40000, 80, "S", 0, 0, 0, 1)}
	const n = 200
	for i := int64(1); i <= n; i++ {
		lines = append(lines, send(i*sec, "a", int(i)+1, a, b, 40000, 80, "S", 0, 0, 0, 1),
			fmt.Sprintf(`{"t":%d,"kind":"pkt.deliver","subject":"host/b","id":%d,"iface":"eth0","len":52,"conn":1}`, i*sec+1000, i+1))
	}
	trace := strings.Join(lines, "\n") + "\n"

	c := newCollector(Options{MaxPackets: DefaultMaxPackets}, t.TempDir())
	held := 0
	require.NoError(t, sim.ReadJSONL(strings.NewReader(trace), func(r *sim.Record) error {
		err := c.add(r)
		held = max(held, len(c.queue))
		return err
	}))
	assert.LessOrEqual(t, held, int(int64(lingerAfterWindow)/sec)+2, "packets held at once")

	_, d := build(t, trace, Options{})
	require.Len(t, d.Packets, n+1)
	assert.Zero(t, d.Packets[0].End, "never delivered: in flight")
	for i, p := range d.Packets[1:] {
		assert.Equal(t, p.T+1000, p.End, "packet %d", i+2)
		assert.Equal(t, 1, p.Dst)
	}
}
