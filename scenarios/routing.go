package scenarios

import (
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/nodes"
)

// Routing is the scenario's routing section: how forwarding tables are
// built and whether they follow faults.
type Routing struct {
	// ECMP spreads flows over equal-cost next hops by a seeded hash of
	// the 5-tuple (each flow keeps one path; the run stays deterministic).
	ECMP bool
	// Recompute recomputes every table over the links that are up,
	// Convergence after a link goes down or up (a fault down, up,
	// partition or heal); packets in between follow the old tables.
	Recompute   bool
	Convergence time.Duration
}

// routingKeys are the keys of the routing section.
var routingKeys = []string{"ecmp", "recompute", "convergence"}

// routing decodes the routing section.
func (d *decoder) routing(n *yaml.Node, s *Scenario) {
	var convergence *yaml.Node
	for _, e := range d.mapping(n, "routing", routingKeys) {
		path := "routing." + e.key
		d.pos.set(path, posOf(e.k))
		switch e.key {
		case "ecmp":
			keep(&s.Routing.ECMP)(d.boolean(e.v, path))
		case "recompute":
			keep(&s.Routing.Recompute)(d.boolean(e.v, path))
		case "convergence":
			convergence = e.k
			// A negative duration is an error of d.duration.
			keep(&s.Routing.Convergence)(d.duration(e.v, path))
		}
	}
	if convergence != nil && !s.Routing.Recompute {
		d.warnAt(posOf(convergence), "recompute: true to make routes follow faults", "routing.convergence: has no effect without recompute: true")
	}
}

// nodesRouting returns the network's routing settings of r.
func (r Routing) nodesRouting() nodes.Routing { return nodes.Routing{ECMP: r.ECMP} }

// routeFault recomputes the routes, when the scenario asks for it,
// Convergence after a fault that changed which links are up.
func (w *World) routeFault() {
	if !w.Scenario.Routing.Recompute {
		return
	}
	at := w.Net.Now().Add(w.Scenario.Routing.Convergence)
	if w.recomputePending && w.recomputeAt == at {
		// Faults at the same instant: the recompute already due then
		// runs after all of them and sees every change (a second one
		// would find nothing left to change).
		return
	}
	w.recomputePending, w.recomputeAt = true, at
	if _, err := w.Net.Scheduler().At(at, func() {
		if w.recomputeAt == at {
			w.recomputePending = false
		}
		w.recompute()
	}); err != nil {
		w.recomputePending = false
		w.emitFault("routing", "recompute not scheduled: "+err.Error())
	}
}

// recompute installs routes over the links up now.
func (w *World) recompute() {
	if _, err := w.Net.RecomputeRoutes(); err != nil {
		w.emitFault("routing", "recompute failed: "+err.Error())
	}
}
