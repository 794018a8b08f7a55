package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/internal/capped"
	"github.com/netsimlab/netsim/nodes"
)

// The top-level keys of a scenario, in the order the contract lists them.
var topKeys = []string{"version", "name", "description", "seed", "duration", "defaults",
	"hosts", "routers", "links", "topology", "routing", "apps", "faults", "expect", "outputs"}

// sections decode the top-level keys that hold a section of their own,
// each in its file; the scalar keys and defaults are decoded in place.
var sections = map[string]func(*decoder, *yaml.Node, *Scenario){
	"hosts": (*decoder).hosts, "routers": (*decoder).routers, "links": (*decoder).links,
	"topology": (*decoder).topology, "routing": (*decoder).routing, "apps": (*decoder).apps,
	"faults": (*decoder).faults, "expect": (*decoder).expects, "outputs": (*decoder).outputs,
}

var (
	namePattern     = regexp.MustCompile(`^[a-z0-9-]+$`)
	hostNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// Load reads and validates the scenario at path. On any problem it returns
// an ErrorList (errors.Is(err, ErrInvalid)) naming every problem found as
// FILE:LINE:COL; an unreadable file is reported the same way at 1:1.
func Load(path string) (*Scenario, error) {
	return LoadWith(path, nil)
}

// LoadWith is Load with overrides (netsim run --set) applied, in order,
// before the scenario is decoded: problems with their values are reported
// as the override's, not at a position in the file.
func LoadWith(path string, overrides []Override) (*Scenario, error) {
	data, err := capped.ReadFile(path, capped.MaxInput)
	var tooLarge *capped.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, ErrorList{{File: path, Msg: "the file is too large", Allowed: fmt.Sprintf("at most %d MiB", capped.MaxInput>>20)}}
	case err != nil:
		return nil, ErrorList{{File: path, Msg: "cannot read the scenario: " + unwrapPathErr(err), Allowed: "a readable YAML file"}}
	}
	return ParseWith(path, data, overrides)
}

func unwrapPathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse reads and validates a scenario from data; file names it in errors.
// It never panics, whatever data holds.
func Parse(file string, data []byte) (*Scenario, error) {
	return ParseWith(file, data, nil)
}

// ParseWith is Parse with overrides applied (see LoadWith).
func ParseWith(file string, data []byte, overrides []Override) (*Scenario, error) {
	d := newDecoder(file)
	root, ok := d.parseYAML(data)
	if ok {
		d.override(root, overrides)
	}
	if !ok {
		d.errs.sort()
		return nil, d.errs
	}
	s := &Scenario{File: file, Seed: DefaultSeed, pos: d.pos,
		Outputs: Outputs{PCAP: true, Trace: true, Format: "png"}}
	d.scenario(root, s)
	if !d.overflow {
		d.validate(s)
	}
	if len(d.errs) > 0 {
		d.errs = d.fold(d.errs, d.errPlaces, "")
		d.errs.sort()
		return nil, d.errs
	}
	links := linksByNode(s)
	d.warnings(s, links)
	d.pathWarnings(s, links)
	d.tableWarning(s, links)
	d.fastOpenWarnings(s)
	d.warns = d.fold(d.warns, d.warnPlaces, "warning: ")
	d.warns.sort()
	d.moreWarnings()
	s.Warnings = d.warns
	return s, nil
}

