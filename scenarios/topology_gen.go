package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/internal/capped"
)

// Generators: a topology entry adds hosts, routers and links to the
// scenario, beside those written out, named after its prefix.
const (
	GenFatTree  = "fat-tree"
	GenDumbbell = "dumbbell"
	GenGML      = "gml"
)

// genKinds lists the generators.
var genKinds = []string{GenFatTree, GenDumbbell, GenGML}

// genPrefix is each generator's name prefix when none is written.
var genPrefix = map[string]string{GenFatTree: "ft", GenDumbbell: "db", GenGML: "gml"}

// genKeys lists each generator's keys; link properties (bandwidth, delay,
// queue, ...) are allowed where noted.
var genKeys = map[string][]string{
	GenFatTree:  append([]string{"kind", "k", "prefix"}, linkProps...),
	GenDumbbell: {"kind", "pairs", "prefix", "access", "bottleneck"},
	GenGML:      append([]string{"kind", "file", "prefix", "hosts"}, linkProps...),
}

// maxGMLFile is the most a gml generator reads of its file: the limit of
// every file netsim reads (a variable so that a test can lower it).
var maxGMLFile int64 = capped.MaxInput

// Limits of the generators: they make at most MaxGroupCount hosts.
const (
	maxFatTreeK = 72 // k³/4 = 93,312 hosts
	maxGMLNodes = 10000
)

// topology decodes the topology section: a list of generators, expanded
// in order.
func (d *decoder) topology(n *yaml.Node, s *Scenario) {
	// owner says where each host and router name was made: a generator
	// whose node is already named is refused as a whole.
	owner := make(map[string]string, len(s.Hosts)+len(s.Routers))
	for _, h := range s.Hosts {
		owner[h.Name] = fmt.Sprintf("a host (line %d)", d.pos.at("hosts."+h.Name).Line)
	}
	for _, r := range s.Routers {
		if _, ok := owner[r.Name]; !ok {
			owner[r.Name] = fmt.Sprintf("a router (line %d)", d.pos.at("routers."+r.Name).Line)
		}
	}
	for _, g := range s.Groups {
		owner[g.Name] = fmt.Sprintf("a host group (line %d)", d.pos.at("hosts."+g.Name).Line)
	}
	items := d.sequence(n, "topology", "a list of generators, each - kind: fat-tree, dumbbell or gml")
	if r := d.resolve(n); len(items) == 0 && (isNull(r) || r.Kind == yaml.SequenceNode) {
		d.errNode(r, "a list of generators, like - {kind: fat-tree, k: 4, bandwidth: 1Gbps}", "topology: no generators")
	}
	for i, item := range items {
		before := d.found
		prefix := d.generator(i, item, s, owner)
		switch {
		case d.found == before:
		case prefix != "":
			d.failedPrefixes = append(d.failedPrefixes, prefix)
		default:
			// Its kind is misspelt or missing and no prefix is written:
			// the names it was meant to make start with the default
			// prefix of whichever kind was meant, and reporting each as
			// unknown would bury the one error that matters.
			for _, k := range genKinds {
				d.failedPrefixes = append(d.failedPrefixes, genPrefix[k])
			}
		}
	}
	if _, written := d.pos.lookup("hosts"); !written && len(items) > 0 && len(s.Hosts) == 0 && len(d.errs) == 0 {
		d.errNode(d.resolve(n), "a generator that makes hosts (gml hosts: 1 or more), or a hosts section", "topology: makes no hosts")
	}
}

