package scenarios

import (
	"net/netip"
	"strconv"

	"gopkg.in/yaml.v3"
)

// hosts decodes the hosts mapping, in file order.
func (d *decoder) hosts(n *yaml.Node, s *Scenario) {
	es := d.mapping(n, "hosts", nil)
	if r := d.resolve(n); len(es) == 0 && (isNull(r) || r.Kind == yaml.MappingNode) {
		d.errNode(r, "at least one host, like client: {address: 10.0.0.1}", "hosts: no hosts")
	}
	for _, e := range es {
		name := e.key
		path := "hosts." + name
		d.pos.set(path, posOf(e.k))
		if !hostNamePattern.MatchString(name) || len(name) > 64 {
			d.errNode(e.k, "a lower-case letter, then lower-case letters, digits and -", "hosts: %q is not a valid host name", name)
		}
		h := Host{Name: name}
		count := 0
		for _, he := range d.mapping(e.v, path, []string{"address", "tcp", "count"}) {
			switch he.key {
			case "count":
				if v, ok := d.integer(he.v, path+".count", 1, MaxGroupCount); ok {
					count = int(v)
				} else {
					d.failedGroups = append(d.failedGroups, name)
				}
			case "address":
				p := path + ".address"
				v, ok := d.str(he.v, p, "an IPv4 address like 10.0.0.1")
				if !ok {
					continue
				}
				a, err := netip.ParseAddr(v)
				switch {
				case err != nil || !a.Is4():
					d.errNode(d.resolve(he.v), "an IPv4 address like 10.0.0.1", "%s: %q is not an IPv4 address", p, v)
				case a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
					d.errNode(d.resolve(he.v), "a unicast IPv4 address, not 0.0.0.0, loopback, multicast or broadcast", "%s: %s cannot be a host's address", p, v)
				default:
					h.Address = a
				}
			case "tcp":
				h.TCP = d.tcp(he.v, path+".tcp")
			}
		}
		if count == 0 {
			s.Hosts = append(s.Hosts, h)
			continue
		}
		// A group: its members are hosts of their own, each given an
		// address as a host without one is.
		if h.Address.IsValid() {
			d.errAt(posOf(e.k), "no address: a group's members are given addresses in turn", "%s: a group (count) takes no address", path)
		}
		g := Group{Name: name, Count: count, Members: make([]string, count)}
		for i := range count {
			m := Host{Name: name + "-" + strconv.Itoa(i+1), TCP: h.TCP}
			g.Members[i] = m.Name
			d.pos.set("hosts."+m.Name, posOf(e.k))
			s.Hosts = append(s.Hosts, m)
		}
		s.Groups = append(s.Groups, g)
	}
}

// routers decodes the routers mapping, in file order.
func (d *decoder) routers(n *yaml.Node, s *Scenario) {
	for _, e := range d.mapping(n, "routers", nil) {
		path := "routers." + e.key
		d.pos.set(path, posOf(e.k))
		if !hostNamePattern.MatchString(e.key) || len(e.key) > 64 {
			d.errNode(e.k, "a lower-case letter, then lower-case letters, digits and -", "routers: %q is not a valid router name", e.key)
		}
		d.mapping(e.v, path, []string{})
		s.Routers = append(s.Routers, Router{Name: e.key})
	}
}
