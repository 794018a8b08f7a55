package scenarios

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/topology"
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
		path, _ := d.listItem("links", i, item)
		es := d.mapping(item, path, linkKeys)
		d.require(d.resolve(item), path, es, "between", "bandwidth")
		l := Link{MTU: DefaultMTU, Queue: Queue{Kind: QueueDropTail, LimitPackets: DefaultQueueLimit, Discipline: topology.DropTail{}}}
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
		keepPtr(&set.Bandwidth)(d.rate(e.v, p))
	case "delay":
		keepPtr(&set.Delay)(d.duration(e.v, p))
	case "jitter":
		keepPtr(&set.Jitter)(d.duration(e.v, p))
	case "mtu":
		if v, ok := d.boundedSize(e.v, p, minMTU, maxMTU); ok {
			m := int(v)
			set.MTU = &m
		}
	case "reorder":
		keepPtr(&set.Reorder)(d.boolean(e.v, p))
	case "duplicate":
		keepPtr(&set.Duplicate)(d.ratio(e.v, p))
	case "corrupt":
		keepPtr(&set.Corrupt)(d.ratio(e.v, p))
	case "overhead":
		keepPtr(&set.Overhead)(d.size(e.v, p))
	case "queue":
		keepPtr(&set.Queue)(d.queue(e.v, p))
	case "loss":
		keepPtr(&set.Loss)(d.loss(e.v, p))
	}
}

// apply changes the properties set names.
func (l *Link) apply(set LinkSet) {
	applySet(&l.Bandwidth, set.Bandwidth)
	applySet(&l.Delay, set.Delay)
	applySet(&l.MTU, set.MTU)
	applySet(&l.Queue, set.Queue)
	applySet(&l.Loss, set.Loss)
	applySet(&l.Jitter, set.Jitter)
	applySet(&l.Reorder, set.Reorder)
	applySet(&l.Duplicate, set.Duplicate)
	applySet(&l.Corrupt, set.Corrupt)
	applySet(&l.Overhead, set.Overhead)
}

