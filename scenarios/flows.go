package scenarios

import (
	"bytes"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netsimlab/netsim/sim"
)

// This file is the per-flow statistics of summary.json and flows.csv, in
// the manner of ns-3's FlowMonitor: a flow is a 5-tuple in one direction
// (TCP or UDP), its packets counted where the sending host's IP layer
// makes them (pkt.send) and where the receiving host's transport takes
// them (pkt.deliver), matched by packet ID; and the pings.

// FlowStats is one flow: a TCP or UDP 5-tuple in one direction. Bytes are
// IPv4 datagram lengths; delays are one-way, from pkt.send to pkt.deliver,
// in ns (percentiles nearest-rank); jitter is RFC 3550 §6.4.1's
// interarrival jitter.
type FlowStats struct {
	Flow  int    `json:"flow"`
	Proto string `json:"proto"` // "tcp" or "udp"
	Src   string `json:"src"`
	SPort uint16 `json:"sport"`
	Dst   string `json:"dst"`
	DPort uint16 `json:"dport"`
	// TxPackets and TxBytes count what was sent, retransmissions included;
	// RxPackets and RxBytes what arrived (a duplicate a link made counts
	// once); LostPackets what was dropped on the way (a pkt.drop on a link
	// or at a node, of the packet and of every copy a link made of it).
	// A packet still in flight when the run ends is neither received nor
	// lost, as in ns-3's FlowMonitor, which counts a packet lost only once
	// it is known not to arrive.
	TxPackets   int64   `json:"tx_packets"`
	TxBytes     int64   `json:"tx_bytes"`
	RxPackets   int64   `json:"rx_packets"`
	RxBytes     int64   `json:"rx_bytes"`
	LostPackets int64   `json:"lost_packets"`
	FirstTx     int64   `json:"first_tx_ns"`
	LastRx      int64   `json:"last_rx_ns"`
	DelayMin    int64   `json:"delay_min_ns"`
	DelayMean   float64 `json:"delay_mean_ns"`
	DelayP50    int64   `json:"delay_p50_ns"`
	DelayP99    int64   `json:"delay_p99_ns"`
	DelayMax    int64   `json:"delay_max_ns"`
	Jitter      float64 `json:"jitter_ns"`
	// GoodputBps is the payload received, in bit/s from the first send to
	// the last arrival: for UDP every datagram's payload, for TCP the
	// highest byte of the stream that arrived (a resent byte counts once).
	GoodputBps float64 `json:"goodput_bps"`
}

// PingStats is one ping app's run, as ping(8) sums it up; RTTs in ns.
// Transmitted counts the echo requests the app tried to send, Errors those
// whose send failed (EMSGSIZE past the path MTU), as ping(8)'s "+N errors".
type PingStats struct {
	Host        string  `json:"host"`
	To          string  `json:"to"`
	Transmitted int64   `json:"transmitted"`
	Received    int64   `json:"received"`
	Errors      int64   `json:"errors"`
	LossPct     float64 `json:"loss_pct"`
	RTTMin      int64   `json:"rtt_min_ns"`
	RTTAvg      float64 `json:"rtt_avg_ns"`
	RTTMax      int64   `json:"rtt_max_ns"`
	RTTMdev     float64 `json:"rtt_mdev_ns"`
}

type flowKey struct {
	src, dst     netip.Addr
	sport, dport uint16
	proto        uint8
}

// flowAcc accumulates one flow.
type flowAcc struct {
	s        FlowStats
	delays   samples
	payload  int64 // UDP payload received
	tcpBase  int64 // lowest relative sequence sent (1 after the SYN)
	tcpTop   int64 // highest rseq+plen received
	lost     int64 // packets dropped with every copy of them
	prevD    int64 // transit time of the previous arrival (RFC 3550 D)
	haveD    bool
	haveBase bool
}

// inFlight is a packet sent and not yet delivered.
type inFlight struct {
	flow   int
	at     int64
	end    int64 // TCP: rseq+plen
	plen   int64
	copies int32 // copies a link made of it and not yet dropped
}

// flowTracker matches sends and deliveries by packet ID.
type flowTracker struct {
	index   map[flowKey]int
	recent  [2]flowKey // the flows of the latest sends (data and its ACKs), indexes in recentI
	recentI [2]int
	lastHit int // the slot of recent that matched last
	flows   []*flowAcc
	pending inFlightTable[inFlight]
	copies  map[uint64]uint64 // a link's copy -> the original
	pings   map[string]*pingAcc
	order   []string
}

type pingAcc struct {
	s    PingStats
	rtts []int64
}

func newFlowTracker() *flowTracker {
	return &flowTracker{index: map[flowKey]int{}, copies: map[uint64]uint64{}, pings: map[string]*pingAcc{}}
}

