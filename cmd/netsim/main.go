// Command netsim runs YAML network scenarios deterministically and writes
// their trace, captures, summary and plots.
//
//	netsim run SCENARIO.yaml [--seed N] [--out DIR] [--until T] [--set PATH=VALUE]... [--check-determinism] [--ascii] [--force]
//	netsim validate SCENARIO.yaml... [--set PATH=VALUE]...
//	netsim plot DIR [--kind K] [--conn ID] [--from T] [--to T] [-o FILE]
//	netsim drill SCRIPT.pkt... (packetdrill scripts against netsim's TCP)
//	netsim sweep SWEEP.yaml (a scenario over a grid of parameters and seeds)
//	netsim view DIR [-o FILE] (one self-contained HTML page of a run)
//
// Exit codes: 0 success; 1 an expectation failed, --check-determinism
// found two runs that differ, or a figure asked for has nothing to draw;
// 2 bad usage, an invalid scenario, or a run that could not be carried
// out (an unwritable output folder); 3 an internal error (a bug in netsim: please report it); 130 (143, 129)
// interrupted by SIGINT (SIGTERM, SIGHUP).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// Exit codes (the scenario contract).
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	// exitInternal is a bug in netsim (a panic), never a problem with
	// the input, so that scripts can tell a crash from a typo.
	exitInternal = 3
	// exitInterrupted follows the shell convention for SIGINT (128+2):
	// the run was stopped and wrote nothing.
	exitInterrupted = 130
)

// errUsage marks an error in how netsim was called.
var errUsage = errors.New("usage")

const usageText = `netsim: a deterministic discrete-event network simulator

Usage:
  netsim run SCENARIO.yaml [--seed N] [--out DIR] [--until T] [--set PATH=VALUE]... [flags]
  netsim validate SCENARIO.yaml... [--set PATH=VALUE]...
  netsim plot DIR [--kind KIND] [--conn ID] [--from T] [--to T] [-o FILE] [flags]
  netsim drill SCRIPT.pkt... [flags]     run packetdrill scripts against netsim's TCP
  netsim sweep SWEEP.yaml [flags]        run a scenario over a grid of parameters and seeds
  netsim view DIR [-o FILE] [flags]      one HTML page to explore a run, offline in any browser
  netsim --version

Run 'netsim COMMAND --help' for the flags of a command.

Exit codes:
  0    success
  1    an expect failed (or --check-determinism found two runs that differ,
       a drill script or a sweep run failed, or a figure asked of netsim
       plot has nothing to draw); an expect that --until stopped short of
       is "not reached", which is not a failure
  2    bad usage, an invalid scenario, or a run that could not be carried
       out (an unwritable output folder, the disk guard)
  3    internal error: a bug in netsim, not in the input; please report it
       with the command it prints
  130  interrupted by Ctrl-C (143 by SIGTERM, 129 by SIGHUP); a run keeps
       the outputs written so far, marked "complete": false in manifest.json
`

func main() {
	os.Exit(netsim(os.Args[1:], os.Stdout, os.Stderr))
}

// netsim runs the command line args and returns the exit code; tests call
// it in-process. A panic is a bug in netsim: it is reported in one line
// that asks for a report with the command that replays it, followed by the
// stack, and exits 3 (exitInternal), never 2 like an invalid input.
func netsim(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if v := recover(); v != nil {
			reportInternal(stderr, args, v, debug.Stack())
			code = exitInternal
		}
	}()
	if testPanic != nil {
		testPanic(args)
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
		names[i] = c.name
	}
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintf(stdout, "netsim %s\n", version())
		return exitOK
	case "--help", "-help", "-h", "help":
		fmt.Fprint(stdout, usageText)
		return exitOK
	}
	fmt.Fprintf(stderr, "netsim: unknown command %q (%s)\n\n%s", args[0], strings.Join(names, ", "), usageText)
	return exitUsage
}

// commands are netsim's commands, in the order the usage lists them.
var commands = []struct {
	name string
	run  func(args []string, stdout, stderr io.Writer) int
}{
	{"run", cmdRun}, {"validate", cmdValidate}, {"plot", cmdPlot}, {"drill", drillMain}, {"sweep", sweepMain}, {"view", cmdView},
}

// testPanic, when a test sets it, is called with the arguments before any
// command runs, so that a test can prove a panic exits exitInternal.
var testPanic func(args []string)

// reportInternal prints what a panic means to the user, the command that
// replays it, and the stack for the report.
func reportInternal(w io.Writer, args []string, v any, stack []byte) {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = quoteArg(a)
	}
	msg := strings.ReplaceAll(fmt.Sprint(v), "\n", " ")
	fmt.Fprintf(w, "netsim: internal error (a bug in netsim %s, not in your input): %s; please report it, with the files it names, and this command, which replays it: netsim %s\n",
		version(), msg, strings.Join(quoted, " "))
	fmt.Fprintf(w, "%s", stack)
}
