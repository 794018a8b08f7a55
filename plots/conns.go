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
		r := &recs[i]
		if r.Kind != sim.KindPacketSend && !isTCPKind(r.Kind) {
			continue
		}
		c, ok := fieldInt(r, "conn")
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
		if recs[i].Kind == sim.KindPacketSend {
			n++
		}
	}
	return n
}

func isTCPKind(k string) bool {
	switch k {
	case sim.KindTCPState, sim.KindTCPCwnd, sim.KindTCPRTT, sim.KindTCPRetransmit, sim.KindTCPTimer, sim.KindTCPError:
		return true
	}
	return false
}
