// Package nodes is netsim's hosts and routers: interfaces attached to
// topology links, IPv4 send and receive with checksum verification, a
// longest-prefix-match routing table, demultiplexing to TCP connections
// and listeners, a BSD-like socket API over descriptors with errno results,
// packet captures, and the Network that assembles a world from them.
//
// Everything runs inside scheduler events: no goroutine, no wall clock, no
// map iteration where the order could reach the trace, a packet or an ID.
// The socket API is non-blocking by nature: where a blocking call would
// wait, it returns EAGAIN or EINPROGRESS, and the socket's owner hears
// about progress through callbacks (see SocketEvents).
package nodes
