package plots

import (
	"sort"
	"strconv"
	"strings"

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
	proto      uint8 // the IP protocol: 6 TCP, 17 UDP, 1 ICMP
	sport      int64
	dport      int64
	flags      string
	seq, ack   int64 // absolute, as on the wire
	rseq, rack int64
	win        int64
	plen       int64
	opts       string
	conn       int
	flow       int // the delay figures' flow number, from 1; 0 when not collected

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

// linkDirection gathers what happened on one direction of a link, in the
// collector's time window.
type linkDirection struct {
	subject  string
	name     string
	from, to string
	// qlen is the queue length after each enqueue and transmission;
	// drops are at the queue length just before (a cross), marks (ECN CE)
	// at the length the pkt.mark record gives; sojourn is each packet's
	// wait from pkt.enqueue to pkt.tx, at the time of its pkt.tx.
	qlen, drops, marks, sojourn *pointStream
	lastQLen                    int64
	peak, signals               int64 // peak occupancy; drops and marks
	samples                     int   // queue records seen
	enqueued                    map[uint64]sim.Time
	// latency is the sum and count of tx-to-rx times, for placing drops.
	latSum, latN int64
}

// model is the trace read, record by record, into the shapes the figures
// need. What grows with the length of the trace is kept in streams (see
// stream.go) or capped (the sequence diagram's packets); packets are held
// only while in flight. Slices keep the order of the records; the maps are
// for lookups only and are never ranged over.
type model struct {
	scope Options // the time window and connection collected
	want  kindSet
	// res is the time resolution of the streams, in bins: streamBins, or
	// less in tests that show the memory stays bounded.
	res int
	// keepAll keeps every packet in packets (the terminal diagram of a
	// short run); otherwise a packet is let go once it arrived or was
	// dropped.
	keepAll bool
	packets []*packet
	inAir   map[int64]*packet // by id, until delivered or dropped; pkt.dup copies map to their original

	nodes   []nodeInfo
	nodeIdx map[string]int
	hostOf  map[string]string // address -> host name

	states []stateChange
	seq    seqPackets

	ts    []*tsConn
	tsIdx map[int]int

	ends   []*endSeries
	endIdx map[endKey]int

	flows   []*flowRate
	flowIdx map[flowKey]int

	links   []*linkDirection
	linkIdx map[string]int

	delays   []*delayFlow // the flows of the delay figures, by number
	delayIdx map[flowTuple]int
	pings    []*pingSeries
	pingIdx  map[string]int

	conns    []int // sorted after finish
	connSeen map[int]bool

	// The tcp.retransmit records and TCP segments of the current instant,
	// to match them whichever comes first.
	now         sim.Time
	announced   []retransKey
	sentNow     []*packet
	highestSent map[endKeyNoSide]int64 // highest sequence end sent, plus one, per sending end
	records     int
	first, last sim.Time
	nonempty    bool
	finished    bool
}

// kindSet says which figures a model collects for.
type kindSet struct{ sequence, timeSeq, cwnd, throughput, queue, delay, ping bool }

func kindsOf(kinds []string) kindSet {
	if len(kinds) == 0 {
		return kindSet{true, true, true, true, true, true, true}
	}
	var k kindSet
	for _, s := range kinds {
		if f := k.flag(s); f != nil {
			*f = true
		}
	}
	return k
}

// has reports whether the model collected for kind.
func (k kindSet) has(kind string) bool {
	f := k.flag(kind)
	return f == nil || *f // an unknown kind is reported by the dispatch
}

// flag returns the field of k that collects for kind, nil for a kind no
// figure draws; kindsOf and has both go through it, so that what a model
// collects and what it is asked to draw cannot disagree.
func (k *kindSet) flag(kind string) *bool {
	switch kind {
	case KindSequence:
		return &k.sequence
	case KindTimeSequence:
		return &k.timeSeq
	case KindCwnd, KindRTT:
		return &k.cwnd
	case KindThroughput:
		return &k.throughput
	case KindQueue:
		return &k.queue
	case KindDelay, KindDelayCDF:
		return &k.delay
	case KindPing:
		return &k.ping
	}
	return nil
}

// retransKey names a retransmission by who sent what, and when.
type retransKey struct {
	host string
	conn int
	rseq int64
	t    sim.Time
}

// endKeyNoSide names a sending end of a connection.
type endKeyNoSide struct {
	host string
	conn int
}

func newModel(scope Options, kinds []string) *model {
	return &model{
		scope:       scope,
		want:        kindsOf(kinds),
		res:         streamBins,
		inAir:       make(map[int64]*packet),
		nodeIdx:     make(map[string]int),
		hostOf:      make(map[string]string),
		tsIdx:       make(map[int]int),
		endIdx:      make(map[endKey]int),
		flowIdx:     make(map[flowKey]int),
		linkIdx:     make(map[string]int),
		delayIdx:    make(map[flowTuple]int),
		pingIdx:     make(map[string]int),
		connSeen:    make(map[int]bool),
		highestSent: make(map[endKeyNoSide]int64),
		seq:         seqPackets{limit: seqLimit(scope)},
	}
}

// buildModel reads recs, which are in simulated-time order, keeping every
// packet (for the terminal diagram and tests).
func buildModel(recs []sim.Record) *model {
	m := newModel(Options{}, nil)
	m.keepAll = true
	for i := range recs {
		m.add(&recs[i])
	}
	m.finish()
	return m
}

// inScope reports whether t lies in the collected time window.
func (m *model) inScope(t sim.Time) bool { return inWindow(m.scope, t) }

// connInScope reports whether connection c is collected.
func (m *model) connInScope(c int) bool { return m.scope.Conn == 0 || c == m.scope.Conn }

// origin is where the streams' time bins start.
func (m *model) origin() sim.Time {
	if m.scope.From != 0 {
		return m.scope.From
	}
	return m.first
}

// connsText says which connections the trace has, for an error about
// one it does not: "its connections: 1, 2", or "it has no TCP
// connection" (a run of UDP and pings only).
func (m *model) connsText() string {
	if len(m.conns) == 0 {
		return "it has no TCP connection"
	}
	ids := make([]string, len(m.conns))
	for i, c := range m.conns {
		ids[i] = strconv.Itoa(c)
	}
	return "its connections: " + strings.Join(ids, ", ")
}

func (m *model) addConn(c int) {
	if c != 0 && !m.connSeen[c] {
		m.connSeen[c] = true
		m.conns = append(m.conns, c)
	}
}

// add reads one record. Records come in simulated-time order; r and its
// event may be reused by the caller once add returns.
func (m *model) add(r *sim.Record) {
	i := m.records
	m.records++
	if !m.nonempty || r.T < m.first {
		m.first, m.nonempty = r.T, true
	}
	if r.T > m.last {
		m.last = r.T
	}
	if r.T != m.now {
		m.now, m.announced, m.sentNow = r.T, m.announced[:0], m.sentNow[:0]
	}
	switch e := r.Event.(type) {
	case *sim.PacketSend:
		p := m.addSend(r, e)
		p.idx = i
		if p.tcp {
			m.addConn(p.conn)
		}
	case *sim.PacketDuplicate:
		if p, ok := m.inAir[int64(e.Of)]; ok {
			m.inAir[int64(e.ID)] = p
		}
	case *sim.PacketTx:
		m.addTx(r, e)
	case *sim.PacketRx:
		m.addRx(r, e)
	case *sim.PacketEnqueue:
		if ld := m.link(r.Subject); ld != nil {
			ld.sample(m, r.T, int64(e.QLen))
			if m.want.queue {
				ld.enqueued[e.ID] = r.T
			}
		}
	case *sim.PacketDrop:
		m.addDrop(r, e)
	case *sim.PacketMark:
		if ld := m.link(r.Subject); ld != nil && m.want.queue && m.inScope(r.T) {
			ld.signals++
			ld.marks.add(r.T, int64(e.QLen))
		}
	case *sim.PacketForward:
		if name, router, ok := nodeName(r.Subject); ok {
			m.node(name, router)
		}
	case *sim.PacketDeliver:
		m.addDeliver(r, e)
	case *sim.TCPState:
		host, _, _ := nodeName(r.Subject)
		m.addConn(int(e.Conn))
		if (m.want.sequence || m.keepAll) && m.connInScope(int(e.Conn)) && m.inScope(r.T) {
			m.states = append(m.states, stateChange{idx: i, t: r.T, host: host, conn: int(e.Conn),
				side: e.Side, from: e.From, to: e.To})
			m.trimStates()
		}
	case *sim.TCPCwnd:
		m.addConn(int(e.Conn))
		if m.want.cwnd && m.connInScope(int(e.Conn)) && m.inScope(r.T) {
			host, _, _ := nodeName(r.Subject)
			es := m.end(endKey{conn: int(e.Conn), host: host, side: e.Side})
			es.addCwnd(r.T, e.Cwnd, e.Ssthresh, e.Reason)
		}
	case *sim.TCPBBR:
		m.addConn(int(e.Conn))
		if m.want.cwnd && m.connInScope(int(e.Conn)) {
			// Every mode change, also before the time window: the band at
			// its start needs the mode it began in.
			host, _, _ := nodeName(r.Subject)
			m.end(endKey{conn: int(e.Conn), host: host, side: e.Side}).addMode(r.T, e.Mode)
		}
	case *sim.TCPRTT:
		m.addConn(int(e.Conn))
		if m.want.cwnd && m.connInScope(int(e.Conn)) && m.inScope(r.T) {
			host, _, _ := nodeName(r.Subject)
			es := m.end(endKey{conn: int(e.Conn), host: host, side: e.Side})
			es.addRTT(r.T, int64(e.Sample), int64(e.SRTT))
		}
	case *sim.App:
		if m.want.ping {
			m.addPing(r, e)
		}
	case *sim.TCPTimer:
		if e.Timer == "rto" && m.want.cwnd && m.connInScope(int(e.Conn)) && m.inScope(r.T) {
			host, _, _ := nodeName(r.Subject)
			m.end(endKey{conn: int(e.Conn), host: host, side: e.Side}).rtoTimer(r.T)
		}
	case *sim.TCPRetransmit:
		host, _, _ := nodeName(r.Subject)
		if e.Reason == "rto" && m.want.cwnd && m.connInScope(int(e.Conn)) && m.inScope(r.T) {
			m.end(endKey{conn: int(e.Conn), host: host, side: e.Side}).rtoRetransmit(r.T)
		}
		k := retransKey{host: host, conn: int(e.Conn), rseq: int64(e.RSeq), t: r.T}
		m.announced = append(m.announced, k)
		for _, p := range m.sentNow {
			if p.host == k.host && p.conn == k.conn && p.rseq == k.rseq {
				p.retrans = true
			}
		}
	}
}

// finish ends the reading. The segments still in flight when the trace
// ended are drawn as sent on the time-sequence graph; the sequence diagram
// leaves them out (they have no end to draw).
func (m *model) finish() {
	if m.finished {
		return
	}
	m.finished = true
	sort.Ints(m.conns)
	m.seq.finish()
	m.closePings()
	if !m.want.timeSeq {
		return
	}
	// In the order they were sent, not the map's.
	var left []*packet
	for _, p := range m.inAir {
		left = append(left, p)
	}
	sort.Slice(left, func(i, j int) bool { return left[i].idx < left[j].idx })
	for i, p := range left {
		if i > 0 && p == left[i-1] {
			continue // a pkt.dup copy names the same packet
		}
		if p.tcp && m.connInScope(p.conn) {
			m.tsDone(p)
		}
	}
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
	o := m.origin()
	ld := &linkDirection{subject: subject, name: name, from: from, to: to,
		qlen: newPointStream(o, false, m.res), drops: newPointStream(o, true, m.res), marks: newPointStream(o, true, m.res),
		sojourn: newPointStream(o, false, m.res), enqueued: make(map[uint64]sim.Time)}
	m.links = append(m.links, ld)
	return ld
}

// sample records the queue length after an enqueue or a transmission.
func (ld *linkDirection) sample(m *model, t sim.Time, qlen int64) {
	ld.lastQLen = qlen
	ld.samples++
	if m.want.queue && m.inScope(t) {
		ld.peak = max(ld.peak, qlen)
		ld.qlen.add(t, qlen)
	}
}

// protoTCP is the IP protocol number of TCP.
const protoTCP = 6

func (m *model) addSend(r *sim.Record, e *sim.PacketSend) *packet {
	host, _, _ := nodeName(r.Subject)
	id := int64(e.ID)
	p := &packet{id: id, sent: r.T, host: host, src: addrText(e.Src), dst: addrText(e.Dst), size: int64(e.Len),
		proto: e.Proto, plen: int64(e.PLen), sport: int64(e.SPort), dport: int64(e.DPort)}
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
		m.markRetransmission(p)
		if m.want.timeSeq && m.connInScope(p.conn) {
			m.tsSend(p)
		}
	}
	if m.want.delay {
		p.flow = m.flowOf(e, host)
	}
	i := m.node(host, false)
	if m.nodes[i].addr == "" && p.src != "" {
		m.nodes[i].addr = p.src
	}
	if _, ok := m.hostOf[p.src]; !ok && p.src != "" {
		m.hostOf[p.src] = host
	}
	if m.keepAll {
		m.packets = append(m.packets, p)
	}
	m.inAir[id] = p
	return p
}

