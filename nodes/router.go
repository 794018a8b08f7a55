package nodes

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
)

// Router forwards IPv4 datagrams by longest-prefix match on their
// destination. It owns one address, the source of its ICMP messages, and
// terminates only the echo requests sent to it; for the rest it checks
// only what forwarding needs (RFC 1812 §5.2.2: version, header
// length, total length, header checksum), decrements the TTL and updates
// the checksum in place (RFC 1624), and drops with a reason ("malformed",
// "checksum", "ttl", "noroute", "mtu", "down"), answering with ICMP (see
// receive). It handles a datagram in zero simulated time.
type Router struct {
	node
	forwarded uint64
	// ecmpSeed keys the router's flow hash, drawn from the stream
	// "router/<name>/ecmp" when ECMP routes are installed. Each router
	// has its own, so that successive routers on a path do not all
	// make the same choice (hash polarization).
	ecmpSeed uint64
	seeded   bool
}

// Forwarded returns the number of datagrams the router sent on.
func (r *Router) Forwarded() uint64 { return r.forwarded }

// receive is the router's path for every arriving datagram. What it
// cannot forward it drops and, as RFC 1812 §4.3 asks, answers with an
// ICMP error to the source: network unreachable without a route, as
// Linux's ip_error answers the ENETUNREACH of a failed FIB lookup (RFC
// 1812 §5.2.7.1 would have host unreachable; Linux routers, which most
// users meet, send network unreachable), host unreachable with the next
// hop's link down (the neighbour cannot be reached: Linux's
// ipv4_link_failure), time exceeded when the TTL runs out (§5.3.1), and
// fragmentation needed, with the next-hop MTU, for a datagram with Don't
// Fragment larger than the outgoing link's MTU (RFC 1191 §4; netsim does
// not fragment, so a datagram without DF that does not fit is dropped by
// the link).
func (r *Router) receive(in *Interface, p *topology.Packet) {
	hdr, _, err := ipv4.Decode(p.Data)
	if err != nil {
		r.drop(p, ipv4DropReason(err))
		return
	}
	if hdr.Dst == r.addr {
		r.local(in, p)
		return
	}
	iface, ecmp, ok := r.routes.nextHop(hdr.Dst)
	if !ok || iface < 0 || iface >= len(r.ifaces) {
		r.drop(p, sim.DropNoRoute)
		r.icmpError(p, icmp.Unreachable(icmp.CodeNetUnreach, 0), r.route)
		return
	}
	// Linux's ip_forward order: the TTL and the MTU are checked on the
	// datagram as it came in, so that time exceeded and fragmentation
	// needed quote it as the sender wrote it; only then is the TTL
	// decremented (ip_decrease_ttl), and a next hop that cannot be
	// reached is found on output (ipv4_link_failure), with the
	// decremented datagram.
	if hdr.TTL <= 1 {
		r.drop(p, sim.DropTTL)
		r.icmpError(p, icmp.Message{Type: icmp.TypeTimeExceeded, Code: icmp.CodeTTLExceeded}, r.route)
		return
	}
	out := r.egress(iface, ecmp, p.Data)
	if len(p.Data) > out.MTU() && hdr.Flags&ipv4.FlagDF != 0 {
		r.tooBig(p, out, r.route)
		return
	}
	// The datagram is the router's now (the link hands the packet over
	// and keeps no reference), so the TTL and checksum change in place.
	ttl, _ := ipv4.DecrementTTL(p.Data) // TTL > 1: checked above
	if out.link != nil && !out.link.Up() {
		r.drop(p, sim.DropDown)
		r.icmpError(p, icmp.Unreachable(icmp.CodeHostUnreach, 0), r.route)
		return
	}
	r.forwarded++
	if r.net.wants(sim.KindPacketForward) {
		r.net.ev.forward = sim.PacketForward{ID: p.ID, Iface: out.name, TTL: ttl}
		r.net.emit(r.subject, &r.net.ev.forward)
	}
	out.send(p)
}

