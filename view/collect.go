package view

import (
	"errors"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netsimlab/netsim/internal/lifelines"
	"github.com/netsimlab/netsim/sim"
)

// maxSeriesConns is the most connections whose graphs a page holds; a
// scenario with thousands of flows gets the first ones, and the page says
// how many it left out (--conn picks one).
const maxSeriesConns = 100

// lingerAfterWindow is how long the fate of a packet (delivered or
// dropped) is waited for: after --to the trace is still read this long for
// the packets sent in the window, and a packet whose fate has not come
// this long after it was sent goes into the page as still in flight (a
// packet queued on a link that stays down), so that it does not hold the
// packets after it, whose fates came, in memory until the trace ends.
const lingerAfterWindow = sim.Time(60e9)

// errEnough stops reading the trace once nothing more can reach the page.
var errEnough = errors.New("view: enough read")

type connSide struct {
	conn uint64
	side string
}

type seriesKey struct {
	conn       uint64
	side, name string
}

// retransmit is a tcp.retransmit record waiting for the pkt.send it marks.
type retransmit struct {
	t      sim.Time
	rseq   uint64
	reason string
}

// collector reads trace records in order and keeps what the page shows.
// A packet is held from its pkt.send until its fate (delivered or
// dropped) is in the trace, its bytes found in the capture on the way,
// then encoded into the page's columns and let go: its memory is bounded
// by the page's columns, the packets in flight, the number of
// connections and hosts, and maxBins per series.
type collector struct {
	opts     Options
	d        pageData
	hosts    map[string]int
	addrHost map[netip.Addr]int
	addrText map[netip.Addr]string
	conns    map[uint64]int
	// queue holds the page's packets from their pkt.send until they are
	// encoded, in the page's order; queue[0] is packet number base.
	queue []packet
	base  int
	// shown counts the packets in the page: encoded and queued.
	shown int
	enc   *packetEncoder
	caps  *captures
	// err is the first error reading a capture.
	err error
	// pending maps a packet id to its number in the page until its fate.
	pending map[uint64]int
	// inflight maps every packet of the window in flight to its
	// connection, so that drops count for packets not embedded too.
	inflight map[uint64]uint64
	// before holds each connection end's last state before From.
	before      map[connSide]stateChange
	beforeOrder []connSide
	flushed     bool
	series      map[seriesKey]*binner
	seriesOrder []seriesKey
	seriesConns map[uint64]bool
	skipped     map[uint64]bool
	rtx         map[uint64]retransmit
	lastSend    map[uint64]int
	// wscale holds the window scale shift each end of a connection sent
	// in its SYN, -1 for none (RFC 7323 §2.2).
	wscale map[connSide]int
	// bbrMode is each BBR sender's last mode; bbrShown says it is in the
	// page's Modes already.
	bbrMode  map[connSide]string
	bbrShown map[connSide]bool
	bbrOrder []connSide
}

// newCollector returns a collector that finds the packets' bytes in the
// captures of pcapDir.
func newCollector(opts Options, pcapDir string) *collector {
	return &collector{
		opts:        opts,
		enc:         newPacketEncoder(),
		caps:        newCaptures(pcapDir),
		hosts:       map[string]int{},
		addrHost:    map[netip.Addr]int{},
		addrText:    map[netip.Addr]string{},
		conns:       map[uint64]int{},
		pending:     map[uint64]int{},
		inflight:    map[uint64]uint64{},
		before:      map[connSide]stateChange{},
		series:      map[seriesKey]*binner{},
		seriesConns: map[uint64]bool{},
		skipped:     map[uint64]bool{},
		rtx:         map[uint64]retransmit{},
		lastSend:    map[uint64]int{},
		wscale:      map[connSide]int{},
		bbrMode:     map[connSide]string{},
		bbrShown:    map[connSide]bool{},
		d: pageData{Hosts: []string{}, Routers: []int{}, Conns: []connInfo{},
			States: []stateChange{}, Series: []series{}, Modes: []modeChange{}},
	}
}

func (c *collector) inWindow(t sim.Time) bool {
	return t >= c.opts.From && (c.opts.To == 0 || t <= c.opts.To)
}

func (c *collector) wantConn(conn uint64) bool {
	return c.opts.Conn == 0 || conn == c.opts.Conn
}

