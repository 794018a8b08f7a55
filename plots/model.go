package plots

import (
	"sort"

	"github.com/netsimlab/netsim/sim"
)

// packet is one datagram a host sent (a pkt.send record) and what became of
// it, gathered from the records that name its id.
type packet struct {
	idx  int // position of its pkt.send record
	id   int64
	sent sim.Time
	host string // the sending host
	src  string
	dst  string
	size int64 // IPv4 datagram length

	tcp        bool
	sport      int64
	dport      int64
	flags      string
	seq, ack   int64 // absolute, as on the wire
	rseq, rack int64
	win        int64
	plen       int64
	opts       string
	conn       int

	hasTx   bool
	firstTx sim.Time
	hops    []hop

	delivered   bool
	deliverT    sim.Time
	deliverHost string

	dropped    bool
	dropT      sim.Time
	dropAt     string // the subject of the drop record
	dropReason string

	retrans bool
}

// start is when the packet's first bit left the sender, or when the sender
// handed it to its interface if no pkt.tx was recorded.
func (p *packet) start() sim.Time {
	if p.hasTx {
		return p.firstTx
	}
	return p.sent
}

// hop is one link direction a packet crossed.
type hop struct {
	from, to string
	tx, rx   sim.Time
	hasRx    bool
}

// nodeInfo is a host or router seen in the trace.
type nodeInfo struct {
	name   string
	addr   string
	router bool
}

// stateChange is a tcp.state record.
type stateChange struct {
	idx      int // position of its record
	t        sim.Time
	host     string
	conn     int
	side     string
	from, to string
}

// cwndSample is a tcp.cwnd record.
type cwndSample struct {
	t        sim.Time
	host     string
	conn     int
	side     string
	cwnd     int64
	ssthresh int64
}

// rttSample is a tcp.rtt record; durations in nanoseconds.
type rttSample struct {
	t      sim.Time
	host   string
	conn   int
	side   string
	sample int64
	srtt   int64
	rto    int64
}

// queueSample is the occupancy of a link direction's queue after an
// enqueue or a transmission started.
type queueSample struct {
	t      sim.Time
	qlen   int64
	qbytes int64
}

// dropMark is a drop on a link direction, with the queue length just before.
type dropMark struct {
	t      sim.Time
	reason string
	qlen   int64
}

// linkDirection gathers what happened on one direction of a link.
type linkDirection struct {
	subject  string
	name     string
	from, to string
	samples  []queueSample
	drops    []dropMark
	// latency is the sum and count of tx-to-rx times, for placing drops.
	latSum, latN int64
}

// model is the trace read into the shapes the figures need. Slices keep
// the order of the records; the maps are for lookups only and are never
// ranged over.
type model struct {
	packets []*packet
	byID    map[int64]*packet // pkt.dup copies map to their original

	nodes   []nodeInfo
	nodeIdx map[string]int
	hostOf  map[string]string // address -> host name

	states []stateChange
	cwnd   []cwndSample
	rtt    []rttSample

	links   []*linkDirection
	linkIdx map[string]int

	conns []int // sorted

	first, last sim.Time
	nonempty    bool
}

// retransKey names a retransmission by who sent what, and when.
type retransKey struct {
	host string
	conn int
	rseq int64
	t    sim.Time
}

// rangeKey names a segment's sequence range, to recognise one sent twice.
type rangeKey struct {
	host string
	conn int
	rseq int64
	plen int64
	ctl  string
}

