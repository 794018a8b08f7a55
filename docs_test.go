package netsim

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestDocsScriptCounts: the numbers of packetdrill scripts that
// docs/drill.md and docs/validation.md give are the numbers of files in
// the folders they name. A script added without its count moved the
// figures out of date more than once; this makes the commit that adds it
// say so.
func TestDocsScriptCounts(t *testing.T) {
	count := func(glob string) int {
		files, err := filepath.Glob(glob)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no scripts (%v)", glob, err)
		}
		return len(files)
	}
	scripts := count("tcp/drill/testdata/scripts/*.pkt")
	tcpScripts := count("tcp/testdata/*.pkt")
	fail := count("tcp/drill/testdata/fail/*.pkt")
	for _, c := range []struct {
		doc  string
		re   string // each group a count, in the order of want
		want []int
	}{
		{"docs/validation.md", `(\d+) scripts of our own in\s+` + "`tcp/drill/testdata/scripts/`" + `\s+and\s+(\d+)\s+in\s+the\s+TCP\s+package's\s+` + "`tcp/testdata/\\*\\.pkt`",
			[]int{scripts, tcpScripts}},
		{"docs/validation.md", `plus\s+(\d+)\s+scripts\s+that\s+must\s+fail`, []int{fail}},
		{"docs/drill.md", `All\s+(\d+)\s+scripts\s+of\s+` + "`tcp/drill/testdata/scripts`", []int{scripts}},
		{"docs/drill.md", "`tcp/drill/testdata/scripts/`" + `:\s+(\d+)\s+scripts\s+of\s+our\s+own`, []int{scripts}},
		{"docs/drill.md", "`tcp/drill/testdata/fail/`" + `:\s+(\d+)\s+scripts\s+that\s+must\s+fail`, []int{fail}},
	} {
		b, err := os.ReadFile(c.doc)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(c.re).FindSubmatch(b)
		if m == nil {
			t.Errorf("%s: no sentence matches %q: update this test with the text", c.doc, c.re)
			continue
		}
		for i, want := range c.want {
			if got, _ := strconv.Atoi(string(m[i+1])); got != want {
				t.Errorf("%s says %d in %q; the folder holds %d", c.doc, got, m[0], want)
			}
		}
	}
}
