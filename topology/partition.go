package topology

import (
	"fmt"
	"slices"
)

// Partition brings down every link whose two ends lie in different groups,
// and remembers which of them it brought down (links already down are left
// alone, and stay down after Heal). Nodes named in no group form one more
// group together, so partitioning [[client], [server]] across a router cuts
// both of its links. A second Partition before Heal cuts more links; Heal
// restores all of them. An unknown node or a node in two groups is an error
// and changes nothing.
func (g *Graph) Partition(groups [][]string) error {
	group := map[string]int{}
	for i, members := range groups {
		for _, n := range members {
			if _, ok := g.kinds[n]; !ok {
				return fmt.Errorf("partition: node %q: %w", n, ErrUnknownNode)
			}
			if j, dup := group[n]; dup {
				return fmt.Errorf("partition: node %q is in groups %d and %d (one group per node)", n, j+1, i+1)
			}
			group[n] = i
		}
	}
	of := func(n string) int {
		if i, ok := group[n]; ok {
			return i
		}
		return -1 // the rest
	}
	for _, l := range g.sortedLinks() { // sorted by name: the trace order is fixed
		a, b := l.Ends()
		if of(a) != of(b) && l.Up() {
			l.SetUp(false)
			g.down = append(g.down, l)
		}
	}
	slices.SortFunc(g.down, func(x, y *Link) int {
		switch {
		case x.Name() < y.Name():
			return -1
		case x.Name() > y.Name():
			return 1
		}
		return 0
	})
	return nil
}

// Partitioned returns the links the current partition brought down, sorted
// by name.
func (g *Graph) Partitioned() []*Link { return slices.Clone(g.down) }

// Heal brings back up every link the partitions brought down, in name
// order, and forgets them.
func (g *Graph) Heal() {
	for _, l := range g.down {
		l.SetUp(true)
	}
	g.down = nil
}