// buildModel reads recs, which are in simulated-time order.
func buildModel(recs []sim.Record) *model {
	m := &model{
		byID:    make(map[int64]*packet),
		nodeIdx: make(map[string]int),
		hostOf:  make(map[string]string),
		linkIdx: make(map[string]int),
	}
	retrans := make(map[retransKey]bool)
	connSeen := make(map[int]bool)
	addConn := func(c int) {
		if c != 0 && !connSeen[c] {
			connSeen[c] = true
			m.conns = append(m.conns, c)
		}
	}
	for i := range recs {
		r := &recs[i]
		if !m.nonempty {
			m.first, m.nonempty = r.T, true
		}
		if r.T > m.last {
			m.last = r.T
		}
		switch r.Kind {
		case sim.KindPacketSend:
			m.addSend(r)
			m.packets[len(m.packets)-1].idx = i
			if p := m.packets[len(m.packets)-1]; p.tcp {
				addConn(p.conn)
			}
		case sim.KindPacketDuplicate:
			id, _ := fieldInt(r, "id")
			of, _ := fieldInt(r, "of")
			if p, ok := m.byID[of]; ok {
				m.byID[id] = p
			}
		case sim.KindPacketTx:
			m.addTx(r)
		case sim.KindPacketRx:
			m.addRx(r)
		case sim.KindPacketEnqueue:
			if ld := m.link(r.Subject); ld != nil {
				q, _ := fieldInt(r, "qlen")
				b, _ := fieldInt(r, "qbytes")
				ld.samples = append(ld.samples, queueSample{t: r.T, qlen: q, qbytes: b})
			}
		case sim.KindPacketDrop:
			m.addDrop(r)
		case sim.KindPacketForward:
			if name, router, ok := nodeName(r.Subject); ok {
				m.node(name, router)
			}
		case sim.KindPacketDeliver:
			m.addDeliver(r)
		case sim.KindTCPState:
			host, _, _ := nodeName(r.Subject)
			c, _ := fieldInt(r, "conn")
			addConn(int(c))
			m.states = append(m.states, stateChange{idx: i, t: r.T, host: host, conn: int(c),
				side: fieldStr(r, "side"), from: fieldStr(r, "from"), to: fieldStr(r, "to")})
		case sim.KindTCPCwnd:
			host, _, _ := nodeName(r.Subject)
			c, _ := fieldInt(r, "conn")
			cw, _ := fieldInt(r, "cwnd")
			ss, _ := fieldInt(r, "ssthresh")
			m.cwnd = append(m.cwnd, cwndSample{t: r.T, host: host, conn: int(c), side: fieldStr(r, "side"), cwnd: cw, ssthresh: ss})
		case sim.KindTCPRTT:
			host, _, _ := nodeName(r.Subject)
			c, _ := fieldInt(r, "conn")
			s, _ := fieldInt(r, "sample")
			sr, _ := fieldInt(r, "srtt")
			rto, _ := fieldInt(r, "rto")
			m.rtt = append(m.rtt, rttSample{t: r.T, host: host, conn: int(c), side: fieldStr(r, "side"), sample: s, srtt: sr, rto: rto})
		case sim.KindTCPRetransmit:
			host, _, _ := nodeName(r.Subject)
			c, _ := fieldInt(r, "conn")
			rs, _ := fieldInt(r, "rseq")
			retrans[retransKey{host: host, conn: int(c), rseq: rs, t: r.T}] = true
		}
	}
	sort.Ints(m.conns)
	m.markRetransmissions(retrans)
	return m
}

func (m *model) node(name string, router bool) int {
	if i, ok := m.nodeIdx[name]; ok {
		if router {
			m.nodes[i].router = true
		}
		return i
	}
	m.nodeIdx[name] = len(m.nodes)
	m.nodes = append(m.nodes, nodeInfo{name: name, router: router})
	return len(m.nodes) - 1
}

func (m *model) link(subject string) *linkDirection {
	if i, ok := m.linkIdx[subject]; ok {
		return m.links[i]
	}
	name, from, to, ok := linkDir(subject)
	if !ok {
		return nil
	}
	m.linkIdx[subject] = len(m.links)
	ld := &linkDirection{subject: subject, name: name, from: from, to: to}
	m.links = append(m.links, ld)
	return ld
}

func (m *model) addSend(r *sim.Record) {
	host, _, _ := nodeName(r.Subject)
	id, _ := fieldInt(r, "id")
	size, _ := fieldInt(r, "len")
	p := &packet{id: id, sent: r.T, host: host, src: fieldStr(r, "src"), dst: fieldStr(r, "dst"), size: size}
	if _, ok := r.Get("flags"); ok {
		p.tcp = true
		p.flags = fieldStr(r, "flags")
		p.sport, _ = fieldInt(r, "sport")
		p.dport, _ = fieldInt(r, "dport")
		p.seq, _ = fieldInt(r, "seq")
		p.ack, _ = fieldInt(r, "ack")
		p.rseq, _ = fieldInt(r, "rseq")
		p.rack, _ = fieldInt(r, "rack")
		p.win, _ = fieldInt(r, "win")
		p.plen, _ = fieldInt(r, "plen")
		p.opts = fieldStr(r, "opts")
		c, _ := fieldInt(r, "conn")
		p.conn = int(c)
	}
	i := m.node(host, false)
	if m.nodes[i].addr == "" && p.src != "" {
		m.nodes[i].addr = p.src
	}
	if _, ok := m.hostOf[p.src]; !ok && p.src != "" {
		m.hostOf[p.src] = host
	}
	m.packets = append(m.packets, p)
	m.byID[id] = p
}

