package scenarios

import (
	"cmp"
	"slices"
	"strings"

	"github.com/netsimlab/netsim/sim"
)

// Summary is summary.json: what a run did, computed from its trace records
// alone (never from the live simulation), so that it can be recomputed from
// a trace.jsonl.
type Summary struct {
	Conns []ConnSummary `json:"connections"`
	Links []LinkSummary `json:"links"`
	// Nodes lists the packets dropped at hosts and routers, by reason.
	Nodes []NodeSummary `json:"nodes"`
	// Flows lists every TCP and UDP flow (a 5-tuple in one direction) in
	// the order of its first packet; flows.csv holds the same.
	Flows []FlowStats `json:"flows"`
	// Pings lists every ping app's totals, as ping(8) prints them.
	Pings []PingStats `json:"pings"`
	// TimeWaitOverflow counts the connections that skipped TIME-WAIT
	// because their host kept max_tw_buckets connections in it already
	// (Linux's TCPTimeWaitOverflow): their tcp.state change to CLOSED
	// has the reason "timewait_overflow".
	TimeWaitOverflow int64 `json:"timewait_overflow"`
	// AppErrors lists the errors the apps met (their app records of event
	// "error"), one entry per app, call and errno, in the order of the
	// first; absent when there were none. A client whose connect fails
	// (EADDRNOTAVAIL once its host's ephemeral ports are all in
	// TIME-WAIT) stops short of its count: this says why.
	AppErrors []AppError `json:"app_errors,omitempty"`
}

// AppError counts one app's errors of one call and errno.
type AppError struct {
	App   string `json:"app"`   // the record's subject without "app/": host/type
	Call  string `json:"call"`  // connect, connection, recvmsg, ...
	Errno string `json:"errno"` // e.g. EADDRNOTAVAIL
	Count int64  `json:"count"`
	// First is the time of the first, in ns.
	First int64 `json:"first_ns"`
}

// appErrKey names an AppErrors entry.
type appErrKey struct{ subject, call, errno string }

// ConnSummary is one TCP connection. The byte counts are of the client's
// direction (client to server); Reverse holds the server's direction.
type ConnSummary struct {
	ID     uint64 `json:"id"`
	Client string `json:"client"` // address:port
	Server string `json:"server"`
	// FinalState is each end's last state, e.g. {"client": "TIME-WAIT",
	// "server": "CLOSED"}.
	FinalState map[string]string `json:"final_state"`
	// Errors is the error that ended each end that failed, e.g.
	// {"client": "ETIMEDOUT"} for keepalive probes or retransmissions
	// left unanswered (its tcp.error record); nil when no end failed,
	// so that a CLOSED end tells a failure from a close.
	Errors map[string]string `json:"errors,omitempty"`
	// EstablishedAt is when the client reached ESTABLISHED, in ns; nil if
	// it never did.
	EstablishedAt *int64 `json:"established_at"`
	Flow
	RTT     RTTSummary `json:"rtt"`
	Reverse Flow       `json:"reverse"`
}

// Flow counts one direction of a connection.
type Flow struct {
	// BytesSent is the payload put on the wire, retransmissions included.
	BytesSent int64 `json:"bytes_sent"`
	// BytesAcked is the payload the receiver acknowledged cumulatively.
	BytesAcked int64 `json:"bytes_acked"`
	// BytesDelivered is the payload the receiving application read.
	BytesDelivered int64 `json:"bytes_delivered"`
	Retransmits    int64 `json:"retransmits"`
	// BytesMismatched is the delivered payload a built-in receiver found
	// out of the senders' pattern: 0 means the stream arrived intact and
	// in order (receivers that do not check report 0).
	BytesMismatched int64 `json:"bytes_mismatched"`
	// ThroughputBps is BytesDelivered*8 over the time from the first byte
	// sent to the last byte delivered.
	ThroughputBps float64 `json:"throughput_bps"`
}

// RTTSummary is the RTT samples of a connection (both ends), in ns.
type RTTSummary struct {
	Samples int64   `json:"samples"`
	Min     int64   `json:"min_ns"`
	Mean    float64 `json:"mean_ns"`
	Max     int64   `json:"max_ns"`
}

// LinkSummary is one direction of a link ("link/<name>/<from>><to>").
type LinkSummary struct {
	Link      string           `json:"link"`
	Direction string           `json:"direction"`
	Sent      int64            `json:"packets_sent"`
	Dropped   map[string]int64 `json:"dropped"`
	QueuePeak int64            `json:"queue_peak_packets"`
	QueueMax  int64            `json:"queue_peak_bytes"`
	// Marked counts packets the queue marked CE instead of dropping (RFC
	// 3168).
	Marked int64 `json:"marked"`
	// Sojourn is the time packets waited in the queue, from pkt.enqueue to
	// pkt.tx (0 for a packet that found the transmitter free).
	Sojourn SojournSummary `json:"sojourn_ns"`
}