func (f *flowTracker) send(t int64, e *sim.PacketSend) {
	if e.Proto != 6 && e.Proto != 17 {
		return
	}
	k := flowKey{e.Src, e.Dst, e.SPort, e.DPort, e.Proto}
	i, ok := f.lookup(k)
	if !ok {
		i = len(f.flows)
		f.index[k] = i
		proto := "udp"
		if e.Proto == 6 {
			proto = "tcp"
		}
		f.flows = append(f.flows, &flowAcc{s: FlowStats{Flow: i + 1, Proto: proto, Src: e.Src.String(), SPort: e.SPort,
			Dst: e.Dst.String(), DPort: e.DPort, FirstTx: t}})
	}
	a := f.flows[i]
	a.s.TxPackets++
	a.s.TxBytes += int64(e.Len)
	end := int64(e.RSeq) + int64(e.PLen)
	if e.Proto == 6 && e.PLen > 0 && (!a.haveBase || int64(e.RSeq) < a.tcpBase) {
		a.tcpBase, a.haveBase = int64(e.RSeq), true
	}
	f.pending.put(e.ID, inFlight{flow: i, at: t, end: end, plen: int64(e.PLen)})
}

// lookup returns the index of flow k, looking first at the flows of the
// latest sends: a transfer alternates between its data and its ACKs. The
// two recent flows stay in their slots (a hit moves nothing; a miss
// replaces the slot not hit last), and keys compare field by field
// rather than as 56 bytes of memory.
func (f *flowTracker) lookup(k flowKey) (int, bool) {
	if len(f.flows) > 0 {
		for j := range f.recent {
			if f.recent[j].eq(&k) {
				f.lastHit = j
				return f.recentI[j], true
			}
		}
	}
	i, ok := f.index[k]
	if ok {
		j := 1 - f.lastHit
		f.recent[j], f.recentI[j], f.lastHit = k, i, j
	}
	return i, ok
}

// eq reports whether k and o are the same flow.
func (k *flowKey) eq(o *flowKey) bool {
	return k.sport == o.sport && k.dport == o.dport && k.proto == o.proto && k.src == o.src && k.dst == o.dst
}

// duplicate notes that a link made copy id of packet of: the packet is
// lost only once the copy is dropped too. A copy of a copy counts for the
// packet the first copy was made of.
func (f *flowTracker) duplicate(id, of uint64) {
	if root, ok := f.copies[of]; ok {
		of = root
	}
	f.copies[id] = of
	if p, ok := f.pending.take(of); ok {
		p.copies++
		f.pending.put(of, p)
	}
}

// drop notes that packet id (or a copy of one) was dropped on its way:
// the packet is lost when no copy of it is left.
func (f *flowTracker) drop(id uint64) {
	id = f.original(id)
	p, ok := f.pending.take(id)
	if !ok {
		return // not a flow's, or a packet already delivered
	}
	if p.copies > 0 {
		p.copies--
		f.pending.put(id, p)
		return
	}
	f.flows[p.flow].lost++
}

// original returns the packet that id is a link's copy of, forgetting the
// copy, or id itself.
func (f *flowTracker) original(id uint64) uint64 {
	if len(f.copies) > 0 { // only when a link duplicates
		if orig, ok := f.copies[id]; ok {
			delete(f.copies, id)
			return orig
		}
	}
	return id
}

func (f *flowTracker) deliver(t int64, e *sim.PacketDeliver) {
	p, ok := f.pending.take(f.original(e.ID))
	if !ok {
		return // not a flow's, or a copy of a packet already counted
	}
	a := f.flows[p.flow]
	a.s.RxPackets++
	a.s.RxBytes += int64(e.Len)
	a.s.LastRx = t
	d := t - p.at
	a.delays.add(d)
	// RFC 3550 §6.4.1: J += (|D(i-1,i)| - J)/16, D the difference of
	// two consecutive arrivals' transit times.
	if a.haveD {
		diff := math.Abs(float64(d - a.prevD))
		a.s.Jitter += (diff - a.s.Jitter) / 16
	}
	a.prevD, a.haveD = d, true
	if a.s.Proto == "tcp" {
		// Only segments with payload move the top: a pure ACK or a FIN
		// carries no stream byte (the ACK-only direction of a transfer
		// would otherwise count its relative sequence 1 as a byte).
		if p.plen > 0 {
			a.tcpTop = max(a.tcpTop, p.end)
		}
	} else {
		a.payload += p.plen
	}
}

