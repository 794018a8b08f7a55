package scenarios

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/units"
)

// linkProps are the keys a link and a fault's set share.
var linkProps = []string{"bandwidth", "delay", "mtu", "queue", "loss", "jitter", "reorder", "duplicate", "corrupt", "overhead"}

var linkKeys = append([]string{"name", "between"}, linkProps...)

// Bounds of a link's MTU: the IPv4 minimum (RFC 791) and maximum.
const (
	minMTU = 68
	maxMTU = 65535
)

// links decodes the links list.
func (d *decoder) links(n *yaml.Node, s *Scenario) {
	for i, item := range d.sequence(n, "links", "a list of links, each - between: [a, b]") {
		path := fmt.Sprintf("links[%d]", i)
		d.pos[path] = posOf(d.resolve(item))
		es := d.mapping(item, path, linkKeys)
		d.require(d.resolve(item), path, es, "between", "bandwidth")
		l := Link{MTU: DefaultMTU, Queue: Queue{Kind: QueueDropTail, LimitPackets: DefaultQueueLimit}}
		var set LinkSet
		for _, e := range es {
			p := path + "." + e.key
			switch e.key {
			case "name":
				if v, ok := d.str(e.v, p, "lower-case letters, digits and -"); ok {
					if !namePattern.MatchString(v) || len(v) > 64 {
						d.errNode(d.resolve(e.v), "lower-case letters, digits and -", "%s: %q is not a valid link name", p, v)
					}
					l.Name = v
				}
			case "between":
				ends := d.sequence(e.v, p, "two node names, like [client, r1]")
				if len(ends) != 2 {
					if ends != nil {
						d.errNode(d.resolve(e.v), "two node names, like [client, r1]", "%s: a link joins exactly two nodes, got %d", p, len(ends))
					}
					continue
				}
				for j, end := range ends {
					v, ok := d.str(end, fmt.Sprintf("%s[%d]", p, j), "a host or router name")
					if !ok {
						continue
					}
					if j == 0 {
						l.A = v
					} else {
						l.B = v
					}
				}
			default:
				d.linkProp(e, p, &set)
			}
		}
		l.apply(set)
		if l.Name == "" && l.A != "" && l.B != "" {
			l.Name = l.A + "-" + l.B
		}
		s.Links = append(s.Links, l)
	}
}

// linkProp decodes one link property into set.
func (d *decoder) linkProp(e entry, p string, set *LinkSet) {
	switch e.key {
	case "bandwidth":
		if v, ok := d.rate(e.v, p); ok {
			set.Bandwidth = &v
		}
	case "delay":
		if v, ok := d.duration(e.v, p); ok {
			set.Delay = &v
		}
	case "jitter":
		if v, ok := d.duration(e.v, p); ok {
			set.Jitter = &v
		}
	case "mtu":
		if v, ok := d.integer(e.v, p, minMTU, maxMTU); ok {
			m := int(v)
			set.MTU = &m
		}
	case "reorder":
		if v, ok := d.boolean(e.v, p); ok {
			set.Reorder = &v
		}
	case "duplicate":
		if v, ok := d.ratio(e.v, p); ok {
			set.Duplicate = &v
		}
	case "corrupt":
		if v, ok := d.ratio(e.v, p); ok {
			set.Corrupt = &v
		}
	case "overhead":
		if v, ok := d.size(e.v, p); ok {
			set.Overhead = &v
		}
	case "queue":
		if q, ok := d.queue(e.v, p); ok {
			set.Queue = &q
		}
	case "loss":
		if l, ok := d.loss(e.v, p); ok {
			set.Loss = &l
		}
	}
}

// apply changes the properties set names.
func (l *Link) apply(set LinkSet) {
	if set.Bandwidth != nil {
		l.Bandwidth = *set.Bandwidth
	}
	if set.Delay != nil {
		l.Delay = *set.Delay
	}
	if set.MTU != nil {
		l.MTU = *set.MTU
	}
	if set.Queue != nil {
		l.Queue = *set.Queue
	}
	if set.Loss != nil {
		l.Loss = *set.Loss
	}
	if set.Jitter != nil {
		l.Jitter = *set.Jitter
	}
	if set.Reorder != nil {
		l.Reorder = *set.Reorder
	}
	if set.Duplicate != nil {
		l.Duplicate = *set.Duplicate
	}
	if set.Corrupt != nil {
		l.Corrupt = *set.Corrupt
	}
	if set.Overhead != nil {
		l.Overhead = *set.Overhead
	}
}

