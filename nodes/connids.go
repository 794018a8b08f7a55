package nodes

import "net/netip"

// connRegistry gives each connection the ID its trace records carry,
// shared by its two ends, which may be on different hosts: the client's
// SYN registers its 4-tuple, and the server's end, made when that SYN
// reaches a listener, finds the ID there. An entry lives as long as one
// of its ends (a socket's connection, or a TIME-WAIT record) does, so the
// registry holds the live connections, not every one ever made; its
// table is rebuilt smaller once most of it is empty, since a Go map
// keeps the room of its largest size.
type connRegistry struct {
	byTuple map[connKey]connEntry
	last    uint64 // the latest ID given
	// peak is the most entries held since the table was last made.
	peak int
}

// connEntry is one connection in the registry.
type connEntry struct {
	id uint64
	// ends counts the ends holding the entry (at most 2).
	ends uint8
	// served: a server end took the ID.
	served bool
}

// connKey names a connection by its client and server ends (12 bytes:
// endpoint4).
type connKey struct {
	client, server endpoint4
}

// minRebuild is the smallest peak at which the registry's table is
// rebuilt when it empties: below it, the room kept is small.
const minRebuild = 1024

func newConnRegistry() connRegistry {
	return connRegistry{byTuple: make(map[connKey]connEntry)}
}

// id returns the ID of the connection between client and server for an
// end that opens: the client's first SYN (open) always gets the next ID.
// The server's end (a SYN reaching a listener) takes the ID its client
// registered, unless a server end took that ID already: then the client
// is not a netsim host (a test injecting segments) reusing a 4-tuple,
// and a new ID is given.
func (r *connRegistry) id(client, server netip.AddrPort, open bool) uint64 {
	k := connKey{endpointOf(client), endpointOf(server)}
	if e, ok := r.byTuple[k]; ok && !open && !e.served {
		e.served = true
		e.ends++
		r.byTuple[k] = e
		return e.id
	}
	r.last++
	r.byTuple[k] = connEntry{id: r.last, ends: 1, served: !open}
	r.peak = max(r.peak, len(r.byTuple))
	return r.last
}

// lookup returns the ID of the connection between client and server,
// and false when no end of it is left.
func (r *connRegistry) lookup(client, server netip.AddrPort) (uint64, bool) {
	e, ok := r.byTuple[connKey{endpointOf(client), endpointOf(server)}]
	return e.id, ok
}

// release is called when an end of connection id, k, is gone; the entry goes with its last end. An entry that a new
// connection on the same 4-tuple replaced is left alone.
func (r *connRegistry) release(k connKey, id uint64) {
	e, ok := r.byTuple[k]
	if !ok || e.id != id {
		return
	}
	if e.ends > 1 {
		e.ends--
		r.byTuple[k] = e
		return
	}
	delete(r.byTuple, k)
	if r.peak >= minRebuild && len(r.byTuple) <= r.peak/4 {
		// Copying into a new map gives the same entries whatever order
		// the copy takes.
		m := make(map[connKey]connEntry, len(r.byTuple))
		for k, e := range r.byTuple {
			m[k] = e
		}
		r.byTuple, r.peak = m, len(m)
	}
}

// handshakeAbandoned frees connection id, k, for a later server end,
// after release of a server end that gave the handshake up before the
// connection was established (Linux's reqsk_timer_handler drops the
// request after tcp_synack_retries, or a RST ended it). The client's next
// SYN, which the listener answers as a new request with a new ISN, is
// still the same connection, so that summary.json keeps one record for
// it.
func (r *connRegistry) handshakeAbandoned(k connKey, id uint64) {
	if e, ok := r.byTuple[k]; ok && e.id == id {
		e.served = false
		r.byTuple[k] = e
	}
}

// keyOf returns the registry's key of the connection whose end on a
// host is t, a server's end or a client's.
func keyOf(t fourTuple, server bool) connKey {
	if server {
		return connKey{t.remote, t.local}
	}
	return connKey{t.local, t.remote}
}
