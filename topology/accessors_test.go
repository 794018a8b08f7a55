package topology

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/netsimlab/netsim/units"
)

func TestLinkChangeSetsEachProperty(t *testing.T) {
	base := LinkConfig{Name: "l", Rate: units.Mbps, Delay: time.Millisecond, QueueLimitPackets: 10}
	cases := []struct {
		name   string
		change LinkChange
		want   func(c *LinkConfig)
	}{
		{"rate", LinkChange{Rate: Ptr(5 * units.Mbps)}, func(c *LinkConfig) { c.Rate = 5 * units.Mbps }},
		{"delay", LinkChange{Delay: Ptr(9 * time.Millisecond)}, func(c *LinkConfig) { c.Delay = 9 * time.Millisecond }},
		{"mtu", LinkChange{MTU: Ptr(9000)}, func(c *LinkConfig) { c.MTU = 9000 }},
		{"mtu 0 is the default", LinkChange{MTU: Ptr(0)}, func(c *LinkConfig) { c.MTU = DefaultMTU }},
		{"queue packets", LinkChange{QueueLimitPackets: Ptr(3)}, func(c *LinkConfig) { c.QueueLimitPackets = 3 }},
		{"queue bytes", LinkChange{QueueLimitBytes: Ptr(64 * units.KiB)}, func(c *LinkConfig) { c.QueueLimitBytes = 64 * units.KiB }},
		{"no limits is the default", LinkChange{QueueLimitPackets: Ptr(0)}, func(c *LinkConfig) { c.QueueLimitPackets = DefaultQueueLimitPackets }},
		{"loss", LinkChange{SetLoss: true, Loss: Bernoulli(0.1)}, func(c *LinkConfig) { c.Loss = Bernoulli(0.1) }},
		{"loss unchanged without SetLoss", LinkChange{Loss: Bernoulli(0.1)}, func(c *LinkConfig) {}},
		{"jitter", LinkChange{Jitter: Ptr(time.Millisecond)}, func(c *LinkConfig) { c.Jitter = time.Millisecond }},
		{"reorder", LinkChange{Reorder: Ptr(true)}, func(c *LinkConfig) { c.Reorder = true }},
		{"duplicate", LinkChange{Duplicate: Ptr(units.Ratio(0.5))}, func(c *LinkConfig) { c.Duplicate = 0.5 }},
		{"corrupt", LinkChange{Corrupt: Ptr(units.Ratio(0.25))}, func(c *LinkConfig) { c.Corrupt = 0.25 }},
		{"overhead", LinkChange{Overhead: Ptr(units.ByteSize(38))}, func(c *LinkConfig) { c.Overhead = 38 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, base, 1)
			want := r.l.Config()
			c.want(&want)
			assert.NoError(t, r.l.Set(c.change))
			assert.Equal(t, want, r.l.Config())
		})
	}
}

func TestAccessors(t *testing.T) {
	r := newRig(t, LinkConfig{Name: "up", MTU: 9000}, 1)
	a, b := r.l.Ends()
	assert.Equal(t, [2]string{"a", "b"}, [2]string{a, b})
	assert.Equal(t, "up", r.l.Name())
	assert.Equal(t, 9000, r.l.MTU())
	assert.Equal(t, "b", r.l.Node(1))
	assert.Same(t, r.a, r.l.Endpoint(0))
	side, ok := r.l.Side("b")
	assert.True(t, ok)
	assert.Equal(t, 1, side)
	_, ok = r.l.Side("c")
	assert.False(t, ok)
	assert.Equal(t, "link up (a-b)", r.l.String())
	assert.Panics(t, func() { r.l.Send(2, r.packet(10)) }, "a side other than 0 or 1 is a bug in the caller")
	assert.Panics(t, func() { r.l.Send(0, nil) })
	assert.Equal(t, 0.25, Bernoulli(0.25).Mean())
	assert.Equal(t, uint64(3), Drops{Queue: 1, MTU: 2}.Total())

	g := build2(t, Star(2, LinkConfig{}))
	assert.Equal(t, []string{"h1", "h2", "hub"}, g.Nodes())
	_, ok = g.Link("nope")
	assert.False(t, ok)
	assert.Nil(t, g.Routes().From("nope"))
	_, ok = g.Routes().Path("h1", "nope")
	assert.False(t, ok)
	assert.Equal(t, "NodeKind(7)", NodeKind(7).String())
}
