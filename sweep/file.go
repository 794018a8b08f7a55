package sweep

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/internal/capped"
	"github.com/netsimlab/netsim/scenarios"
)

// Sweep is a parsed sweep file: what to vary, over which seeds, and what to
// measure.
type Sweep struct {
	File        string // the sweep file's path, as given
	Name        string // names the default output folder
	Description string
	// BasePath is the base scenario's path, resolved against the sweep
	// file's folder; Base is its text (Load reads it).
	BasePath string
	Base     []byte
	basePos  scenarios.Pos
	// Set are overrides applied to every run, in file order, before the
	// grid's.
	Set []Override
	// Params is the grid, in file order: the first varies slowest.
	Params []Param
	// Seeds in file order, without duplicates.
	Seeds []uint64
	// Metrics in canonical order (Metrics lists it).
	Metrics []string
}

// Param is one axis of the grid.
type Param struct {
	Path   scenarios.Path
	Values []Value
	Pos    scenarios.Pos
}

// Override is a fixed path and value applied to every run.
type Override struct {
	Path  scenarios.Path
	Value Value
	Pos   scenarios.Pos
}

// Value is one value of a parameter: the YAML node written in the sweep
// file and its text, which names it in IDs, CSV columns and messages.
type Value struct {
	Text string
	Node *yaml.Node
	Pos  scenarios.Pos
}

// Metric names a sweep file may list.
const (
	MetricGoodput     = "goodput"
	MetricCompletion  = "completion_time"
	MetricRetransmits = "retransmits"
	MetricQueuePeak   = "queue_peak"
	MetricFairness    = "fairness"
	// MetricGoodputSum is the goodput of all flows together.
	MetricGoodputSum = "goodput_sum"
	// MetricRTT and MetricRTTP99 are the mean and 99th percentile of the
	// run's RTT samples.
	MetricRTT    = "rtt"
	MetricRTTP99 = "rtt_p99"
	// MetricDelayP99, MetricJitter and MetricLoss are per-flow
	// statistics (summary.json's flows).
	MetricDelayP99 = "delay_p99"
	MetricJitter   = "jitter"
	MetricLoss     = "loss"
)

// Metrics lists the metric names in the order their columns appear.
var Metrics = []string{MetricGoodput, MetricGoodputSum, MetricCompletion, MetricRetransmits, MetricQueuePeak, MetricFairness, MetricRTT, MetricRTTP99, MetricDelayP99, MetricJitter, MetricLoss}

// DefaultMetrics are the metrics of a sweep file that lists none.
var DefaultMetrics = []string{MetricGoodput, MetricCompletion, MetricRetransmits, MetricQueuePeak, MetricFairness}

// MaxRuns bounds a sweep's grid × seeds: far above a cluster's week, far
// below a typo like seeds: 1..1000000000.
const MaxRuns = 1_000_000

var (
	sweepKeys   = []string{"version", "name", "description", "base", "set", "grid", "seeds", "metrics"}
	namePattern = regexp.MustCompile(`^[a-z0-9-]+$`)
	seedRange   = regexp.MustCompile(`^\s*(\d+)\s*\.\.\s*(\d+)\s*$`)
)

// Load reads and checks the sweep file at path and the base scenario it
// names. Errors are a scenarios.ErrorList (FILE:LINE:COL each).
func Load(path string) (*Sweep, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, scenarios.ErrorList{{File: path, Msg: "cannot read the sweep file: " + err.Error(), Allowed: "a readable YAML file"}}
	}
	s, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	base, err := readLimited(s.BasePath)
	if err != nil {
		return nil, scenarios.ErrorList{{File: path, Pos: s.basePos, Msg: "cannot read the base scenario: " + err.Error(), Allowed: "a scenario file, relative to the sweep file's folder"}}
	}
	if _, err := scenarios.DecodeYAML(s.BasePath, base); err != nil {
		// A syntax error is the base's own, at its line and column, once:
		// not once per grid point, each of which parses the base again.
		return nil, scenarios.ErrorList{err.(*scenarios.Error)}
	}
	s.Base = base
	return s, nil
}

