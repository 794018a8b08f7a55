package scenarios

import "gopkg.in/yaml.v3"

const allowExpect = "a mapping with one key: established: {from, to, within} or delivered: {to, bytes, by, from}"

// expects decodes the expect list.
func (d *decoder) expects(n *yaml.Node, s *Scenario) {
	for i, item := range d.sequence(n, "expect", "a list of expectations, each - established: {...} or - delivered: {...}") {
		path, r := d.listItem("expect", i, item)
		es := d.mapping(r, path, []string{string(ExpectEstablished), string(ExpectDelivered)})
		if r.Kind != yaml.MappingNode || len(es) != 1 {
			if len(es) > 1 || r.Kind == yaml.MappingNode && len(r.Content) == 0 || isNull(r) {
				d.errNode(r, allowExpect, "%s: expected exactly one expectation", path)
			}
			continue
		}
		e := es[0]
		x := Expect{Kind: ExpectKind(e.key)}
		p := path + "." + e.key
		d.pos.set(p, posOf(e.k))
		var fields []entry
		switch x.Kind {
		case ExpectEstablished:
			fields = d.mapping(e.v, p, []string{"from", "to", "within"})
			d.require(d.resolve(e.v), p, fields, "from", "to")
		case ExpectDelivered:
			fields = d.mapping(e.v, p, []string{"from", "to", "bytes", "by"})
			d.require(d.resolve(e.v), p, fields, "to", "bytes")
		}
		for _, f := range fields {
			fp := p + "." + f.key
			switch f.key {
			case "from":
				keep(&x.From)(d.str(f.v, fp, "a host name"))
			case "to":
				keep(&x.To)(d.endpoint(f.v, fp))
			case "within":
				keep(&x.Within)(d.positiveDuration(f.v, fp))
			case "by":
				keep(&x.By)(d.positiveDuration(f.v, fp))
			case "bytes":
				keep(&x.Bytes)(d.size(f.v, fp))
			}
		}
		s.Expect = append(s.Expect, x)
	}
}
