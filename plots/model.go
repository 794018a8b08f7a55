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
	// marks are the CE marks of its queue (pkt.mark), at the queue
	// length the record gives.
	marks []dropMark
	// latency is the sum and count of tx-to-rx times, for placing drops.
	latSum, latN int64
}

// model is the trace read into the shapes the figures need. Slices keep
// the order of the records; the maps are for lookups only and are never
// ranged over.
type model struct {
	packets []*packet
	ids     packetIndex // by id; pkt.dup copies map to their original
	slab    []packet    // packets are allocated from here in chunks

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

// buildModel reads recs, which are in simulated-time order.
func buildModel(recs []sim.Record) *model {
	m := &model{
		ids:     packetIndex{limit: int64(2*len(recs) + 1024)},
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
		if !m.nonempty || r.T < m.first {
			m.first, m.nonempty = r.T, true
		}
		if r.T > m.last {
			m.last = r.T
		}
		switch e := r.Event.(type) {
		case *sim.PacketSend:
			m.addSend(r, e)
			m.packets[len(m.packets)-1].idx = i
			if p := m.packets[len(m.packets)-1]; p.tcp {
				addConn(p.conn)
			}
		case *sim.PacketDuplicate:
			if p, ok := m.ids.get(int64(e.Of)); ok {
				m.ids.put(int64(e.ID), p)
			}
		case *sim.PacketTx:
			m.addTx(r, e)
		case *sim.PacketRx:
			m.addRx(r, e)
		case *sim.PacketEnqueue:
			if ld := m.link(r.Subject); ld != nil {
				ld.samples = append(ld.samples, queueSample{t: r.T, qlen: int64(e.QLen), qbytes: int64(e.QBytes)})
			}
		case *sim.PacketDrop:
			m.addDrop(r, e)
		case *sim.PacketMark:
			if ld := m.link(r.Subject); ld != nil {
				ld.marks = append(ld.marks, dropMark{t: r.T, reason: "mark", qlen: int64(e.QLen)})
			}
		case *sim.PacketForward:
			if name, router, ok := nodeName(r.Subject); ok {
				m.node(name, router)
			}
		case *sim.PacketDeliver:
			m.addDeliver(r, e)
		case *sim.TCPState:
			host, _, _ := nodeName(r.Subject)
			addConn(int(e.Conn))
			m.states = append(m.states, stateChange{idx: i, t: r.T, host: host, conn: int(e.Conn),
				side: e.Side, from: e.From, to: e.To})
		case *sim.TCPCwnd:
			host, _, _ := nodeName(r.Subject)
			m.cwnd = append(m.cwnd, cwndSample{t: r.T, host: host, conn: int(e.Conn), side: e.Side, cwnd: e.Cwnd, ssthresh: e.Ssthresh})
		case *sim.TCPRTT:
			host, _, _ := nodeName(r.Subject)
			m.rtt = append(m.rtt, rttSample{t: r.T, host: host, conn: int(e.Conn), side: e.Side,
				sample: int64(e.Sample), srtt: int64(e.SRTT), rto: int64(e.RTO)})
		case *sim.TCPRetransmit:
			host, _, _ := nodeName(r.Subject)
			retrans[retransKey{host: host, conn: int(e.Conn), rseq: int64(e.RSeq), t: r.T}] = true
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

// protoTCP is the IP protocol number of TCP.
const protoTCP = 6

func (m *model) addSend(r *sim.Record, e *sim.PacketSend) {
	host, _, _ := nodeName(r.Subject)
	id := int64(e.ID)
	if len(m.slab) == 0 {
		m.slab = make([]packet, 4096)
	}
	p := &m.slab[0]
	m.slab = m.slab[1:]
	*p = packet{id: id, sent: r.T, host: host, src: addrText(e.Src), dst: addrText(e.Dst), size: int64(e.Len)}
	if e.Proto == protoTCP {
		p.tcp = true
		p.flags = e.Flags.String()
		p.sport, p.dport = int64(e.SPort), int64(e.DPort)
		p.seq, p.ack = int64(e.Seq), int64(e.Ack)
		p.rseq, p.rack = int64(e.RSeq), int64(e.RAck)
		p.win = int64(e.Win)
		p.plen = int64(e.PLen)
		p.opts = e.Opts.String()
		p.conn = int(e.Conn)
	}
	i := m.node(host, false)
	if m.nodes[i].addr == "" && p.src != "" {
		m.nodes[i].addr = p.src
	}
	if _, ok := m.hostOf[p.src]; !ok && p.src != "" {
		m.hostOf[p.src] = host
	}
	m.packets = append(m.packets, p)
	m.ids.put(id, p)
}

func (m *model) addTx(r *sim.Record, e *sim.PacketTx) {
	ld := m.link(r.Subject)
	if ld == nil {
		return
	}
	ld.samples = append(ld.samples, queueSample{t: r.T, qlen: int64(e.QLen), qbytes: int64(e.QBytes)})
	p, ok := m.ids.get(int64(e.ID))
	if !ok {
		return
	}
	if !p.hasTx {
		p.hasTx, p.firstTx = true, r.T
	}
	p.hops = append(p.hops, hop{from: ld.from, to: ld.to, tx: r.T})
}

func (m *model) addRx(r *sim.Record, e *sim.PacketRx) {
	ld := m.link(r.Subject)
	if ld == nil {
		return
	}
	p, ok := m.ids.get(int64(e.ID))
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

func (m *model) addDrop(r *sim.Record, e *sim.PacketDrop) {
	id, reason := int64(e.ID), e.Reason
	if ld := m.link(r.Subject); ld != nil {
		var q int64
		if n := len(ld.samples); n > 0 {
			q = ld.samples[n-1].qlen
		}
		ld.drops = append(ld.drops, dropMark{t: r.T, reason: reason, qlen: q})
	} else if name, router, ok := nodeName(r.Subject); ok {
		m.node(name, router)
	}
	if p, ok := m.ids.get(id); ok && !p.dropped && !p.delivered {
		p.dropped, p.dropT, p.dropAt, p.dropReason = true, r.T, r.Subject, reason
	}
}

func (m *model) addDeliver(r *sim.Record, e *sim.PacketDeliver) {
	host, _, _ := nodeName(r.Subject)
	m.node(host, false)
	p, ok := m.ids.get(int64(e.ID))
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
// and any segment that starts below the highest sequence number its sender
// had already sent on that connection (tcptrace's rule): it covers
// sequence space sent before.
func (m *model) markRetransmissions(announced map[retransKey]bool) {
	type end struct {
		host string
		conn int
	}
	sent := make(map[end]int64) // highest sequence end sent, plus one
	for _, p := range m.packets {
		if !p.tcp {
			continue
		}
		span := p.plen
		if hasFlag(p.flags, 'S') {
			span++
		}
		if hasFlag(p.flags, 'F') {
			span++
		}
		if span == 0 || hasFlag(p.flags, 'R') {
			continue // a pure ACK repeats its sequence number legitimately
		}
		k := end{p.host, p.conn}
		hi, seen := sent[k]
		if seen && p.rseq < hi || announced[retransKey{host: p.host, conn: p.conn, rseq: p.rseq, t: p.sent}] {
			p.retrans = true
		}
		if e := p.rseq + span; !seen || e > hi {
			sent[k] = e
		}
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

// packetIndex finds packets by id. Ids are a run-wide counter, so a slice
// indexed by id serves them; ids beyond limit (not expected from netsim)
// go to a map.
type packetIndex struct {
	dense  []*packet
	sparse map[int64]*packet
	limit  int64
}

func (x *packetIndex) put(id int64, p *packet) {
	if id >= 0 && id < x.limit {
		for int64(len(x.dense)) <= id {
			x.dense = append(x.dense, nil)
		}
		x.dense[id] = p
		return
	}
	if x.sparse == nil {
		x.sparse = make(map[int64]*packet)
	}
	x.sparse[id] = p
}

func (x *packetIndex) get(id int64) (*packet, bool) {
	if id >= 0 && id < int64(len(x.dense)) {
		p := x.dense[id]
		return p, p != nil
	}
	p, ok := x.sparse[id]
	return p, ok
}
