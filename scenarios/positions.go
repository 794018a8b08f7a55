package scenarios

import (
	"strconv"
	"strings"
)

// positions maps a field's path ("links[0].between[1]") to where the file
// wrote it.
//
// The apps and links that a group expands into one per member have no
// entries of their own: after expansion, a path of section "apps" or
// "links" is read through that section's expansion, which says which
// written item each expanded one came from. A group of 10,000 members
// used to copy its item's positions 10,000 times, a formatted path and a
// map entry each, which took a sixth of parsing and building a
// 10,000-host star and stayed for the collector to mark all run long.
type positions struct {
	m map[string]Pos
	// expanded holds, for "apps" and "links" once groups are expanded,
	// where each item came from (nil: the items are as written).
	expanded map[string]*expansion
}

// expansion says, for each item of a section after groups are expanded,
// the index of the item the file wrote and, for a group's member, the
// member's name ("" for an item written as it is).
type expansion struct {
	written []int
	member  []string
}

func newPositions() *positions { return &positions{m: make(map[string]Pos)} }

// set records that the field at path was written at p. Paths of an
// expanded section name written items (set is called while decoding,
// before expansion).
func (t *positions) set(path string, p Pos) { t.m[path] = p }

// at returns where the field at path was written, or the zero Pos.
func (t *positions) at(path string) Pos {
	p, _ := t.lookup(path)
	return p
}

// atOr returns where the field at path was written, or, when it was
// not, where the field at fallback was (an item that holds the field, or
// a generator or group whose item wrote it).
func (t *positions) atOr(path, fallback string) Pos {
	if p, ok := t.lookup(path); ok {
		return p
	}
	return t.at(fallback)
}

// lookup returns where the field at path was written, and whether it
// was. Indexes of an expanded section are read as after expansion. A nil
// table (a Scenario not made by Parse) has no positions.
func (t *positions) lookup(path string) (Pos, bool) {
	if t == nil {
		return Pos{}, false
	}
	if written, ok := t.writtenPath(path); ok {
		path = written
	} else if t.expandedSection(path) != nil {
		return Pos{}, false // an index past the expanded items
	}
	p, ok := t.m[path]
	return p, ok
}

// expandedSection returns the expansion of the section path starts in,
// or nil.
func (t *positions) expandedSection(path string) *expansion {
	section, _, ok := strings.Cut(path, "[")
	if !ok || t.expanded == nil {
		return nil
	}
	return t.expanded[section]
}

// writtenPath rewrites a path of an expanded section ("apps[7].to") to
// the item the file wrote ("apps[1].to"), and reports whether it did.
func (t *positions) writtenPath(path string) (string, bool) {
	x := t.expandedSection(path)
	if x == nil {
		return "", false
	}
	open := strings.IndexByte(path, '[')
	end := strings.IndexByte(path, ']')
	if end < open {
		return "", false
	}
	i, err := strconv.Atoi(path[open+1 : end])
	if err != nil || i < 0 || i >= len(x.written) {
		return "", false
	}
	return path[:open+1] + strconv.Itoa(x.written[i]) + path[end:], true
}

// expand records the expansion of section: item i after expansion came
// from the written item written[i], made for the group member member[i]
// ("" when written as it is).
func (t *positions) expand(section string, written []int, member []string) {
	if t.expanded == nil {
		t.expanded = make(map[string]*expansion)
	}
	t.expanded[section] = &expansion{written: written, member: member}
}

// remove forgets the position of the field at path.
func (t *positions) remove(path string) { delete(t.m, path) }
