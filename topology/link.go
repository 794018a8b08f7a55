package topology

import (
	"fmt"
	"unsafe"

	"github.com/netsimlab/netsim/internal/prefetch"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// Link is a full-duplex point-to-point link between two endpoints, side 0
// (node a) and side 1 (node b). Each direction has its own transmitter,
// queue (of the configured discipline), counters and random streams; both share the
// configuration and the up/down state.
type Link struct {
	// What every packet reads comes first: the scheduler, the kinds
	// traced, the ends and whether the link is up in the object's first
	// line, then the settings a packet's passage reads in the second
	// (LinkConfig starts with them), then the two directions, each on
	// whole lines of its own (TestDirectionLines). A Link has pointers
	// and is larger than 512 bytes, so Go puts an 8-byte header before
	// it in its slot of the size class (whose slots start on lines): its
	// lines start 56 bytes into it, then every 64.
	s     *sim.Scheduler
	kinds *sim.KindSet // what trace reads (sim.Wanted)
	ends  [2]Endpoint
	up    bool
	cfg   LinkConfig
	dirs  [2]direction
	trace sim.Sink
	// free takes back each packet the link drops (SetRecycle).
	free   func(*Packet)
	nextID func() uint64
	nodes  [2]string
	// streams makes the directions' impairment streams when first used.
	streams sim.Streams
}

// NewLink returns a link, up, between nodes a (side 0) and b (side 1). Its
// random streams are "link/<name>/<from>><to>/<what>" for what in loss,
// jitter, duplicate, corrupt and queue, one set per direction. trace may be nil
// (no records are built then); nextID numbers the copies the link makes.
func NewLink(s *sim.Scheduler, streams sim.Streams, trace sim.Sink, nextID func() uint64, cfg LinkConfig, a, b string) (*Link, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case s == nil:
		return nil, fmt.Errorf("link %q: nil scheduler: %w", cfg.Name, ErrInvalidConfig)
	case nextID == nil:
		return nil, fmt.Errorf("link %q: nil packet ID source: %w", cfg.Name, ErrInvalidConfig)
	case a == "" || b == "":
		return nil, fmt.Errorf("link %q: ends %q and %q: %w (two node names)", cfg.Name, a, b, ErrInvalidConfig)
	case a == b:
		return nil, fmt.Errorf("link %q: both ends are %q: %w (two different nodes)", cfg.Name, a, ErrInvalidConfig)
	}
	l := &Link{s: s, trace: trace, kinds: sim.Wanted(trace), nextID: nextID, cfg: cfg.withDefaults(), nodes: [2]string{a, b}, up: true, streams: streams}
	for side := range l.dirs {
		l.dirs[side].init(l, side, streams)
	}
	return l, nil
}

// Name returns the link's name.
func (l *Link) Name() string { return l.cfg.Name }

// Ends returns the names of the nodes at side 0 and side 1.
func (l *Link) Ends() (a, b string) { return l.nodes[0], l.nodes[1] }

// Node returns the name of the node at side (0 or 1).
func (l *Link) Node(side int) string { return l.nodes[checkSide(side)] }

// Side returns the side of the node called name, and false when the link
// does not touch it.
func (l *Link) Side(name string) (int, bool) {
	switch name {
	case l.nodes[0]:
		return 0, true
	case l.nodes[1]:
		return 1, true
	}
	return 0, false
}

// MTU returns the largest datagram the link carries.
func (l *Link) MTU() int { return l.cfg.MTU }

// Config returns the link's current configuration, defaults filled in.
func (l *Link) Config() LinkConfig { return l.cfg }

// Attach connects e to side (0 = a, 1 = b), replacing any endpoint there.
func (l *Link) Attach(side int, e Endpoint) { l.ends[checkSide(side)] = e }

// Endpoint returns what is attached at side, or nil.
func (l *Link) Endpoint(side int) Endpoint { return l.ends[checkSide(side)] }

