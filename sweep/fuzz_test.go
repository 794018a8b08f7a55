package sweep

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary sweep files to Parse and, when one parses, to
// Expand over the test base scenario: neither may panic, and an expanded
// plan's run IDs are unique and each run falls in exactly one of 3 shards.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{gridSweep, "version: 1\nbase: base.yaml\nseeds: 1\n",
		"version: 1\nbase: base.yaml\nset: {hosts.client-a.tcp: {}}\ngrid: {links[0].loss: [1%, {model: gilbert-elliott, p: 1%, r: 30%}]}\nseeds: [1..2, 9]\n",
		"grid: {a[: [1]}", "seeds: 1..", "version: 1\nbase: base.yaml\nseeds: 1\ngrid:\n  links[uplink]: [{}]\n",
		// Aliases (issue 16): a bomb, aliases within a value, and an
		// alias to another value's anchor.
		aliasBomb(),
		"version: 1\nbase: base.yaml\nseeds: 1\nset:\n  hosts: {client-a: &h {tcp: {mss: 1200}}, client-b: *h, server: {}}\n",
		"version: 1\nbase: base.yaml\nseeds: 1\nset:\n  links[uplink].queue: &q {kind: droptail, limit: 30}\ngrid:\n  links[0].queue: [*q, {kind: droptail, limit: 5}]\n"} {
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

// FuzzReadResults feeds arbitrary text to ReadResults (what merge reads
// from every shard): it may refuse it but never panic, and what it accepts
// writes back to text that reads as the same rows.
func FuzzReadResults(f *testing.F) {
	f.Add("run_id,point,a,seed,status,expect_failed,goodput_bps,goodput_bps_conn1,trace_sha256,error,replay\n" +
		"r1,p1,1%,3,ok,0,5e+06,5e+06,abc,,netsim run points/p1.yaml --seed 3\n" +
		"r2,p1,1%,4,failed,0,,,,\"boom, \"\"quoted\"\"\",netsim run points/p1.yaml --seed 4\n")
	f.Add("run_id,point,seed,status,expect_failed,trace_sha256,error,replay\n")
	f.Add("run_id,point,seed,status\n1,2,3,4\n")
	f.Add("run_id,point,seed,status,expect_failed,goodput_bps,trace_sha256,error,replay\nr,p,1,ok,0,NaN,,,\n")
	f.Fuzz(func(t *testing.T, text string) {
		params, rows, err := ReadResults(strings.NewReader(text))
		if err != nil {
			return
		}
		var b strings.Builder
		if err := WriteResults(&b, params, rows); err != nil {
			return // e.g. a row with fewer parameter cells than the header
		}
		params2, rows2, err := ReadResults(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("re-reading what was written: %v\n%s", err, b.String())
		}
		var b2 strings.Builder
		if err := WriteResults(&b2, params2, rows2); err != nil || b2.String() != b.String() {
			t.Fatalf("not a fixed point:\n%s\n%s", b.String(), b2.String())
		}
	})
}

// FuzzAggregate feeds arbitrary text as the aggregate.csv of a finished
// sweep folder to ReadAggregate and Figure (what netsim plot reads): they
// may refuse it but never panic (issue 16: a value sweep.json lacks
// panicked with index -1).
func FuzzAggregate(f *testing.F) {
	dir := f.TempDir()
	base, err := os.ReadFile("testdata/base.yaml")
	if err != nil {
		f.Fatal(err)
	}
	small, err := os.ReadFile("testdata/small.yaml")
	if err != nil {
		f.Fatal(err)
	}
	s, err := Parse("testdata/small.yaml", small)
	if err != nil {
		f.Fatal(err)
	}
	s.Base = base
	p, err := Expand(s)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := Execute(context.Background(), p, Options{Out: dir, Workers: 1, Runner: fake}); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, AggregateFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(good))
	lines := strings.SplitAfter(string(good), "\n")
	f.Add(lines[0] + "ffffffffffff,7%,cubic,goodput_bps,3,1,1,1,0,2\n")                  // a point sweep.json lacks
	f.Add(lines[0] + strings.Replace(lines[1], "0%", "9%", 1))                           // a value sweep.json lacks
	f.Add(lines[0] + "p,0%,newreno,goodput_bps,x,NaN,,,,\n")                             // not numbers
	f.Add("point,metric,n,mean,stddev,ci95,ci95_low,ci95_high\np,goodput_bps,1,1,,,,\n") // no parameters
	f.Add("point\n")
	agg := filepath.Join(dir, AggregateFile)
	opts := []FigureOptions{
		{Metric: "goodput", X: "links[uplink].loss", Series: "defaults.tcp.congestion"},
		{Metric: "goodput", X: "defaults.tcp.congestion", Where: []string{"links[uplink].loss=1%"}},
		{Metric: "completion_time", X: "links[uplink].loss", Series: "defaults.tcp.congestion"},
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, _, _ = ReadAggregate(strings.NewReader(text))
		if err := os.WriteFile(agg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, o := range opts {
			if _, err := Figure(dir, o); err != nil && strings.TrimSpace(err.Error()) == "" {
				t.Fatal("an error must say what is wrong")
			}
		}
	})
}