// host returns the index of the node a "host/NAME" or "router/NAME"
// subject names, adding it (a router is listed in Routers too); -1 for any
// other subject.
func (c *collector) host(subject string) int {
	name, ok := strings.CutPrefix(subject, "host/")
	router := false
	if !ok {
		if name, ok = strings.CutPrefix(subject, "router/"); !ok {
			return -1
		}
		router = true
	}
	i, ok := c.hosts[subject]
	if !ok {
		i = len(c.d.Hosts)
		c.hosts[subject] = i
		c.d.Hosts = append(c.d.Hosts, name)
		if router {
			c.d.Routers = append(c.d.Routers, i)
		}
	}
	return i
}

func (c *collector) conn(id uint64) *connInfo {
	i, ok := c.conns[id]
	if !ok {
		i = len(c.d.Conns)
		c.conns[id] = i
		c.d.Conns = append(c.d.Conns, connInfo{ID: id, ClientHost: -1, ServerHost: -1, First: -1})
	}
	return &c.d.Conns[i]
}

func (c *collector) touch(ci *connInfo, t sim.Time) {
	if ci.First < 0 {
		ci.First = int64(t)
	}
	ci.Last = int64(t)
}

// errCapture stops reading the trace when a capture cannot be read
// (collector.err says why).
var errCapture = errors.New("view: capture unreadable")

// packet returns the page's packet number i while it is queued, nil once
// it is encoded.
func (c *collector) packet(i int) *packet {
	if i < c.base {
		return nil
	}
	return &c.queue[i-c.base]
}

// pendingPacket returns the queued packet whose id is id, nil for none.
func (c *collector) pendingPacket(id uint64) *packet {
	if i, ok := c.pending[id]; ok {
		return c.packet(i)
	}
	return nil
}

// encodeDone encodes the packets at the head of the queue whose fate came
// before now (nothing changes a packet after its fate but a
// tcp.retransmit record at the instant it was sent), and those sent more
// than lingerAfterWindow before now without a fate, as still in flight:
// the page's order is the order of sending, so a packet without a fate
// would otherwise keep every later packet queued.
func (c *collector) encodeDone(now int64) {
	n := 0
	for ; n < len(c.queue); n++ {
		p := &c.queue[n]
		if !p.fated && now-p.T > int64(lingerAfterWindow) {
			delete(c.pending, p.ID) // a fate later than this is not shown
		} else if !p.fated || p.End >= now {
			break
		}
		c.enc.add(p)
	}
	c.dropHead(n)
}

// dropHead lets go of the first n packets of the queue, moving the rest
// down once the spent head is as long as they are.
func (c *collector) dropHead(n int) {
	if n == 0 {
		return
	}
	clear(c.queue[:n])
	c.queue = c.queue[n:]
	c.base += n
	if cap(c.queue) > 1024 && len(c.queue) < cap(c.queue)/4 {
		c.queue = append(make([]packet, 0, 2*len(c.queue)+16), c.queue...)
	}
}