// generator decodes and expands topology item i, and returns its name
// prefix ("" when it is not known).
func (d *decoder) generator(i int, item *yaml.Node, s *Scenario, owner map[string]string) string {
	path, r := d.listItem("topology", i, item)
	if isNull(r) {
		d.errNode(r, "a mapping like {kind: fat-tree, k: 4, bandwidth: 1Gbps}", "%s: empty generator", path)
		return ""
	}
	es := d.mapping(r, path, nil)
	if r.Kind != yaml.MappingNode {
		return ""
	}
	written := ""
	if e, ok := findKey(es, "prefix"); ok {
		written = d.resolve(e.v).Value
	}
	kind := ""
	if e, ok := findKey(es, "kind"); ok {
		kind, _ = d.oneOf(e.v, path+".kind", genKinds)
	} else {
		d.errNode(r, "kind: one of "+strings.Join(genKinds, ", "), "%s: missing required key %q", path, "kind")
	}
	if kind == "" {
		return written
	}
	var props []entry
	for _, e := range es {
		switch {
		case !contains(genKeys[kind], e.key):
			d.errNode(e.k, "allowed keys: "+strings.Join(genKeys[kind], ", "), "%s: unknown key %q for a %s generator", path, e.key, kind)
		case contains(linkProps, e.key):
			props = append(props, e)
		}
	}
	prefix := genPrefix[kind]
	if e, ok := findKey(es, "prefix"); ok {
		if v, ok := d.str(e.v, path+".prefix", "a lower-case letter, then lower-case letters, digits and -"); ok {
			if !hostNamePattern.MatchString(v) || len(v) > 32 {
				d.errNode(d.resolve(e.v), "a lower-case letter, then lower-case letters, digits and -, at most 32", "%s.prefix: %q is not a valid name prefix", path, v)
				return v
			}
			prefix = v
		}
	}
	g := &generated{d: d, s: s, at: r, path: path}
	switch kind {
	case GenFatTree:
		g.fatTree(es, props, prefix)
	case GenDumbbell:
		g.dumbbell(es, prefix)
	case GenGML:
		g.gml(es, props, prefix)
	}
	g.commit(owner)
	return prefix
}

// fromFailedGenerator reports whether name has the prefix of a generator
// that had errors, or is a member (<group>-<i>) of a group whose count
// was refused, or a link of such a member (<group>-<i>-...): its nodes
// and links may not exist, and saying so for every app and fault that
// names them would bury the error that matters.
func (d *decoder) fromFailedGenerator(name string) bool {
	for _, p := range d.failedPrefixes {
		if strings.HasPrefix(name, p+"-") {
			return true
		}
	}
	for _, g := range d.failedGroups {
		if rest, ok := strings.CutPrefix(name, g+"-"); ok && memberIndexThen(rest) {
			return true
		}
	}
	return false
}

// memberIndexThen reports whether s starts with a member's index, a
// whole number, that ends s or is followed by "-".
func memberIndexThen(s string) bool { return memberIndexLen(s) > 0 }

// memberIndexLen returns the length of the member's index s starts with
// (see memberIndexThen), 0 when it starts with none.
func memberIndexLen(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n < len(s) && s[n] != '-' {
		return 0
	}
	return n
}

// generated adds one generator's nodes and links to the scenario: they
// are collected, then committed together once none of the node names is
// taken.
type generated struct {
	d       *decoder
	s       *Scenario
	at      *yaml.Node // the generator, where its nodes' positions point
	path    string
	hosts   []Host
	routers []Router
	links   []Link
	// from says where in another file a link came from ("five.gml:12:3"
	// for a GML edge), by its index in links, so that a problem with it
	// points there too.
	from map[int]string
}

func (g *generated) host(name string) { g.hosts = append(g.hosts, Host{Name: name}) }

func (g *generated) router(name string) { g.routers = append(g.routers, Router{Name: name}) }

func (g *generated) link(tmpl Link, a, b string) {
	l := tmpl
	l.A, l.B, l.Name = a, b, a+"-"+b
	g.links = append(g.links, l)
}

// commit adds what the generator made to the scenario, or, when one of
// its hosts or routers has the name of a node already there (written in
// hosts or routers, or made by an earlier generator), reports the first
// such name once and adds nothing: the same prefix twice would otherwise
// give an error per clashing link, and none about the nodes.
func (g *generated) commit(owner map[string]string) {
	type made struct{ name, kind string }
	nodes := make([]made, 0, len(g.hosts)+len(g.routers))
	for _, h := range g.hosts {
		nodes = append(nodes, made{h.Name, "host"})
	}
	for _, r := range g.routers {
		nodes = append(nodes, made{r.Name, "router"})
	}
	clashes, first := 0, made{}
	mine := make(map[string]string, len(nodes))
	for _, m := range nodes {
		_, taken := owner[m.name]
		if kind, twice := mine[m.name]; twice && !taken {
			// A GML node labelled "x h1" beside one labelled "x":
			// router gml-x-h1 and x's host gml-x-h1.
			g.d.errNode(g.at, "GML labels whose names differ from the other nodes' hosts (<label>-h<i>)",
				"%s: makes %q both as a %s and as a %s", g.path, m.name, kind, m.kind)
			return
		}
		mine[m.name] = m.kind
		if taken {
			if clashes == 0 {
				first = m
			}
			clashes++
		}
	}
	if clashes > 0 {
		more := ""
		if clashes > 1 {
			more = fmt.Sprintf(" (and %d more)", clashes-1)
		}
		g.d.errNode(g.at, "prefix: a prefix no other host or router name starts with",
			"%s: makes the %s %q, which is already %s%s", g.path, first.kind, first.name, owner[first.name], more)
		return
	}
	for _, m := range nodes {
		owner[m.name] = fmt.Sprintf("a %s of %s (line %d)", m.kind, g.path, g.at.Line)
	}
	for _, h := range g.hosts {
		g.d.pos.set("hosts."+h.Name, posOf(g.at))
	}
	for _, r := range g.routers {
		g.d.pos.set("routers."+r.Name, posOf(g.at))
	}
	if g.d.genLinks == nil {
		g.d.genLinks = make(map[int]string)
	}
	for j, l := range g.links {
		g.d.pos.set(fmt.Sprintf("links[%d]", len(g.s.Links)), posOf(g.at))
		label := fmt.Sprintf("%s link %q", g.path, l.Name)
		if at, ok := g.from[j]; ok {
			// Before the name, which a key may follow (".queue.limit").
			label = fmt.Sprintf("%s edge %s, link %q", g.path, at, l.Name)
		}
		g.d.genLinks[len(g.s.Links)] = label
		g.s.Links = append(g.s.Links, l)
	}
	g.s.Hosts = append(g.s.Hosts, g.hosts...)
	g.s.Routers = append(g.s.Routers, g.routers...)
}

