package topology

import (
	"errors"
	"fmt"
	"time"

	"github.com/netsimlab/netsim/units"
)

// ErrInvalidConfig is wrapped by every error about a link's configuration
// or a change to it.
var ErrInvalidConfig = errors.New("invalid link configuration")

// DefaultMTU is the MTU of a link whose configuration leaves it 0: Ethernet.
const DefaultMTU = 1500

// DefaultQueueLimitPackets is the queue limit of a link that sets neither a
// packet nor a byte limit: ns-3's DropTailQueue default ("100p").
const DefaultQueueLimitPackets = 100

// MinMTU is the smallest MTU a link accepts: every IPv4 host must take a
// 68-byte datagram without fragmentation (RFC 791 §3.2, "Total Length").
const MinMTU = 68

// LinkConfig describes a full-duplex point-to-point link; both directions
// get the same properties and are otherwise independent.
type LinkConfig struct {
	// The settings every packet's passage reads come first, so that a
	// Link keeps them in one cache line.

	// Rate is the transmission rate of each direction. 0 means infinitely
	// fast (no serialization time).
	Rate units.BitRate
	// Delay is the one-way propagation delay.
	Delay time.Duration
	// MTU is the largest datagram the link carries; larger ones are dropped
	// with reason "mtu" (no fragmentation). 0 means DefaultMTU.
	MTU int
	// Overhead is added to each datagram's length for its serialization
	// time (link-layer framing), not for MTU or queue bytes.
	Overhead units.ByteSize
	// Jitter adds a delay drawn uniformly from [0, Jitter] to each packet's
	// propagation delay. Packets stay in order (an arrival is never earlier
	// than the previous one in its direction) unless Reorder is set.
	Jitter time.Duration
	// Duplicate is the probability that a packet is delivered twice (the
	// copy has its own ID); Corrupt the probability that one random bit of
	// a delivered copy is flipped.
	Duplicate, Corrupt units.Ratio
	Reorder            bool

	// Name names the link in the trace and in its random streams.
	Name string
	// QueueLimitPackets limits the packets waiting in each direction's
	// queue; the packet being serialized does not count (as in ns-3 and
	// Linux qdiscs). QueueLimitBytes limits their bytes (datagram
	// lengths, without Overhead). A packet is dropped with reason "queue"
	// when admitting it would exceed either limit (FQ-CoDel instead drops
	// from its fattest flow). 0 means no limit of that kind, except that
	// when both are 0 the limit is the discipline's DefaultLimit
	// (DefaultQueueLimitPackets for drop-tail); a negative
	// QueueLimitPackets means no packet limit (with QueueLimitBytes 0: an
	// unbounded queue).
	QueueLimitPackets int
	QueueLimitBytes   units.ByteSize
	// Queue is the queue discipline of each direction, with the limit
	// above; nil means DropTail. When both limits are 0 the limit is the
	// discipline's DefaultLimit packets.
	Queue QueueConfig
	// Loss chooses lost packets; nil loses none.
	Loss LossModel
}

// withDefaults returns c with zero values replaced by their defaults.
func (c LinkConfig) withDefaults() LinkConfig {
	if c.MTU == 0 {
		c.MTU = DefaultMTU
	}
	if c.Queue == nil {
		c.Queue = DropTail{}
	}
	if c.QueueLimitPackets == 0 && c.QueueLimitBytes == 0 {
		c.QueueLimitPackets = c.Queue.DefaultLimit()
	}
	return c
}

// limit returns the queue limit of c (defaults filled in).
func (c *LinkConfig) limit() Limit {
	return Limit{Packets: max(c.QueueLimitPackets, 0), Bytes: c.QueueLimitBytes}
}

