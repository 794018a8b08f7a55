package topology

import (
	"fmt"
	"time"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// direction is one half of a link: the transmitter at side `from`, its
// queue, the packets in flight toward the other side, and their counters.
// The fields every packet touches come first, together (a thousand flows
// through a thousand access links find each direction cold in the
// cache, so every line it spans costs a miss): five lines in the order a
// packet's passage reads them. The counters of drops and marks, the
// streams and the trace's scratch records, which a run without
// impairments or trace never reads, come last.
type direction struct {
	// Line 1 (a Link's directions start on a cache line, and each spans
	// whole lines: TestDirectionLines).
	l     *Link
	queue Queue
	wire  *Packet // being serialized; nil when the transmitter is free
	// wireDelay is the propagation delay the packet on the wire took when
	// its first bit left: a fault changing the delay mid-serialization
	// applies to the next packet, as in ns-3's PointToPointChannel (which
	// schedules the arrival when transmission starts), so pkt.tx's arrive
	// field is known and true when it is traced.
	wireDelay   time.Duration
	lastArrival sim.Time
	seq         uint64
	from        int32
	// fifo: the queue is drop-tail, whose Dequeue of an empty queue
	// changes nothing (an AQM's may: PIE catches up its probability), so
	// finishTx may skip asking it; held: the queue may hold packets, one
	// was offered since Dequeue last found it empty. An uncongested
	// direction then reads no queue per packet (with a thousand access
	// links, each queue is a cache miss).
	fifo, held bool
	// reordering: the reordered heap holds packets (pushFlight), so
	// that a direction without reads no line of its cold part for it.
	reordering bool

	// Lines 2 and 3: the two timers, each with the counters its side of
	// a packet's passage updates. The timers live here, not behind
	// pointers: the scheduler calls txEnd and landing, named views of
	// the direction itself.
	txDone      sim.Timer
	sent        counter
	arrival     sim.Timer
	transmitted counter
	// Line 4: the packets in flight in order, the oldest in the line
	// itself (inOrder).
	flights inOrder
	// Line 5.
	loss LossProcess
	// dirTrace holds the records of a traced link (nil without a
	// trace).
	*dirTrace
	delivered counter
	sojourn   Sojourn

	// The counters no packet of a clean run touches (DirStats has them
	// all: stats).
	dropped                       Drops
	duplicated, corrupted, marked uint64
	queuePeakPackets              int
	queuePeakBytes                units.ByteSize

	// The streams of the impairments are made on first use (rand): a
	// link with none set, the usual case, keeps only the queue's, and
	// a 10,000-host star 80,000 fewer objects for the garbage collector
	// to mark. A stream's draws depend only on its name and the seed, so
	// when it is made changes nothing.
	lossRand, jitterRand, dupRand, corruptRand, queueRand *sim.Rand

	// reordered holds the packets launched while Reorder was on
	// (pushFlight), from the first such on.
	reordered *flightHeap

	// (A whole number of lines, so that the second direction starts on a
	// line too: TestDirectionLines.)
}

// counter counts packets and their bytes.
type counter struct {
	packets uint64
	bytes   units.ByteSize
}

// add counts one packet of n bytes.
func (c *counter) add(n units.ByteSize) {
	c.packets++
	c.bytes += n
}

// stats returns the direction's counters.
func (d *direction) stats() DirStats {
	return DirStats{
		Sent: d.sent.packets, SentBytes: d.sent.bytes,
		Transmitted: d.transmitted.packets, TransmittedBytes: d.transmitted.bytes,
		Delivered: d.delivered.packets, DeliveredBytes: d.delivered.bytes,
		Dropped:    d.dropped,
		Duplicated: d.duplicated, Corrupted: d.corrupted, Marked: d.marked,
		Sojourn:          d.sojourn,
		QueuePeakPackets: d.queuePeakPackets, QueuePeakBytes: d.queuePeakBytes,
	}
}

// dirTrace is reused for every trace record of a direction, so tracing
// allocates nothing (a Sink must not keep them). It is made only for a
// link with a trace: 450 bytes a direction that an untraced run (a
// 10,000-host star, a thousand access links) would carry for nothing.
type dirTrace struct {
	rec sim.Record
	ev  struct {
		enqueue sim.PacketEnqueue
		tx      sim.PacketTx
		rx      sim.PacketRx
		drop    sim.PacketDrop
		dup     sim.PacketDuplicate
		mark    sim.PacketMark
		state   sim.LinkState
	}
}

// txEnd is the direction as the handler of its txDone timer: the last
// bit of the packet on the wire has left.
type txEnd direction

// Fire runs finishTx (sim.Handler).
func (h *txEnd) Fire() { (*direction)(h).finishTx() }

// landing is the direction as the handler of its arrival timer: the
// earliest packet in flight arrives.
type landing direction

// Fire runs arrive (sim.Handler).
func (h *landing) Fire() { (*direction)(h).arrive() }

// emit sends ev, one of d.ev's events, to the trace as a record of now.
func (d *direction) emit(ev sim.Event) {
	d.rec.T, d.rec.Event = d.l.s.Now(), ev
	d.l.trace.Emit(&d.rec)
}

func (d *direction) init(l *Link, from int, streams sim.Streams) {
	d.l, d.from = l, int32(from)
	d.queueRand = streams.Rand(d.subject() + "/queue")
	d.setQueue()
	d.startLoss()
	l.s.InitTimer(&d.txDone, (*txEnd)(d))
	l.s.InitTimer(&d.arrival, (*landing)(d))
	if l.trace != nil {
		d.dirTrace = &dirTrace{rec: sim.Record{Subject: d.subject()}}
	}
}

// subject names the direction in the trace and in its streams:
// "link/<name>/<from>><to>". It is made when asked (the trace's record
// keeps it), not kept in the direction's lines.
func (d *direction) subject() string {
	l := d.l
	return "link/" + l.cfg.Name + "/" + l.nodes[d.from] + ">" + l.nodes[1-d.from]
}

// rand returns the stream *r of the direction's impairment what
// ("loss", "jitter", "duplicate", "corrupt"), making it on first use.
func (d *direction) rand(r **sim.Rand, what string) *sim.Rand {
	if *r == nil {
		*r = d.l.streams.Rand(d.subject() + "/" + what)
	}
	return *r
}

// setQueue gives the direction an empty queue of the link's discipline.
func (d *direction) setQueue() {
	cfg := &d.l.cfg
	d.queue = cfg.Queue.NewQueue(QueueEnv{Limit: cfg.limit(), Rate: cfg.Rate, MTU: cfg.MTU, Rand: d.queueRand, Events: d})
	_, d.fifo = d.queue.(*dropTail)
}

// replaceQueue moves to a new discipline: the packets held move to the new
// queue in the order the old one drains them, each offered to Enqueue
// anew (so some may be dropped or marked).
func (d *direction) replaceQueue() {
	old := d.queue
	d.setQueue()
	now := d.l.s.Now()
	old.Drain(func(p *Packet) { d.offer(now, p) })
}

// startLoss (re)starts the loss process of the current model.
func (d *direction) startLoss() {
	d.loss = nil
	if d.l.cfg.Loss != nil {
		d.loss = d.l.cfg.Loss.Start(d.rand(&d.lossRand, "loss"))
	}
}

func (d *direction) send(p *Packet) {
	if p == nil {
		panic("topology: Send of a nil packet")
	}
	n := units.ByteSize(len(p.Data))
	d.sent.add(n)
	cfg := &d.l.cfg
	switch {
	case !d.l.up:
		d.drop(p, sim.DropDown)
		return
	case len(p.Data) > cfg.MTU:
		d.drop(p, sim.DropMTU)
		return
	}
	if d.wire == nil {
		// The transmitter is free, so the queue is empty: the packet goes
		// straight onto the wire without waiting.
		d.traceQueue(sim.KindPacketEnqueue, p)
		d.sojourn.add(0)
		d.startTx(p)
		return
	}
	d.offer(d.l.s.Now(), p)
}

// offer hands p to the queue discipline and records what it did.
func (d *direction) offer(now sim.Time, p *Packet) {
	d.held = true
	switch d.queue.Enqueue(now, p) {
	case DroppedFull:
		d.drop(p, sim.DropQueue)
		return
	case DroppedAQM:
		d.drop(p, sim.DropAQM)
		return
	case QueuedMarked:
		d.mark(p)
	}
	n, b := d.queue.Len()
	if n > d.queuePeakPackets {
		d.queuePeakPackets = n
	}
	if b > d.queuePeakBytes {
		d.queuePeakBytes = b
	}
	d.traceQueue(sim.KindPacketEnqueue, p)
}

// QueueDrop records the discipline's drop of a packet it held.
func (d *direction) QueueDrop(p *Packet, reason string) { d.drop(p, reason) }

// QueueMark records the discipline's CE mark on a packet it held.
func (d *direction) QueueMark(p *Packet) { d.mark(p) }

// mark counts and traces p's CE mark.
func (d *direction) mark(p *Packet) {
	d.marked++
	d.traceQueue(sim.KindPacketMark, p)
}

// startTx puts p's first bit on the wire now.
func (d *direction) startTx(p *Packet) {
	cfg := &d.l.cfg
	now := d.l.s.Now()
	n := len(p.Data)
	end := now.Add(cfg.Rate.TxTime(units.ByteSize(n) + cfg.Overhead))
	d.wire, d.wireDelay = p, cfg.Delay
	d.transmitted.add(units.ByteSize(n))
	if err := d.txDone.Reset(end); err != nil {
		panic(fmt.Sprintf("topology: %s: transmission end %v before now %v", d.subject(), end, now))
	}
	if d.dirTrace != nil {
		qlen, qbytes := d.queue.Len()
		d.ev.tx = sim.PacketTx{ID: p.ID, Len: n, QLen: qlen, QBytes: int(qbytes), Arrive: end.Add(d.wireDelay)}
		d.emit(&d.ev.tx)
	}
	if e := d.l.ends[d.from]; e != nil {
		e.Transmitted(p)
	}
}

// finishTx runs when the last bit of the packet on the wire has left: the
// packet's fate is drawn, then the next queued packet starts.
func (d *direction) finishTx() {
	p := d.wire
	d.wire = nil
	if p != nil {
		d.launch(p, d.wireDelay)
	}
	if d.wire == nil && d.l.up && (d.held || !d.fifo) {
		now := d.l.s.Now()
		if next, at, ok := d.queue.Dequeue(now); ok {
			d.sojourn.add(now.Sub(at))
			d.startTx(next)
		} else {
			d.held = false
		}
	}
}

// launch draws p's fate as its last bit leaves: lost, or scheduled to
// arrive delay (plus jitter) later, possibly with a duplicate, each copy
// possibly corrupted. The
// draws come from separate streams, each only when its probability is
// set, so enabling one impairment never shifts another's draws.
func (d *direction) launch(p *Packet, delay time.Duration) {
	cfg := &d.l.cfg
	if d.loss != nil && d.loss.Lose() {
		d.drop(p, sim.DropLoss)
		return
	}
	var dup *Packet
	if cfg.Duplicate > 0 && d.rand(&d.dupRand, "duplicate").Bernoulli(float64(cfg.Duplicate)) {
		dup = p.Clone(d.l.nextID())
		d.duplicated++
		if d.dirTrace != nil {
			d.ev.dup = sim.PacketDuplicate{ID: dup.ID, Of: p.ID}
			d.emit(&d.ev.dup)
		}
	}
	d.fly(p, false, delay)
	if dup != nil {
		d.fly(dup, true, delay)
	}
}

// fly schedules the arrival of p delay (plus jitter) from now (owned says
// the link made p and may change its bytes in place).
func (d *direction) fly(p *Packet, owned bool, delay time.Duration) {
	cfg := &d.l.cfg
	corrupt := false
	// On a corrupting link every packet takes the Bernoulli draw, even one
	// without bytes to flip, and the bit's draw follows a hit: the corrupt
	// stream's sequence, and so every run with corruption, depends on
	// this order (TestCorruptDrawOrder).
	if cfg.Corrupt > 0 && d.rand(&d.corruptRand, "corrupt").Bernoulli(float64(cfg.Corrupt)) {
		corrupt = len(p.Data) > 0
	}
	if corrupt {
		if !owned {
			p = p.Clone(p.ID)
		}
		p.Corrupt(d.corruptRand.IntN(len(p.Data) * 8))
	}
	at := d.l.s.Now().Add(delay)
	if cfg.Jitter > 0 {
		at = at.Add(d.rand(&d.jitterRand, "jitter").UniformDuration(0, cfg.Jitter))
	}
	if !cfg.Reorder && at < d.lastArrival {
		// Order-preserving jitter: a packet never overtakes the one before.
		at = d.lastArrival
	}
	if at > d.lastArrival {
		d.lastArrival = at
	}
	d.seq++
	d.pushFlight(newFlight(at, d.seq, p, corrupt), cfg.Reorder)
	d.armArrival()
}

// armArrival points the arrival timer at the earliest packet in flight.
func (d *direction) armArrival() {
	if d.inFlight() == 0 {
		d.arrival.Stop()
		return
	}
	next := d.nextFlight().at
	if when, ok := d.arrival.When(); ok && when == next {
		return
	}
	if err := d.arrival.Reset(next); err != nil {
		panic(fmt.Sprintf("topology: %s: arrival %v before now", d.subject(), next))
	}
}

// arrive delivers every packet whose last bit reaches the far end now.
func (d *direction) arrive() {
	now := d.l.s.Now()
	for d.inFlight() > 0 && d.nextFlight().at <= now {
		f := d.popFlight()
		n := len(f.p.Data)
		d.delivered.add(units.ByteSize(n))
		if f.corrupt() {
			d.corrupted++
		}
		if d.l.kinds.Has(sim.KindPacketRx) {
			d.ev.rx = sim.PacketRx{ID: f.p.ID, Len: n, Corrupt: f.corrupt()}
			d.emit(&d.ev.rx)
		}
		d.flights.prefetch()
		if e := d.l.ends[1-d.from]; e != nil {
			e.Deliver(f.p)
		}
	}
	d.armArrival()
}

// stateChanged records the new state; going down loses every packet of
// the direction, oldest first: in flight, on the wire, then queued.
func (d *direction) stateChanged(up bool) {
	if d.dirTrace != nil {
		d.ev.state = sim.LinkState{Up: up}
		d.emit(&d.ev.state)
	}
	if up {
		return
	}
	d.arrival.Stop()
	for d.inFlight() > 0 {
		d.drop(d.popFlight().p, sim.DropDown)
	}
	d.txDone.Stop()
	if p := d.wire; p != nil {
		d.wire = nil
		d.drop(p, sim.DropDown)
	}
	d.queue.Drain(func(p *Packet) { d.drop(p, sim.DropDown) })
	d.lastArrival = 0
}

func (d *direction) drop(p *Packet, reason string) {
	switch reason {
	case sim.DropQueue:
		d.dropped.Queue++
	case sim.DropLoss:
		d.dropped.Loss++
	case sim.DropDown:
		d.dropped.Down++
	case sim.DropMTU:
		d.dropped.MTU++
	case sim.DropAQM:
		d.dropped.AQM++
	}
	if d.dirTrace != nil {
		d.ev.drop = sim.PacketDrop{ID: p.ID, Len: len(p.Data), Reason: reason}
		d.emit(&d.ev.drop)
	}
	if f := d.l.free; f != nil {
		f(p)
	}
}

// traceQueue emits the pkt.enqueue record of p, which has just joined the
// queue (or gone straight to an idle transmitter), or its pkt.mark record
// (kind sim.KindPacketMark).
func (d *direction) traceQueue(kind sim.Kind, p *Packet) {
	if d.dirTrace == nil {
		return
	}
	qlen, qbytes := d.queue.Len()
	if kind == sim.KindPacketMark {
		d.ev.mark = sim.PacketMark{ID: p.ID, Len: len(p.Data), QLen: qlen, QBytes: int(qbytes)}
		d.emit(&d.ev.mark)
		return
	}
	d.ev.enqueue = sim.PacketEnqueue{ID: p.ID, Len: len(p.Data), QLen: qlen, QBytes: int(qbytes)}
	d.emit(&d.ev.enqueue)
}
