package topology

import (
	"fmt"

	"github.com/netsimlab/netsim/sim"
)

// Spec describes a network without building it: node names and link
// configurations, as the builders return it and as the scenario layer and
// tests instantiate it (Build) or turn it into hosts and routers of their
// own.
type Spec struct {
	Hosts   []string
	Routers []string
	Links   []LinkSpec
}

// LinkSpec is one link of a Spec between nodes A (side 0) and B (side 1).
// Config.Name names the link.
type LinkSpec struct {
	A, B   string
	Config LinkConfig
}

// Build makes the graph of s with live links on scheduler sched. See
// NewLink for streams, trace and nextID.
func (s Spec) Build(sched *sim.Scheduler, streams sim.Streams, trace sim.Sink, nextID func() uint64) (*Graph, error) {
	g := NewGraph()
	for _, h := range s.Hosts {
		if err := g.AddNode(h, Host); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}
	for _, r := range s.Routers {
		if err := g.AddNode(r, Router); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}
	for _, ls := range s.Links {
		l, err := NewLink(sched, streams, trace, nextID, ls.Config, ls.A, ls.B)
		if err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		if err := g.AddLink(l); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}
	return g, nil
}

// named returns cfg named "<a>-<b>", the scenario format's default link
// name.
func named(cfg LinkConfig, a, b string) LinkSpec {
	cfg.Name = a + "-" + b
	return LinkSpec{A: a, B: b, Config: cfg}
}

// PointToPoint is two hosts a and b joined by one link called "<a>-<b>".
func PointToPoint(a, b string, cfg LinkConfig) Spec {
	return Spec{Hosts: []string{a, b}, Links: []LinkSpec{named(cfg, a, b)}}
}

// Dumbbell is n sender hosts "left1".."leftN" each on its own access link
// to router "rl", a bottleneck link called "bottleneck" from "rl" to
// router "rr", and n receiver hosts "right1".."rightN" on access links from
// "rr". Access links are named "<host>-<router>" and "<router>-<host>" with
// the left hosts at side 0, so side 0 always faces the senders.
func Dumbbell(n int, access, bottleneck LinkConfig) Spec {
	s := Spec{Routers: []string{"rl", "rr"}}
	for i := 1; i <= n; i++ {
		l := fmt.Sprintf("left%d", i)
		s.Hosts = append(s.Hosts, l)
		s.Links = append(s.Links, named(access, l, "rl"))
	}
	bottleneck.Name = "bottleneck"
	s.Links = append(s.Links, LinkSpec{A: "rl", B: "rr", Config: bottleneck})
	for i := 1; i <= n; i++ {
		r := fmt.Sprintf("right%d", i)
		s.Hosts = append(s.Hosts, r)
		s.Links = append(s.Links, named(access, "rr", r))
	}
	return s
}

// Star is n hosts "h1".."hN" each joined to router "hub" by a link
// "<host>-hub" (host at side 0).
func Star(n int, cfg LinkConfig) Spec {
	s := Spec{Routers: []string{"hub"}}
	for i := 1; i <= n; i++ {
		h := fmt.Sprintf("h%d", i)
		s.Hosts = append(s.Hosts, h)
		s.Links = append(s.Links, named(cfg, h, "hub"))
	}
	return s
}

// Chain is host "left", routers "r1".."rN", host "right", each joined to
// the next by a link "<x>-<y>" (the left node at side 0): a path of n+1
// links. With n = 0 it is a point-to-point link "left-right".
func Chain(n int, cfg LinkConfig) Spec {
	s := Spec{Hosts: []string{"left", "right"}}
	prev := "left"
	for i := 1; i <= n; i++ {
		r := fmt.Sprintf("r%d", i)
		s.Routers = append(s.Routers, r)
		s.Links = append(s.Links, named(cfg, prev, r))
		prev = r
	}
	s.Links = append(s.Links, named(cfg, prev, "right"))
	return s
}
