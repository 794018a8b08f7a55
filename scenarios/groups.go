package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/sim"
)

// MaxGroupCount bounds a host group's count: a scenario of more hosts is
// a mistake or a hostile input, not a run that could finish.
const MaxGroupCount = 100000

// Group is a host group written with count: its members are hosts named
// <name>-1 ... <name>-<count>, in that order, with the group's settings.
// A group's name may stand for its members where a link end or an app's
// host is written: one link or one app per member.
type Group struct {
	Name    string
	Count   int
	Members []string
}

// group returns the group called name, and false if there is none.
func (s *Scenario) group(name string) (Group, bool) {
	for _, g := range s.Groups {
		if g.Name == name {
			return g, true
		}
	}
	return Group{}, false
}

// memberIndex returns the group that name is, or would be, a member of
// (<group>-<i>, i from 1, within the group's count or past it) and i.
func (s *Scenario) memberIndex(name string) (Group, int, bool) {
	for _, g := range s.Groups {
		if rest, ok := strings.CutPrefix(name, g.Name+"-"); ok {
			if i, err := strconv.Atoi(rest); err == nil && i >= 1 && strconv.Itoa(i) == rest {
				return g, i, true
			}
		}
	}
	return Group{}, 0, false
}

// expandGroups replaces every link with a group at one end by one link
// per member (named <link>-<i> when the link was named, <a>-<b> of the
// member otherwise), and every app on a group by one app per member, in
// member order, keeping what the file says about each for errors.
func (d *decoder) expandGroups(s *Scenario) {
	if len(s.Groups) == 0 {
		return
	}
	byName := make(map[string]Group, len(s.Groups))
	for _, g := range s.Groups {
		byName[g.Name] = g
	}
	seen := make(map[string]bool, len(s.Hosts))
	for _, h := range s.Hosts {
		if seen[h.Name] {
			d.errAt(d.pos.at("hosts."+h.Name), "host names that no group's members take",
				"hosts: %q is both a host and a group's member", h.Name)
		}
		seen[h.Name] = true
	}
	// What expansion makes, counted first so that nothing is grown by
	// copying (a link or an app is a few hundred bytes; a group may have
	// 100,000 members).
	nLinks, nApps := 0, 0
	for _, l := range s.Links {
		nLinks += max(len(byName[l.A].Members), len(byName[l.B].Members), 1)
	}
	for _, a := range s.Apps {
		nApps += max(len(byName[a.Host].Members), 1)
	}
	links, apps := make([]Link, 0, nLinks), make([]App, 0, nApps)
	// The written index of each item made, and the member it was made for.
	linkFrom, appFrom := make([]int, 0, nLinks), make([]int, 0, nApps)
	linkMember, appMember := make([]string, 0, nLinks), make([]string, 0, nApps)
	for i, l := range s.Links {
		ga, okA := byName[l.A]
		gb, okB := byName[l.B]
		switch {
		case okA && okB:
			d.errAt(d.pos.at(fmt.Sprintf("links[%d].between[0]", i)), "a group at one end only, a host or router at the other",
				"links[%d].between: %q and %q are both groups", i, l.A, l.B)
			continue
		case !okA && !okB:
			links = append(links, l)
			linkFrom, linkMember = append(linkFrom, i), append(linkMember, "")
			continue
		}
		g := ga
		if okB {
			g = gb
		}
		explicit := l.Name != "" && l.Name != l.A+"-"+l.B
		first := len(links)
		for k, m := range g.Members {
			c := l
			if okA {
				c.A = m
			} else {
				c.B = m
			}
			c.Name = c.A + "-" + c.B
			if explicit {
				c.Name = l.Name + "-" + strconv.Itoa(k+1)
			}
			links = append(links, c)
			linkFrom, linkMember = append(linkFrom, i), append(linkMember, m)
		}
		// No link keeps the name written (or made of the group's name):
		// a fault that names it is told the names its members' links took.
		if len(links) > first && l.Name != "" {
			if d.groupLinks == nil {
				d.groupLinks = make(map[string]string)
			}
			d.groupLinks[l.Name] = fmt.Sprintf("%s ... %s", links[first].Name, links[len(links)-1].Name)
		}
	}
	for i, a := range s.Apps {
		if _, ok := byName[a.To.Host]; ok {
			d.errAt(d.pos.at(fmt.Sprintf("apps[%d].to", i)), "a host: a group may be an app's host, not its peer",
				"apps[%d].to: %q is a group", i, a.To.Host)
			continue // said once, not again as an unknown host per member
		}
		g, ok := byName[a.Host]
		if !ok {
			apps = append(apps, a)
			appFrom, appMember = append(appFrom, i), append(appMember, "")
			continue
		}
		for _, m := range g.Members {
			c := a
			c.Host = m
			apps = append(apps, c)
			appFrom, appMember = append(appFrom, i), append(appMember, m)
		}
	}
	d.pos.expand("links", linkFrom, linkMember)
	d.pos.expand("apps", appFrom, appMember)
	s.Links, s.Apps = links, apps
	d.expandPartitions(s, byName)
}