// SojournSummary is the distribution of a link direction's queue sojourn
// times, in ns; percentiles are nearest-rank.
type SojournSummary struct {
	Samples int64   `json:"samples"`
	Mean    float64 `json:"mean"`
	P50     int64   `json:"p50"`
	P95     int64   `json:"p95"`
	P99     int64   `json:"p99"`
	Max     int64   `json:"max"`
}

// sojournAcc collects one link direction's sojourn times.
type sojournAcc struct {
	enqueued inFlightTable[int64] // packet id -> time of its pkt.enqueue
	samples  samples
}

func (a *sojournAcc) summary() SojournSummary {
	var s SojournSummary
	if a.samples.len() == 0 {
		return s
	}
	v := a.samples.percentiles(50, 95, 99)
	s.Samples, s.Mean = int64(a.samples.len()), a.samples.mean()
	s.P50, s.P95, s.P99, s.Max = v[0], v[1], v[2], a.samples.max
	return s
}

// NodeSummary is the drops at one host or router.
type NodeSummary struct {
	Node    string           `json:"node"`
	Dropped map[string]int64 `json:"dropped"`
}

// connAcc accumulates one connection while reading records.
type connAcc struct {
	c            ConnSummary
	side         map[string]string // host name -> "client" | "server"
	firstData    [2]int64          // time of the first payload sent, per direction (0 client, 1 server)
	lastDeliver  [2]int64
	maxRack      [2]int64 // highest relative ACK seen from each side's peer
	dataEnd      [2]int64 // highest rseq+plen sent per direction
	rttSum       float64
	haveFirst    [2]bool
	haveDelivery [2]bool
	// subjects caches dirOfSubject: records name their host by the same
	// few subject strings all along a connection.
	subjects subjectCache[int]
}

// Summarizer computes a Summary while the records stream by: it is a
// sim.Sink, so a long run need not keep its records in memory.
type Summarizer struct {
	conns     map[uint64]*connAcc
	lastConn  *connAcc // the connection of the latest record that named one
	connOrder []uint64
	links     map[string]*linkAcc
	recent    subjectCache[*linkAcc] // the link directions by their subject's string
	linkOrder []*linkAcc
	nodeDrops map[string]map[string]int64
	flows     *flowTracker
	twOver    int64
	appErrs   []AppError
	appErrIdx map[appErrKey]int
}

// NewSummarizer returns an empty Summarizer.
func NewSummarizer() *Summarizer {
	return &Summarizer{conns: map[uint64]*connAcc{}, links: map[string]*linkAcc{},
		nodeDrops: map[string]map[string]int64{}, flows: newFlowTracker(), appErrIdx: map[appErrKey]int{}}
}

// Summarize computes a Summary from a run's trace records, in the order
// they were written.
func Summarize(recs []sim.Record) Summary {
	m := NewSummarizer()
	for i := range recs {
		m.Emit(&recs[i])
	}
	return m.Summary()
}

func (m *Summarizer) conn(id uint64) *connAcc {
	if c := m.lastConn; c != nil && c.c.ID == id {
		return c // a transfer's records name the same connection in a row
	}
	c, ok := m.conns[id]
	if !ok {
		c = &connAcc{c: ConnSummary{ID: id, FinalState: map[string]string{}}, side: map[string]string{}}
		m.conns[id] = c
		m.connOrder = append(m.connOrder, id)
	}
	m.lastConn = c
	return c
}

// linkAcc accumulates one link direction.
type linkAcc struct {
	subject string
	s       LinkSummary
	sojourn sojournAcc
}

// link returns the accumulator of a link direction's subject. Every
// packet makes several records on each link direction it crosses, and the
// producers name a direction with the same string each time: the cache
// finds the string by its address before the map hashes the subject.
func (m *Summarizer) link(subject string) *linkAcc {
	if l, ok := m.recent.get(subject); ok {
		return l
	}
	l, ok := m.links[subject]
	if !ok {
		rest := strings.TrimPrefix(subject, "link/")
		name, dir, _ := strings.Cut(rest, "/")
		l = &linkAcc{subject: subject, s: LinkSummary{Link: name, Direction: dir, Dropped: map[string]int64{}}}
		m.links[subject] = l
		m.linkOrder = append(m.linkOrder, l)
	}
	m.recent.put(subject, l)
	return l
}