// add is sim.ReadJSONL's callback.
func (c *collector) add(r *sim.Record) error {
	c.d.Cut.TraceEnd = int64(r.T)
	if len(c.queue) > 0 {
		c.encodeDone(int64(r.T))
	}
	if c.opts.To != 0 && r.T > c.opts.To && (len(c.pending) == 0 || r.T > c.opts.To+lingerAfterWindow) {
		return errEnough
	}
	if !c.flushed && r.T >= c.opts.From {
		c.flushBefore()
	}
	switch e := r.Event.(type) {
	case *sim.PacketSend:
		c.send(r, e)
	case *sim.PacketTx:
		if p := c.pendingPacket(e.ID); p != nil && p.txAt < 0 {
			p.txAt = int64(r.T)
			if p.Src >= 0 {
				if err := c.caps.attach(p, c.d.Hosts[p.Src]); err != nil {
					c.err = err
					return errCapture
				}
			}
		}
	case *sim.PacketForward:
		if p := c.pendingPacket(e.ID); p != nil {
			p.Via = append(p.Via, [2]int64{int64(c.host(r.Subject)), int64(r.T)})
		}
	case *sim.PacketMark:
		if p := c.pendingPacket(e.ID); p != nil {
			p.Marked = true
		}
	case *sim.PacketRx:
		if p := c.pendingPacket(e.ID); p != nil && e.Corrupt {
			p.Corrupt = true
		}
	case *sim.PacketDuplicate:
		c.duplicate(e)
	case *sim.PacketDeliver:
		if p := c.pendingPacket(e.ID); p != nil {
			p.End, p.Dst, p.fated = int64(r.T), c.host(r.Subject), true
			delete(c.pending, e.ID)
		}
		delete(c.inflight, e.ID)
	case *sim.PacketDrop:
		if conn, ok := c.inflight[e.ID]; ok && conn != 0 {
			c.conn(conn).Drops++
		}
		delete(c.inflight, e.ID)
		if p := c.pendingPacket(e.ID); p != nil {
			p.End, p.Drop, p.DropAt, p.fated = int64(r.T), e.Reason, r.Subject, true
			delete(c.pending, e.ID)
		}
	case *sim.TCPState:
		c.state(r, e)
	case *sim.TCPCwnd:
		if c.inWindow(r.T) && c.wantConn(e.Conn) {
			c.addSeries(e.Conn, e.Side, "cwnd", r.T, e.Cwnd)
			c.addSeries(e.Conn, e.Side, "ssthresh", r.T, e.Ssthresh)
		}
	case *sim.TCPRTT:
		if c.inWindow(r.T) && c.wantConn(e.Conn) {
			c.addSeries(e.Conn, e.Side, "rtt", r.T, int64(e.Sample))
			c.addSeries(e.Conn, e.Side, "srtt", r.T, int64(e.SRTT))
		}
	case *sim.TCPRate:
		if c.inWindow(r.T) && c.wantConn(e.Conn) {
			c.addSeries(e.Conn, e.Side, "rate", r.T, e.Rate)
		}
	case *sim.TCPBBR:
		c.bbr(r, e)
	case *sim.TCPRetransmit:
		c.retransmit(r, e)
	}
	return nil
}

func (c *collector) send(r *sim.Record, e *sim.PacketSend) {
	src := c.host(r.Subject)
	if src >= 0 {
		if _, ok := c.addrHost[e.Src]; !ok {
			c.addrHost[e.Src] = src
		}
	}
	side := ""
	if e.Conn != 0 {
		side = "server"
		if c.conn(e.Conn).Client == netip.AddrPortFrom(e.Src, e.SPort).String() {
			side = "client"
		}
		if e.Flags.Has(sim.TCPFlagSYN) {
			c.wscale[connSide{e.Conn, side}] = windowShift(e.Opts.String())
		}
	}
	if !c.inWindow(r.T) || !c.wantConn(e.Conn) {
		c.d.Cut.PacketsOutside++
		return
	}
	c.d.Cut.PacketsInWindow++
	c.inflight[e.ID] = e.Conn
	if e.Conn != 0 {
		ci := c.conn(e.Conn)
		c.touch(ci, r.T)
		ci.Packets++
		c.sendSeries(r.T, e, side)
	}
	if c.shown >= c.opts.MaxPackets {
		c.d.Cut.PacketsLeft++
		return
	}
	dst := -1
	if h, ok := c.addrHost[e.Dst]; ok {
		dst = h
	}
	p := packet{ID: e.ID, T: int64(r.T), Src: src, Dst: dst, Conn: e.Conn, Side: side,
		SrcA: c.addrString(e.Src), DstA: c.addrString(e.Dst), Proto: e.Proto, SPort: e.SPort, DPort: e.DPort,
		Flags: e.Flags.String(), Seq: e.Seq, Ack: e.Ack, RSeq: e.RSeq, RAck: e.RAck, Win: e.Win,
		PLen: e.PLen, Len: e.Len, Opts: e.Opts.String(), iface: e.Iface, txAt: -1}
	if e.Conn != 0 && !e.Flags.Has(sim.TCPFlagSYN) {
		p.Wnd = c.scaledWindow(e.Conn, side, e.Win)
	}
	if x, ok := c.rtx[e.Conn]; ok && x.t == r.T && x.rseq == e.RSeq {
		p.Retrans = x.reason
		delete(c.rtx, e.Conn)
	}
	c.pending[e.ID] = c.shown
	if e.Conn != 0 {
		c.lastSend[e.Conn] = c.shown
	}
	c.queue = append(c.queue, p)
	c.shown++
}

