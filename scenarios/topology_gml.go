package scenarios

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/netsimlab/netsim/units"
)

// gmlGraph is what netsim takes from a GML graph (Himsolt's Graph
// Modelling Language, as the Internet Topology Zoo and Shadow write it).
type gmlGraph struct {
	nodes []gmlNode
	edges []gmlEdge
}

type gmlNode struct {
	id, label string
	at        gmlPos
}

type gmlEdge struct {
	source, target string
	bandwidth      units.BitRate // 0: not given
	delay          time.Duration // -1: not given
	loss           units.Ratio   // Shadow's packet_loss; -1: not given
	at             gmlPos
}

// gmlValue is a number or string (text) or a list (kids).
type gmlValue struct {
	text   string
	list   []gmlPair
	isList bool
}

type gmlPair struct {
	key string
	val gmlValue
	at  gmlPos
}

// gmlPos is a place in a GML file, printed LINE:COL (columns count
// bytes from 1).
type gmlPos struct{ line, col int }

func (p gmlPos) String() string { return strconv.Itoa(p.line) + ":" + strconv.Itoa(p.col) }

// maxGMLDepth bounds nested lists.
const maxGMLDepth = 32

// gmlParser reads GML: key value pairs, a value a number, a "string" or
// a [ list ]; # starts a comment line.
type gmlParser struct {
	data      []byte
	i         int
	line      int
	lineStart int // index of the current line's first byte
}

// pos is where the parser is now.
func (p *gmlParser) pos() gmlPos { return gmlPos{p.line, p.i - p.lineStart + 1} }

// parseGML returns the graph of data; an error says LINE: what.
func parseGML(data []byte) (*gmlGraph, error) {
	p := &gmlParser{data: data, line: 1}
	top, err := p.list(0, false, gmlPos{})
	if err != nil {
		return nil, err
	}
	var graph *gmlPair
	for i := range top {
		if top[i].key == "graph" && top[i].val.isList {
			if graph != nil {
				// NetworkX's read_gml refuses this too: which graph was
				// meant is anyone's guess, and taking the first ran a
				// network the user may not have looked at.
				return nil, fmt.Errorf("%v: a second graph [ ... ], after the one at %v (one graph per file)", top[i].at, graph.at)
			}
			graph = &top[i]
		}
	}
	if graph == nil {
		return nil, fmt.Errorf("%v: no graph [ ... ]", p.pos())
	}
	g := &gmlGraph{}
	for _, kv := range graph.val.list {
		switch {
		case kv.key == "node" && kv.val.isList:
			n := gmlNode{at: kv.at}
			for _, a := range kv.val.list {
				switch a.key {
				case "id":
					n.id = a.val.text
				case "label":
					n.label = a.val.text
				}
			}
			if n.id == "" {
				return nil, fmt.Errorf("%v: node without id", kv.at)
			}
			g.nodes = append(g.nodes, n)
		case kv.key == "edge" && kv.val.isList:
			e := gmlEdge{at: kv.at, delay: -1, loss: -1}
			for _, a := range kv.val.list {
				switch a.key {
				case "source":
					e.source = a.val.text
				case "target":
					e.target = a.val.text
				case "LinkSpeedRaw":
					v, err := strconv.ParseFloat(a.val.text, 64)
					// (Not v <= 0: NaN passed that, and a rate below
					// 1 bit/s became 0, which means "not given".)
					if err != nil || !(v >= 1 && v <= 1e15) {
						return nil, fmt.Errorf("%v: LinkSpeedRaw %q is not a rate in bit/s", a.at, a.val.text)
					}
					e.bandwidth = units.BitRate(math.Round(v))
				case "bandwidth":
					v, err := units.ParseBitRate(a.val.text)
					if err != nil {
						return nil, fmt.Errorf("%v: bandwidth %q: %w", a.at, a.val.text, err)
					}
					if v <= 0 {
						return nil, fmt.Errorf("%v: bandwidth %q is not a rate above 0", a.at, a.val.text)
					}
					e.bandwidth = v
				case "latency", "delay":
					v, err := units.ParseDuration(a.val.text)
					if err != nil || v < 0 {
						return nil, fmt.Errorf("%v: %s %q is not a duration like \"10 ms\"", a.at, a.key, a.val.text)
					}
					e.delay = v
				case "packet_loss":
					v, err := strconv.ParseFloat(a.val.text, 64)
					if err != nil || !(v >= 0 && v <= 1) {
						return nil, fmt.Errorf("%v: packet_loss %q is not a fraction from 0 to 1", a.at, a.val.text)
					}
					e.loss = units.Ratio(v)
				}
			}
			if e.source == "" || e.target == "" {
				return nil, fmt.Errorf("%v: edge without source or target", kv.at)
			}
			g.edges = append(g.edges, e)
		}
	}
	if len(g.nodes) == 0 {
		return nil, fmt.Errorf("%v: a graph without nodes", graph.at)
	}
	return g, nil
}