// template decodes the link properties props (entries of the generator,
// or of its mapping at path) as a link would be, so that a generated link
// has exactly the defaults and checks of a written one; errors name path.
func (g *generated) template(at *yaml.Node, path string, props []entry) (Link, bool) {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: at.Line, Column: at.Column}
	str := func(v string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: at.Line, Column: at.Column}
	}
	m.Content = append(m.Content, str("between"),
		&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: at.Line, Column: at.Column, Content: []*yaml.Node{str("a"), str("b")}})
	for _, e := range props {
		m.Content = append(m.Content, e.k, e.v)
	}
	sub := newDecoder(g.d.file)
	tmp := &Scenario{}
	sub.links(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{m}}, tmp)
	for _, e := range sub.errs {
		g.d.errAt(e.Pos, strings.ReplaceAll(e.Allowed, "links[0]", path), "%s", strings.ReplaceAll(e.Msg, "links[0]", path))
	}
	for _, w := range sub.warns {
		g.d.warnAt(w.Pos, strings.ReplaceAll(w.Allowed, "links[0]", path), "%s", strings.TrimPrefix(strings.ReplaceAll(w.Msg, "links[0]", path), "warning: "))
	}
	if len(sub.errs) > 0 || len(tmp.Links) != 1 {
		return Link{}, false
	}
	return tmp.Links[0], true
}

// fatTree is the k-ary fat-tree of Al-Fares et al. (SIGCOMM 2008): k pods
// of k/2 edge and k/2 aggregation switches, (k/2)² core switches, k/2
// hosts per edge switch (k³/4 hosts), every link alike. Names:
// <p>-core-<i>, <p>-agg-<pod>-<i>, <p>-edge-<pod>-<i>, hosts <p>-h<i>,
// all from 1.
func (g *generated) fatTree(es []entry, props []entry, p string) {
	e, ok := findKey(es, "k")
	if !ok {
		g.d.errNode(g.at, "k: an even number from 2 to 72", "%s: missing required key %q", g.path, "k")
		return
	}
	v, ok := g.d.integer(e.v, g.path+".k", 2, maxFatTreeK)
	if !ok {
		return
	}
	if v%2 != 0 {
		g.d.errNode(g.d.resolve(e.v), "an even number from 2 to 72", "%s.k: %d is odd: a fat-tree has k/2 switches per layer in a pod", g.path, v)
		return
	}
	tmpl, ok := g.template(g.at, g.path, props)
	if !ok {
		return
	}
	k, half := int(v), int(v)/2
	for c := range half * half {
		g.router(fmt.Sprintf("%s-core-%d", p, c+1))
	}
	host := 0
	for pod := 1; pod <= k; pod++ {
		for a := 1; a <= half; a++ {
			agg := fmt.Sprintf("%s-agg-%d-%d", p, pod, a)
			g.router(agg)
			for c := 1; c <= half; c++ {
				g.link(tmpl, agg, fmt.Sprintf("%s-core-%d", p, (a-1)*half+c))
			}
		}
		for e := 1; e <= half; e++ {
			edge := fmt.Sprintf("%s-edge-%d-%d", p, pod, e)
			g.router(edge)
			for a := 1; a <= half; a++ {
				g.link(tmpl, edge, fmt.Sprintf("%s-agg-%d-%d", p, pod, a))
			}
			for range half {
				host++
				name := fmt.Sprintf("%s-h%d", p, host)
				g.host(name)
				g.link(tmpl, name, edge)
			}
		}
	}
}