const allowQueue = "a mapping like {kind: droptail, limit: 100} (packets) or {kind: droptail, limit: 64KiB}"

// queue decodes {kind: droptail, limit: 100 | 64KiB}. A bare whole number
// limit counts packets; a size with a unit counts bytes.
func (d *decoder) queue(n *yaml.Node, path string) (Queue, bool) {
	q := Queue{Kind: QueueDropTail, LimitPackets: DefaultQueueLimit}
	r := d.resolve(n)
	if r.Kind != yaml.MappingNode {
		d.errNode(r, allowQueue, "%s: expected a mapping, got %s", path, describe(r))
		return q, false
	}
	ok := true
	for _, e := range d.mapping(r, path, []string{"kind", "limit"}) {
		p := path + "." + e.key
		switch e.key {
		case "kind":
			if _, good := d.oneOf(e.v, p, []string{string(QueueDropTail)}); !good {
				ok = false
			}
		case "limit":
			if lv := d.resolve(e.v); lv.Kind == yaml.ScalarNode && lv.Tag == "!!int" {
				v, good := d.integer(lv, p, 1, 1<<31-1)
				ok = ok && good
				q.LimitPackets, q.LimitBytes = int(v), 0
				continue
			}
			v, good := d.positiveSize(e.v, p)
			ok = ok && good
			q.LimitPackets, q.LimitBytes = 0, v
		}
	}
	return q, ok
}

const allowLoss = "a ratio like 1%, or {model: bernoulli, p: 1%}, or {model: gilbert-elliott, p: 1%, r: 30%, loss_bad: 100%, loss_good: 0%}"

// loss decodes a Bernoulli ratio or a loss model mapping.
func (d *decoder) loss(n *yaml.Node, path string) (Loss, bool) {
	r := d.resolve(n)
	if r.Kind == yaml.ScalarNode {
		v, ok := d.ratio(r, path)
		if !ok {
			return Loss{}, false
		}
		if v == 0 {
			return Loss{}, true
		}
		return Loss{Model: LossBernoulli, P: v}, true
	}
	if r.Kind != yaml.MappingNode {
		d.errNode(r, allowLoss, "%s: expected a ratio or a mapping, got %s", path, describe(r))
		return Loss{}, false
	}
	es := d.mapping(r, path, []string{"model", "p", "r", "loss_bad", "loss_good"})
	model := LossModel("")
	for _, e := range es {
		if e.key == "model" {
			v, ok := d.oneOf(e.v, path+".model", []string{string(LossBernoulli), string(LossGilbertElliott)})
			if !ok {
				return Loss{}, false
			}
			model = LossModel(v)
		}
	}
	if model == "" {
		d.errNode(r, allowLoss, "%s: missing required key %q", path, "model")
		return Loss{}, false
	}
	l := Loss{Model: model, LossBad: 1}
	ok := true
	var haveP, haveR bool
	for _, e := range es {
		p := path + "." + e.key
		var dst *units.Ratio
		switch e.key {
		case "model":
			continue
		case "p":
			dst, haveP = &l.P, true
		case "r", "loss_bad", "loss_good":
			if model == LossBernoulli {
				d.errNode(e.k, "a bernoulli model has only p", "%s: key %q belongs to the gilbert-elliott model", path, e.key)
				ok = false
				continue
			}
			switch e.key {
			case "r":
				dst, haveR = &l.R, true
			case "loss_bad":
				dst = &l.LossBad
			default:
				dst = &l.LossGood
			}
		}
		v, good := d.ratio(e.v, p)
		ok = ok && good
		*dst = v
	}
	if !haveP {
		d.errNode(r, allowLoss, "%s: missing required key %q", path, "p")
		ok = false
	}
	if model == LossGilbertElliott && !haveR {
		d.errNode(r, allowLoss, "%s: missing required key %q", path, "r")
		ok = false
	}
	if model == LossBernoulli {
		l.LossBad = 0
	}
	return l, ok
}
