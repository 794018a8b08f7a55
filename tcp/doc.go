// Package tcp is netsim's TCP: the header and options codec with its
// checksum, sequence arithmetic, and the RFC 9293 connection state machine
// with retransmission and congestion control.
//
// The package knows nothing of the simulator: besides the standard library
// it may import only the leaf packages units and internal/inet (the
// internet checksum, see docs/architecture.md), reads no clock and starts
// no goroutine. A Conn takes inputs (user calls, an arriving segment, a
// timer check, the current time as a value) and returns its work (segments
// to send, the next deadline, events for the socket layer), so the same
// code can be driven by the simulator, by a test script, or one day by a
// real device.
package tcp
