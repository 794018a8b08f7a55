package main

import (
	"fmt"
	"io"
	"math"

	"github.com/netsimlab/netsim/internal/minheap"
	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// The disk guard: before a run, netsim estimates what its trace and
// captures will take, warns past diskWarnBytes and refuses past
// diskLimitBytes unless --force.
const (
	diskWarnBytes  = 1 << 30  // 1 GiB
	diskLimitBytes = 20 << 30 // 20 GiB
)

// Estimate factors, measured on the example scenarios: the trace takes
// about 0.7 to 1 byte per byte of payload per link crossed, a capture 2
// (each link crossed is captured at both ends), and headers, ACKs and
// retransmissions add 10 to 20% on the wire. outputSlack covers the
// latter with a margin; perConnBytes is a connection's handshake, close
// and their trace records.
const (
	traceBytesPerByteHop = 1.0
	pcapBytesPerByteHop  = 2.0
	outputSlack          = 1.25
	perConnBytes         = 4 << 10
)

// outputEstimate is what a run is expected to write.
type outputEstimate struct {
	Trace, PCAP float64 // bytes
}

func (e outputEstimate) total() float64 { return e.Trace + e.PCAP }

// estimateOutput estimates the bytes of trace and captures a run of s
// until the time until writes, from rate × duration × outputs: the
// payload the apps offer (bulk-send and request-response bytes, on-off
// rate × its on time, doubled by an echo server; a rate over the time
// from the app's start to its stop or the end of the run), a TCP app's
// bounded by what the narrowest link of the widest path to its peer
// carries in that time (TCP sends no faster than its bottleneck), times the links each
// connection crosses, bounded by what the links can carry in both
// directions for the whole run.
func estimateOutput(s *scenarios.Scenario, until sim.Time) outputEstimate {
	if !s.Outputs.Trace && !s.Outputs.PCAP {
		return outputEstimate{}
	}
	secs := until.Seconds()
	// The links' capacity: every link busy both ways for the whole run.
	capacity := 0.0
	for _, l := range s.Links {
		capacity += 2 * float64(l.Bandwidth) / 8 * secs
	}
	echo := map[scenarios.Endpoint]bool{}
	for _, a := range s.Apps {
		if a.Type == scenarios.AppEcho {
			echo[scenarios.Endpoint{Host: a.Host, Port: a.Port}] = true
		}
	}
	hops := newHopCounter(s)
	byteHops := 0.0
	for _, a := range s.Apps {
		if a.Server() {
			continue
		}
		// The app sends from its start (the earliest a drawn start can
		// be) to its stop or the end of the run: a udp-send of 200 ms
		// was counted for the whole run, and a 10 h --until refused
		// (1 TiB) a run that writes megabytes.
		end := secs
		if a.Stop > 0 {
			end = min(end, a.Stop.Seconds())
		}
		active := max(0, end-a.Start.Seconds())
		var demand float64
		switch a.Type {
		case scenarios.AppBulkSend:
			demand = float64(a.Bytes) + perConnBytes
		case scenarios.AppRequestResponse:
			demand = float64(a.Count) * (float64(a.Request+a.Response) + perConnBytes)
		case scenarios.AppOnOff:
			on := 1.0
			if a.On+a.Off > 0 {
				on = float64(a.On) / float64(a.On+a.Off)
			}
			demand = float64(a.Rate) / 8 * active * on
			if a.Bytes > 0 {
				demand = min(demand, float64(a.Bytes))
			}
			demand += perConnBytes
		case scenarios.AppUDPSend:
			demand = float64(a.Rate) / 8 * active
			if a.Pattern == "on-off" && a.On+a.Off > 0 {
				demand *= float64(a.On) / float64(a.On+a.Off)
			}
		case scenarios.AppPing:
			demand = 2 * float64(a.Size+28) * active / max(a.Interval.Seconds(), 1e-9)
			if a.Count > 0 {
				demand = min(demand, 2*float64(a.Size+28)*float64(a.Count))
			}
		default:
			demand = capacity // an app netsim cannot size: assume the worst
		}
		switch a.Type {
		case scenarios.AppBulkSend, scenarios.AppRequestResponse, scenarios.AppOnOff:
			if bw := hops.bottleneck(a.Host, a.To.Host); bw > 0 {
				// Requests and responses cross it in opposite directions,
				// each up to its rate.
				ways := 1.0
				if a.Type == scenarios.AppRequestResponse {
					ways = 2
				}
				demand = min(demand, ways*bw/8*active+perConnBytes)
			}
		}
		if echo[a.To] {
			demand *= 2
		}
		byteHops += demand * float64(hops.count(a.Host, a.To.Host))
	}
	byteHops = min(byteHops, capacity) * outputSlack
	var e outputEstimate
	if s.Outputs.Trace {
		e.Trace = byteHops * traceBytesPerByteHop
	}
	if s.Outputs.PCAP {
		e.PCAP = byteHops * pcapBytesPerByteHop
		if n := s.Outputs.SnapLen; n > 0 {
			// Each record keeps at most its 16-byte header and snaplen
			// bytes of a datagram of up to about 1500.
			e.PCAP *= min(1, float64(n+16)/1516)
		}
	}
	return e
}

// hopCounter counts the links on the shortest path between two hosts,
// through routers only (hosts do not forward). It keeps the distances
// from the latest destination asked about: the apps of a group that all
// reach one server (a 10,000-host star) cost one search, not one each.
type hopCounter struct {
	router map[string]bool
	adj    map[string][]string
	bw     map[string][]float64 // bit/s of the link to each of adj
	// wdest and wide: the latest destination bottleneck was asked about
	// and the widest bottleneck from every node to it.
	wdest string
	wide  map[string]float64
	// dest and dist: the latest destination and every host's distance
	// to it.
	dest string
	dist map[string]int
	// none is what count returns for hosts no path joins: the number of
	// links (the most any path crosses).
	none int
}

func newHopCounter(s *scenarios.Scenario) *hopCounter {
	h := &hopCounter{router: map[string]bool{}, adj: map[string][]string{}, bw: map[string][]float64{}}
	for _, r := range s.Routers {
		h.router[r.Name] = true
	}
	for _, l := range s.Links {
		h.adj[l.A] = append(h.adj[l.A], l.B)
		h.adj[l.B] = append(h.adj[l.B], l.A)
		h.bw[l.A] = append(h.bw[l.A], float64(l.Bandwidth))
		h.bw[l.B] = append(h.bw[l.B], float64(l.Bandwidth))
	}
	h.none = max(len(s.Links), 1)
	return h
}

// count returns the links between from and to, or the number of links
// when no path joins them.
func (h *hopCounter) count(from, to string) int {
	if h.dist == nil || h.dest != to {
		h.dest, h.dist = to, h.search(to)
	}
	if d, ok := h.dist[from]; ok && from != to {
		return d
	}
	return h.none
}

// search returns the distance in links from every node a path through
// routers only joins to to (links are both ways).
func (h *hopCounter) search(to string) map[string]int {
	dist := map[string]int{to: 0}
	queue := []string{to}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, m := range h.adj[n] {
			if _, seen := dist[m]; seen {
				continue
			}
			dist[m] = dist[n] + 1
			if h.router[m] {
				queue = append(queue, m)
			}
		}
	}
	return dist
}

