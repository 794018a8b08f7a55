package nodes

import "net/netip"

// endpoint4 is an IPv4 address and a port in 6 bytes, where a
// netip.AddrPort takes 32: the key of the tables that hold an entry per
// connection (Host.conns, Host.timeWaitConns, the network's connection
// IDs), whose size counts at 100,000 connections. Hosts speak IPv4 only;
// an address that is not one (never a connection's) is kept as 0.0.0.0.
type endpoint4 struct {
	addr [4]byte
	port uint16
}

// endpointOf packs ap.
func endpointOf(ap netip.AddrPort) endpoint4 {
	var e endpoint4
	if a := ap.Addr(); a.Is4() {
		e.addr = a.As4()
	}
	e.port = ap.Port()
	return e
}

// Addr unpacks e's address.
func (e endpoint4) Addr() netip.Addr { return netip.AddrFrom4(e.addr) }

// AddrPort unpacks e.
func (e endpoint4) AddrPort() netip.AddrPort {
	return netip.AddrPortFrom(e.Addr(), e.port)
}

// fourTuple names a connection on a host: local and remote ends.
type fourTuple struct {
	local, remote endpoint4
}

// tupleOf is the fourTuple of the connection from local to remote.
func tupleOf(local, remote netip.AddrPort) fourTuple {
	return fourTuple{endpointOf(local), endpointOf(remote)}
}
