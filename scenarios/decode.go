package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/units"
)

// What the errors say is allowed, for each kind of value.
const (
	allowDuration = "a duration like 250us, 5ms or 1.5s"
	allowRate     = "a rate like 100Mbps: bps, kbps, Mbps or Gbps"
	allowSize     = "a size like 1500, 64KiB or 10MB: B, KB, MB, GB, KiB, MiB, GiB"
	allowRatio    = "a ratio from 0% to 100%, like 1% or 0.01"
	allowBool     = "true or false"
	allowMapping  = "a mapping of key: value"
	allowSequence = "a list"
)

// Limits that keep hostile input from using unbounded time or memory.
const (
	maxErrors    = 100     // problems reported before giving up
	nodeBudget   = 5000000 // YAML nodes visited, counting alias expansions
	maxAliasHops = 64
)

// decoder walks a yaml.v3 node tree, collecting every problem with its
// position instead of stopping at the first.
type decoder struct {
	file  string
	errs  ErrorList
	warns ErrorList
	// warnPlaces counts the warnings of each place and rule (warnAt).
	warnPlaces map[warnPlace]int
	// warnsLeft counts the warnings past maxErrors, the first at
	// warnsLeftAt (moreWarnings).
	warnsLeft   int
	warnsLeftAt Pos
	// warnsCut holds the places some of whose first warnsPerPlace
	// warnings were left out past maxErrors: fold writes no line for
	// their other warnings, which moreWarnings counts instead.
	warnsCut map[warnPlace]bool
	pos      *positions
	budget   int
	overflow bool
	null     yaml.Node
	// mergeDepth counts the merge keys being expanded.
	mergeDepth int
	// overrides are the --set values applied to the tree; the nodes of
	// override k carry line -(k+1), so that errors name the override.
	overrides []Override
	// genLinks names the links generators made, by their index before
	// groups are expanded (see label).
	genLinks map[int]string
	// groupLinks says, for the name of a link written with a group at
	// one end, the names its members' links took ("up-1 ... up-3").
	groupLinks map[string]string
	// failedPrefixes are the name prefixes of generators that had errors.
	failedPrefixes []string
	// failedGroups are the host groups whose count was refused: they
	// made no members.
	failedGroups []string
	// hostNames, nodeNames (hosts and routers) and linkNames are the
	// names "did you mean" looks among, listed once by validate, and
	// suggested what it answered for each name (the members of a group
	// ask about the same one).
	hostNames, nodeNames, linkNames []string
	suggested                       map[string]string
	// errPlaces counts the errors of each place and rule (errAt), and
	// found every problem errAt was given, written out or not.
	errPlaces map[warnPlace]int
	found     int
}

// label names item i of section "apps" or "links", as indexed after
// groups are expanded, in the terms of the file: "apps[2]" for the third
// app written, "apps[2] (client-7)" for a group's member, or
// "topology[0] link \"ft-h1-ft-edge-1-1\"" for a generated link.
func (d *decoder) label(section string, i int) string {
	if x := d.pos.expanded[section]; x != nil && i < len(x.written) {
		if m := x.member[i]; m != "" {
			return fmt.Sprintf("%s[%d] (%s)", section, x.written[i], m)
		}
		i = x.written[i]
	}
	return d.writtenLabel(section, i)
}

func newDecoder(file string) *decoder {
	return &decoder{
		file:   file,
		pos:    newPositions(),
		budget: nodeBudget,
		null:   yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"},
	}
}

func posOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

// errAt records a problem at p. After maxErrors problems it records one
// last "too many errors" and drops the rest.
//
// A rule that fires more than warnsPerPlace times at one place (the
// members of a group share their app's or link's line) is written out
// warnsPerPlace times, and fold counts the rest in one more line:
// a misspelt to: of an app on a group of 10,000 is not 100 errors
// hiding every other.
func (d *decoder) errAt(p Pos, allowed, format string, args ...any) {
	d.found++
	if d.overflow {
		return
	}
	if countPlace(&d.errPlaces, p, allowed) > warnsPerPlace {
		return
	}
	if len(d.errs) >= maxErrors {
		d.overflow = true
		d.errs = append(d.errs, d.newError(p, "too many errors", "fix the ones above first"))
		return
	}
	d.errs = append(d.errs, d.newError(p, fmt.Sprintf(format, args...), allowed))
}

