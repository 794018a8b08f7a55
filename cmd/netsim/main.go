// Command netsim runs YAML network scenarios deterministically and writes
// their trace, captures, summary and plots.
//
//	netsim run SCENARIO.yaml [--seed N] [--out DIR] [--until T] [--check-determinism] [--ascii]
//	netsim validate SCENARIO.yaml...
//	netsim plot DIR [--kind K] [--conn ID] [--from T] [--to T] [-o FILE]
//	netsim drill SCRIPT.pkt... (packetdrill scripts against netsim's TCP)
//	netsim sweep SWEEP.yaml (a scenario over a grid of parameters and seeds)
//
// Exit codes: 0 success; 1 an expectation failed or --check-determinism
// found two runs that differ; 2 bad usage, an invalid scenario, or a run
// that could not be carried out (an unwritable output folder).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Exit codes (the scenario contract).
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	// exitInterrupted follows the shell convention for SIGINT (128+2):
	// the run was stopped and wrote nothing.
	exitInterrupted = 130
)

// errUsage marks an error in how netsim was called.
var errUsage = errors.New("usage")

const usageText = `netsim: a deterministic discrete-event network simulator

Usage:
  netsim run SCENARIO.yaml [--seed N] [--out DIR] [--until T] [--check-determinism] [--ascii]
  netsim validate SCENARIO.yaml...
  netsim plot DIR [--kind KIND] [--conn ID] [--from T] [--to T] [-o FILE] [flags]
  netsim drill SCRIPT.pkt... [flags]     run packetdrill scripts against netsim's TCP
  netsim sweep SWEEP.yaml [flags]        run a scenario over a grid of parameters and seeds
  netsim --version

Run 'netsim COMMAND --help' for the flags of a command.

Exit codes: 0 success; 1 an expect failed (or --check-determinism found two
runs that differ); 2 bad usage or an invalid scenario.
`

func main() {
	os.Exit(netsim(os.Args[1:], os.Stdout, os.Stderr))
}

// netsim runs the command line args and returns the exit code; tests call
// it in-process.
func netsim(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "plot":
		return cmdPlot(args[1:], stdout, stderr)
	case "drill":
		return drillMain(args[1:], stdout, stderr)
	case "sweep":
		return sweepMain(args[1:], stdout, stderr)
	case "--version", "-version", "version":
		fmt.Fprintf(stdout, "netsim %s\n", version())
		return exitOK
	case "--help", "-help", "-h", "help":
		fmt.Fprint(stdout, usageText)
		return exitOK
	}
	fmt.Fprintf(stderr, "netsim: unknown command %q (run, validate, plot, drill, sweep)\n\n%s", args[0], usageText)
	return exitUsage
}
