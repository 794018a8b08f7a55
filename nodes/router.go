package nodes

import (
	"errors"

	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
)

// Router forwards IPv4 datagrams by longest-prefix match on their
// destination. It owns no address: it never terminates a datagram, so it
// only checks what forwarding needs (RFC 1812 §5.2.2: version, header
// length, total length, header checksum), decrements the TTL and updates
// the checksum in place (RFC 1624), and drops with a reason ("malformed",
// "checksum", "ttl", "noroute"). It handles a datagram in zero simulated
// time.
type Router struct {
	node
	forwarded uint64
}

// Forwarded returns the number of datagrams the router sent on.
func (r *Router) Forwarded() uint64 { return r.forwarded }

// receive is the router's path for every arriving datagram.
func (r *Router) receive(in *Interface, p *topology.Packet) {
	hdr, _, err := ipv4.Decode(p.Data)
	if err != nil {
		r.drop(p, ipv4DropReason(err))
		return
	}
	rt, ok := r.routes.Lookup(hdr.Dst)
	if !ok || rt.Iface < 0 || rt.Iface >= len(r.ifaces) {
		r.drop(p, sim.DropNoRoute)
		return
	}
	// RFC 1812 §5.3.1: a datagram whose TTL would reach 0 is discarded
	// (real routers send ICMP Time Exceeded; netsim models no ICMP). The
	// datagram is the router's now (the link hands the packet over and
	// keeps no reference), so the TTL and checksum change in place.
	ttl, ok := ipv4.DecrementTTL(p.Data)
	if !ok {
		r.drop(p, sim.DropTTL)
		return
	}
	out := r.ifaces[rt.Iface]
	r.forwarded++
	if r.net.trace != nil {
		r.net.ev.forward = sim.PacketForward{ID: p.ID, Iface: out.name, TTL: ttl}
		r.net.emit(r.subject, &r.net.ev.forward)
	}
	out.send(p)
}

// ipv4DropReason is the drop reason for an error of ipv4.Decode.
func ipv4DropReason(err error) string {
	if errors.Is(err, ipv4.ErrChecksum) {
		return sim.DropChecksum
	}
	return sim.DropMalformed
}
