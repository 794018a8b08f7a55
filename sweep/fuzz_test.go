package sweep

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary sweep files to Parse and, when one parses, to
// Expand over the test base scenario: neither may panic, and an expanded
// plan's run IDs are unique and each run falls in exactly one of 3 shards.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{gridSweep, "version: 1\nbase: base.yaml\nseeds: 1\n",
		"version: 1\nbase: base.yaml\nset: {hosts.client-a.tcp: {}}\ngrid: {links[0].loss: [1%, {model: gilbert-elliott, p: 1%, r: 30%}]}\nseeds: [1..2, 9]\n",
		"grid: {a[: [1]}", "seeds: 1..", "version: 1\nbase: base.yaml\nseeds: 1\ngrid:\n  links[uplink]: [{}]\n"} {
		f.Add(seed)
	}
	base, err := os.ReadFile("testdata/base.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse("testdata/fuzz.yaml", []byte(text))
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("an error must say what is wrong")
			}
			return
		}
		runs := len(s.Seeds)
		for _, prm := range s.Params {
			runs *= len(prm.Values)
		}
		if runs > 64 {
			return // keep each input cheap
		}
		s.Base = base
		p, err := Expand(s)
		if err != nil {
			return
		}
		ids := map[string]bool{}
		for _, r := range p.Runs {
			if ids[r.ID] {
				t.Fatalf("run ID %s twice", r.ID)
			}
			ids[r.ID] = true
			n := 0
			for k := range 3 {
				if (Shard{k, 3}).Has(r.ID) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("run %s is in %d of 3 shards", r.ID, n)
			}
		}
	})
}