// dumbbell is pairs senders <p>-left-<i> and receivers <p>-right-<i> on
// routers <p>-rl and <p>-rr, joined by the bottleneck <p>-bottleneck (side
// 0 at <p>-rl, facing the senders); access links as access says.
func (g *generated) dumbbell(es []entry, p string) {
	e, ok := findKey(es, "pairs")
	if !ok {
		g.d.errNode(g.at, "pairs: a number of sender-receiver pairs", "%s: missing required key %q", g.path, "pairs")
		return
	}
	v, ok := g.d.integer(e.v, g.path+".pairs", 1, MaxGroupCount/2)
	if !ok {
		return
	}
	links := map[string]Link{}
	for _, part := range []string{"access", "bottleneck"} {
		pe, ok := findKey(es, part)
		if !ok {
			g.d.errNode(g.at, part+": link properties, like {bandwidth: 1Gbps, delay: 1ms}", "%s: missing required key %q", g.path, part)
			return
		}
		props := g.d.mapping(pe.v, g.path+"."+part, linkProps)
		if r := g.d.resolve(pe.v); r.Kind != yaml.MappingNode && !isNull(r) {
			return // mapping said so; no "missing bandwidth" on top
		}
		l, ok := g.template(g.d.resolve(pe.v), g.path+"."+part, props)
		if !ok {
			return
		}
		links[part] = l
	}
	rl, rr := p+"-rl", p+"-rr"
	for i := 1; i <= int(v); i++ {
		g.host(fmt.Sprintf("%s-left-%d", p, i))
	}
	for i := 1; i <= int(v); i++ {
		g.host(fmt.Sprintf("%s-right-%d", p, i))
	}
	g.router(rl)
	g.router(rr)
	for i := 1; i <= int(v); i++ {
		g.link(links["access"], fmt.Sprintf("%s-left-%d", p, i), rl)
	}
	bn := links["bottleneck"]
	g.link(bn, rl, rr)
	g.links[len(g.links)-1].Name = p + "-bottleneck"
	for i := 1; i <= int(v); i++ {
		g.link(links["access"], rr, fmt.Sprintf("%s-right-%d", p, i))
	}
}