func readLimited(path string) ([]byte, error) { return capped.ReadFile(path, maxInputBytes) }

// Caps on the files a sweep reads, like the scenarios' 64 MiB: a wrong
// path (/dev/zero, a huge file) is an error, not an out-of-memory.
const (
	maxInputBytes  = capped.MaxInput // sweep files, base scenarios, sweep.json, results.csv, aggregate.csv
	maxRecordBytes = 1 << 20         // one run's record in runs/
)

// Parse checks a sweep file's text; file names it in errors and anchors the
// base path. Base is left nil: Load reads it.
func Parse(file string, data []byte) (*Sweep, error) {
	p := &parser{file: file}
	s := p.parse(data)
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return s, nil
}

type parser struct {
	file string
	errs scenarios.ErrorList
}

func (p *parser) errAt(n *yaml.Node, allowed, format string, args ...any) {
	p.errs = append(p.errs, &scenarios.Error{File: p.file, Pos: pos(n), Msg: fmt.Sprintf(format, args...), Allowed: allowed})
}

func pos(n *yaml.Node) scenarios.Pos {
	if n == nil {
		return scenarios.Pos{}
	}
	return scenarios.Pos{Line: n.Line, Col: n.Column}
}

// scenarioKey returns the first key of root that only a scenario has
// (duration, hosts, links, topology) when root has no base, else nil.
func scenarioKey(root *yaml.Node) *yaml.Node {
	var first *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch k := root.Content[i]; k.Value {
		case "base":
			return nil
		case "duration", "hosts", "links", "topology":
			if first == nil {
				first = k
			}
		}
	}
	return first
}

func (p *parser) parse(data []byte) (s *Sweep) {
	s = &Sweep{File: p.file}
	doc, err := scenarios.DecodeYAML(p.file, data)
	if err != nil {
		// A syntax error, at its line and column as in a scenario.
		p.errs = append(p.errs, err.(*scenarios.Error))
		return s
	}
	if len(doc.Content) == 0 {
		p.errs = append(p.errs, &scenarios.Error{File: p.file, Msg: "the file is empty", Allowed: "YAML"})
		return s
	}
	if doc.Kind != yaml.DocumentNode || doc.Content[0].Kind != yaml.MappingNode {
		p.errs = append(p.errs, &scenarios.Error{File: p.file, Msg: "a sweep file must be a mapping",
			Allowed: "keys " + strings.Join(sweepKeys, ", ")})
		return s
	}
	root := doc.Content[0]
	// A scenario given to netsim sweep gets one error that says what it
	// is, not one per scenario key and missing sweep key.
	if k := scenarioKey(root); k != nil {
		p.errAt(k, "run it with netsim run, or name it as the base of a sweep file: version, base, grid, seeds",
			"a scenario, not a sweep file")
		return s
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			p.errAt(k, "each key once", "%s is given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "version":
			if v.Kind != yaml.ScalarNode || v.Value != "1" {
				p.errAt(v, "1", "version %q is not supported", v.Value)
			}
		case "name":
			if v.Kind != yaml.ScalarNode || !namePattern.MatchString(v.Value) {
				p.errAt(v, "[a-z0-9-]+", "name %q is not a valid name", v.Value)
			}
			s.Name = v.Value
		case "description":
			s.Description = v.Value
		case "base":
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				p.errAt(v, "the path of a scenario file, relative to the sweep file", "base must be a path")
				continue
			}
			s.BasePath = v.Value
			if !filepath.IsAbs(v.Value) {
				s.BasePath = filepath.Join(filepath.Dir(p.file), v.Value)
			}
			s.basePos = pos(v)
		case "set":
			p.set(s, v)
		case "grid":
			p.grid(s, v)
		case "seeds":
			s.Seeds = p.seeds(v)
		case "metrics":
			s.Metrics = p.metrics(v)
		default:
			p.errAt(k, "keys "+strings.Join(sweepKeys, ", "), "unknown key %q", k.Value)
		}
	}
	for _, req := range []string{"version", "base", "seeds"} {
		if !seen[req] {
			p.errAt(root, "a sweep needs version, base and seeds", "%s is missing", req)
		}
	}
	if s.Name == "" {
		s.Name = defaultName(p.file)
	}
	if !seen["metrics"] {
		s.Metrics = slices.Clone(DefaultMetrics)
	}
	if len(p.errs) == 0 {
		total := len(s.Seeds)
		for _, prm := range s.Params {
			total *= len(prm.Values)
			if total > MaxRuns {
				break
			}
		}
		if total > MaxRuns {
			p.errAt(root, fmt.Sprintf("at most %d runs", MaxRuns), "the grid and seeds make more than %d runs", MaxRuns)
		}
	}
	return s
}