func (m *model) addTx(r *sim.Record) {
	ld := m.link(r.Subject)
	if ld == nil {
		return
	}
	q, _ := fieldInt(r, "qlen")
	b, _ := fieldInt(r, "qbytes")
	ld.samples = append(ld.samples, queueSample{t: r.T, qlen: q, qbytes: b})
	id, _ := fieldInt(r, "id")
	p, ok := m.byID[id]
	if !ok {
		return
	}
	if !p.hasTx {
		p.hasTx, p.firstTx = true, r.T
	}
	p.hops = append(p.hops, hop{from: ld.from, to: ld.to, tx: r.T})
}

func (m *model) addRx(r *sim.Record) {
	ld := m.link(r.Subject)
	if ld == nil {
		return
	}
	id, _ := fieldInt(r, "id")
	p, ok := m.byID[id]
	if !ok {
		return
	}
	// The last hop on this link direction without an arrival is this one.
	for i := len(p.hops) - 1; i >= 0; i-- {
		h := &p.hops[i]
		if h.from == ld.from && h.to == ld.to && !h.hasRx {
			h.rx, h.hasRx = r.T, true
			ld.latSum += int64(r.T - h.tx)
			ld.latN++
			break
		}
	}
}

func (m *model) addDrop(r *sim.Record) {
	id, _ := fieldInt(r, "id")
	reason := fieldStr(r, "reason")
	if ld := m.link(r.Subject); ld != nil {
		var q int64
		if n := len(ld.samples); n > 0 {
			q = ld.samples[n-1].qlen
		}
		ld.drops = append(ld.drops, dropMark{t: r.T, reason: reason, qlen: q})
	} else if name, router, ok := nodeName(r.Subject); ok {
		m.node(name, router)
	}
	if p, ok := m.byID[id]; ok && !p.dropped && !p.delivered {
		p.dropped, p.dropT, p.dropAt, p.dropReason = true, r.T, r.Subject, reason
	}
}

func (m *model) addDeliver(r *sim.Record) {
	host, _, _ := nodeName(r.Subject)
	m.node(host, false)
	id, _ := fieldInt(r, "id")
	p, ok := m.byID[id]
	if !ok || p.delivered {
		return
	}
	p.delivered, p.deliverT, p.deliverHost = true, r.T, host
	if _, ok := m.hostOf[p.dst]; !ok && p.dst != "" {
		m.hostOf[p.dst] = host
	}
	i := m.nodeIdx[host]
	if m.nodes[i].addr == "" {
		m.nodes[i].addr = p.dst
	}
}

// markRetransmissions flags the segments a tcp.retransmit record announced,
// and any segment whose sequence range its sender had sent before.
func (m *model) markRetransmissions(announced map[retransKey]bool) {
	seen := make(map[rangeKey]bool)
	for _, p := range m.packets {
		if !p.tcp {
			continue
		}
		ctl := ctlFlags(p.flags)
		if p.plen == 0 && ctl == "" {
			continue // a pure ACK repeats its sequence number legitimately
		}
		k := rangeKey{host: p.host, conn: p.conn, rseq: p.rseq, plen: p.plen, ctl: ctl}
		if seen[k] || announced[retransKey{host: p.host, conn: p.conn, rseq: p.rseq, t: p.sent}] {
			p.retrans = true
		}
		seen[k] = true
	}
}

// ctlFlags returns the flags of s that occupy sequence space or end a
// connection (S, F, R), in a fixed order.
func ctlFlags(s string) string {
	out := make([]byte, 0, 3)
	for _, c := range []byte("SFR") {
		for i := 0; i < len(s); i++ {
			if s[i] == c {
				out = append(out, c)
				break
			}
		}
	}
	return string(out)
}

// connPackets returns the TCP packets of conn c (all when c is 0).
func (m *model) connPackets(c int) []*packet {
	var out []*packet
	for _, p := range m.packets {
		if p.tcp && (c == 0 || p.conn == c) {
			out = append(out, p)
		}
	}
	return out
}

// hasConn reports whether connection c appears in the trace.
func (m *model) hasConn(c int) bool {
	i := sort.SearchInts(m.conns, c)
	return i < len(m.conns) && m.conns[i] == c
}

// adjacency returns the nodes each node has a link direction to, in the
// order the link directions first appear.
func (m *model) adjacency() map[string][]string {
	adj := make(map[string][]string)
	for _, ld := range m.links {
		adj[ld.from] = append(adj[ld.from], ld.to)
	}
	return adj
}

// isRouter reports whether the node forwarded packets.
func (m *model) isRouter(name string) bool {
	i, ok := m.nodeIdx[name]
	return ok && m.nodes[i].router
}
