package scenarios

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

var faultKeys = []string{"at", "link", "set", "down", "up", "partition", "heal"}

const allowFaultAction = "one of: set, down: true, up: true, partition, heal: true"

// faults decodes the faults list.
func (d *decoder) faults(n *yaml.Node, s *Scenario) {
	for i, item := range d.sequence(n, "faults", "a list of faults, each - at: 1s and an action") {
		path, r := d.listItem("faults", i, item)
		es := d.mapping(r, path, faultKeys)
		if r.Kind != yaml.MappingNode {
			if isNull(r) {
				d.errNode(r, "a mapping like {at: 1s, link: uplink, down: true}", "%s: empty fault", path)
			}
			continue
		}
		d.require(r, path, es, "at")
		f := Fault{}
		var actions []string
		for _, e := range es {
			p := path + "." + e.key
			switch e.key {
			case "at":
				d.faultTime(e.v, p, &f)
			case "link":
				keep(&f.Link)(d.str(e.v, p, "a link name"))
			case "set":
				actions = append(actions, e.key)
				f.Action = FaultSet
				es := d.mapping(e.v, p, linkProps)
				// Only unknown keys (set: {between: ...}) are reported
				// as unknown, not also as nothing to set.
				if len(es) == 0 && !d.overflow && len(d.resolve(e.v).Content) == 0 {
					d.errNode(d.resolve(e.v), "link properties: "+strings.Join(linkProps, ", "), "%s: nothing to set", p)
				}
				for _, se := range es {
					d.linkProp(se, p+"."+se.key, &f.Set)
				}
			case "down", "up", "heal":
				actions = append(actions, e.key)
				f.Action = FaultAction(e.key)
				if v, ok := d.boolean(e.v, p); ok && !v {
					// A partition is undone by heal: true, and heal
					// has no opposite: its false is a fault to delete.
					alt := map[string]string{"down": "to undo, use up: true", "up": "to undo, use down: true", "heal": "to heal nothing, delete the fault"}[e.key]
					d.errNode(d.resolve(e.v), e.key+": true", "%s: false does nothing (%s)", p, alt)
				}
			case "partition":
				actions = append(actions, e.key)
				f.Action = FaultPartition
				f.Partition = d.partition(e.v, p)
			}
		}
		switch {
		case len(actions) == 0:
			d.errNode(r, allowFaultAction, "%s: no action", path)
		case len(actions) > 1:
			d.errNode(r, allowFaultAction, "%s: one action per fault, got %s", path, strings.Join(actions, " and "))
		}
		needsLink := f.Action == FaultSet || f.Action == FaultDown || f.Action == FaultUp
		if len(actions) == 1 {
			if needsLink && !hasKey(es, "link") {
				d.errNode(r, "link: <name of a link>", "%s: %s needs a link", path, f.Action)
			}
			if !needsLink {
				if e, ok := findKey(es, "link"); ok {
					d.errNode(e.k, "link: only with set, down or up", "%s: %s takes no link", path, f.Action)
				}
			}
		}
		s.Faults = append(s.Faults, f)
	}
}

// faultTime decodes a fault's at, which must not be before time 0.
func (d *decoder) faultTime(n *yaml.Node, p string, f *Fault) {
	v, ok := d.scalar(n, p, allowDuration)
	if !ok {
		return
	}
	if strings.HasPrefix(strings.TrimSpace(v), "-") {
		d.errNode(d.resolve(n), "a time from 0s, like 1.5s", "%s: %s is before the start of the run", p, v)
		return
	}
	if dur, ok := d.duration(n, p); ok {
		f.At = dur
	}
}

// partition decodes [[a, b], [c]]: two or more groups of node names.
func (d *decoder) partition(n *yaml.Node, p string) [][]string {
	const allowed = "two or more lists of node names, like [[client], [server]]"
	groups := d.sequence(n, p, allowed)
	if groups == nil && d.resolve(n).Kind != yaml.SequenceNode {
		if isNull(d.resolve(n)) {
			d.errNode(d.resolve(n), allowed, "%s: missing value", p)
		}
		return nil
	}
	// An empty list ([]) falls through: it has fewer than two groups.
	if len(groups) < 2 {
		d.errNode(d.resolve(n), allowed, "%s: a partition needs at least two groups, got %d", p, len(groups))
	}
	out := make([][]string, 0, len(groups))
	for i, g := range groups {
		gp := fmt.Sprintf("%s[%d]", p, i)
		names := d.sequence(g, gp, allowed)
		if len(names) == 0 {
			d.errNode(d.resolve(g), allowed, "%s: empty group", gp)
		}
		var group []string
		for j, nm := range names {
			if v, ok := d.str(nm, fmt.Sprintf("%s[%d]", gp, j), "a host or router name"); ok {
				group = append(group, v)
			}
		}
		out = append(out, group)
	}
	return out
}