// Send hands p to side's transmitter, toward the other side. In order: a
// down link drops it ("down"); a datagram longer than the MTU is dropped
// ("mtu"); when the transmitter is busy it waits in the queue, or is
// dropped when the queue is full ("queue") or its discipline drops it
// early ("aqm"; an ECN-capable packet may be marked CE instead); when its turn comes its first
// bit leaves (Transmitted on side's endpoint), the last bit leaves
// Rate.TxTime(len(Data)+Overhead) later, and it arrives Delay (plus jitter)
// after that, unless the loss model drops it ("loss"), to be delivered
// (Deliver on the other endpoint). The link keeps p until then: the caller
// must not change p.Data afterwards.
func (l *Link) Send(side int, p *Packet) {
	l.dirs[checkSide(side)].send(p)
}

// SetRecycle makes the link hand each packet it drops to free once it
// has finished with it (counted and traced it), so that whoever made the
// packets can reuse them: nodes' packet pool, which would otherwise lose
// every packet a full queue drops to the garbage collector. Nothing may
// hold a dropped packet but the link: a sender gives its packets up when
// it sends them. nil, the default, leaves dropped packets to the garbage
// collector.
func (l *Link) SetRecycle(free func(*Packet)) { l.free = free }

// Up reports whether the link is up.
func (l *Link) Up() bool { return l.up }

// SetUp brings the link up or down. Going down loses every packet queued,
// being serialized or in flight, in both directions (reason "down", in the
// order they were sent); while down, Send drops with "down". Coming back
// up, the link carries new packets. Endpoints implementing StateListener
// are told after the change. Setting the current state does nothing.
func (l *Link) SetUp(up bool) {
	if l.up == up {
		return
	}
	l.up = up
	for side := range l.dirs {
		l.dirs[side].stateChanged(up)
	}
	for _, e := range l.ends {
		if sl, ok := e.(StateListener); ok {
			sl.LinkState(up)
		}
	}
}

// Set applies a fault: the properties ch sets replace the link's in both
// directions from now on (see LinkChange for what happens to packets
// already on the link). An invalid result changes nothing and returns an
// error wrapping ErrInvalidConfig.
func (l *Link) Set(ch LinkChange) error {
	next := ch.apply(l.cfg)
	if err := next.Validate(); err != nil {
		return fmt.Errorf("change: %w", err)
	}
	replace := ch.Queue != nil && ch.Queue != l.cfg.Queue
	l.cfg = next.withDefaults()
	for side := range l.dirs {
		d := &l.dirs[side]
		if replace {
			d.replaceQueue()
		} else {
			d.queue.SetLimit(l.cfg.limit())
		}
	}
	if ch.SetLoss {
		for side := range l.dirs {
			l.dirs[side].startLoss()
		}
	}
	return nil
}

// Stats returns the counters of the direction from side toward the other.
func (l *Link) Stats(side int) DirStats { return l.dirs[checkSide(side)].stats() }

// QueueLen returns the packets and bytes waiting in side's queue now (the
// packet on the wire excluded).
func (l *Link) QueueLen(side int) (int, units.ByteSize) {
	return l.dirs[checkSide(side)].queue.Len()
}

// InFlight returns the packets of side's direction whose last bit left and
// that have not arrived yet.
func (l *Link) InFlight(side int) int { return l.dirs[checkSide(side)].inFlight() }

// String returns e.g. "link uplink (client-r1)".
func (l *Link) String() string {
	return fmt.Sprintf("link %s (%s-%s)", l.cfg.Name, l.nodes[0], l.nodes[1])
}

// checkSide panics on a side other than 0 or 1: that is a bug in the
// caller's code, not input to validate.
func checkSide(side int) int {
	if side != 0 && side != 1 {
		panic(fmt.Sprintf("topology: link side %d (0 or 1)", side))
	}
	return side
}

// Prefetch asks the processor to start loading the direction that sends
// from side (its five lines), for a node that has just received a packet
// on the link and will likely answer on it: a host whose segment will be
// acknowledged, or whose ACK will release more data. A hint only.
func (l *Link) Prefetch(side int) {
	d := &l.dirs[side&1]
	prefetch.Lines(unsafe.Pointer(d), unsafe.Sizeof(*d))
}