// warnAt records something valid that is probably a mistake. A rule
// that fires more than warnsPerPlace times at one place (the members of
// a group share their app's or link's line, a generator's links its
// item's) is written out warnsPerPlace times; fold counts the
// rest in one more line.
//
// Past maxErrors warnings the rest are counted (warnsLeft, from the
// place of the first left out), and moreWarnings says how many.
func (d *decoder) warnAt(p Pos, allowed, format string, args ...any) {
	if countPlace(&d.warnPlaces, p, allowed) > warnsPerPlace {
		return
	}
	if len(d.warns) >= maxErrors {
		if d.warnsLeft == 0 {
			d.warnsLeftAt = p
			d.warnsCut = make(map[warnPlace]bool)
		}
		d.warnsLeft++
		d.warnsCut[warnPlace{p, allowed}] = true
		return
	}
	d.warns = append(d.warns, d.newError(p, "warning: "+fmt.Sprintf(format, args...), allowed))
}

// moreWarnings appends to the sorted warnings one last line counting
// those left out past maxErrors, so that a list cut short says so.
func (d *decoder) moreWarnings() {
	// A place cut short has fewer than warnsPerPlace lines, so fold
	// counted none of its warnings past warnsPerPlace: they are left out
	// too (a sum, whatever the order the map gives the places in).
	for k := range d.warnsCut {
		d.warnsLeft += max(d.warnPlaces[k]-warnsPerPlace, 0)
	}
	if d.warnsLeft > 0 {
		d.warns = append(d.warns, d.newError(d.warnsLeftAt, fmt.Sprintf("warning: and %d more warnings", d.warnsLeft), "fix the ones above first"))
	}
}

// warnsPerPlace is how many times a warning is written out at one place
// for one rule.
const warnsPerPlace = 3

// warnPlace is a warning's place and rule (its allowed text).
type warnPlace struct {
	pos     Pos
	allowed string
}

// countPlace counts one more problem at p for the rule allowed in
// *places, made on first use, and returns how many there are now.
func countPlace(places *map[warnPlace]int, p Pos, allowed string) int {
	if *places == nil {
		*places = make(map[warnPlace]int)
	}
	k := warnPlace{p, allowed}
	n := (*places)[k] + 1
	(*places)[k] = n
	return n
}

// fold puts into list, right after the last problem written out of
// each place and rule that fired more than warnsPerPlace times (counted
// in places), one line counting the others; the rule's allowed text,
// printed with it, says which problems it counts. prefix starts that
// line ("warning: " for warnings).
func (d *decoder) fold(list ErrorList, places map[warnPlace]int, prefix string) ErrorList {
	written := make(map[warnPlace]int)
	var out ErrorList
	for _, e := range list {
		out = append(out, e)
		k := warnPlace{e.Pos, e.Allowed}
		written[k]++
		if n := places[k] - warnsPerPlace; written[k] == warnsPerPlace && n > 0 {
			out = append(out, d.newError(e.Pos, fmt.Sprintf("%sand %d more like this at this place (the other members of a group, or links of a generator)", prefix, n), e.Allowed))
		}
	}
	return out
}

// newError is a problem at p: in the file, or, at the negative lines that
// mark the values of overrides, in the override that wrote it.
func (d *decoder) newError(p Pos, msg, allowed string) *Error {
	if k := -p.Line - 1; k >= 0 && k < len(d.overrides) {
		return d.overrideError(k, msg, allowed)
	}
	return &Error{File: d.file, Pos: p, Msg: msg, Allowed: allowed}
}

// errNode records a problem at n.
func (d *decoder) errNode(n *yaml.Node, allowed, format string, args ...any) {
	d.errAt(posOf(n), allowed, format, args...)
}