// SummaryKinds are the kinds of record a Summarizer reads.
const SummaryKinds = 1<<sim.KindTCPState | 1<<sim.KindPacketDeliver | 1<<sim.KindPacketDuplicate | 1<<sim.KindPacketSend |
	1<<sim.KindTCPRetransmit | 1<<sim.KindTCPRTT | 1<<sim.KindApp | 1<<sim.KindPacketTx | 1<<sim.KindPacketEnqueue |
	1<<sim.KindPacketMark | 1<<sim.KindPacketDrop

// Kinds returns SummaryKinds (sim.Selective): a run that only summarizes
// need build no other record.
func (m *Summarizer) Kinds() *sim.KindSet {
	k := sim.KindSet(SummaryKinds)
	return &k
}

// Emit takes one record (sim.Sink); it keeps nothing of r.
func (m *Summarizer) Emit(r *sim.Record) {
	switch e := r.Event.(type) {
	case *sim.TCPState:
		c := m.conn(e.Conn)
		c.side[hostOf(r.Subject)] = e.Side
		c.subjects = subjectCache[int]{}
		c.c.FinalState[e.Side] = e.To
		if e.Reason == "timewait_overflow" {
			m.twOver++
		}
		if e.Side == "client" {
			c.c.Client, c.c.Server = e.Local.String(), e.Remote.String()
			if e.To == "ESTABLISHED" && c.c.EstablishedAt == nil {
				t := int64(r.T)
				c.c.EstablishedAt = &t
			}
		} else if c.c.Client == "" {
			c.c.Client, c.c.Server = e.Remote.String(), e.Local.String()
		}
	case *sim.PacketDeliver:
		m.flows.deliver(int64(r.T), e)
	case *sim.PacketDuplicate:
		m.flows.duplicate(e.ID, e.Of)
	case *sim.PacketSend:
		m.flows.send(int64(r.T), e)
		if e.Conn == 0 {
			return
		}
		c := m.conn(e.Conn)
		dir := c.dirOfSubject(r.Subject)
		if dir < 0 {
			return
		}
		plen := int64(e.PLen)
		f := c.flow(dir)
		f.BytesSent += plen
		if plen > 0 {
			if !c.haveFirst[dir] {
				c.firstData[dir], c.haveFirst[dir] = int64(r.T), true
			}
			end := int64(e.RSeq) + plen
			if e.Flags.Has(sim.TCPFlagSYN) {
				end++ // a Fast Open SYN's data starts after the SYN
			}
			c.dataEnd[dir] = max(c.dataEnd[dir], end)
		}
		if e.Flags.Has(sim.TCPFlagACK) {
			// This segment acknowledges the other direction.
			c.maxRack[1-dir] = max(c.maxRack[1-dir], int64(e.RAck))
		}
	case *sim.TCPError:
		c := m.conn(e.Conn)
		if c.c.Errors == nil {
			c.c.Errors = map[string]string{}
		}
		c.c.Errors[e.Side] = e.Errno
	case *sim.TCPRetransmit:
		if e.Reason == "probe" {
			// A keepalive or zero-window probe resends no data: a
			// segment at SND.UNA-1 that asks for an ACK. TCP does not
			// count it (tcp.Conn's Retransmits), nor does Linux
			// (tcp_xmit_probe_skb leaves tcpi_total_retrans alone).
			break
		}
		c := m.conn(e.Conn)
		if dir := c.dirOfSubject(r.Subject); dir >= 0 {
			c.flow(dir).Retransmits++
		}
	case *sim.TCPRTT:
		c := m.conn(e.Conn)
		s := int64(e.Sample)
		rt := &c.c.RTT
		if rt.Samples == 0 || s < rt.Min {
			rt.Min = s
		}
		rt.Max = max(rt.Max, s)
		rt.Samples++
		c.rttSum += float64(s)
	case *sim.App:
		m.flows.app(r, e)
		if e.Event == sim.AppError {
			m.appError(r, e)
			return
		}
		if e.Event != sim.AppRecv || e.Conn == 0 {
			return
		}
		c := m.conn(e.Conn)
		// Data read by one end travelled in the other end's direction.
		dir := c.dirOfSubject(r.Subject)
		if dir < 0 {
			return
		}
		f := c.flow(1 - dir)
		f.BytesDelivered += e.Bytes
		if e.Has&sim.AppHasMismatched != 0 {
			f.BytesMismatched = e.Mismatched // the connection's count so far
		}
		c.lastDeliver[1-dir], c.haveDelivery[1-dir] = int64(r.T), true
	case *sim.PacketTx:
		a := m.link(r.Subject)
		l := &a.s
		l.Sent++
		l.QueuePeak = max(l.QueuePeak, int64(e.QLen))
		l.QueueMax = max(l.QueueMax, int64(e.QBytes))
		if t, ok := a.sojourn.enqueued.take(e.ID); ok {
			a.sojourn.samples.add(int64(r.T) - t)
		}
	case *sim.PacketEnqueue:
		a := m.link(r.Subject)
		l := &a.s
		l.QueuePeak = max(l.QueuePeak, int64(e.QLen))
		l.QueueMax = max(l.QueueMax, int64(e.QBytes))
		a.sojourn.enqueued.put(e.ID, int64(r.T))
	case *sim.PacketMark:
		m.link(r.Subject).s.Marked++
	case *sim.PacketDrop:
		m.flows.drop(e.ID)
		if strings.HasPrefix(r.Subject, "link/") {
			a := m.link(r.Subject)
			a.s.Dropped[e.Reason]++
			a.sojourn.enqueued.drop(e.ID)
			return
		}
		d := m.nodeDrops[r.Subject]
		if d == nil {
			d = map[string]int64{}
			m.nodeDrops[r.Subject] = d
		}
		d[e.Reason]++
	}
}

