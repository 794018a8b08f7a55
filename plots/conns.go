package plots

import (
	"sort"

	"github.com/netsimlab/netsim/sim"
)

// Conns returns the connection ids present in recs (in pkt.send or tcp.*
// records), in increasing order. A caller drawing every connection writes
// plots/<kind>-<conn>.<format> for each.
func Conns(recs []sim.Record) []int {
	seen := make(map[int]bool)
	var out []int
	for i := range recs {
		c, ok := connOf(recs[i].Event)
		if !ok || c == 0 || seen[int(c)] {
			continue
		}
		seen[int(c)] = true
		out = append(out, int(c))
	}
	sort.Ints(out)
	return out
}

// PacketCount returns the number of datagrams hosts sent (pkt.send records):
// the CLI prints the ASCII diagram by default when it is small.
func PacketCount(recs []sim.Record) int {
	n := 0
	for i := range recs {
		if recs[i].Kind() == sim.KindPacketSend {
			n++
		}
	}
	return n
}

// connOf returns the connection of a pkt.send or tcp.* record.
func connOf(ev sim.Event) (uint64, bool) {
	switch e := ev.(type) {
	case *sim.PacketSend:
		return e.Conn, true
	case *sim.TCPState:
		return e.Conn, true
	case *sim.TCPCwnd:
		return e.Conn, true
	case *sim.TCPRTT:
		return e.Conn, true
	case *sim.TCPRetransmit:
		return e.Conn, true
	case *sim.TCPTimer:
		return e.Conn, true
	case *sim.TCPError:
		return e.Conn, true
	}
	return 0, false
}
