package topology

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

func build(t *testing.T, s Spec) (*Graph, *sim.Scheduler, *sim.Recorder) {
	t.Helper()
	sched := sim.NewScheduler()
	rec := &sim.Recorder{}
	var ids IDs
	g, err := s.Build(sched, sim.NewStreams(1), rec, ids.Next)
	require.NoError(t, err)
	return g, sched, rec
}

func link(a, b string, delay time.Duration) LinkSpec {
	return named(LinkConfig{Rate: units.Gbps, Delay: delay}, a, b)
}

func routeStrings(rs []Route) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

func TestRoutesOnARing(t *testing.T) {
	ms := time.Millisecond
	// r1 - r2 - r3 - r4 - r5 - r1, every link 1ms except r5-r1 (10ms).
	s := Spec{Routers: []string{"r1", "r2", "r3", "r4", "r5"}, Links: []LinkSpec{
		link("r1", "r2", ms), link("r2", "r3", ms), link("r3", "r4", ms), link("r4", "r5", ms), link("r5", "r1", 10*ms),
	}}
	g, _, _ := build(t, s)
	assert.Equal(t, []string{
		"r1>r2 via r1-r2 next r2 (1ms, 1 hops)",
		"r1>r3 via r1-r2 next r2 (2ms, 2 hops)",
		"r1>r4 via r1-r2 next r2 (3ms, 3 hops)",
		"r1>r5 via r1-r2 next r2 (4ms, 4 hops)", // the long way round is faster
	}, routeStrings(g.Routes().From("r1")))
	p, ok := g.Routes().Path("r5", "r1")
	require.True(t, ok)
	assert.Equal(t, []string{"r5", "r4", "r3", "r2", "r1"}, p)

	// Cut r2-r3: only the slow link remains between the halves.
	l, _ := g.Link("r2-r3")
	l.SetUp(false)
	up := g.RoutesUp()
	assert.Equal(t, []string{
		"r1>r2 via r1-r2 next r2 (1ms, 1 hops)",
		"r1>r3 via r5-r1 next r5 (12ms, 3 hops)",
		"r1>r4 via r5-r1 next r5 (11ms, 2 hops)",
		"r1>r5 via r5-r1 next r5 (10ms, 1 hops)",
	}, routeStrings(up.From("r1")))
	assert.Equal(t, routeStrings(g.Routes().All()), routeStrings(build2(t, s).Routes().All()), "Routes ignores link state")
}

func build2(t *testing.T, s Spec) *Graph {
	g, _, _ := build(t, s)
	return g
}

func TestRoutesTiesAreBrokenByName(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name string
		spec Spec
		from string
		want []string
	}{
		{
			name: "square: two equal paths, the smaller neighbor name wins",
			spec: Spec{Hosts: []string{"a", "d"}, Routers: []string{"b", "c"}, Links: []LinkSpec{
				link("a", "c", ms), link("a", "b", ms), link("c", "d", ms), link("b", "d", ms),
			}},
			from: "a",
			want: []string{
				"a>b via a-b next b (1ms, 1 hops)",
				"a>c via a-c next c (1ms, 1 hops)",
				"a>d via a-b next b (2ms, 2 hops)",
			},
		},
		{
			name: "parallel links: the faster wins, then the smaller link name",
			spec: Spec{Hosts: []string{"a", "b"}, Links: []LinkSpec{
				{A: "a", B: "b", Config: LinkConfig{Name: "z-fast", Delay: ms}},
				{A: "a", B: "b", Config: LinkConfig{Name: "y-slow", Delay: 2 * ms}},
				{A: "b", B: "a", Config: LinkConfig{Name: "x-fast", Delay: ms}},
			}},
			from: "a",
			want: []string{"a>b via x-fast next b (1ms, 1 hops)"},
		},
		{
			name: "equal delay: fewer links win",
			spec: Spec{Hosts: []string{"a", "d"}, Routers: []string{"b", "c"}, Links: []LinkSpec{
				link("a", "b", 0), link("b", "c", 0), link("c", "d", 2*ms), link("b", "d", 2*ms),
			}},
			from: "a",
			want: []string{
				"a>b via a-b next b (0s, 1 hops)",
				"a>c via a-b next b (0s, 2 hops)",
				"a>d via a-b next b (2ms, 2 hops)",
			},
		},
		{
			name: "hosts do not forward",
			spec: Spec{Hosts: []string{"a", "h", "z"}, Routers: []string{"r"}, Links: []LinkSpec{
				link("a", "h", ms), link("h", "z", ms), link("a", "r", 5*ms), link("r", "z", 5*ms),
			}},
			from: "a",
			want: []string{
				"a>h via a-h next h (1ms, 1 hops)",
				"a>r via a-r next r (5ms, 1 hops)",
				"a>z via a-r next r (10ms, 2 hops)",
			},
		},
		{
			name: "unreachable: no route",
			spec: Spec{Hosts: []string{"a", "b", "c"}, Links: []LinkSpec{link("a", "b", ms)}},
			from: "c",
			want: nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := build2(t, c.spec)
			assert.Equal(t, c.want, routeStrings(g.Routes().From(c.from)))
			// Adding the same things in reverse order changes nothing.
			rev := Spec{}
			for i := len(c.spec.Hosts) - 1; i >= 0; i-- {
				rev.Hosts = append(rev.Hosts, c.spec.Hosts[i])
			}
			for i := len(c.spec.Routers) - 1; i >= 0; i-- {
				rev.Routers = append(rev.Routers, c.spec.Routers[i])
			}
			for i := len(c.spec.Links) - 1; i >= 0; i-- {
				rev.Links = append(rev.Links, c.spec.Links[i])
			}
			assert.Equal(t, routeStrings(g.Routes().All()), routeStrings(build2(t, rev).Routes().All()))
		})
	}
}