// Validate reports the first property of c that is out of range.
func (c LinkConfig) Validate() error {
	bad := func(what string, v any, allowed string) error {
		return fmt.Errorf("link %q: %s %v: %w (%s)", c.Name, what, v, ErrInvalidConfig, allowed)
	}
	switch {
	case c.Name == "":
		return fmt.Errorf("link: empty name: %w", ErrInvalidConfig)
	case c.Rate < 0:
		return bad("rate", c.Rate, "0 or more")
	case c.Delay < 0:
		return bad("delay", c.Delay, "0 or more")
	case c.MTU != 0 && c.MTU < MinMTU:
		return bad("mtu", c.MTU, fmt.Sprintf("at least %d", MinMTU))
	case c.QueueLimitBytes < 0:
		return bad("queue limit", c.QueueLimitBytes, "0 or more bytes")
	case c.Jitter < 0:
		return bad("jitter", c.Jitter, "0 or more")
	case c.Overhead < 0:
		return bad("overhead", c.Overhead, "0 or more bytes")
	}
	if err := checkProb("duplicate", c.Duplicate); err != nil {
		return fmt.Errorf("link %q: %w", c.Name, err)
	}
	if err := checkProb("corrupt", c.Corrupt); err != nil {
		return fmt.Errorf("link %q: %w", c.Name, err)
	}
	if c.Loss != nil {
		if err := c.Loss.Validate(); err != nil {
			return fmt.Errorf("link %q: %w", c.Name, err)
		}
	}
	if c.Queue != nil {
		if err := c.Queue.Validate(); err != nil {
			return fmt.Errorf("link %q: queue %s: %w", c.Name, c.Queue.Kind(), err)
		}
	}
	return nil
}

// LinkChange is a fault: the properties it sets (non-nil fields) replace
// the link's, for both directions, from the moment it is applied. A packet
// already being serialized keeps its timing (the rate and the propagation
// delay in force when its first bit left, as ns-3's point-to-point channel
// fixes both when transmission starts); a packet already in flight
// keeps its arrival time; packets already queued stay queued when the queue
// limit shrinks (drop-tail only refuses new ones). Setting Loss (even to
// the same model) restarts the loss process; its stream continues.
type LinkChange struct {
	// Each non-nil field replaces the LinkConfig property of the same name.
	Rate              *units.BitRate
	Delay             *time.Duration
	MTU               *int
	QueueLimitPackets *int
	QueueLimitBytes   *units.ByteSize
	// Queue, when not nil and different from the link's, replaces the
	// queue discipline: the packets held move to a new queue of this
	// kind, offered to it in the order the old one drains them.
	Queue QueueConfig
	// Loss replaces the loss model when SetLoss is true (Loss nil: no
	// loss), since a nil interface cannot say "unchanged".
	Loss      LossModel
	SetLoss   bool
	Jitter    *time.Duration
	Reorder   *bool
	Duplicate *units.Ratio
	Corrupt   *units.Ratio
	Overhead  *units.ByteSize
}

// apply returns c changed by ch.
func (ch LinkChange) apply(c LinkConfig) LinkConfig {
	replace(&c.Rate, ch.Rate)
	replace(&c.Delay, ch.Delay)
	replace(&c.MTU, ch.MTU)
	replace(&c.QueueLimitPackets, ch.QueueLimitPackets)
	replace(&c.QueueLimitBytes, ch.QueueLimitBytes)
	if ch.Queue != nil {
		c.Queue = ch.Queue
	}
	if ch.SetLoss {
		c.Loss = ch.Loss
	}
	replace(&c.Jitter, ch.Jitter)
	replace(&c.Reorder, ch.Reorder)
	replace(&c.Duplicate, ch.Duplicate)
	replace(&c.Corrupt, ch.Corrupt)
	replace(&c.Overhead, ch.Overhead)
	return c
}

// replace sets *dst to *v when v is not nil: a LinkChange field left nil
// keeps the link's property.
func replace[T any](dst, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Ptr returns a pointer to v, for filling a LinkChange:
// LinkChange{Delay: topology.Ptr(20 * time.Millisecond)}.
func Ptr[T any](v T) *T { return &v }