// defaultName derives a name from the sweep file's name: loss-vs-cc.yaml
// gives loss-vs-cc.
func defaultName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "sweep"
	}
	return b.String()
}

func (p *parser) path(k *yaml.Node) (scenarios.Path, bool) {
	if k.Kind != yaml.ScalarNode {
		p.errAt(k, "a path like links[uplink].loss", "a parameter must be named by a path")
		return scenarios.Path{}, false
	}
	path, err := scenarios.ParsePath(k.Value)
	if err != nil {
		p.errAt(k, "keys separated by dots, a list element by [name] or [index], like links[uplink].loss", "%v", err)
		return scenarios.Path{}, false
	}
	return path, true
}

func (p *parser) set(s *Sweep, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		p.errAt(v, "a mapping of path: value", "set must be a mapping")
		return
	}
	p.eachPath(v, "set: %s is given twice", func(k *yaml.Node, path scenarios.Path, val *yaml.Node) {
		if !p.small(val, path) {
			return
		}
		s.Set = append(s.Set, Override{Path: path, Value: Value{Text: valueText(val), Node: val, Pos: pos(val)}, Pos: pos(k)})
	})
}

// eachPath calls fn with each key of the mapping v that parses as a path,
// the path and its value, in file order. A key that is not a path, or a
// path given again (reported with the format twice), is passed over.
func (p *parser) eachPath(v *yaml.Node, twice string, fn func(k *yaml.Node, path scenarios.Path, val *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k := v.Content[i]
		path, ok := p.path(k)
		if !ok {
			continue
		}
		if seen[path.String()] {
			p.errAt(k, "each path once", twice, path)
			continue
		}
		seen[path.String()] = true
		fn(k, path, v.Content[i+1])
	}
}

func (p *parser) grid(s *Sweep, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		p.errAt(v, "a mapping of path: [values]", "grid must be a mapping")
		return
	}
	p.eachPath(v, "%s is in the grid twice", func(k *yaml.Node, path scenarios.Path, vals *yaml.Node) {
		if vals.Kind != yaml.SequenceNode || len(vals.Content) == 0 {
			p.errAt(vals, "a non-empty list of values, like [0%, 1%, 2%]", "%s: the values must be a list", path)
			return
		}
		prm := Param{Path: path, Pos: pos(k)}
		texts := map[string]bool{}
		for _, el := range vals.Content {
			if !p.small(el, path) {
				continue
			}
			t := valueText(el)
			if texts[t] {
				p.errAt(el, "each value once", "%s: value %s is listed twice", path, t)
				continue
			}
			texts[t] = true
			prm.Values = append(prm.Values, Value{Text: t, Node: el, Pos: pos(el)})
		}
		s.Params = append(s.Params, prm)
	})
}

