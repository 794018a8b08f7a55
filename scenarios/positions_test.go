package scenarios

import (
	"testing"
	"time"

	"github.com/netsimlab/netsim/sim"

	"github.com/stretchr/testify/assert"
)

// An expanded section's paths read the written item's positions; other
// sections, and paths that name no expanded item, read as written.
func TestPositionsThroughExpansion(t *testing.T) {
	p := newPositions()
	p.set("apps[0]", Pos{Line: 1})
	p.set("apps[1].to", Pos{Line: 2})
	p.set("links[0]", Pos{Line: 3})
	p.set("hosts.a[1]", Pos{Line: 4})
	// apps[1] made three members' apps (1-3), apps[0] stays first.
	p.expand("apps", []int{0, 1, 1, 1}, []string{"", "c-1", "c-2", "c-3"})
	for _, c := range []struct {
		path string
		want Pos
		ok   bool
	}{
		{"apps[0]", Pos{Line: 1}, true},
		{"apps[3].to", Pos{Line: 2}, true},
		{"apps[2]", Pos{}, false}, // the written apps[1] has no position of its own
		{"apps[4]", Pos{}, false}, // past the expanded apps
		{"apps[-1]", Pos{}, false},
		{"apps[x]", Pos{}, false},
		{"apps]x[", Pos{}, false},
		{"links[0]", Pos{Line: 3}, true}, // not expanded
		{"hosts.a[1]", Pos{Line: 4}, true},
	} {
		got, ok := p.lookup(c.path)
		assert.Equal(t, c.ok, ok, c.path)
		assert.Equal(t, c.want, got, c.path)
	}
}

// A Scenario not made by Parse (a zero value, as a program may build)
// has no positions: Pos says so, and nothing that reads positions
// panics.
func TestPositionsOfAScenarioNotParsed(t *testing.T) {
	s := &Scenario{Duration: time.Second, Expect: []Expect{{Kind: ExpectEstablished, From: "a"}}}
	_, ok := s.Pos("apps[0]")
	assert.False(t, ok)
	res := NewChecker(s).Results(sim.FromDuration(s.Duration))
	assert.Len(t, res, 1)
	assert.Equal(t, Pos{}, res[0].Pos)
}