func TestRoutesHopSendsOnTheRightSide(t *testing.T) {
	g := build2(t, Chain(2, LinkConfig{Delay: time.Millisecond}))
	rs := g.Routes()
	for _, r := range rs.All() {
		side, ok := r.Link.Side(r.From)
		require.True(t, ok, r.String())
		assert.Equal(t, side, r.Side, r.String())
		assert.Equal(t, r.Next, r.Link.Node(1-r.Side), r.String())
	}
	h, ok := rs.Lookup("right", "left")
	require.True(t, ok)
	assert.Equal(t, "r2-right", h.Link.Name())
	assert.Equal(t, 1, h.Side)
	assert.Equal(t, 3*time.Millisecond, h.Delay)
	_, ok = rs.Lookup("left", "left")
	assert.False(t, ok)
	_, ok = rs.Lookup("left", "nowhere")
	assert.False(t, ok)
}

func TestPartitionAndHeal(t *testing.T) {
	g, _, rec := build(t, Spec{
		Hosts:   []string{"client", "server", "other"},
		Routers: []string{"r1"},
		Links:   []LinkSpec{link("client", "r1", 0), link("r1", "server", 0), link("other", "r1", 0), link("client", "other", 0)},
	})
	already, _ := g.Link("other-r1")
	already.SetUp(false) // a fault took it down before the partition

	require.NoError(t, g.Partition([][]string{{"client", "other"}, {"server"}}))
	state := func() map[string]bool {
		m := map[string]bool{}
		for _, l := range g.Links() {
			m[l.Name()] = l.Up()
		}
		return m
	}
	// r1 is in no group: it is cut off from both.
	assert.Equal(t, map[string]bool{"client-other": true, "client-r1": false, "other-r1": false, "r1-server": false}, state())
	var cut []string
	for _, l := range g.Partitioned() {
		cut = append(cut, l.Name())
	}
	assert.Equal(t, []string{"client-r1", "r1-server"}, cut)

	g.Heal()
	assert.Equal(t, map[string]bool{"client-other": true, "client-r1": true, "other-r1": false, "r1-server": true}, state(),
		"heal restores what the partition cut, not what a fault took down")
	assert.Empty(t, g.Partitioned())

	var changes []string
	for _, r := range rec.Records {
		if ls, ok := r.Event.(*sim.LinkState); ok {
			changes = append(changes, fmt.Sprintf("%s %v", r.Subject, ls.Up))
		}
	}
	assert.Equal(t, []string{
		"link/other-r1/other>r1 false", "link/other-r1/r1>other false",
		"link/client-r1/client>r1 false", "link/client-r1/r1>client false",
		"link/r1-server/r1>server false", "link/r1-server/server>r1 false",
		"link/client-r1/client>r1 true", "link/client-r1/r1>client true",
		"link/r1-server/r1>server true", "link/r1-server/server>r1 true",
	}, changes, "in link name order")

	assert.ErrorIs(t, g.Partition([][]string{{"client"}, {"nobody"}}), ErrUnknownNode)
	assert.Error(t, g.Partition([][]string{{"client"}, {"client", "server"}}))
	assert.Empty(t, g.Partitioned(), "a bad partition changes nothing")
}