// resolve follows aliases and charges the node budget; once the budget is
// spent (an alias bomb), it returns a null node so the walk ends quickly.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i >= maxAliasHops || n.Alias == nil {
			d.errNode(n, "an alias of an anchor defined earlier", "alias *%s cannot be resolved", n.Value)
			return &d.null
		}
		n = n.Alias
	}
	if n == nil {
		return &d.null
	}
	d.budget--
	if d.budget < 0 {
		if d.budget == -1 {
			d.errNode(n, fmt.Sprintf("at most %d values, counting alias expansions", nodeBudget), "the document is too large")
		}
		return &d.null
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names what a node is, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

// entry is one key: value pair of a mapping.
type entry struct {
	key  string
	k, v *yaml.Node
}

// mapping returns the pairs of the mapping n in document order. It reports
// a node that is not a mapping, keys that are not scalars, duplicate keys
// and, when allowed is not nil, keys it does not list. A null node is an
// empty mapping. YAML merge keys (<<: *template) add the pairs of the
// merged mappings that the mapping does not set itself, after its own.
func (d *decoder) mapping(n *yaml.Node, path string, allowed []string) []entry {
	n = d.resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errNode(n, allowMapping, "%sexpected a mapping, got %s", prefix(path), describe(n))
		return nil
	}
	out := make([]entry, 0, len(n.Content)/2)
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	var merged []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.resolve(n.Content[i])
		v := n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.errNode(k, "a plain name", "%sa key must be a name, got %s", prefix(path), describe(k))
			continue
		}
		key := k.Value
		if key == "<<" && k.Tag == "!!merge" {
			merged = append(merged, d.merge(v, path)...)
			continue
		}
		if first, dup := seen[key]; dup {
			d.errNode(k, "each key once", "%sduplicate key %q, first at line %d", prefix(path), key, first.Line)
			continue
		}
		seen[key] = k
		if d.known(k, key, path, allowed) {
			out = append(out, entry{key: key, k: k, v: v})
		}
	}
	// YAML merge: the mapping's own keys win, then earlier merged
	// mappings over later ones.
	for _, e := range merged {
		if _, set := seen[e.key]; set {
			continue
		}
		seen[e.key] = e.k
		if d.known(e.k, e.key, path, allowed) {
			out = append(out, e)
		}
	}
	return out
}

// maxMergeDepth bounds merges of mappings that merge others in turn (and
// so an anchor that merges itself).
const maxMergeDepth = 8

// merge returns the pairs that a merge key's value brings: a mapping or a
// list of mappings, usually aliases of anchored templates.
func (d *decoder) merge(v *yaml.Node, path string) []entry {
	const allowed = "a mapping or a list of mappings, like <<: *template"
	if d.mergeDepth >= maxMergeDepth {
		d.errNode(v, allowed, "%smerges nested more than %d deep", prefix(path), maxMergeDepth)
		return nil
	}
	d.mergeDepth++
	defer func() { d.mergeDepth-- }()
	r := d.resolve(v)
	srcs := []*yaml.Node{r}
	if r.Kind == yaml.SequenceNode {
		srcs = r.Content
	}
	var out []entry
	for _, src := range srcs {
		if rs := d.resolve(src); rs.Kind != yaml.MappingNode {
			d.errNode(rs, allowed, "%s<< must merge a mapping, got %s", prefix(path), describe(rs))
			continue
		}
		out = append(out, d.mapping(src, path, nil)...)
	}
	return out
}

// known reports whether key is allowed, reporting it when it is not.
func (d *decoder) known(k *yaml.Node, key, path string, allowed []string) bool {
	if allowed == nil || contains(allowed, key) {
		return true
	}
	msg := fmt.Sprintf("%sunknown key %q", prefix(path), key)
	if s := suggest(key, allowed); s != "" {
		msg += fmt.Sprintf(", did you mean %q?", s)
	}
	d.errNode(k, "allowed keys: "+strings.Join(allowed, ", "), "%s", msg)
	return false
}

// prefix returns "path: ", or "" for the top level.
func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

// require reports every key of keys that es lacks, at the mapping n.
func (d *decoder) require(n *yaml.Node, path string, es []entry, keys ...string) {
	for _, want := range keys {
		found := false
		for _, e := range es {
			if e.key == want {
				found = true
				break
			}
		}
		if !found {
			where := "add " + want + ": to " + path
			if path == "" {
				where = "add " + want + ": at the top level"
			}
			d.errNode(n, where, "%smissing required key %q", prefix(path), want)
		}
	}
}

// sequence returns the items of the list n. A null node is an empty list.
func (d *decoder) sequence(n *yaml.Node, path, allowed string) []*yaml.Node {
	n = d.resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		if allowed == "" {
			allowed = allowSequence
		}
		d.errNode(n, allowed, "%s: expected a list, got %s", path, describe(n))
		return nil
	}
	return n.Content
}

// listItem names item i of the list at path list ("apps[2]"), records
// where it stands for later messages, and returns the path and the
// resolved node.
func (d *decoder) listItem(list string, i int, item *yaml.Node) (string, *yaml.Node) {
	path := fmt.Sprintf("%s[%d]", list, i)
	r := d.resolve(item)
	d.pos.set(path, posOf(r))
	return path, r
}

