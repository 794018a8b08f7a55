package scenarios

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrPath is wrapped by every error about a path into a scenario (a sweep
// parameter, a sweep's set, netsim run --set): one that does not parse, or
// that does not address anything in the scenario.
var ErrPath = errors.New("bad path")

// Path addresses a node of a scenario's YAML tree: keys separated by dots,
// and a list element selected by its name or index in brackets, as in
// links[bottleneck].queue.limit, links[0].loss or hosts.client.tcp.mss (or
// by the key after the list's: links.bottleneck.bandwidth). Sweeps and
// netsim run --set share it.
type Path struct {
	text  string
	steps []step
}

// step is one key, with an optional list selector after it.
type step struct {
	key    string
	sel    string // the text in brackets; "" when there are none
	hasSel bool
}

var (
	keyPattern = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*|[0-9]+)$`)
	selPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// ParsePath parses a parameter path.
func ParsePath(s string) (Path, error) {
	if s == "" {
		return Path{}, fmt.Errorf("%w: the path is empty", ErrPath)
	}
	p := Path{text: s}
	for part := range strings.SplitSeq(s, ".") {
		st := step{key: part}
		if open := strings.IndexByte(part, '['); open >= 0 {
			if !strings.HasSuffix(part, "]") {
				return Path{}, fmt.Errorf("%w: %q: %q has no closing ]", ErrPath, s, part)
			}
			st.key, st.sel, st.hasSel = part[:open], part[open+1:len(part)-1], true
			if !selPattern.MatchString(st.sel) {
				return Path{}, fmt.Errorf("%w: %q: [%s] is not a list index or element name", ErrPath, s, st.sel)
			}
		}
		if !keyPattern.MatchString(st.key) {
			return Path{}, fmt.Errorf("%w: %q: %q is not a key (like links[uplink].loss or hosts.client.tcp.mss)", ErrPath, s, part)
		}
		p.steps = append(p.steps, st)
	}
	return p, nil
}

// String returns the path as written.
func (p Path) String() string { return p.text }

// Apply sets the node p addresses in the document root (a mapping) to v.
// Missing mapping keys are created (a host without a tcp block gets one),
// at v's position, so that a problem with a key the path adds (a
// misspelt setting) is reported where v is (an override names itself);
// list elements are never created: a selector must match an element. A
// key that lands on a list takes the next key as its selector, so that
// links.bottleneck.bandwidth is links[bottleneck].bandwidth.
func (p Path) Apply(root, v *yaml.Node) error {
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%w: %s: the scenario is not a mapping", ErrPath, p.text)
	}
	cur := root
	for i := 0; i < len(p.steps); i++ {
		st := p.steps[i]
		at := mapIndex(cur, st.key)
		where := p.prefix(i)
		if at < 0 {
			if st.hasSel {
				return fmt.Errorf("%w: the scenario has no %s list", ErrPath, where)
			}
			child := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: v.Line, Column: v.Column}
			if i == len(p.steps)-1 {
				child = v
			}
			cur.Content = append(cur.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: st.key, Line: v.Line, Column: v.Column}, child)
			cur = child
			continue
		}
		if !st.hasSel && (i == len(p.steps)-1 || cur.Content[at].Kind != yaml.SequenceNode) {
			if i == len(p.steps)-1 {
				cur.Content[at] = v
				return nil
			}
			child := cur.Content[at]
			if isNullNode(child) {
				child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: child.Line, Column: child.Column}
				cur.Content[at] = child
			}
			if child.Kind != yaml.MappingNode {
				return fmt.Errorf("%w: %s is not a mapping", ErrPath, where)
			}
			cur = child
			continue
		}
		sel := st.sel
		if !st.hasSel {
			// links.bottleneck: the next key selects the element.
			i++
			if p.steps[i].hasSel {
				return fmt.Errorf("%w: %s is a list: write %s[%s]", ErrPath, where, where, p.steps[i].key)
			}
			sel = p.steps[i].key
		}
		list := cur.Content[at]
		if list.Kind != yaml.SequenceNode {
			return fmt.Errorf("%w: %s is not a list", ErrPath, where)
		}
		el, err := selectElement(list, sel)
		if err != nil {
			return fmt.Errorf("%w: %s[%s]: %w", ErrPath, where, sel, err)
		}
		if i == len(p.steps)-1 {
			list.Content[el] = v
			return nil
		}
		child := list.Content[el]
		if child.Kind != yaml.MappingNode {
			return fmt.Errorf("%w: %s[%s] is not a mapping", ErrPath, where, sel)
		}
		cur = child
	}
	return nil
}

// prefix is the path up to and including step i's key (without its selector).
func (p Path) prefix(i int) string {
	var b strings.Builder
	for j, st := range p.steps[:i+1] {
		if j > 0 {
			b.WriteByte('.')
		}
		b.WriteString(st.key)
		if st.hasSel && j < i {
			b.WriteString("[" + st.sel + "]")
		}
	}
	return b.String()
}

// selectElement finds the element of list that sel names: an index, an
// element whose name is sel, or (for links, whose name defaults to
// "<a>-<b>") an unnamed element whose between is [a, b].
func selectElement(list *yaml.Node, sel string) (int, error) {
	if n, err := strconv.Atoi(sel); err == nil {
		if n < 0 || n >= len(list.Content) {
			switch k := len(list.Content); k {
			case 0:
				return 0, fmt.Errorf("index %d is out of range (the list is empty)", n)
			case 1:
				return 0, fmt.Errorf("index %d is out of range (the list has 1 element: 0)", n)
			default:
				return 0, fmt.Errorf("index %d is out of range (the list has %d elements: 0 to %d)", n, k, k-1)
			}
		}
		return n, nil
	}
	var names []string
	for i, el := range list.Content {
		name := elementName(el)
		if name == sel {
			return i, nil
		}
		if name != "" {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return 0, fmt.Errorf("no element is named %q (the elements have no names; use an index)", sel)
	}
	return 0, fmt.Errorf("no element is named %q (names: %s)", sel, strings.Join(names, ", "))
}

// elementName is an element's name key, or "<a>-<b>" from its between.
func elementName(el *yaml.Node) string {
	if el.Kind != yaml.MappingNode {
		return ""
	}
	if at := mapIndex(el, "name"); at >= 0 && el.Content[at].Kind == yaml.ScalarNode {
		return el.Content[at].Value
	}
	if at := mapIndex(el, "between"); at >= 0 {
		b := el.Content[at]
		if b.Kind == yaml.SequenceNode && len(b.Content) == 2 && b.Content[0].Kind == yaml.ScalarNode && b.Content[1].Kind == yaml.ScalarNode {
			return b.Content[0].Value + "-" + b.Content[1].Value
		}
	}
	return ""
}

// mapIndex returns the index in m.Content of the value under key, or -1.
func mapIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return i + 1
		}
	}
	return -1
}

func isNullNode(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "" && n.Style == 0)
}