func TestGraphErrors(t *testing.T) {
	g := NewGraph()
	require.NoError(t, g.AddNode("a", Host))
	require.NoError(t, g.AddNode("b", Router))
	assert.ErrorIs(t, g.AddNode("a", Router), ErrDuplicate)
	assert.Error(t, g.AddNode("", Host))
	assert.Error(t, g.AddNode("x/y", Host))
	assert.Error(t, g.AddNode("c", NodeKind(9)))

	s := sim.NewScheduler()
	var ids IDs
	mk := func(name, a, b string) *Link {
		l, err := NewLink(s, sim.NewStreams(1), nil, ids.Next, LinkConfig{Name: name}, a, b)
		require.NoError(t, err)
		return l
	}
	require.NoError(t, g.AddLink(mk("ab", "a", "b")))
	assert.ErrorIs(t, g.AddLink(mk("ab", "b", "a")), ErrDuplicate)
	assert.ErrorIs(t, g.AddLink(mk("ac", "a", "c")), ErrUnknownNode)
	assert.Equal(t, []string{"a"}, g.Hosts())
	assert.Equal(t, []string{"b"}, g.Routers())
	assert.Len(t, g.LinksOf("b"), 1)
	k, ok := g.Kind("b")
	assert.True(t, ok)
	assert.Equal(t, "router", k.String())

	_, err := Spec{Hosts: []string{"a", "a"}}.Build(s, sim.NewStreams(1), nil, ids.Next)
	assert.ErrorIs(t, err, ErrDuplicate)
	_, err = Spec{Hosts: []string{"a"}, Links: []LinkSpec{link("a", "b", 0)}}.Build(s, sim.NewStreams(1), nil, ids.Next)
	assert.ErrorIs(t, err, ErrUnknownNode)
}

func TestBuilders(t *testing.T) {
	acc := LinkConfig{Rate: 100 * units.Mbps, Delay: time.Millisecond}
	bn := LinkConfig{Rate: 10 * units.Mbps, Delay: 20 * time.Millisecond}
	cases := []struct {
		name    string
		spec    Spec
		hosts   []string
		routers []string
		links   []string
		path    [2]string
		want    []string
	}{
		{"point-to-point", PointToPoint("client", "server", acc), []string{"client", "server"}, nil,
			[]string{"client-server"}, [2]string{"client", "server"}, []string{"client", "server"}},
		{"dumbbell", Dumbbell(2, acc, bn), []string{"left1", "left2", "right1", "right2"}, []string{"rl", "rr"},
			[]string{"bottleneck", "left1-rl", "left2-rl", "rr-right1", "rr-right2"},
			[2]string{"left2", "right1"}, []string{"left2", "rl", "rr", "right1"}},
		{"star", Star(3, acc), []string{"h1", "h2", "h3"}, []string{"hub"},
			[]string{"h1-hub", "h2-hub", "h3-hub"}, [2]string{"h3", "h1"}, []string{"h3", "hub", "h1"}},
		{"chain", Chain(3, acc), []string{"left", "right"}, []string{"r1", "r2", "r3"},
			[]string{"left-r1", "r1-r2", "r2-r3", "r3-right"}, [2]string{"left", "right"}, []string{"left", "r1", "r2", "r3", "right"}},
		{"chain of no router", Chain(0, acc), []string{"left", "right"}, nil,
			[]string{"left-right"}, [2]string{"right", "left"}, []string{"right", "left"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := build2(t, c.spec)
			assert.Equal(t, c.hosts, g.Hosts())
			assert.Equal(t, c.routers, g.Routers())
			var names []string
			for _, l := range g.Links() {
				names = append(names, l.Name())
			}
			assert.Equal(t, c.links, names)
			p, ok := g.Routes().Path(c.path[0], c.path[1])
			require.True(t, ok)
			assert.Equal(t, c.want, p)
		})
	}
	d := Dumbbell(1, acc, bn)
	assert.Equal(t, bn.Rate, d.Links[1].Config.Rate)
	assert.Equal(t, "rl", d.Links[1].A, "side 0 of the bottleneck faces the senders")
}