// MaxValueNodes caps the size of one value of set: or grid:, counted as
// if its YAML aliases were expanded: a value is copied into the scenario
// of every grid point, and the scenario loader reads it expanded.
const MaxValueNodes = 100_000

// small reports whether the value n, its aliases expanded, has at most
// MaxValueNodes nodes, and reports it when not (an alias bomb: a few lines
// whose aliases expand to billions of nodes).
func (p *parser) small(n *yaml.Node, path scenarios.Path) bool {
	if expandedSize(n, map[*yaml.Node]int{}, 0) <= MaxValueNodes {
		return true
	}
	p.errAt(n, fmt.Sprintf("a value of at most %d YAML nodes, aliases expanded", MaxValueNodes),
		"%s: the value is too large once its aliases are expanded", path)
	return false
}

// expandedSize counts the nodes of n with aliases expanded, memoized per
// node and saturating just above MaxValueNodes, so that it takes time in
// the size of the text, not of the expansion.
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int, depth int) int {
	if n == nil {
		return 0
	}
	if v, ok := memo[n]; ok {
		return v
	}
	if depth > 1000 { // an alias cycle, or absurd nesting
		return MaxValueNodes + 1
	}
	size := 1
	if n.Kind == yaml.AliasNode {
		size = expandedSize(n.Alias, memo, depth+1)
	}
	for _, ch := range n.Content {
		size = min(size+expandedSize(ch, memo, depth+1), MaxValueNodes+1)
	}
	memo[n] = size
	return size
}

// valueText is the text that names a value: a scalar as written, anything
// else as one line of flow-style YAML.
func valueText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	c := *n
	c.Style = yaml.FlowStyle
	out, err := yaml.Marshal(&c)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return strings.TrimSpace(string(out))
}

// seeds reads "1..30", a whole number, or a list of both.
func (p *parser) seeds(v *yaml.Node) []uint64 {
	const allowed = "a range like 1..30, a whole number, or a list of them"
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	var out []uint64
	seen := map[uint64]bool{}
	add := func(n *yaml.Node, x uint64) {
		if seen[x] {
			p.errAt(n, "each seed once", "seed %d is listed twice", x)
			return
		}
		seen[x] = true
		out = append(out, x)
	}
	for _, n := range items {
		if n.Kind != yaml.ScalarNode {
			p.errAt(n, allowed, "seeds: not a seed or a range")
			continue
		}
		if m := seedRange.FindStringSubmatch(n.Value); m != nil {
			a, errA := strconv.ParseUint(m[1], 10, 64)
			b, errB := strconv.ParseUint(m[2], 10, 64)
			if errA != nil || errB != nil || a > b || b-a >= MaxRuns {
				p.errAt(n, allowed+fmt.Sprintf(", first <= last, at most %d seeds", MaxRuns), "seeds %q is not a usable range", n.Value)
				continue
			}
			for x := a; ; x++ {
				add(n, x)
				if x == b {
					break
				}
			}
			continue
		}
		x, err := strconv.ParseUint(n.Value, 0, 64)
		if err != nil {
			p.errAt(n, allowed, "seed %q is not a whole number from 0 to 2^64-1", n.Value)
			continue
		}
		add(n, x)
	}
	if len(out) == 0 && v.Kind == yaml.SequenceNode {
		p.errAt(v, allowed, "seeds: the list is empty")
	}
	return out
}

func (p *parser) metrics(v *yaml.Node) []string {
	allowed := strings.Join(Metrics, ", ")
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		p.errAt(v, allowed, "metrics must be a non-empty list")
		return nil
	}
	want := map[string]bool{}
	for _, n := range v.Content {
		if n.Kind != yaml.ScalarNode || !slices.Contains(Metrics, n.Value) {
			p.errAt(n, allowed, "unknown metric %q", n.Value)
			continue
		}
		want[n.Value] = true
	}
	var out []string
	for _, m := range Metrics {
		if want[m] {
			out = append(out, m)
		}
	}
	return out
}