func (f *flowTracker) app(r *sim.Record, e *sim.App) {
	if !strings.HasSuffix(r.Subject, "/ping") || e.Event != sim.AppSend && e.Event != sim.AppReply && e.Event != sim.AppError {
		return
	}
	if e.Event == sim.AppError && e.Has&sim.AppHasTo == 0 {
		return
	}
	to := e.To.Addr().String()
	if e.Event == sim.AppReply {
		to = e.Peer.Addr().String()
	}
	key := r.Subject + " " + to
	p := f.pings[key]
	if p == nil {
		// One row per app: a second ping app toward the same target is
		// "app/<host>/<n>/ping" (see rankedPing), so the subject tells it
		// apart, and hostOf reads the host alike from both.
		p = &pingAcc{s: PingStats{Host: hostOf(r.Subject), To: to}}
		f.pings[key] = p
		f.order = append(f.order, key)
	}
	switch e.Event {
	case sim.AppSend:
		p.s.Transmitted++
		return
	case sim.AppError:
		// A failed sendto is a request transmitted and an error; an ICMP
		// error read back (recvmsg) is an error about a request already
		// counted, as ping(8)'s "+N errors" counts both.
		if e.Call != "recvmsg" {
			p.s.Transmitted++
		}
		p.s.Errors++
		return
	}
	p.s.Received++
	p.rtts = append(p.rtts, int64(e.Latency))
}

func (f *flowTracker) flowStats() []FlowStats {
	out := make([]FlowStats, 0, len(f.flows))
	for _, a := range f.flows {
		s := a.s
		s.LostPackets = a.lost
		if n := a.delays.len(); n > 0 {
			v := a.delays.percentiles(50, 99)
			s.DelayMin, s.DelayMax = a.delays.min, a.delays.max
			s.DelayMean = a.delays.mean()
			s.DelayP50, s.DelayP99 = v[0], v[1]
		}
		good := a.payload
		if s.Proto == "tcp" {
			good = max(0, a.tcpTop-a.tcpBase)
		}
		if s.LastRx > s.FirstTx {
			s.GoodputBps = float64(good) * 8 / (float64(s.LastRx-s.FirstTx) / 1e9)
		}
		out = append(out, s)
	}
	return out
}

func (f *flowTracker) pingStats() []PingStats {
	out := make([]PingStats, 0, len(f.order))
	for _, k := range f.order {
		p := f.pings[k]
		s := p.s
		if s.Transmitted > 0 {
			s.LossPct = 100 * float64(s.Transmitted-s.Received) / float64(s.Transmitted)
		}
		if n := len(p.rtts); n > 0 {
			s.RTTMin, s.RTTMax = slices.Min(p.rtts), slices.Max(p.rtts)
			var sum, sq float64
			for _, r := range p.rtts {
				sum += float64(r)
				sq += float64(r) * float64(r)
			}
			s.RTTAvg = sum / float64(n)
			// ping(8)'s mdev: the standard deviation, sqrt(E[x²] - E[x]²).
			s.RTTMdev = math.Sqrt(max(0, sq/float64(n)-s.RTTAvg*s.RTTAvg))
		}
		out = append(out, s)
	}
	return out
}

// FlowsCSVHeader is the first line of flows.csv.
const FlowsCSVHeader = "flow,proto,src,sport,dst,dport,tx_packets,tx_bytes,rx_packets,rx_bytes,lost_packets,first_tx_ns,last_rx_ns," +
	"delay_min_ns,delay_mean_ns,delay_p50_ns,delay_p99_ns,delay_max_ns,jitter_ns,goodput_bps"

// FlowsCSV returns flows.csv for flows: a header line, then one row per
// flow. Only numbers, so pandas and R read it as it is: proto is the IP
// protocol number (6 TCP, 17 UDP) and addresses are written as dotted
// quads, which both read as text; times and delays are integer ns, jitter
// and goodput decimals.
func FlowsCSV(flows []FlowStats) []byte {
	var b bytes.Buffer
	b.WriteString(FlowsCSVHeader)
	b.WriteByte('\n')
	for _, f := range flows {
		proto := "17"
		if f.Proto == "tcp" {
			proto = "6"
		}
		fields := []string{strconv.Itoa(f.Flow), proto, f.Src, strconv.Itoa(int(f.SPort)), f.Dst, strconv.Itoa(int(f.DPort)),
			i64(f.TxPackets), i64(f.TxBytes), i64(f.RxPackets), i64(f.RxBytes), i64(f.LostPackets), i64(f.FirstTx), i64(f.LastRx),
			i64(f.DelayMin), fl(f.DelayMean), i64(f.DelayP50), i64(f.DelayP99), i64(f.DelayMax), fl(f.Jitter), fl(f.GoodputBps)}
		b.WriteString(strings.Join(fields, ","))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

func fl(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