// scalar returns the text of the scalar n and records its position under
// path. It reports mappings, lists and empty values.
func (d *decoder) scalar(n *yaml.Node, path, allowed string) (string, bool) {
	n = d.resolve(n)
	d.pos.set(path, posOf(n))
	if n.Kind != yaml.ScalarNode {
		d.errNode(n, allowed, "%s: expected a single value, got %s", path, describe(n))
		return "", false
	}
	if isNull(n) {
		d.errNode(n, allowed, "%s: missing value", path)
		return "", false
	}
	return n.Value, true
}

// unitErr reports a unit parser's error without its own "(allowed)" tail,
// which the decoder replaces with a fuller one.
func (d *decoder) unitErr(n *yaml.Node, path, allowed string, err error) {
	msg := err.Error()
	if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") {
		msg = msg[:i]
	}
	d.errNode(d.resolve(n), allowed, "%s: %s", path, msg)
}

func (d *decoder) str(n *yaml.Node, path, allowed string) (string, bool) {
	return d.scalar(n, path, allowed)
}

func (d *decoder) boolean(n *yaml.Node, path string) (bool, bool) {
	s, ok := d.scalar(n, path, allowBool)
	if !ok {
		return false, false
	}
	if r := d.resolve(n); r.Tag == "!!bool" {
		switch strings.ToLower(s) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	d.errNode(d.resolve(n), allowBool, "%s: %q is not a boolean", path, s)
	return false, false
}

// integer parses a whole number in [lo, hi].
func (d *decoder) integer(n *yaml.Node, path string, lo, hi int64) (int64, bool) {
	allowed := fmt.Sprintf("a whole number from %d to %d", lo, hi)
	if hi == math.MaxInt64 {
		allowed = fmt.Sprintf("a whole number from %d", lo)
	}
	v, ok := d.wholeNumber(n, path, allowed)
	if !ok {
		return 0, false
	}
	if v < lo || v > hi {
		d.errNode(d.resolve(n), allowed, "%s: %d is out of range", path, v)
		return 0, false
	}
	return v, true
}

// wholeNumber parses a YAML integer (1000, 1_000, 0x10); allowed says
// what is wanted.
func (d *decoder) wholeNumber(n *yaml.Node, path, allowed string) (int64, bool) {
	s, ok := d.scalar(n, path, allowed)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
	if err != nil || d.resolve(n).Tag != "!!int" {
		d.errNode(d.resolve(n), allowed, "%s: %q is not a whole number", path, s)
		return 0, false
	}
	return v, true
}

// unsigned parses a uint64 (seeds).
func (d *decoder) unsigned(n *yaml.Node, path string) (uint64, bool) {
	const allowed = "a whole number from 0 to 18446744073709551615"
	s, ok := d.scalar(n, path, allowed)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 0, 64)
	if err != nil || d.resolve(n).Tag != "!!int" {
		d.errNode(d.resolve(n), allowed, "%s: %q is not a whole number from 0 to 2^64-1", path, s)
		return 0, false
	}
	return v, true
}

// unitValue decodes a scalar written with a unit by parse, reporting a
// parse error as unitErr does; it returns the text too.
func unitValue[T any](d *decoder, n *yaml.Node, path, allowed string, parse func(string) (T, error)) (T, string, bool) {
	var zero T
	s, ok := d.scalar(n, path, allowed)
	if !ok {
		return zero, s, false
	}
	v, err := parse(s)
	if err != nil {
		d.unitErr(n, path, allowed, err)
		return zero, s, false
	}
	return v, s, true
}

// positive refuses a decoded v (good when ok) that is not greater than
// zero, saying what is allowed.
func positive[T ~int64](d *decoder, n *yaml.Node, path, allowed string, v T, ok bool) (T, bool) {
	if ok && v <= 0 {
		d.errNode(d.resolve(n), allowed, "%s: must be greater than 0", path)
		return 0, false
	}
	return v, ok
}

func (d *decoder) duration(n *yaml.Node, path string) (time.Duration, bool) {
	v, _, ok := unitValue(d, n, path, allowDuration, units.ParseDuration)
	return v, ok
}

// positiveDuration parses a duration that must be greater than zero.
func (d *decoder) positiveDuration(n *yaml.Node, path string) (time.Duration, bool) {
	v, ok := d.duration(n, path)
	return positive(d, n, path, "a duration greater than 0, like 5ms", v, ok)
}

