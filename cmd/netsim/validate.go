package main

import (
	"fmt"
	"io"

	"github.com/netsimlab/netsim/scenarios"
)

const validateUsage = `Usage: netsim validate SCENARIO.yaml... [--set PATH=VALUE]...

Checks each scenario without running it and prints every problem as
FILE:LINE:COL: what is wrong (what is allowed), and warnings (valid but
probably not meant, like a fault after the end of the run) on stderr.
--set replaces a key of every scenario before it is checked, as netsim run
--set does.
Exit codes: 0 all valid; 2 bad usage or any scenario invalid.
`

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", validateUsage, stdout, stderr)
	var sets overridesFlag
	fs.Var(&sets, "set", setUsage)
	files, code, ok := parseSome(fs, args, "no scenario given", validateUsage, stderr)
	if !ok {
		return code
	}
	code = exitOK
	for _, f := range files {
		s, err := scenarios.LoadWith(f, sets)
		if err != nil {
			fmt.Fprintln(stderr, err)
			code = exitUsage
			continue
		}
		for _, w := range s.Warnings {
			fmt.Fprintln(stderr, w)
		}
		fmt.Fprintf(stdout, "%s: ok (%s: %s, %s, %s, %s, %s, %s)\n", f, s.Name,
			count(len(s.Hosts), "host"), count(len(s.Routers), "router"), count(len(s.Links), "link"),
			count(len(s.Apps), "app"), count(len(s.Faults), "fault"), count(len(s.Expect), "expectation"))
	}
	return code
}

// count writes n and the noun, plural unless n is 1: "1 link", "2 links".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