// expandPartitions replaces a group's name in a partition by its
// members, each keeping the position of the name for errors.
func (d *decoder) expandPartitions(s *Scenario, byName map[string]Group) {
	for i := range s.Faults {
		f := &s.Faults[i]
		for g, names := range f.Partition {
			expanded := false
			for _, name := range names {
				if _, ok := byName[name]; ok {
					expanded = true
				}
			}
			if !expanded {
				continue
			}
			key := func(j int) string { return fmt.Sprintf("faults[%d].partition[%d][%d]", i, g, j) }
			old := make([]Pos, len(names))
			for j := range names {
				old[j] = d.pos.at(key(j))
				d.pos.remove(key(j))
			}
			var out []string
			for j, name := range names {
				members := []string{name}
				if grp, ok := byName[name]; ok {
					members = grp.Members
				}
				for _, m := range members {
					d.pos.set(key(len(out)), old[j])
					out = append(out, m)
				}
			}
			f.Partition[g] = out
		}
	}
}

// writtenLabel names item i of a section before groups are expanded:
// "links[3]" as the file numbers it, or the generator of a generated link.
func (d *decoder) writtenLabel(section string, i int) string {
	if l, ok := d.genLinks[i]; ok && section == "links" {
		return l
	}
	return fmt.Sprintf("%s[%d]", section, i)
}

// StartDraw is a random start time: Kind "uniform" draws from [Min, Max],
// "exponential" with mean Mean, from a stream of its own per app
// ("app/<host>/<type>/<n>/start", the app being the n-th of its type on
// its host, after groups are expanded).
type StartDraw struct {
	Kind     string
	Min, Max time.Duration
	Mean     time.Duration
}

// draw returns the start time the stream r gives.
func (s StartDraw) draw(r *sim.Rand) time.Duration {
	if s.Kind == "exponential" {
		return min(r.ExponentialDuration(s.Mean), time.Duration(math.MaxInt64/2))
	}
	return r.UniformDuration(s.Min, s.Max)
}

const allowStart = "a time like 1s, or a random draw: {uniform: [0s, 1s]} or {exponential: 100ms}"

// start decodes an app's start: a time or a random draw.
func (d *decoder) start(n *yaml.Node, p string, a *App) {
	r := d.resolve(n)
	if r.Kind != yaml.MappingNode {
		keep(&a.Start)(d.duration(n, p))
		return
	}
	es := d.mapping(r, p, []string{"uniform", "exponential"})
	if len(es) != 1 {
		if len(es) > 1 {
			d.errNode(r, allowStart, "%s: one of uniform or exponential", p)
		} else if len(d.errs) == 0 {
			d.errNode(r, allowStart, "%s: empty", p)
		}
		return
	}
	e := es[0]
	switch e.key {
	case "uniform":
		ends := d.sequence(e.v, p+".uniform", "two times [a, b] with a <= b")
		if len(ends) != 2 {
			if ends != nil {
				d.errNode(d.resolve(e.v), "two times [a, b] with a <= b", "%s.uniform: two times, got %d", p, len(ends))
			}
			return
		}
		lo, ok1 := d.duration(ends[0], p+".uniform[0]")
		hi, ok2 := d.duration(ends[1], p+".uniform[1]")
		if !ok1 || !ok2 {
			return
		}
		if hi < lo {
			d.errNode(d.resolve(e.v), "two times [a, b] with a <= b", "%s.uniform: %v is before %v", p, hi, lo)
			return
		}
		a.Start, a.StartDraw = lo, &StartDraw{Kind: "uniform", Min: lo, Max: hi}
	case "exponential":
		if v, ok := d.positiveDuration(e.v, p+".exponential"); ok {
			a.StartDraw = &StartDraw{Kind: "exponential", Mean: v}
		}
	}
}
