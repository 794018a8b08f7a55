// Package netsim holds no code, only the test that keeps the packages of
// the module layered as docs/architecture.md says and the one that keeps
// the docs' counts of packetdrill scripts true (docs_test.go).
package netsim

import (
	"bufio"
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// modulePath is the module's import path (go.mod).
const modulePath = "github.com/netsimlab/netsim"

// archDoc is where the architecture table lives.
const archDoc = "docs/architecture.md"

// layer is one row of the table: a package directory (relative to the
// module root, "." for the root) and what it may import, in table order.
type layer struct {
	dir     string
	line    int
	allowed []string // package directories of the module, or module paths of other modules
}

// readTable parses the table of docs/architecture.md whose header has the
// columns "package" and "may import": the first cell names the package,
// the last lists what it may import, each in backquotes ("nothing" for
// none).
func readTable(t *testing.T) []layer {
	t.Helper()
	f, err := os.Open(archDoc)
	if err != nil {
		t.Fatalf("the architecture table: %v", err)
	}
	defer f.Close()
	var rows []layer
	in := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			if in {
				break
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if !in {
			in = len(cells) >= 2 && cells[0] == "package" && cells[len(cells)-1] == "may import"
			continue
		}
		if strings.Trim(cells[0], "-: ") == "" {
			continue // the header's separator row
		}
		names := quoted(cells[0])
		if len(names) != 1 {
			t.Fatalf("%s:%d: the package cell %q should hold one `name`", archDoc, n, cells[0])
		}
		allowed := quoted(cells[len(cells)-1])
		if len(allowed) == 0 && cells[len(cells)-1] != "nothing" {
			t.Fatalf("%s:%d: the may-import cell %q should list `names` or say nothing", archDoc, n, cells[len(cells)-1])
		}
		rows = append(rows, layer{dir: names[0], line: n, allowed: allowed})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", archDoc, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no table with the columns `package` and `may import`", archDoc)
	}
	return rows
}

// quoted returns the `backquoted` words of s.
func quoted(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i+1:], '`')
		if j < 0 {
			return out
		}
		out = append(out, s[i+1:i+1+j])
		s = s[i+2+j:]
	}
}

// pkg is one package of the module as go/build sees it on this platform.
type pkg struct {
	dir     string   // relative to the module root, "." for the root
	imports []string // what its non-test files import
}

// modulePackages lists every directory of the module that holds Go files,
// skipping testdata, hidden and underscore directories as the go command
// does.
func modulePackages(t *testing.T) []pkg {
	t.Helper()
	var out []pkg
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != "." && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if path != "." {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		bp, err := build.Default.ImportDir(path, 0)
		var none *build.NoGoError
		switch {
		case errors.As(err, &none):
			return nil // no Go files at all, test files included
		case err != nil:
			return fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, pkg{dir: filepath.ToSlash(path), imports: bp.Imports})
		return nil
	})
	if err != nil {
		t.Fatalf("listing the module's packages: %v", err)
	}
	return out
}

// moduleDir returns the directory of a module import path relative to the
// module root, and false for an import from outside the module.
func moduleDir(path string) (string, bool) {
	if path == modulePath {
		return ".", true
	}
	rest, ok := strings.CutPrefix(path, modulePath+"/")
	return rowDir(rest), ok
}

// rowDir returns the row that owns a package directory: the directory
// itself, except below third_party/, where a copied library keeps its
// upstream layout and its one row (third_party/NAME) covers every package
// of it.
func rowDir(dir string) string {
	rest, ok := strings.CutPrefix(dir, "third_party/")
	if !ok {
		return dir
	}
	name, _, _ := strings.Cut(rest, "/")
	return "third_party/" + name
}

// standard reports whether an import path is the standard library's: its
// first element has no dot. (In the table, a name without a dot is a
// package of this module.)
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// allows reports whether row r allows importing path, a package of the
// module (by directory) or of another module (a listed module path allows
// its subpackages).
func (r layer) allows(path string) bool {
	if dir, ok := moduleDir(path); ok {
		return dir == r.dir || slices.Contains(r.allowed, dir)
	}
	for _, a := range r.allowed {
		if path == a || strings.HasPrefix(path, a+"/") {
			return true
		}
	}
	return false
}

// TestLayering holds the package table of docs/architecture.md: every
// package has a row, every row a package, a row allows only rows above it,
// and no package imports what its row does not allow. Test files are not
// checked.
func TestLayering(t *testing.T) {
	rows := readTable(t)
	pkgs := modulePackages(t)

	index := map[string]int{}
	for i, r := range rows {
		if j, dup := index[r.dir]; dup {
			t.Errorf("%s:%d: `%s` has a row already at line %d", archDoc, r.line, r.dir, rows[j].line)
		}
		index[r.dir] = i
	}
	// The direction: a row may allow only packages of rows above it.
	for i, r := range rows {
		for _, a := range r.allowed {
			if !standard(a) {
				continue // another module
			}
			j, ok := index[a]
			switch {
			case !ok:
				t.Errorf("%s:%d: `%s` may import `%s`, which has no row", archDoc, r.line, r.dir, a)
			case j >= i:
				t.Errorf("%s:%d: `%s` may import `%s`, which is not above it: dependencies point up the table", archDoc, r.line, r.dir, a)
			}
		}
	}

	found := map[string]bool{}
	for _, p := range pkgs {
		dir := rowDir(p.dir)
		found[dir] = true
		i, ok := index[dir]
		if !ok {
			t.Errorf("package `%s` has no row in the table of %s: add one (what it owns, what it may import)", p.dir, archDoc)
			continue
		}
		r := rows[i]
		for _, imp := range p.imports {
			if imp == "C" || standard(imp) {
				continue
			}
			if !r.allows(imp) {
				t.Errorf("package `%s` imports %s, which its row (%s:%d) does not allow", p.dir, imp, archDoc, r.line)
			}
		}
	}
	for _, r := range rows {
		if !found[r.dir] {
			t.Errorf("%s:%d: `%s` has a row but no package: remove the row", archDoc, r.line, r.dir)
		}
	}
}

// TestQuoted holds the cell parser on the forms the table uses.
func TestQuoted(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"nothing", nil},
		{"`sim`", []string{"sim"}},
		{"`units`, `sim`, `gonum.org/v1/plot`", []string{"units", "sim", "gonum.org/v1/plot"}},
		{"`unclosed", nil},
	}
	for _, tt := range tests {
		if got := quoted(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("quoted(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	r := layer{dir: "plots", allowed: []string{"sim", "gonum.org/v1/plot", "third_party/gonumplot"}}
	for _, tt := range []struct {
		path string
		want bool
	}{
		{modulePath + "/sim", true},
		{modulePath + "/sim/x", false},
		{modulePath + "/tcp", false},
		{modulePath, false},
		{"gonum.org/v1/plot", true},
		{"gonum.org/v1/plot/vg", true},
		{"gonum.org/v1/plotter", false},
		{"github.com/google/btree", false},
		{modulePath + "/third_party/gonumplot", true},
		{modulePath + "/third_party/gonumplot/vg/draw", true},
		{modulePath + "/third_party/other", false},
	} {
		if got := r.allows(tt.path); got != tt.want {
			t.Errorf("allows(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
	// A copied library's packages import each other under its one row.
	lib := layer{dir: "third_party/gonumplot"}
	if !lib.allows(modulePath + "/third_party/gonumplot/font") {
		t.Errorf("third_party/gonumplot does not allow its own font package")
	}
	if lib.allows(modulePath + "/plots") {
		t.Errorf("third_party/gonumplot allows plots")
	}
}