func (d *decoder) rate(n *yaml.Node, path string) (units.BitRate, bool) {
	v, s, ok := unitValue(d, n, path, allowRate, units.ParseBitRate)
	if v, ok = positive(d, n, path, "a rate greater than 0, like 10Mbps", v, ok); !ok {
		return 0, false
	}
	if _, unit := splitUnit(s); unit == "" {
		d.warnAt(posOf(d.resolve(n)), "write the unit: bps, kbps, Mbps or Gbps", "%s: %s has no unit, so it is %d bit/s", path, s, int64(v))
	}
	return v, true
}

// splitUnit splits "100Mbps" into "100" and "Mbps".
func splitUnit(s string) (num, unit string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '/' })
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

func (d *decoder) size(n *yaml.Node, path string) (units.ByteSize, bool) {
	v, _, ok := unitValue(d, n, path, allowSize, units.ParseByteSize)
	return v, ok
}

// boundedSize parses a size in bytes, written as any size is (1500, 1KB,
// 64KiB, 1 Gbit), that must lie from lo to hi bytes: a datagram's size,
// a link's MTU.
func (d *decoder) boundedSize(n *yaml.Node, path string, lo, hi int64) (int64, bool) {
	v, ok := d.size(n, path)
	if !ok {
		return 0, false
	}
	if int64(v) < lo || int64(v) > hi {
		d.errNode(d.resolve(n), fmt.Sprintf("a size from %d to %d bytes", lo, hi), "%s: %d bytes is out of range", path, int64(v))
		return 0, false
	}
	return int64(v), true
}

// positiveSize parses a size that must be greater than zero.
func (d *decoder) positiveSize(n *yaml.Node, path string) (units.ByteSize, bool) {
	v, ok := d.size(n, path)
	return positive(d, n, path, "a size greater than 0, like 64KiB", v, ok)
}

func (d *decoder) ratio(n *yaml.Node, path string) (units.Ratio, bool) {
	s, ok := d.scalar(n, path, allowRatio)
	if !ok {
		return 0, false
	}
	v, err := units.ParseRatio(s)
	if err != nil {
		if strings.Contains(err.Error(), "out of range") {
			d.errNode(d.resolve(n), allowRatio, "%s: %s is more than 100%% or less than 0%%", path, s)
			return 0, false
		}
		d.unitErr(n, path, allowRatio, err)
		return 0, false
	}
	return v, true
}

// oneOf parses a value that must be one of names.
func (d *decoder) oneOf(n *yaml.Node, path string, names []string) (string, bool) {
	allowed := "one of: " + strings.Join(names, ", ")
	s, ok := d.scalar(n, path, allowed)
	if !ok {
		return "", false
	}
	if !contains(names, s) {
		msg := fmt.Sprintf("%s: unknown value %q", path, s)
		if g := suggest(s, names); g != "" {
			msg += fmt.Sprintf(", did you mean %q?", g)
		}
		d.errNode(d.resolve(n), allowed, "%s", msg)
		return "", false
	}
	return s, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns the name in names closest to s when it is close enough to
// be a likely typo, else "".
func suggest(s string, names []string) string {
	best, bestD := "", 3
	if len(s) <= 4 {
		bestD = 2
	}
	for _, n := range names {
		// The distance is at least the difference in length: most of a
		// large group's names are ruled out without the table.
		if l := len(n) - len(s); l >= bestD || -l >= bestD {
			continue
		}
		if dd := editDistance(s, n); dd < bestD {
			best, bestD = n, dd
		}
	}
	return best
}

// editDistance is the optimal string alignment distance of two short
// strings: insertions, deletions, substitutions and transpositions of
// adjacent characters ("svr" for "srv") each cost 1. It allocates
// nothing: did you mean compares a name with every host of the file.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	// rows i-2, i-1 and i of the table.
	var rows [3][65]int
	pp, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				c = min(c, pp[j-2]+1)
			}
			cur[j] = c
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(b)]
}

// keep returns the function that stores a decoded value in dst when the
// decoder says it is good, and leaves dst as it was otherwise. It takes a
// decoder's two results as they come, so that a key's case reads
// keep(&a.Stop)(d.positiveDuration(e.v, p)).
func keep[T any](dst *T) func(T, bool) {
	return func(v T, ok bool) {
		if ok {
			*dst = v
		}
	}
}

// keepPtr is keep for an optional field: it points dst at the value, so
// that set and unset stay apart (a fault's link properties).
func keepPtr[T any](dst **T) func(T, bool) {
	return func(v T, ok bool) {
		if ok {
			*dst = &v
		}
	}
}