// bottleneck returns the largest rate (bit/s) a path through routers only
// can carry from from to to, the narrowest link of the widest such path,
// or 0 when no path joins them. Whichever path the routes take, a flow
// between them goes no faster.
func (h *hopCounter) bottleneck(from, to string) float64 {
	if h.wide == nil || h.wdest != to {
		h.wdest, h.wide = to, h.widest(to)
	}
	if from == to {
		return 0
	}
	return h.wide[from]
}

// widest is Dijkstra's search with the bottleneck for distance: the widest
// bottleneck from every node a path through routers only joins to to.
func (h *hopCounter) widest(to string) map[string]float64 {
	best := map[string]float64{to: math.Inf(1)}
	done := map[string]bool{}
	q := []width{{to, math.Inf(1)}}
	for len(q) > 0 {
		it := minheap.Pop(&q)
		if done[it.node] {
			continue
		}
		done[it.node] = true
		if it.node != to && !h.router[it.node] {
			continue // hosts do not forward
		}
		for i, m := range h.adj[it.node] {
			if w := min(it.bw, h.bw[it.node][i]); w > best[m] {
				best[m] = w
				minheap.Push(&q, width{m, w})
			}
		}
	}
	return best
}

// width is a node and the widest bottleneck found to it.
type width struct {
	node string
	bw   float64
}

// Less orders widths for minheap: the widest comes out first.
func (a width) Less(b width) bool { return a.bw > b.bw }

// humanBytes prints n bytes with a binary unit.
func humanBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", n)
	}
	return fmt.Sprintf("%.1f %s", n, units[i])
}

// diskGuard estimates a run's outputs and returns an error when they pass
// diskLimitBytes (unless force), after a warning on w when they pass
// diskWarnBytes.
func diskGuard(s *scenarios.Scenario, until sim.Time, force bool, w io.Writer) error {
	e := estimateOutput(s, until)
	t := e.total()
	if t <= diskWarnBytes || math.IsNaN(t) {
		return nil
	}
	what := fmt.Sprintf("this run may write about %s (trace %s, captures %s)", humanBytes(t), humanBytes(e.Trace), humanBytes(e.PCAP))
	if t > diskLimitBytes && !force {
		return fmt.Errorf("%s, more than the %s limit: shorten the run (--until), turn off outputs.trace or outputs.pcap, or pass --force", what, humanBytes(diskLimitBytes))
	}
	fmt.Fprintf(w, "netsim run: warning: %s\n", what)
	return nil
}
