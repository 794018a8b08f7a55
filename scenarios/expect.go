package scenarios

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

const allowExpect = "a mapping with one key: established: {from, to, within} or delivered: {to, bytes, by, from}"

// expects decodes the expect list.
func (d *decoder) expects(n *yaml.Node, s *Scenario) {
	for i, item := range d.sequence(n, "expect", "a list of expectations, each - established: {...} or - delivered: {...}") {
		path := fmt.Sprintf("expect[%d]", i)
		r := d.resolve(item)
		d.pos[path] = posOf(r)
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
		d.pos[p] = posOf(e.k)
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
				if v, ok := d.str(f.v, fp, "a host name"); ok {
					x.From = v
				}
			case "to":
				if v, ok := d.endpoint(f.v, fp); ok {
					x.To = v
				}
			case "within":
				if v, ok := d.positiveDuration(f.v, fp); ok {
					x.Within = v
				}
			case "by":
				if v, ok := d.positiveDuration(f.v, fp); ok {
					x.By = v
				}
			case "bytes":
				if v, ok := d.size(f.v, fp); ok {
					x.Bytes = v
				}
			}
		}
		s.Expect = append(s.Expect, x)
	}
}
