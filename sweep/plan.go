package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/scenarios"
)

// Plan is a sweep expanded: every grid point with its scenario, and every
// run, in a fixed order (grid points as an odometer whose first parameter
// turns slowest, then seeds in file order).
type Plan struct {
	Sweep  *Sweep
	Points []Point
	Runs   []Run
}

// Point is one combination of parameter values.
type Point struct {
	// ID is derived from the parameters' paths and values only (sorted by
	// path), so reordering the grid or its values changes no ID.
	ID string
	// Values holds one value per Plan.Sweep.Params, in the same order.
	Values []Value
	// Scenario is the base scenario with Set and Values applied, as YAML.
	Scenario []byte
	// ScenarioSHA256 is the hex sha256 of Scenario: a run recorded against
	// other scenario text is not reused on resume.
	ScenarioSHA256 string
}

// Run is one simulation: a point and a seed.
type Run struct {
	// ID is derived from the point's parameters and the seed only.
	ID    string
	Point int // index in Plan.Points
	Seed  uint64
}

// Label returns "path=value, ..." for the point's parameters, in grid order.
func (p *Plan) Label(point int) string {
	params, values := make([]string, len(p.Sweep.Params)), make([]string, len(p.Sweep.Params))
	for i, prm := range p.Sweep.Params {
		params[i], values[i] = prm.Path.String(), p.Points[point].Values[i].Text
	}
	return joinLabel(params, values)
}

// joinLabel is a point's label: "param=value, ..." in grid order.
func joinLabel(params, values []string) string {
	parts := make([]string, len(params))
	for i := range params {
		parts[i] = params[i] + "=" + values[i]
	}
	return strings.Join(parts, ", ")
}

// PointFile is where a point's scenario is written in a sweep's output
// folder, relative to it; the replay command of a run names it.
func PointFile(pointID string) string { return "points/" + pointID + ".yaml" }

// Expand builds the plan of s: it applies the overrides of every grid point
// to the base scenario and validates the result with the scenarios package.
// Every invalid point is reported (a scenarios.ErrorList, positions in the
// sweep file) naming its parameters, and nothing should run.
func Expand(s *Sweep) (*Plan, error) {
	plan := &Plan{Sweep: s}
	var errs scenarios.ErrorList
	// A value the scenario rejects on its own is reported once, at its
	// position, rather than in every grid point that holds it.
	bad := map[[2]int]bool{}
	if len(s.Params) > 1 {
		for i, prm := range s.Params {
			one := *s
			one.Params = []Param{prm}
			for j, v := range prm.Values {
				if _, perr := buildPoint(&one, []Value{v}); perr != nil {
					perr.Pos = v.Pos
					errs = append(errs, perr)
					bad[[2]int{i, j}] = true
				}
			}
		}
	}
	idx := make([]int, len(s.Params))
	ids := map[string]string{}
	for {
		vals := make([]Value, len(s.Params))
		skip := false
		for i, prm := range s.Params {
			vals[i] = prm.Values[idx[i]]
			skip = skip || bad[[2]int{i, idx[i]}]
		}
		if skip {
			if !next(idx, s.Params) {
				break
			}
			continue
		}
		pt, perr := buildPoint(s, vals)
		if perr != nil {
			errs = append(errs, perr)
		} else {
			label := labelOf(s, vals)
			if other, dup := ids[pt.ID]; dup {
				errs = append(errs, &scenarios.Error{File: s.File, Msg: fmt.Sprintf("grid points %s and %s have the same ID %s", other, label, pt.ID)})
			}
			ids[pt.ID] = label
			plan.Points = append(plan.Points, pt)
		}
		if !next(idx, s.Params) {
			break
		}
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b *scenarios.Error) int {
			if a.Pos.Line != b.Pos.Line {
				return a.Pos.Line - b.Pos.Line
			}
			return a.Pos.Col - b.Pos.Col
		})
		return nil, errs
	}
	runIDs := map[string]bool{}
	for i, pt := range plan.Points {
		for _, seed := range s.Seeds {
			id := runID(canonical(s, pt.Values), seed)
			if runIDs[id] {
				return nil, scenarios.ErrorList{{File: s.File, Msg: fmt.Sprintf("two runs have the same ID %s", id)}}
			}
			runIDs[id] = true
			plan.Runs = append(plan.Runs, Run{ID: id, Point: i, Seed: seed})
		}
	}
	return plan, nil
}

// next advances the odometer idx; false when it wrapped around.
func next(idx []int, params []Param) bool {
	for i := len(idx) - 1; i >= 0; i-- {
		idx[i]++
		if idx[i] < len(params[i].Values) {
			return true
		}
		idx[i] = 0
	}
	return false
}

func labelOf(s *Sweep, vals []Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = s.Params[i].Path.String() + "=" + v.Text
	}
	return strings.Join(parts, ", ")
}

// canonical is the parameters as "path=value" lines sorted by path: the
// input of the IDs.
func canonical(s *Sweep, vals []Value) string {
	paths, texts := make([]string, len(vals)), make([]string, len(vals))
	for i, v := range vals {
		paths[i], texts[i] = s.Params[i].Path.String(), v.Text
	}
	return canonicalText(paths, texts)
}

func canonicalText(paths, texts []string) string {
	lines := make([]string, len(paths))
	for i := range paths {
		lines[i] = paths[i] + "=" + texts[i] + "\n"
	}
	slices.Sort(lines)
	return strings.Join(lines, "")
}

func shortHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func runID(canon string, seed uint64) string {
	return shortHash("netsim sweep run\n", canon, "seed=", strconv.FormatUint(seed, 10), "\n")
}