// gml reads a Topology Zoo or Shadow GML graph: every node a router
// <p>-<label> (its label made a name, or its id), with hosts (default 1)
// hosts <p>-<label>-h<i> on access links; every edge a link. An edge's
// bandwidth is its LinkSpeedRaw (bit/s, Topology Zoo) or bandwidth, its
// delay its latency (Shadow, "10 ms") or delay; what an edge does not say
// comes from the generator's link properties, which also make the access
// links. The file is relative to the scenario's folder.
func (g *generated) gml(es []entry, props []entry, p string) {
	fe, ok := findKey(es, "file")
	if !ok {
		g.d.errNode(g.at, "file: a GML file, relative to the scenario", "%s: missing required key %q", g.path, "file")
		return
	}
	name, ok := g.d.str(fe.v, g.path+".file", "a GML file, relative to the scenario")
	if !ok {
		return
	}
	if strings.TrimSpace(name) == "" {
		// Joined to the scenario's folder, "" named the folder: the
		// user read "topology[0].file: : is a directory".
		g.d.errNode(g.d.resolve(fe.v), "a GML file, relative to the scenario", "%s.file: no file name", g.path)
		return
	}
	perNode := 1
	if he, ok := findKey(es, "hosts"); ok {
		v, ok := g.d.integer(he.v, g.path+".hosts", 0, 1000)
		if !ok {
			return
		}
		perNode = int(v)
	}
	tmpl, ok := g.template(g.at, g.path, props)
	if !ok {
		return
	}
	at := g.d.resolve(fe.v)
	file := name
	if !filepath.IsAbs(file) {
		file = filepath.Join(filepath.Dir(g.d.file), file)
	}
	// Held to the limit of every file netsim reads: file: /dev/zero
	// used to read until the process ran out of memory.
	data, err := capped.ReadFile(file, maxGMLFile)
	var tooLarge *capped.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		g.d.errNode(at, fmt.Sprintf("a GML file of at most %d MiB", capped.MaxInput>>20), "%s.file: %s: the file is too large", g.path, name)
		return
	case err != nil:
		g.d.errNode(at, "a GML file, relative to the scenario's folder "+filepath.Dir(g.d.file), "%s.file: %s: %s", g.path, name, unwrapPathErr(err))
		return
	}
	sum := sha256.Sum256(data)
	g.s.Inputs = append(g.s.Inputs, InputFile{Path: name, SHA256: hex.EncodeToString(sum[:])})
	graph, err := parseGML(data)
	if err != nil {
		g.d.errNode(at, "a GML file: graph [ node [ id 0 label \"a\" ] edge [ source 0 target 1 ] ]", "%s.file: %s:%v", g.path, name, err)
		return
	}
	if len(graph.nodes) > maxGMLNodes || len(graph.nodes)*perNode > MaxGroupCount {
		g.d.errNode(at, "a smaller graph", "%s.file: %s: %d nodes is more than netsim runs", g.path, name, len(graph.nodes))
		return
	}
	routerOf := make(map[string]string, len(graph.nodes))
	taken := map[string]bool{}
	for _, n := range graph.nodes {
		if _, dup := routerOf[n.id]; dup {
			g.d.errNode(at, "a GML file whose node ids are unique", "%s.file: %s:%v: node id %s twice", g.path, name, n.at, n.id)
			return
		}
		// The label, unless it has no usable character, is another
		// node's, or makes too long a name; then n<id>.
		base := gmlName(n.label)
		if base == "" || taken[base] || len(p)+1+len(base) > maxGMLName {
			base = gmlName("n" + n.id)
		}
		r := p + "-" + base
		if taken[base] || len(r) > maxGMLName {
			g.d.errNode(at, "labels, or else ids, that make distinct names",
				"%s.file: %s:%v: node %q: no usable name: its label and %s make a name that is taken or longer than %d characters", g.path, name, n.at, n.id, base, maxGMLName)
			return
		}
		taken[base] = true
		routerOf[n.id] = r
		g.router(r)
		for i := 1; i <= perNode; i++ {
			h := fmt.Sprintf("%s-h%d", r, i)
			g.host(h)
			g.link(tmpl, h, r)
		}
	}
	// Every edge's own name, <a>-<b>, first: a parallel edge's suffix
	// must not make the name of another pair's edge (a parallel a-b
	// named "gml-a-gml-b-2" beside an edge from a to a node labelled
	// "b 2" made two links of one name, and refused a valid file).
	taken = make(map[string]bool, len(graph.edges))
	for _, e := range graph.edges {
		a, okA := routerOf[e.source]
		b, okB := routerOf[e.target]
		if !okA || !okB {
			g.d.errNode(at, "edges between two nodes of the graph", "%s.file: %s:%v: edge %s-%s joins no two nodes", g.path, name, e.at, e.source, e.target)
			return
		}
		if a != b {
			taken[a+"-"+b] = true
		}
	}
	names := map[string]int{}
	for _, e := range graph.edges {
		a, b := routerOf[e.source], routerOf[e.target]
		if a == b {
			// A self-loop: Shadow's graphs give one per node, the
			// latency between two hosts placed on it. Hosts here each
			// have an access link to their node's router, so there is
			// nothing to make.
			continue
		}
		l := tmpl
		if e.bandwidth > 0 {
			l.Bandwidth = e.bandwidth
		}
		if e.delay >= 0 {
			l.Delay = e.delay
		}
		switch {
		case e.loss > 0:
			l.Loss = Loss{Model: LossBernoulli, P: e.loss}
		case e.loss == 0: // given as 0: no loss, whatever the generator's
			l.Loss = Loss{}
		}
		g.link(l, a, b)
		if g.from == nil {
			g.from = make(map[int]string)
		}
		g.from[len(g.links)-1] = fmt.Sprintf("%s:%v", name, e.at)
		// Parallel edges get their own names: the next number whose
		// name no edge has.
		last := &g.links[len(g.links)-1]
		base := last.Name
		if c := names[base]; c > 0 {
			for c++; taken[base+"-"+strconv.Itoa(c)]; c++ {
			}
			names[base] = c
			last.Name = base + "-" + strconv.Itoa(c)
			taken[last.Name] = true
		} else {
			names[base] = 1
		}
	}
}

// maxGMLName is the longest router name a GML node makes, prefix
// included, so that its hosts' names (<router>-h1000) stay valid.
const maxGMLName = 60

// gmlName makes a GML label a name: lower case, runs of other characters
// than letters and digits become one '-'.
func gmlName(label string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(label) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	s := b.String()
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return ""
	}
	return s
}