// route returns the interface toward dst for the router's own datagrams
// (ICMP), or nil.
func (r *Router) route(dst netip.Addr) *Interface {
	rt, ok := r.routes.Lookup(dst)
	if !ok || rt.Iface < 0 || rt.Iface >= len(r.ifaces) {
		return nil
	}
	return r.ifaces[rt.Iface]
}

// local handles a datagram addressed to the router itself: it answers an
// echo request (so that a host can ping a router's address) and takes
// anything else without a word.
func (r *Router) local(in *Interface, p *topology.Packet) {
	hdr, seg, _ := ipv4.Decode(p.Data) // decoded once already
	if hdr.Protocol != icmp.Protocol {
		r.drop(p, sim.DropNoProto)
		return
	}
	m, body, err := icmp.Decode(seg)
	if err != nil {
		r.drop(p, icmpDropReason(err))
		return
	}
	if m.Type == icmp.TypeEchoRequest {
		r.icmpSend(r.route(hdr.Src), hdr.Src, icmp.Echo(icmp.TypeEchoReply, m.ID(), m.Seq()), body, false)
	}
}

// Addr returns the router's address: the source of the ICMP messages it
// sends. InstallRoutes gives each router one (see routerAddrs).
func (r *Router) Addr() netip.Addr { return r.addr }

// ipv4DropReason is the drop reason for an error of ipv4.Decode.
func ipv4DropReason(err error) string {
	if errors.Is(err, ipv4.ErrChecksum) {
		return sim.DropChecksum
	}
	return sim.DropMalformed
}

// egress returns the interface a route (its interface, its ECMP next
// hops) sends datagram b out of: with several equal-cost next hops, the
// one the flow's hash picks.
func (r *Router) egress(iface int, ecmp []int, b []byte) *Interface {
	if len(ecmp) > 1 {
		if i := ecmp[flowHash(r.ecmpSeed, b)%uint64(len(ecmp))]; i >= 0 && i < len(r.ifaces) {
			return r.ifaces[i]
		}
	}
	return r.ifaces[iface]
}

// flowHash hashes the 5-tuple of the IPv4 datagram b (addresses, protocol,
// and for TCP and UDP the ports; Decode checked the header) with seed: the
// packets of one flow hash alike, so an ECMP router sends a flow along one
// path and does not reorder it (RFC 2992 hash-threshold spirit; Linux
// fib_multipath_hash with fib_multipath_hash_policy=1). It allocates
// nothing.
func flowHash(seed uint64, b []byte) uint64 {
	addrs := uint64(binary.BigEndian.Uint32(b[12:16]))<<32 | uint64(binary.BigEndian.Uint32(b[16:20]))
	proto := uint64(b[9])
	var ports uint64
	if ihl := int(b[0]&0x0f) * 4; (b[9] == ipv4.ProtoTCP || b[9] == 17) && len(b) >= ihl+4 {
		ports = uint64(binary.BigEndian.Uint32(b[ihl : ihl+4]))
	}
	h := mix64(seed ^ addrs)
	return mix64(h ^ proto<<32 ^ ports)
}

// mix64 is the SplitMix64 finalizer: every input bit moves every output
// bit.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// routerAddrBase is where routers' addresses start: 100.64.0.0/10 is the
// shared address space of RFC 6598, which a scenario's hosts rarely use.
var routerAddrBase = netip.AddrFrom4([4]byte{100, 64, 0, 1})

// giveRouterAddrs gives every router that has none the next address from
// routerAddrBase on that no host holds, in the order routers were added.
func (n *Network) giveRouterAddrs() {
	next := routerAddrBase
	for _, r := range n.routers {
		if r.addr.IsValid() {
			continue
		}
		for {
			_, host := n.byAddr[next]
			if !host {
				break
			}
			next = next.Next()
		}
		r.addr = next
		next = next.Next()
	}
}