// addrString is an address as text, made once per address.
func (c *collector) addrString(a netip.Addr) string {
	s, ok := c.addrText[a]
	if !ok {
		s = a.String()
		c.addrText[a] = s
	}
	return s
}

// scaledWindow returns the window in bytes that a segment's 16-bit window
// field stands for, -1 when the connection's SYNs are not in the trace:
// shifted by the sender's announced shift when both SYNs carried the
// window scale option, as is (RFC 7323 §2.2-2.3).
func (c *collector) scaledWindow(conn uint64, side string, win uint16) int64 {
	peer := "client"
	if side == "client" {
		peer = "server"
	}
	mine, ok1 := c.wscale[connSide{conn, side}]
	theirs, ok2 := c.wscale[connSide{conn, peer}]
	switch {
	case !ok1 || !ok2:
		return -1
	case mine < 0 || theirs < 0:
		return int64(win)
	}
	return int64(win) << mine
}

// windowShift reads the shift of a "wscale N" option from an option list
// as the trace prints it, -1 when there is none; Linux clamps shifts over
// 14 to 14 (RFC 7323 §2.3).
func windowShift(opts string) int {
	for _, o := range strings.Split(opts, ",") {
		if v, ok := strings.CutPrefix(o, "wscale "); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return -1
			}
			return min(n, 14)
		}
	}
	return -1
}

// sendSeries adds a segment to its connection's time-sequence series: the
// sender's highest byte sent, and the acknowledgment it carries for the
// peer's data.
func (c *collector) sendSeries(t sim.Time, e *sim.PacketSend, side string) {
	if e.PLen > 0 || e.Flags.Has(sim.TCPFlagSYN) || e.Flags.Has(sim.TCPFlagFIN) {
		c.addSeries(e.Conn, side, "seq", t, int64(e.RSeq)+int64(e.PLen))
	}
	if e.Flags.Has(sim.TCPFlagACK) {
		peer := "client"
		if side == "client" {
			peer = "server"
		}
		c.addSeries(e.Conn, peer, "ack", t, int64(e.RAck))
	}
}

func (c *collector) addSeries(conn uint64, side, name string, t sim.Time, v int64) {
	if !c.seriesConns[conn] {
		if len(c.seriesConns) >= maxSeriesConns {
			if !c.skipped[conn] {
				c.skipped[conn] = true
				c.d.Cut.SeriesLeft++
			}
			return
		}
		c.seriesConns[conn] = true
	}
	k := seriesKey{conn, side, name}
	b, ok := c.series[k]
	if !ok {
		b = newBinner(maxBins)
		c.series[k] = b
		c.seriesOrder = append(c.seriesOrder, k)
	}
	b.add(int64(t), v)
}

// bbr keeps BBR's model (its bottleneck bandwidth and min RTT) as series
// and its mode changes as bands under the cwnd graph; the mode it was in
// when the window opens is recorded at From.
func (c *collector) bbr(r *sim.Record, e *sim.TCPBBR) {
	if !c.wantConn(e.Conn) {
		return
	}
	k := connSide{e.Conn, e.Side}
	last, seen := c.bbrMode[k]
	if !seen {
		c.bbrOrder = append(c.bbrOrder, k)
	}
	c.bbrMode[k] = e.Mode
	if r.T < c.opts.From || !c.inWindow(r.T) {
		return
	}
	c.addSeries(e.Conn, e.Side, "bbr_bw", r.T, e.BW)
	c.addSeries(e.Conn, e.Side, "bbr_min_rtt", r.T, int64(e.MinRTT))
	if !seen || last != e.Mode || !c.bbrShown[k] {
		c.bbrShown[k] = true
		c.d.Modes = append(c.d.Modes, modeChange{T: int64(r.T), Conn: e.Conn, Side: e.Side, Mode: e.Mode})
	}
}

func (c *collector) duplicate(e *sim.PacketDuplicate) {
	if conn, ok := c.inflight[e.Of]; ok {
		c.inflight[e.ID] = conn
	}
	orig := c.pendingPacket(e.Of)
	if orig == nil {
		return
	}
	if c.shown >= c.opts.MaxPackets {
		c.d.Cut.PacketsLeft++
		return
	}
	p := *orig
	p.ID, p.DupOf = e.ID, e.Of
	p.Via = slices.Clone(p.Via) // each copy goes its own way from here
	c.pending[e.ID] = c.shown
	c.queue = append(c.queue, p)
	c.shown++
}