// yamlLine matches the line yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses data as exactly one YAML document whose root is a
// mapping, and reports what is wrong otherwise.
func (d *decoder) parseYAML(data []byte) (root *yaml.Node, ok bool) {
	if p, what, bad := badText(data); bad {
		d.errAt(p, "UTF-8 text", "%s: this is not a YAML text file", what)
		return nil, false
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := safeDecode(dec, &doc)
	if err == io.EOF {
		d.errAt(Pos{1, 1}, "a scenario needs at least version, name, duration and hosts", "the file is empty")
		return nil, false
	}
	if err != nil {
		d.syntaxErr(data, err)
		return nil, false
	}
	var extra yaml.Node
	switch err := safeDecode(dec, &extra); {
	case err == nil:
		d.errNode(&extra, "one scenario per file", "a second YAML document starts here")
		return nil, false
	case err != io.EOF:
		d.syntaxErr(data, err)
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		d.errAt(Pos{1, 1}, "a scenario needs at least version, name, duration and hosts", "the file is empty")
		return nil, false
	}
	root = doc.Content[0]
	if isNull(root) {
		d.errNode(root, "a scenario needs at least version, name, duration and hosts", "the file is empty")
		return nil, false
	}
	if root.Kind != yaml.MappingNode {
		d.errNode(root, "a mapping of keys like version: 1, name: ..., hosts: ...", "a scenario must be a mapping, got %s", describe(root))
		return nil, false
	}
	return root, true
}

// safeDecode runs the YAML parser, turning a panic inside it into an error:
// bad input must never crash netsim.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the parser failed: %v", r)
		}
	}()
	return dec.Decode(n)
}

// DecodeYAML parses data, the text of file, into its first YAML document
// as the scenario loader does, for the other files netsim reads (sweep
// files, drill settings): a syntax error comes back as SyntaxError makes
// it (FILE:LINE:COL), a panic inside the parser as an error, never a
// crash. An empty file gives a node without content and no error.
func DecodeYAML(file string, data []byte) (yaml.Node, error) {
	var doc yaml.Node
	switch err := safeDecode(yaml.NewDecoder(bytes.NewReader(data)), &doc); {
	case err == io.EOF:
		return yaml.Node{}, nil
	case err != nil:
		return yaml.Node{}, SyntaxError(file, data, err)
	}
	return doc, nil
}

// SyntaxError returns the error the scenario loader reports for err, a
// syntax error yaml.v3 found in data, the text of file: at its line and
// column (FILE:LINE:COL). Sweep files report theirs the same way.
func SyntaxError(file string, data []byte, err error) *Error {
	d := &decoder{file: file}
	d.syntaxErr(data, err)
	return d.errs[0]
}

// syntaxErr reports a yaml.v3 syntax error. yaml.v3 gives the line only;
// the column is that of the line's first non-blank character.
func (d *decoder) syntaxErr(data []byte, err error) {
	msg := err.Error()
	p := Pos{1, 1}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if parserError(m[2]) {
			// yaml.v3 prints 0-based lines for parser (not scanner) errors.
			line++
		}
		msg = m[2]
		if blockError(msg) {
			line = problemLine(data, line, msg)
		}
		p = Pos{Line: line, Col: firstCol(data, line)}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	if strings.Contains(msg, "tab character") {
		// Point at the tab itself: yaml.v3 names the line where the
		// enclosing value started.
		if tp, ok := firstIndentTab(data, p.Line); ok {
			p = tp
		}
	} else if strings.Contains(msg, "cannot start any token") {
		// A tab that starts a line is "a character that cannot start any
		// token" at that line: point at the tab, not past it.
		if tp, ok := firstIndentTab(data, p.Line); ok && tp.Line == p.Line {
			p = tp
		}
	}
	d.errAt(p, "valid YAML: key: value mappings and - lists, indented with spaces", "YAML syntax error: %s", msg)
}

// blockError reports whether msg is a block-structure error of yaml.v3,
// which names the line where the enclosing block starts (libyaml's
// context mark), not the offending line: a list item or key indented
// differently from its siblings some lines further down.
func blockError(msg string) bool {
	return msg == "did not find expected key" || msg == "did not find expected '-' indicator"
}

// maxProblemSearch is the largest file problemLine searches: each step
// parses a prefix of it again.
const maxProblemSearch = 1 << 20