// markRetransmission flags a segment a tcp.retransmit record announced
// (at the same instant, before or after it), and any segment that starts
// below the highest sequence number its sender had already sent on that
// connection (tcptrace's rule): it covers sequence space sent before.
func (m *model) markRetransmission(p *packet) {
	span := p.plen
	if hasFlag(p.flags, 'S') {
		span++
	}
	if hasFlag(p.flags, 'F') {
		span++
	}
	if span == 0 || hasFlag(p.flags, 'R') {
		return // a pure ACK repeats its sequence number legitimately
	}
	k := endKeyNoSide{p.host, p.conn}
	hi, seen := m.highestSent[k]
	if seen && p.rseq < hi {
		p.retrans = true
	}
	for _, a := range m.announced {
		if a.host == p.host && a.conn == p.conn && a.rseq == p.rseq {
			p.retrans = true
		}
	}
	m.sentNow = append(m.sentNow, p)
	if e := p.rseq + span; !seen || e > hi {
		m.highestSent[k] = e
	}
}

func (m *model) addTx(r *sim.Record, e *sim.PacketTx) {
	ld := m.link(r.Subject)
	if ld == nil {
		return
	}
	ld.sample(m, r.T, int64(e.QLen))
	if t0, ok := ld.enqueued[e.ID]; ok {
		delete(ld.enqueued, e.ID)
		if m.inScope(r.T) {
			ld.sojourn.add(r.T, int64(r.T-t0))
		}
	}
	p, ok := m.inAir[int64(e.ID)]
	if !ok {
		return
	}
	if !p.hasTx {
		p.hasTx, p.firstTx = true, r.T
	}
	if m.want.sequence && m.scope.ShowRouters || m.keepAll {
		p.hops = append(p.hops, hop{from: ld.from, to: ld.to, tx: r.T})
	}
}