// Summary returns the summary of the records so far. Connections are listed
// by ID, links in the order they first appear, nodes by name.
func (m *Summarizer) Summary() Summary {
	var out Summary
	connOrder := slices.Sorted(slices.Values(m.connOrder))
	for _, id := range connOrder {
		c := m.conns[id]
		for dir := range 2 {
			f := c.flow(dir)
			// rack counts the SYN as 1; a FIN adds one more past the data.
			f.BytesAcked = max(0, min(c.maxRack[dir], c.dataEnd[dir])-1)
			if c.haveFirst[dir] && c.haveDelivery[dir] && c.lastDeliver[dir] > c.firstData[dir] {
				f.ThroughputBps = float64(f.BytesDelivered) * 8 / (float64(c.lastDeliver[dir]-c.firstData[dir]) / 1e9)
			}
		}
		if c.c.RTT.Samples > 0 {
			c.c.RTT.Mean = c.rttSum / float64(c.c.RTT.Samples)
		}
		out.Conns = append(out.Conns, c.c)
	}
	for _, a := range m.linkOrder {
		l := a.s
		l.Sojourn = a.sojourn.summary()
		out.Links = append(out.Links, l)
	}
	for subject, d := range m.nodeDrops {
		out.Nodes = append(out.Nodes, NodeSummary{Node: subject, Dropped: d})
	}
	slices.SortFunc(out.Nodes, func(a, b NodeSummary) int { return cmp.Compare(a.Node, b.Node) })
	if out.Conns == nil {
		out.Conns = []ConnSummary{}
	}
	if out.Links == nil {
		out.Links = []LinkSummary{}
	}
	if out.Nodes == nil {
		out.Nodes = []NodeSummary{}
	}
	out.Flows = m.flows.flowStats()
	out.Pings = m.flows.pingStats()
	out.TimeWaitOverflow = m.twOver
	out.AppErrors = slices.Clone(m.appErrs)
	return out
}

// appError counts an app's error record.
func (m *Summarizer) appError(r *sim.Record, e *sim.App) {
	k := appErrKey{r.Subject, e.Call, e.Errno}
	i, ok := m.appErrIdx[k]
	if !ok {
		i = len(m.appErrs)
		m.appErrIdx[k] = i
		m.appErrs = append(m.appErrs, AppError{App: strings.TrimPrefix(r.Subject, "app/"), Call: e.Call, Errno: e.Errno, First: int64(r.T)})
	}
	m.appErrs[i].Count++
}

// dirOf returns 0 when host is the client end, 1 when it is the server
// end, -1 when it is not known yet.
func (c *connAcc) dirOf(host string) int {
	switch c.side[host] {
	case "client":
		return 0
	case "server":
		return 1
	}
	return -1
}

// dirOfSubject is dirOf the host of a record's subject.
func (c *connAcc) dirOfSubject(subject string) int {
	if d, ok := c.subjects.get(subject); ok {
		return d
	}
	d := c.dirOf(hostOf(subject))
	if d >= 0 {
		c.subjects.put(subject, d)
	}
	return d
}

func (c *connAcc) flow(dir int) *Flow {
	if dir == 0 {
		return &c.c.Flow
	}
	return &c.c.Reverse
}