// buildPoint applies Set then the point's values to a fresh parse of the
// base scenario and validates it.
func buildPoint(s *Sweep, vals []Value) (Point, *scenarios.Error) {
	label := labelOf(s, vals)
	fail := func(at scenarios.Pos, format string, args ...any) (Point, *scenarios.Error) {
		msg := fmt.Sprintf(format, args...)
		if label != "" {
			msg = "grid point " + label + ": " + msg
		}
		return Point{}, &scenarios.Error{File: s.File, Pos: at, Msg: msg}
	}
	doc, err := scenarios.DecodeYAML(s.BasePath, s.Base)
	if err != nil {
		return fail(s.basePos, "base scenario: %v", err) // err names the file
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return fail(s.basePos, "base scenario %s is empty", s.BasePath)
	}
	root := doc.Content[0]
	for _, o := range s.Set {
		if err := o.Path.Apply(root, copyNode(o.Value.Node)); err != nil {
			return fail(o.Pos, "set %s: %v", o.Path, err)
		}
	}
	for i, v := range vals {
		if err := s.Params[i].Path.Apply(root, copyNode(v.Node)); err != nil {
			return fail(v.Pos, "%v", err)
		}
	}
	anchorFiles(root, filepath.Dir(s.BasePath))
	data, err := yaml.Marshal(&doc)
	if err != nil {
		return fail(scenarios.Pos{}, "cannot write the point's scenario: %v", err)
	}
	id := shortHash("netsim sweep point\n", canonical(s, vals))
	sc, err := scenarios.Parse(PointFile(id), data)
	if err != nil {
		// The first value's position points the reader at the grid; the
		// message names every value and what the scenario rejected.
		at := s.basePos
		if len(vals) > 0 {
			at = vals[len(vals)-1].Pos
		}
		return fail(at, "the scenario is invalid: %s", scenarioProblems(err))
	}
	// The files the scenario reads (a GML graph) decide the run as its
	// text does: their sha256 go into the text, as comments, so that a
	// resumed sweep does not reuse runs of a graph since edited.
	var head []byte
	for _, in := range sc.Inputs {
		head = fmt.Appendf(head, "# input %s sha256 %s\n", in.Path, in.SHA256)
	}
	data = append(head, data...)
	sum := sha256.Sum256(data)
	return Point{ID: id, Values: vals, Scenario: data, ScenarioSHA256: hex.EncodeToString(sum[:])}, nil
}

// scenarioProblems lists what the scenario loader rejected, without the
// positions: they are in the generated scenario, which the user never
// wrote and which is not written when the plan is invalid.
func scenarioProblems(err error) string {
	var list scenarios.ErrorList
	if !errors.As(err, &list) {
		return err.Error()
	}
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = e.Msg
		if e.Allowed != "" {
			parts[i] += " (" + e.Allowed + ")"
		}
	}
	return strings.Join(parts, "; ")
}

// anchorFiles makes the relative file of every gml generator in the
// scenario root absolute, resolved against dir, the base scenario's
// folder, where the scenario means it. A point's scenario is read as
// points/<id>.yaml, and a relative file was looked for under points/:
// a sweep over any scenario with a GML graph failed at every point with
// "five-pops.gml: no such file or directory".
func anchorFiles(root *yaml.Node, dir string) {
	if root.Kind != yaml.MappingNode {
		return
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		list := deref(root.Content[i+1])
		if root.Content[i].Value != "topology" || list.Kind != yaml.SequenceNode {
			continue
		}
		for _, gen := range list.Content {
			gen = deref(gen)
			if gen.Kind != yaml.MappingNode || !hasScalar(gen, "kind", "gml") {
				continue
			}
			for j := 0; j+1 < len(gen.Content); j += 2 {
				v := deref(gen.Content[j+1])
				if gen.Content[j].Value == "file" && v.Kind == yaml.ScalarNode && v.Value != "" && !filepath.IsAbs(v.Value) {
					// A new node: an alias's anchor may stand for
					// other values too.
					gen.Content[j+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: filepath.Join(dir, v.Value)}
				}
			}
		}
	}
}

// deref follows n's aliases to the node they stand for.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// hasScalar reports whether the mapping m has key set to the scalar value.
func hasScalar(m *yaml.Node, key, value string) bool {
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == key && m.Content[j+1].Kind == yaml.ScalarNode && m.Content[j+1].Value == value {
			return true
		}
	}
	return false
}

// copyNode deep-copies a YAML node, so that no two trees share one, and
// copies aliases as aliases: an alias to an anchor inside the value stays
// an alias (to the copy), and the first alias to an anchor outside it
// brings a copy of the anchored node (anchor included) that later aliases
// point to. The copy is never larger than what the sweep file spells out,
// however the aliases nest (an alias bomb stays as small as its text).
func copyNode(n *yaml.Node) *yaml.Node {
	return (&nodeCopier{memo: map[*yaml.Node]*yaml.Node{}}).copy(n)
}

type nodeCopier struct {
	memo map[*yaml.Node]*yaml.Node // anchored node -> its copy
}

func (c *nodeCopier) copy(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		t, ok := c.memo[n.Alias]
		if !ok {
			return c.copy(n.Alias)
		}
		a := *n
		a.Alias, a.Content = t, nil
		a.HeadComment, a.LineComment, a.FootComment = "", "", ""
		return &a
	}
	cp := &yaml.Node{}
	*cp = *n
	if n.Anchor != "" {
		c.memo[n] = cp
	}
	cp.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		cp.Content[i] = c.copy(ch)
	}
	cp.HeadComment, cp.LineComment, cp.FootComment = "", "", ""
	return cp
}