// problemLine finds the offending line of a block-structure error that
// yaml.v3 reported at line from: the first n such that the file's first n
// lines give the same error. A prefix that ends at a line end closes every
// block, so it parses cleanly until it holds the offending line, and gives
// the error from then on; the search halves the range each step. Flow
// errors (an unclosed [ or {) keep the line where the bracket opened.
func problemLine(data []byte, from int, msg string) int {
	if len(data) > maxProblemSearch {
		return from
	}
	var ends []int // ends[i]: the offset after line i+1's newline
	for i, c := range data {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	same := func(n int) bool {
		var doc yaml.Node
		err := safeDecode(yaml.NewDecoder(bytes.NewReader(data[:ends[n-1]])), &doc)
		if err == nil || err == io.EOF {
			return false
		}
		m := yamlLine.FindStringSubmatch(err.Error())
		return m != nil && m[2] == msg
	}
	lo, hi := from, len(ends) // the answer is in [lo, hi]
	if lo < 1 || lo > hi || !same(hi) {
		return from
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if same(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// firstIndentTab finds the first tab in the indentation of a line at or
// after line.
func firstIndentTab(data []byte, line int) (Pos, bool) {
	for i, l := range bytes.Split(data, []byte("\n")) {
		if i+1 < line {
			continue
		}
		for j, c := range l {
			if c == '\t' {
				return Pos{Line: i + 1, Col: j + 1}, true
			}
			if c != ' ' {
				break
			}
		}
	}
	return Pos{}, false
}

// parserError reports whether msg is one of yaml.v3's parser errors (as
// opposed to its scanner errors), whose line it prints 0-based.
func parserError(msg string) bool {
	for _, p := range []string{"did not find expected", "found undefined tag handle", "found duplicate %", "found incompatible YAML document"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// firstCol returns the column of the first non-blank character of line.
func firstCol(data []byte, line int) int {
	for i := 1; i < line; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return 1
		}
		data = data[j+1:]
	}
	col := 1
	for _, c := range data {
		if c != ' ' && c != '\t' {
			break
		}
		col++
	}
	return col
}

// badText finds the first byte that cannot be in a YAML text file (invalid
// UTF-8, a NUL or another control character) and says where it is.
func badText(data []byte) (Pos, string, bool) {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return Pos{line, col}, fmt.Sprintf("byte 0x%02x is not UTF-8", data[i]), true
		case r == '\n':
			line, col = line+1, 1
			i += size
			continue
		case r < 0x20 && r != '\t' && r != '\r', r == 0x7f:
			return Pos{line, col}, fmt.Sprintf("control character 0x%02x", r), true
		}
		i += size
		col++
	}
	return Pos{}, "", false
}

// scenario decodes the root mapping into s.
func (d *decoder) scenario(root *yaml.Node, s *Scenario) {
	es := d.mapping(root, "", nil)
	// A sweep file given to netsim run or validate gets one error that
	// says what it is, not one per sweep key and missing scenario key.
	if base, ok := findKey(es, "base"); ok && (hasKey(es, "grid") || hasKey(es, "seeds")) &&
		!hasKey(es, "hosts") && !hasKey(es, "topology") && !hasKey(es, "duration") {
		d.errNode(base.k, "run it with netsim sweep; a scenario has version, name, duration and hosts",
			"a sweep file (base, grid, seeds), not a scenario")
		return
	}
	// Top-level keys that start with "x-" are ignored, as in Compose
	// files: a place for anchors (&template) that others merge.
	known := es[:0]
	for _, e := range es {
		if strings.HasPrefix(e.key, "x-") || d.known(e.k, e.key, "", topKeys) {
			if !strings.HasPrefix(e.key, "x-") {
				known = append(known, e)
			}
		}
	}
	es = known
	if hasKey(es, "topology") {
		// A generator makes hosts: the hosts section may be left out.
		d.require(root, "", es, "version", "name", "duration")
	} else {
		d.require(root, "", es, "version", "name", "duration", "hosts")
	}
	// Sections are decoded in the contract's order whatever the file's
	// order; the errors are sorted by position anyway.
	byKey := make(map[string]entry, len(es))
	for _, e := range es {
		byKey[e.key] = e
	}
	for _, key := range topKeys {
		e, ok := byKey[key]
		if !ok {
			continue
		}
		d.pos.set(key, posOf(e.k))
		switch key {
		case "version":
			// The only allowed value is the format's version: every
			// error says so, not a range of numbers.
			if v, ok := d.wholeNumber(e.v, "version", "version: 1"); ok {
				if v != FormatVersion {
					d.errNode(d.resolve(e.v), "version: 1", "version: %d is not supported", v)
				} else {
					s.Version = FormatVersion
				}
			}
		case "name":
			if v, ok := d.str(e.v, "name", "lower-case letters, digits and -"); ok {
				if !namePattern.MatchString(v) || len(v) > 64 {
					d.errNode(d.resolve(e.v), "lower-case letters, digits and -, at most 64", "name: %q is not a valid scenario name", v)
				}
				s.Name = v
			}
		case "description":
			keep(&s.Description)(d.str(e.v, "description", "text"))
		case "seed":
			keep(&s.Seed)(d.unsigned(e.v, "seed"))
		case "duration":
			keep(&s.Duration)(d.positiveDuration(e.v, "duration"))
		case "defaults":
			for _, de := range d.mapping(e.v, "defaults", []string{"tcp"}) {
				s.Defaults.TCP = d.tcp(de.v, "defaults.tcp")
			}
		default:
			sections[key](d, e.v, s)
		}
	}
	d.expandGroups(s)
	for i := range s.Hosts {
		s.Hosts[i].Effective = s.Hosts[i].TCP.Over(s.Defaults.TCP)
	}
}

// pcap decodes outputs.pcap: true, false, or a list of the hosts and
// routers (or groups) whose interfaces are captured. An empty list
// captures nothing. The names are checked in validate.
func (d *decoder) pcap(n *yaml.Node, s *Scenario) {
	const path = "outputs.pcap"
	if r := d.resolve(n); r.Kind != yaml.SequenceNode {
		if v, ok := d.boolean(n, path); ok {
			s.Outputs.PCAP, s.Outputs.PCAPNodes = v, nil
		}
		return
	}
	names := []string{}
	for i, item := range d.sequence(n, path, "") {
		p := fmt.Sprintf("%s[%d]", path, i)
		v, ok := d.str(item, p, "a host, router or group name")
		if !ok {
			continue
		}
		if slices.Contains(names, v) {
			d.errNode(d.resolve(item), "each node once", "%s: %q is listed twice", p, v)
			continue
		}
		names = append(names, v)
	}
	s.Outputs.PCAP, s.Outputs.PCAPNodes = len(names) > 0, names
}

// outputs decodes the outputs section.
func (d *decoder) outputs(n *yaml.Node, s *Scenario) {
	for _, e := range d.mapping(n, "outputs", []string{"pcap", "snaplen", "trace", "plots", "format", "flows"}) {
		path := "outputs." + e.key
		switch e.key {
		case "pcap":
			d.pcap(e.v, s)
		case "snaplen":
			if v, ok := d.boundedSize(e.v, path, 1, nodes.MaxSnapLen); ok {
				s.Outputs.SnapLen = int(v)
			}
		case "trace":
			keep(&s.Outputs.Trace)(d.boolean(e.v, path))
		case "flows":
			keep(&s.Outputs.Flows)(d.boolean(e.v, path))
		case "format":
			keep(&s.Outputs.Format)(d.oneOf(e.v, path, PlotFormats))
		case "plots":
			kinds := make([]string, len(PlotKinds))
			for i, k := range PlotKinds {
				kinds[i] = string(k)
			}
			for i, item := range d.sequence(e.v, path, "a list of plot kinds: "+strings.Join(kinds, ", ")) {
				p := fmt.Sprintf("%s[%d]", path, i)
				v, ok := d.oneOf(item, p, kinds)
				if !ok {
					continue
				}
				if slices.Contains(s.Outputs.Plots, PlotKind(v)) {
					d.errNode(d.resolve(item), "each plot once", "%s: plot %q is listed twice", p, v)
					continue
				}
				s.Outputs.Plots = append(s.Outputs.Plots, PlotKind(v))
			}
		}
	}
}
