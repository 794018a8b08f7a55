package topology

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shapeOf returns the shape of g's nodes and links (up or not), with its
// links given in reverse name order so that ShapeLink indexes differ
// from positions.
func shapeOf(t *testing.T, g *Graph) (*Shape, []*Link) {
	t.Helper()
	links := g.Links()
	var sl []ShapeLink
	var order []*Link
	for i := len(links) - 1; i >= 0; i-- {
		a, b := links[i].Ends()
		sl = append(sl, ShapeLink{Name: links[i].Name(), A: a, B: b, Delay: links[i].Config().Delay})
		order = append(order, links[i])
	}
	s, err := NewShape(g.Hosts(), g.Routers(), sl)
	require.NoError(t, err)
	return s, order
}

// A Shape's paths are Routes': the same cost toward every node, and its
// first next hop the hop Routes picks.
func TestShapeAgainstRoutes(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 11))
		g := randomGraph(t, rng)
		r := g.Routes()
		s, links := shapeOf(t, g)
		nodes := g.Nodes()
		for _, dst := range nodes {
			di, ok := s.Node(dst)
			require.True(t, ok)
			p := s.Toward(di)
			settled := map[int]bool{}
			for _, u := range p.Order() {
				p.NextHops(u, func(_, next int) { assert.True(t, settled[next], "seed %d: next hop before its node", seed) })
				settled[u] = true
			}
			for _, from := range nodes {
				fi, _ := s.Node(from)
				delay, hops, reached := p.Cost(fi)
				h, ok := r.Lookup(from, dst)
				if from == dst {
					assert.True(t, reached && delay == 0 && hops == 0, "seed %d", seed)
					continue
				}
				require.Equal(t, ok, reached, "seed %d %s>%s", seed, from, dst)
				if !ok {
					continue
				}
				assert.Equal(t, h.Delay, delay, "seed %d %s>%s", seed, from, dst)
				assert.Equal(t, h.Hops, hops, "seed %d %s>%s", seed, from, dst)
				var first *Link
				var firstNext string
				p.NextHops(fi, func(link, next int) {
					if first == nil {
						first, firstNext = links[link], nodes[next]
					}
				})
				assert.Same(t, h.Link, first, "seed %d %s>%s", seed, from, dst)
				assert.Equal(t, h.Next, firstNext, "seed %d %s>%s", seed, from, dst)
			}
		}
	}
}

func TestShapeErrors(t *testing.T) {
	_, err := NewShape([]string{"a", "b"}, []string{"a"}, nil)
	assert.ErrorIs(t, err, ErrDuplicate)
	_, err = NewShape([]string{"a", "b"}, nil, []ShapeLink{{Name: "l", A: "a", B: "b"}, {Name: "l", A: "b", B: "a"}})
	assert.ErrorIs(t, err, ErrDuplicate)
	_, err = NewShape([]string{"a"}, nil, []ShapeLink{{Name: "l", A: "a", B: "c"}})
	assert.ErrorIs(t, err, ErrUnknownNode)
	_, err = NewShape([]string{"a"}, nil, []ShapeLink{{Name: "l", A: "a", B: "a"}})
	assert.ErrorIs(t, err, ErrInvalidConfig)
	s, err := NewShape([]string{"a"}, nil, nil)
	require.NoError(t, err)
	p := s.Toward(5)
	_, _, ok := p.Cost(0)
	assert.False(t, ok)
	assert.Empty(t, p.Order())
}