func (m *model) addRx(r *sim.Record, e *sim.PacketRx) {
	ld := m.link(r.Subject)
	if ld == nil {
		return
	}
	p, ok := m.inAir[int64(e.ID)]
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
			return
		}
	}
	// Hops are not kept: the latency still places drops.
	if p.hasTx && len(p.hops) == 0 {
		ld.latSum += int64(r.T - p.firstTx)
		ld.latN++
	}
}

func (m *model) addDrop(r *sim.Record, e *sim.PacketDrop) {
	id, reason := int64(e.ID), e.Reason
	if ld := m.link(r.Subject); ld != nil {
		delete(ld.enqueued, e.ID)
		if m.want.queue && m.inScope(r.T) {
			ld.signals++
			ld.drops.add(r.T, ld.lastQLen)
		}
	} else if name, router, ok := nodeName(r.Subject); ok {
		m.node(name, router)
	}
	if p, ok := m.inAir[id]; ok {
		delete(m.inAir, id)
		if !p.dropped && !p.delivered {
			p.dropped, p.dropT, p.dropAt, p.dropReason = true, r.T, r.Subject, reason
			m.done(p)
		}
	}
}

func (m *model) addDeliver(r *sim.Record, e *sim.PacketDeliver) {
	host, _, _ := nodeName(r.Subject)
	m.node(host, false)
	p, ok := m.inAir[int64(e.ID)]
	if !ok {
		return
	}
	delete(m.inAir, int64(e.ID))
	if p.delivered || p.dropped {
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
	m.done(p)
}

// done hands a packet that arrived or was dropped to the figures.
func (m *model) done(p *packet) {
	if m.want.sequence && (m.scope.Conn == 0 || p.tcp && p.conn == m.scope.Conn) && m.inScope(p.start()) {
		m.seq.add(p)
	}
	if m.want.timeSeq && p.tcp && m.connInScope(p.conn) {
		m.tsDone(p)
	}
	if m.want.throughput && p.delivered && !(p.plen == 0 && p.tcp) && m.inScope(p.deliverT) {
		m.deliver(p)
	}
	if p.flow > 0 {
		m.delayDone(p)
	}
}

// trimStates drops the state changes the sequence diagram cannot show:
// those after its last packet once it has all the packets it draws.
func (m *model) trimStates() {
	if len(m.states) < 4*m.seq.limit+1024 || m.keepAll {
		return
	}
	cut, ok := m.seq.cut()
	if !ok {
		return
	}
	out := m.states[:0]
	for _, s := range m.states {
		if s.t <= cut {
			out = append(out, s)
		}
	}
	m.states = out
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

// hasConn reports whether connection c appears in the trace.
func (m *model) hasConn(c int) bool {
	return m.connSeen[c]
}

// adjacency returns the nodes each node shares a link with, in the order
// the link directions first appear. A link joins its ends both ways
// whichever way packets crossed it: with only the directions seen, a
// one-way flow (a UDP source) left its receiver with no way back, and
// the sequence diagram, which places lifelines by their distance to the
// first sender and to its peer, took every other node as unconnected.
func (m *model) adjacency() map[string][]string {
	adj := make(map[string][]string)
	for _, ld := range m.links {
		adj[ld.from] = append(adj[ld.from], ld.to)
		adj[ld.to] = append(adj[ld.to], ld.from)
	}
	return adj
}

// isRouter reports whether the node forwarded packets.
func (m *model) isRouter(name string) bool {
	i, ok := m.nodeIdx[name]
	return ok && m.nodes[i].router
}

// seqPackets keeps the first limit packets (by the time they left) that
// the sequence diagram draws, and counts them all.
type seqPackets struct {
	limit int
	pkts  []*packet
	total int
}

// seqLimit is the number of packets a sequence diagram draws: MaxPackets,
// or by default defaultSeqPackets for a whole run and maxSeqPackets in a
// time window the user chose.
func seqLimit(o Options) int {
	switch {
	case o.MaxPackets > 0:
		return min(o.MaxPackets, maxSeqPackets)
	case o.To != 0:
		return maxSeqPackets
	}
	return defaultSeqPackets
}

func (s *seqPackets) add(p *packet) {
	s.total++
	s.pkts = append(s.pkts, p)
	if len(s.pkts) >= 2*s.limit+64 {
		s.finish()
	}
}

// finish sorts the packets kept and cuts them to the limit.
func (s *seqPackets) finish() {
	sort.SliceStable(s.pkts, func(i, j int) bool {
		if a, b := s.pkts[i].start(), s.pkts[j].start(); a != b {
			return a < b
		}
		return s.pkts[i].idx < s.pkts[j].idx
	})
	if len(s.pkts) > s.limit {
		clear(s.pkts[s.limit:])
		s.pkts = s.pkts[:s.limit]
	}
}

// cut returns the start of the last packet kept once the diagram is full.
func (s *seqPackets) cut() (sim.Time, bool) {
	if len(s.pkts) < s.limit {
		return 0, false
	}
	s.finish()
	return s.pkts[len(s.pkts)-1].start(), true
}

// retained counts the items the model holds: what its memory grows with.
func (m *model) retained() int {
	n := len(m.inAir) + len(m.seq.pkts) + len(m.states) + len(m.packets)
	for _, tc := range m.ts {
		for _, e := range tc.ends {
			n += len(e.data.xs) + len(e.retrans.xs) + len(e.sacks.xs) + len(e.acks.xs) +
				len(e.window.xs) + len(e.syn.xs) + len(e.fin.xs) + len(e.drops.xs)
		}
	}
	for _, es := range m.ends {
		n += len(es.cwnd.xs) + len(es.ssthresh.xs) + len(es.sample.xs) + len(es.srtt.xs) +
			len(es.recovery.xs) + len(es.rto.xs) + len(es.ecn.xs)
	}
	for _, f := range m.flows {
		n += len(f.bytes.counts)
	}
	for _, f := range m.delays {
		n += len(f.delay.xs) + len(f.jitter.xs) + len(f.lost.xs) + f.hist.Buckets()
	}
	for _, ps := range m.pings {
		n += len(ps.rtt.xs) + len(ps.lost.xs) + len(ps.pending)
	}
	for _, ld := range m.links {
		n += len(ld.qlen.xs) + len(ld.drops.xs) + len(ld.marks.xs) + len(ld.sojourn.xs) + len(ld.enqueued)
	}
	return n
}
