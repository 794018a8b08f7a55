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
		fmt.Fprintf(stdout, "%s: ok (%s: %d hosts, %d routers, %d links, %d apps, %d faults, %d expectations)\n",
			f, s.Name, len(s.Hosts), len(s.Routers), len(s.Links), len(s.Apps), len(s.Faults), len(s.Expect))
	}
	return code
}