var errGMLEnd = errors.New("unexpected end of file")

// list reads pairs up to ']' (inner, the '[' being at open) or the end
// of the data.
func (p *gmlParser) list(depth int, inner bool, open gmlPos) ([]gmlPair, error) {
	if depth > maxGMLDepth {
		return nil, fmt.Errorf("%v: lists nested too deep", p.pos())
	}
	var out []gmlPair
	for {
		tok, at, err := p.token()
		if err == errGMLEnd {
			if inner {
				return nil, fmt.Errorf("%v: %w: the [ at %v is not closed", p.pos(), err, open)
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if tok == "]" {
			if !inner {
				return nil, fmt.Errorf("%v: ] without [", at)
			}
			return out, nil
		}
		if !isGMLKey(tok) {
			return nil, fmt.Errorf("%v: %q is not a key", at, tok)
		}
		val, vat, err := p.token()
		if err != nil {
			if err == errGMLEnd {
				return nil, fmt.Errorf("%v: key %s has no value", at, tok)
			}
			return nil, err
		}
		pair := gmlPair{key: tok, at: at}
		switch {
		case val == "[":
			kids, err := p.list(depth+1, true, vat)
			if err != nil {
				return nil, err
			}
			pair.val = gmlValue{list: kids, isList: true}
		case val == "]":
			return nil, fmt.Errorf("%v: key %s has no value", vat, tok)
		case strings.HasPrefix(val, "\""):
			pair.val = gmlValue{text: val[1 : len(val)-1]}
		default:
			if _, err := strconv.ParseFloat(val, 64); err != nil {
				return nil, fmt.Errorf("%v: value %q of %s is not a number, a \"string\" or a [ list ]", vat, val, tok)
			}
			pair.val = gmlValue{text: val}
		}
		out = append(out, pair)
	}
}

func isGMLKey(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z' || s[0] == '_') {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// token returns the next token: [, ], a "string" (quotes kept) or a word.
func (p *gmlParser) token() (string, gmlPos, error) {
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '\n':
			p.line++
			p.i++
			p.lineStart = p.i
		case c == ' ' || c == '\t' || c == '\r':
			p.i++
		case c == '#':
			for p.i < len(p.data) && p.data[p.i] != '\n' {
				p.i++
			}
		default:
			goto found
		}
	}
	return "", p.pos(), errGMLEnd
found:
	start, at := p.i, p.pos()
	switch c := p.data[p.i]; {
	case c == '[' || c == ']':
		p.i++
		return string(c), at, nil
	case c == '"':
		p.i++
		for p.i < len(p.data) && p.data[p.i] != '"' {
			if p.data[p.i] == '\n' {
				p.line++
				p.lineStart = p.i + 1
			}
			p.i++
		}
		if p.i >= len(p.data) {
			return "", at, fmt.Errorf("%v: a string is not closed", at)
		}
		p.i++
		return string(p.data[start:p.i]), at, nil
	}
	for p.i < len(p.data) && !strings.ContainsRune(" \t\r\n[]\"", rune(p.data[p.i])) {
		p.i++
	}
	return string(p.data[start:p.i]), at, nil
}