// applySet sets *dst to *v when v is set.
func applySet[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

const allowQueue = "a mapping like {kind: droptail, limit: 100} (packets) or {kind: codel, limit: 64KiB}; kinds: droptail, red, codel, fq-codel, pie, step"

// queueKind decodes one queue discipline: the keys it takes besides kind
// and limit, and how they fill its topology type (defaults first). A new
// discipline is a topology type and one entry here.
type queueKind struct {
	name     string
	keys     []string
	required []string
	decode   func(d *decoder, es []entry, path string) (topology.QueueConfig, bool)
}

var queueKinds = []queueKind{
	{"droptail", nil, nil, func(*decoder, []entry, string) (topology.QueueConfig, bool) { return topology.DropTail{}, true }},
	{"red", []string{"min_th", "max_th", "p_max", "weight", "gentle", "ecn"}, nil, decodeRED},
	{"codel", []string{"target", "interval", "ecn"}, nil, decodeCoDel},
	{"fq-codel", []string{"flows", "quantum", "target", "interval", "ecn"}, nil, decodeFQCoDel},
	{"pie", []string{"target", "tupdate", "max_burst", "alpha", "beta", "ecn"}, nil, decodePIE},
	{"step", []string{"threshold", "ecn"}, []string{"threshold"}, decodeStep},
}

func queueKindNames() []string {
	out := make([]string, len(queueKinds))
	for i, k := range queueKinds {
		out[i] = k.name
	}
	return out
}

// queue decodes {kind: codel, limit: 100 | 64KiB, ...}: the discipline's
// parameters straight into its topology type. A bare whole-number limit
// counts packets; a size with a unit counts bytes; no limit is the
// discipline's default in packets.
func (d *decoder) queue(n *yaml.Node, path string) (Queue, bool) {
	r := d.resolve(n)
	if r.Kind != yaml.MappingNode {
		d.errNode(r, allowQueue, "%s: expected a mapping, got %s", path, describe(r))
		return Queue{}, false
	}
	kind := queueKinds[0]
	for i := 0; i+1 < len(r.Content); i += 2 {
		if d.resolve(r.Content[i]).Value != "kind" {
			continue
		}
		v, ok := d.oneOf(r.Content[i+1], path+".kind", queueKindNames())
		if !ok {
			return Queue{}, false
		}
		for _, k := range queueKinds {
			if k.name == v {
				kind = k
			}
		}
	}
	allowed := append([]string{"kind", "limit"}, kind.keys...)
	if kind.name == "droptail" {
		// ECN on a queue that only drops when full is a mistake worth
		// naming (RFC 3168 marks on early congestion, which drop-tail
		// does not detect).
		allowed = append(allowed, "ecn")
	}
	es := d.mapping(r, path, allowed)
	if len(kind.required) > 0 {
		before := d.found
		d.require(r, path, es, kind.required...)
		if d.found > before {
			return Queue{}, false
		}
	}
	q := Queue{Kind: QueueKind(kind.name)}
	ok := true
	var params []entry
	for _, e := range es {
		p := path + "." + e.key
		switch e.key {
		case "kind":
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
		case "ecn":
			if kind.name == "droptail" {
				d.errNode(e.k, "ecn with kind red, codel, fq-codel, pie or step", "%s: a droptail queue cannot mark ECN (it drops only when full)", p)
				ok = false
				continue
			}
			params = append(params, e)
		default:
			params = append(params, e)
		}
	}
	cfg, good := kind.decode(d, params, path)
	if !good {
		return q, false
	}
	if err := cfg.Validate(); err != nil {
		var pe *topology.QueueParamError
		if errors.As(err, &pe) {
			d.errNode(r, pe.Allowed, "%s: %s: %s", path, kind.name, pe.What)
		} else {
			d.errNode(r, "parameters in range: "+strings.Join(kind.keys, ", "), "%s: %s: %v", path, kind.name, err)
		}
		return q, false
	}
	q.Discipline = cfg
	if q.LimitPackets == 0 && q.LimitBytes == 0 {
		q.LimitPackets = cfg.DefaultLimit()
	}
	if !d.thresholdBelowLimit(q, es, path) {
		return q, false
	}
	return q, ok
}

// thresholdBelowLimit refuses a threshold the queue can never reach: a
// step threshold, or RED's min_th, at or above the limit in the same unit
// (an arrival that finds the queue at its limit is refused before it can
// be marked, so a step queue would never mark and RED would be drop-tail).
// Thresholds in another unit than the limit are not compared.
func (d *decoder) thresholdBelowLimit(q Queue, es []entry, path string) bool {
	var key string
	var th int64
	var inBytes bool
	switch c := q.Discipline.(type) {
	case topology.Step:
		key, th, inBytes = "threshold", c.Threshold, c.InBytes
	case topology.RED:
		key, th, inBytes = "min_th", c.MinTh, c.InBytes
	default:
		return true
	}
	limit, unit := int64(q.LimitPackets), "packets"
	if inBytes {
		limit, unit = int64(q.LimitBytes), "bytes"
	}
	if limit == 0 || th < limit {
		return true
	}
	// At the threshold if written, else at the limit (a default
	// threshold, like RED's min_th of 5, above a small limit).
	// (A key is written once: mapping refuses a duplicate.)
	at := d.resolve(es[0].k)
	if e, ok := findKey(es, key); ok {
		at = d.resolve(e.v)
	} else if e, ok := findKey(es, "limit"); ok {
		at = d.resolve(e.v)
	}
	d.errNode(at, fmt.Sprintf("%s below the limit, or a larger limit", key),
		"%s.%s: %d %s is not below the queue's limit of %d %s: the queue never reaches it", path, key, th, unit, limit, unit)
	return false
}

// threshold decodes a queue threshold: a whole number of packets, or a
// size in bytes (inBytes).
func (d *decoder) threshold(n *yaml.Node, path string) (v int64, inBytes, ok bool) {
	if r := d.resolve(n); r.Kind == yaml.ScalarNode && r.Tag == "!!int" {
		v, ok := d.integer(r, path, 0, 1<<31-1)
		return v, false, ok
	}
	b, ok := d.size(n, path)
	return int64(b), true, ok
}

// number decodes a plain number in [lo, hi].
func (d *decoder) number(n *yaml.Node, path string, lo, hi float64) (float64, bool) {
	allowed := fmt.Sprintf("a number from %v to %v", lo, hi)
	s, ok := d.scalar(n, path, allowed)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if r := d.resolve(n); err != nil || (r.Tag != "!!float" && r.Tag != "!!int") {
		d.errNode(d.resolve(n), allowed, "%s: %q is not a number", path, s)
		return 0, false
	}
	if !(v >= lo && v <= hi) {
		d.errNode(d.resolve(n), allowed, "%s: %v is out of range", path, v)
		return 0, false
	}
	return v, true
}

// paramFunc decodes the value v of one queue parameter at path p into the
// discipline's field it was made for, and reports whether it was good.
type paramFunc func(v *yaml.Node, p string) bool

// into makes the paramFunc that decodes with dec into dst.
func into[T any](dst *T, dec func(*yaml.Node, string) (T, bool)) paramFunc {
	return func(v *yaml.Node, p string) bool {
		x, ok := dec(v, p)
		*dst = x
		return ok
	}
}

// numberIn is number over [lo, hi], in the form into takes.
func (d *decoder) numberIn(lo, hi float64) func(*yaml.Node, string) (float64, bool) {
	return func(n *yaml.Node, path string) (float64, bool) { return d.number(n, path, lo, hi) }
}

// queueParams decodes a discipline's parameters in the order written,
// each with the paramFunc of its key, and reports whether all were good.
// The mapping has already refused keys the discipline does not take.
func (d *decoder) queueParams(es []entry, path string, set map[string]paramFunc) bool {
	ok := true
	for _, e := range es {
		if f := set[e.key]; f != nil {
			ok = f(e.v, path+"."+e.key) && ok
		}
	}
	return ok
}

func decodeRED(d *decoder, es []entry, path string) (topology.QueueConfig, bool) {
	c := topology.DefaultRED()
	unitsSeen := map[bool]string{}
	threshold := func(key string, dst *int64) paramFunc {
		return func(v *yaml.Node, p string) bool {
			n, inBytes, good := d.threshold(v, p)
			*dst = n
			unitsSeen[inBytes] = key
			c.InBytes = inBytes
			return good
		}
	}
	ok := d.queueParams(es, path, map[string]paramFunc{
		"min_th": threshold("min_th", &c.MinTh),
		"max_th": threshold("max_th", &c.MaxTh),
		"p_max":  into(&c.MaxP, d.ratio),
		"weight": into(&c.Weight, d.numberIn(0, 1)),
		"gentle": into(&c.Gentle, d.boolean),
		"ecn":    into(&c.ECN, d.boolean),
	})
	if len(unitsSeen) > 1 {
		d.errNode(d.resolve(es[0].v), "min_th and max_th both in packets (5) or both in bytes (7500B)", "%s: min_th and max_th mix packets and bytes", path)
		return c, false
	}
	return c, ok
}

func decodeCoDel(d *decoder, es []entry, path string) (topology.QueueConfig, bool) {
	c := topology.DefaultCoDel()
	ok := d.queueParams(es, path, d.codelParams(&c.Target, &c.Interval, &c.ECN))
	return c, ok
}

func decodeFQCoDel(d *decoder, es []entry, path string) (topology.QueueConfig, bool) {
	c := topology.DefaultFQCoDel()
	set := d.codelParams(&c.Target, &c.Interval, &c.ECN)
	set["flows"] = func(v *yaml.Node, p string) bool {
		n, good := d.integer(v, p, 1, 65536)
		c.Flows = int(n)
		return good
	}
	set["quantum"] = into(&c.Quantum, d.positiveSize)
	ok := d.queueParams(es, path, set)
	return c, ok
}

// codelParams are CoDel's keys: RFC 8289's target and interval, and ECN
// marking in place of dropping. FQ-CoDel takes them too: it runs CoDel in
// each of its flow queues (RFC 8290).
func (d *decoder) codelParams(target, interval *time.Duration, ecn *bool) map[string]paramFunc {
	return map[string]paramFunc{
		"target":   into(target, d.positiveDuration),
		"interval": into(interval, d.positiveDuration),
		"ecn":      into(ecn, d.boolean),
	}
}

func decodePIE(d *decoder, es []entry, path string) (topology.QueueConfig, bool) {
	c := topology.DefaultPIE()
	ok := d.queueParams(es, path, map[string]paramFunc{
		"target":    into(&c.Target, d.positiveDuration),
		"tupdate":   into(&c.TUpdate, d.positiveDuration),
		"max_burst": into(&c.MaxBurst, d.duration),
		"alpha":     into(&c.Alpha, d.numberIn(0, 32)),
		"beta":      into(&c.Beta, d.numberIn(0, 32)),
		"ecn":       into(&c.ECN, d.boolean),
	})
	return c, ok
}

func decodeStep(d *decoder, es []entry, path string) (topology.QueueConfig, bool) {
	c := topology.Step{ECN: true}
	ok := d.queueParams(es, path, map[string]paramFunc{
		"threshold": func(v *yaml.Node, p string) bool {
			var good bool
			c.Threshold, c.InBytes, good = d.threshold(v, p)
			return good
		},
		"ecn": into(&c.ECN, d.boolean),
	})
	return c, ok
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
