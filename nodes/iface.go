package nodes

import (
	"fmt"
	"net/netip"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
)

// Interface is one network interface of a host or router: the end of a
// link, named eth0, eth1, ... in the order its node was attached to links.
// It implements topology.Endpoint: the link calls Transmitted when the
// first bit of an outgoing datagram leaves and Deliver when the last bit of
// an incoming one arrives, which is when the interface's capture records
// them.
type Interface struct {
	name  string
	index int
	node  *node
	link  *topology.Link
	side  int
	pcap  *PcapWriter
	// mtu is the device's own MTU (SetMTU), below its link's when set;
	// 0: the link's.
	mtu int
	// rx is the node's receive path.
	rx func(ifc *Interface, p *topology.Packet)
}

// Name returns the interface's name ("eth0").
func (i *Interface) Name() string { return i.name }

// Index returns the interface's position on its node (eth<Index>), -1
// for the loopback interface "lo".
func (i *Interface) Index() int { return i.index }

// Link returns the link the interface is attached to (nil for loopback).
func (i *Interface) Link() *topology.Link { return i.link }

// Side returns the interface's side of its link (0 or 1).
func (i *Interface) Side() int { return i.side }

// LoopbackMTU is the MTU of a host's loopback interface (Linux's lo).
const LoopbackMTU = 65536

// MTU returns the largest datagram the interface sends: the smaller of
// the MTU SetMTU gave it and its link's MTU, or LoopbackMTU for the
// loopback interface.
func (i *Interface) MTU() int {
	if i.link == nil {
		return LoopbackMTU
	}
	// A link lowered under the device's own MTU (a fault) carries no
	// more: the smaller of the two, so that a segment too big is answered
	// by the host (Host.output) rather than dropped on the link.
	if m := i.link.MTU(); i.mtu == 0 || m < i.mtu {
		return m
	}
	return i.mtu
}

// SetMTU gives the interface an MTU of its own below its link's, as `ip
// link set dev eth0 mtu N` sets a Linux device's: the largest datagram it
// sends, and the MTU a connection's MSS and path MTU start from
// (ipv4_default_advmss, tcp_connect_init). Datagrams it receives are not
// held to it, as Linux's tun driver (tun_get_user) takes a frame of any
// length: packetdrill injects segments larger than its tun device's MTU.
// 0, or an MTU not below the link's, goes back to the link's; an MTU
// below IPv4's minimum datagram (RFC 791 §3.1, 68 bytes) or on the
// loopback interface is an error.
func (i *Interface) SetMTU(mtu int) error {
	switch {
	case i.link == nil:
		return fmt.Errorf("nodes: %s: the loopback interface's MTU is fixed at %d", i.name, LoopbackMTU)
	case mtu != 0 && mtu < topology.MinMTU:
		return fmt.Errorf("nodes: %s: MTU %d is below IPv4's minimum of %d bytes", i.name, mtu, topology.MinMTU)
	case mtu >= i.link.MTU():
		mtu = 0
	}
	i.mtu = mtu
	return nil
}

// Capture makes the interface record every datagram it sends and receives
// to w; nil stops capturing.
func (i *Interface) Capture(w *PcapWriter) { i.pcap = w }

// Transmitted records an outgoing datagram in the capture as its first bit
// leaves (topology.Endpoint).
func (i *Interface) Transmitted(p *topology.Packet) {
	if i.pcap != nil {
		i.node.capture(i.pcap, p)
	}
}

// Deliver records an incoming datagram in the capture as its last bit
// arrives and hands it to the node (topology.Endpoint).
func (i *Interface) Deliver(p *topology.Packet) {
	if i.pcap != nil {
		i.node.capture(i.pcap, p)
	}
	i.rx(i, p)
}

// send hands p to the link toward the far end; on the loopback interface
// it comes back to the node as a new event at the same instant.
func (i *Interface) send(p *topology.Packet) {
	if i.link == nil {
		_, _ = i.node.net.sched.After(0, func() { i.rx(i, p) }) // never in the past
		return
	}
	i.link.Send(i.side, p)
}

// node is what hosts and routers share: a name, a trace subject, the
// interfaces in order of attachment, a routing table, the network's
// scheduler, trace and packet IDs.
type node struct {
	// addr is the node's IPv4 address: a host's own; for a router, the
	// source of the ICMP messages it sends (InstallRoutes gives one).
	// The fields every datagram touches come first.
	addr netip.Addr
	net  *Network
	// sent counts the datagrams the node made and handed to an interface.
	sent uint64
	// ipID numbers the datagrams the node sends.
	ipID uint16
	// routes comes before the interfaces: a host reads only its first
	// field (only) per datagram, a router its lookup cache and then the
	// interface the route names.
	routes RoutingTable
	ifaces []*Interface
	// rx is the node's receive path, given to each new interface.
	rx func(ifc *Interface, p *topology.Packet)

	name    string
	subject string // "host/<name>" or "router/<name>"
	// drops counts datagrams the node dropped, by reason.
	drops map[string]uint64
	// icmpPeers is icmp_ratelimit's token bucket per destination.
	icmpPeers map[netip.Addr]*icmpBucket
}

// capture writes p to w at the current simulated time, as on a wire; a
// failing writer is remembered by the network (the first error) and
// capturing goes on for the other interfaces.
func (n *node) capture(w *PcapWriter, p *topology.Packet) {
	if err := w.WriteDatagram(n.net.sched.Now(), p); err != nil && n.net.captureErr == nil {
		n.net.captureErr = err
	}
}

// drop counts a datagram the node discarded and traces it with reason.
func (n *node) drop(p *topology.Packet, reason string) {
	if n.drops == nil {
		n.drops = make(map[string]uint64)
	}
	n.drops[reason]++
	if tr := n.net.trace; tr != nil {
		n.net.ev.drop = sim.PacketDrop{ID: p.ID, Len: len(p.Data), Reason: reason}
		n.net.emit(n.subject, &n.net.ev.drop)
	}
}

// Drops returns how many datagrams the node dropped for reason (one of the
// sim.Drop* reasons).
func (n *node) Drops(reason string) uint64 { return n.drops[reason] }

// Name returns the node's name.
func (n *node) Name() string { return n.name }

// Interfaces returns the node's interfaces, eth0 first.
func (n *node) Interfaces() []*Interface { return n.ifaces }

// Routes returns the node's routing table.
func (n *node) Routes() *RoutingTable { return &n.routes }

// ifaceOn returns the node's interface on side of link l, or nil.
func (n *node) ifaceOn(l *topology.Link, side int) *Interface {
	if ifc, ok := l.Endpoint(side).(*Interface); ok && ifc.node == n {
		return ifc
	}
	return nil
}
