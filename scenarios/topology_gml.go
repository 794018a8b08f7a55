package scenarios

import (
	"errors"
	"fmt"
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
	line      int
}

type gmlEdge struct {
	source, target string
	bandwidth      units.BitRate // 0: not given
	delay          time.Duration // -1: not given
	line           int
}

// gmlValue is a number or string (text) or a list (kids).
type gmlValue struct {
	text   string
	list   []gmlPair
	isList bool
}

type gmlPair struct {
	key  string
	val  gmlValue
	line int
}

// maxGMLDepth bounds nested lists.
const maxGMLDepth = 32

// gmlParser reads GML: key value pairs, a value a number, a "string" or
// a [ list ]; # starts a comment line.
type gmlParser struct {
	data []byte
	i    int
	line int
}

// parseGML returns the graph of data; an error says LINE: what.
func parseGML(data []byte) (*gmlGraph, error) {
	p := &gmlParser{data: data, line: 1}
	top, err := p.list(0, false)
	if err != nil {
		return nil, err
	}
	var graph *gmlPair
	for i := range top {
		if top[i].key == "graph" && top[i].val.isList {
			graph = &top[i]
			break
		}
	}
	if graph == nil {
		return nil, fmt.Errorf("%d: no graph [ ... ]", p.line)
	}
	g := &gmlGraph{}
	for _, kv := range graph.val.list {
		switch {
		case kv.key == "node" && kv.val.isList:
			n := gmlNode{line: kv.line}
			for _, a := range kv.val.list {
				switch a.key {
				case "id":
					n.id = a.val.text
				case "label":
					n.label = a.val.text
				}
			}
			if n.id == "" {
				return nil, fmt.Errorf("%d: node without id", kv.line)
			}
			g.nodes = append(g.nodes, n)
		case kv.key == "edge" && kv.val.isList:
			e := gmlEdge{line: kv.line, delay: -1}
			for _, a := range kv.val.list {
				switch a.key {
				case "source":
					e.source = a.val.text
				case "target":
					e.target = a.val.text
				case "LinkSpeedRaw":
					v, err := strconv.ParseFloat(a.val.text, 64)
					if err != nil || v <= 0 || v > 1e15 {
						return nil, fmt.Errorf("%d: LinkSpeedRaw %q is not a rate in bit/s", a.line, a.val.text)
					}
					e.bandwidth = units.BitRate(v)
				case "bandwidth":
					v, err := units.ParseBitRate(a.val.text)
					if err != nil {
						return nil, fmt.Errorf("%d: bandwidth %q: %w", a.line, a.val.text, err)
					}
					e.bandwidth = v
				case "latency", "delay":
					v, err := units.ParseDuration(a.val.text)
					if err != nil || v < 0 {
						return nil, fmt.Errorf("%d: %s %q is not a duration like \"10 ms\"", a.line, a.key, a.val.text)
					}
					e.delay = v
				}
			}
			if e.source == "" || e.target == "" {
				return nil, fmt.Errorf("%d: edge without source or target", kv.line)
			}
			g.edges = append(g.edges, e)
		}
	}
	if len(g.nodes) == 0 {
		return nil, fmt.Errorf("%d: a graph without nodes", graph.line)
	}
	return g, nil
}

var errGMLEnd = errors.New("unexpected end of file")

// list reads pairs up to ']' (inner) or the end of the data.
func (p *gmlParser) list(depth int, inner bool) ([]gmlPair, error) {
	if depth > maxGMLDepth {
		return nil, fmt.Errorf("%d: lists nested too deep", p.line)
	}
	var out []gmlPair
	for {
		tok, line, err := p.token()
		if err == errGMLEnd {
			if inner {
				return nil, fmt.Errorf("%d: %w: a [ is not closed", p.line, err)
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if tok == "]" {
			if !inner {
				return nil, fmt.Errorf("%d: ] without [", line)
			}
			return out, nil
		}
		if !isGMLKey(tok) {
			return nil, fmt.Errorf("%d: %q is not a key", line, tok)
		}
		val, vline, err := p.token()
		if err != nil {
			if err == errGMLEnd {
				return nil, fmt.Errorf("%d: key %s has no value", line, tok)
			}
			return nil, err
		}
		pair := gmlPair{key: tok, line: line}
		switch {
		case val == "[":
			kids, err := p.list(depth+1, true)
			if err != nil {
				return nil, err
			}
			pair.val = gmlValue{list: kids, isList: true}
		case val == "]":
			return nil, fmt.Errorf("%d: key %s has no value", vline, tok)
		case strings.HasPrefix(val, "\""):
			pair.val = gmlValue{text: val[1 : len(val)-1]}
		default:
			if _, err := strconv.ParseFloat(val, 64); err != nil {
				return nil, fmt.Errorf("%d: value %q of %s is not a number, a \"string\" or a [ list ]", vline, val, tok)
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
func (p *gmlParser) token() (string, int, error) {
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '\n':
			p.line++
			p.i++
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
	return "", p.line, errGMLEnd
found:
	start, line := p.i, p.line
	switch c := p.data[p.i]; {
	case c == '[' || c == ']':
		p.i++
		return string(c), line, nil
	case c == '"':
		p.i++
		for p.i < len(p.data) && p.data[p.i] != '"' {
			if p.data[p.i] == '\n' {
				p.line++
			}
			p.i++
		}
		if p.i >= len(p.data) {
			return "", line, fmt.Errorf("%d: a string is not closed", line)
		}
		p.i++
		return string(p.data[start:p.i]), line, nil
	}
	for p.i < len(p.data) && !strings.ContainsRune(" \t\r\n[]\"", rune(p.data[p.i])) {
		p.i++
	}
	return string(p.data[start:p.i]), line, nil
}