func (c *collector) retransmit(r *sim.Record, e *sim.TCPRetransmit) {
	if !c.inWindow(r.T) || !c.wantConn(e.Conn) {
		return
	}
	c.conn(e.Conn).Retrans++
	// The record may come just after the pkt.send it explains, or just
	// before it: mark whichever comes second.
	if i, ok := c.lastSend[e.Conn]; ok {
		if p := c.packet(i); p != nil && p.T == int64(r.T) && p.RSeq == e.RSeq && p.Side == e.Side && p.Retrans == "" {
			p.Retrans = e.Reason
			return
		}
	}
	c.rtx[e.Conn] = retransmit{t: r.T, rseq: e.RSeq, reason: e.Reason}
}

func (c *collector) state(r *sim.Record, e *sim.TCPState) {
	ci := c.conn(e.Conn)
	h := c.host(r.Subject)
	if e.Side == "client" {
		ci.Client, ci.Server, ci.ClientHost = e.Local.String(), e.Remote.String(), h
	} else {
		if ci.Client == "" {
			ci.Client, ci.Server = e.Remote.String(), e.Local.String()
		}
		ci.ServerHost = h
	}
	if !c.wantConn(e.Conn) {
		return
	}
	s := stateChange{T: int64(r.T), Host: h, Conn: e.Conn, Side: e.Side, From: e.From, To: e.To}
	if r.T < c.opts.From {
		k := connSide{e.Conn, e.Side}
		if _, ok := c.before[k]; !ok {
			c.beforeOrder = append(c.beforeOrder, k)
		}
		c.before[k] = s
		return
	}
	if !c.inWindow(r.T) {
		return
	}
	c.touch(ci, r.T)
	if e.Side == "client" {
		ci.ClientEnd = e.To
	} else {
		ci.ServerEnd = e.To
	}
	c.d.States = append(c.d.States, s)
}

// flushBefore records, at From, the state each connection end was in when
// the window opened (From is "" in such a record), so that a window in the
// middle of a transfer still shows ESTABLISHED on the lifelines.
func (c *collector) flushBefore() {
	c.flushed = true
	for _, k := range c.bbrOrder {
		c.bbrShown[k] = true
		c.d.Modes = append(c.d.Modes, modeChange{T: int64(c.opts.From), Conn: k.conn, Side: k.side, Mode: c.bbrMode[k]})
	}
	for _, k := range c.beforeOrder {
		s := c.before[k]
		if s.To == "CLOSED" {
			continue
		}
		s.T, s.From = int64(c.opts.From), ""
		c.d.States = append(c.d.States, s)
		ci := c.conn(k.conn)
		c.touch(ci, c.opts.From)
		if k.side == "client" {
			ci.ClientEnd = s.To
		} else {
			ci.ServerEnd = s.To
		}
	}
}

// finish returns the page's data and its packets' compact form once the
// trace is read.
func (c *collector) finish() (pageData, string, error) {
	if !c.flushed {
		c.flushBefore()
	}
	// The packets still on their way when the trace ends.
	for i := range c.queue {
		c.enc.add(&c.queue[i])
	}
	c.dropHead(len(c.queue))
	c.caps.close()
	c.d.Cut.Captured = c.caps.found
	packets, err := c.enc.finish()
	if err != nil {
		return pageData{}, "", err
	}
	for _, k := range c.seriesOrder {
		b := c.series[k]
		c.d.Series = append(c.d.Series, series{Conn: k.conn, Side: k.side, Name: k.name, Width: b.width, Points: b.pts})
	}
	// Drop connections that had nothing in the window or are filtered out.
	conns := c.d.Conns[:0]
	for _, ci := range c.d.Conns {
		if ci.First >= 0 && c.wantConn(ci.ID) {
			conns = append(conns, ci)
		}
	}
	c.d.Conns = conns
	c.d.Cut.From, c.d.Cut.To = int64(c.opts.From), int64(c.opts.To)
	c.d.Cut.Conn, c.d.Cut.MaxPackets = c.opts.Conn, c.opts.MaxPackets
	c.d.Ranks = lifelines.Declared(c.opts.NodeOrder).Ranks(c.d.Hosts)
	c.d.Columns = packetColumns[:]
	return c.d, packets, nil
}
