package topology

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/units"
)

// refCost is a path cost for the reference: delay then hops, inf when
// there is no path.
type refCost struct {
	delay time.Duration
	hops  int
	inf   bool
}

func (a refCost) add(b refCost) refCost {
	if a.inf || b.inf {
		return refCost{inf: true}
	}
	return refCost{delay: a.delay + b.delay, hops: a.hops + b.hops}
}

func (a refCost) less(b refCost) bool {
	switch {
	case a.inf:
		return false
	case b.inf:
		return true
	}
	return a.delay < b.delay || a.delay == b.delay && a.hops < b.hops
}

// randomGraph makes a graph of hosts and routers joined by random links
// (parallel links included) of a few delays, so that ties are common, and
// brings some links down.
func randomGraph(t *testing.T, rng *rand.Rand) *Graph {
	t.Helper()
	var s Spec
	nh, nr := 2+rng.IntN(8), rng.IntN(7)
	for i := range nh {
		s.Hosts = append(s.Hosts, fmt.Sprintf("h%d", i))
	}
	for i := range nr {
		s.Routers = append(s.Routers, fmt.Sprintf("r%d", i))
	}
	all := append(slices.Clone(s.Hosts), s.Routers...)
	nl := rng.IntN(3 * len(all))
	for i := range nl {
		a, b := all[rng.IntN(len(all))], all[rng.IntN(len(all))]
		if a == b {
			continue
		}
		cfg := LinkConfig{Name: fmt.Sprintf("l%02d", i), Rate: units.Gbps, Delay: time.Duration(rng.IntN(3)) * time.Millisecond}
		s.Links = append(s.Links, LinkSpec{A: a, B: b, Config: cfg})
	}
	g := build2(t, s)
	for _, l := range g.Links() {
		if rng.IntN(5) == 0 {
			l.SetUp(false)
		}
	}
	return g
}

// The forwarding tables of HostRoutes against an independent all-pairs
// shortest path (Floyd–Warshall with only routers as intermediate nodes,
// as hosts never carry transit traffic): every node that needs a table
// gets, for every host it reaches, exactly the hops that start a shortest
// path, in Routes' tie-break order, and its first hop is the one Routes
// picks.
func TestHostRoutesAgainstAllPairsShortestPath(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		g := randomGraph(t, rng)
		for _, upOnly := range []bool{false, true} {
			nodes := g.Nodes()
			idx := map[string]int{}
			for i, n := range nodes {
				idx[n] = i
			}
			n := len(nodes)
			d := make([][]refCost, n)
			for i := range d {
				d[i] = make([]refCost, n)
				for j := range d[i] {
					d[i][j] = refCost{inf: i != j}
				}
			}
			var live []*Link
			for _, l := range g.Links() {
				if upOnly && !l.Up() {
					continue
				}
				live = append(live, l)
				a, b := l.Ends()
				c := refCost{delay: l.Config().Delay, hops: 1}
				i, j := idx[a], idx[b]
				if c.less(d[i][j]) {
					d[i][j], d[j][i] = c, c
				}
			}
			for k := range n {
				if kind, _ := g.Kind(nodes[k]); kind != Router {
					continue
				}
				for i := range n {
					for j := range n {
						if c := d[i][k].add(d[k][j]); i != j && c.less(d[i][j]) {
							d[i][j] = c
						}
					}
				}
			}
			want := map[string][]string{}
			for _, from := range nodes {
				kind, _ := g.Kind(from)
				var mine []*Link
				for _, l := range live {
					if _, ok := l.Side(from); ok {
						mine = append(mine, l)
					}
				}
				// A host with one link has a default route instead; one
				// with several has a table whatever is up.
				if kind == Host && len(g.LinksOf(from)) < 2 {
					continue
				}
				slices.SortFunc(mine, func(x, y *Link) int {
					return strings.Compare(other(x, from)+" "+x.Name(), other(y, from)+" "+y.Name())
				})
				for _, to := range g.Hosts() {
					best := d[idx[from]][idx[to]]
					if to == from || best.inf {
						continue
					}
					var hops []string
					for _, l := range mine {
						w := other(l, from)
						wk, _ := g.Kind(w)
						if w != to && wk != Router {
							continue
						}
						if c := (refCost{delay: l.Config().Delay, hops: 1}).add(d[idx[w]][idx[to]]); c == best {
							side, _ := l.Side(from)
							hops = append(hops, fmt.Sprintf("%s/%d>%s %v %d", l.Name(), side, w, best.delay, best.hops))
						}
					}
					require.NotEmpty(t, hops, "seed %d: %s>%s", seed, from, to)
					want[from+">"+to] = hops
				}
			}
			got := map[string][]string{}
			var order []string
			g.HostRoutes(upOnly, func(from, to string, hops []Hop) bool {
				var hs []string
				for _, h := range hops {
					hs = append(hs, fmt.Sprintf("%s/%d>%s %v %d", h.Link.Name(), h.Side, h.Next, h.Delay, h.Hops))
				}
				got[from+">"+to] = hs
				order = append(order, from+">"+to)
				return true
			})
			require.Equal(t, want, got, "seed %d up-only %v", seed, upOnly)
			require.True(t, slices.IsSortedFunc(order, func(a, b string) int {
				af, at, _ := strings.Cut(a, ">")
				bf, bt, _ := strings.Cut(b, ">")
				return strings.Compare(af+"\x00"+at, bf+"\x00"+bt)
			}), "seed %d: in name order", seed)
			if upOnly {
				continue
			}
			routes := g.Routes()
			for k, hs := range got {
				from, to, _ := strings.Cut(k, ">")
				h, ok := routes.Lookup(from, to)
				require.True(t, ok, k)
				require.Equal(t, hs[0], fmt.Sprintf("%s/%d>%s %v %d", h.Link.Name(), h.Side, h.Next, h.Delay, h.Hops), "seed %d %s", seed, k)
			}
		}
	}
}

// other returns the node at the far end of l from node.
func other(l *Link, node string) string {
	if side, _ := l.Side(node); side == 0 {
		return l.Node(1)
	}
	return l.Node(0)
}

// HostRoutes stops at the first false from fn (a cancelled build): no
// more calls, and it reports that it stopped.
func TestHostRoutesStops(t *testing.T) {
	g := randomGraph(t, rand.New(rand.NewPCG(1, 7)))
	all := 0
	require.True(t, g.HostRoutes(false, func(string, string, []Hop) bool { all++; return true }))
	require.Greater(t, all, 3)
	calls := 0
	require.False(t, g.HostRoutes(false, func(string, string, []Hop) bool { calls++; return calls < 3 }))
	require.Equal(t, 3, calls)
}
