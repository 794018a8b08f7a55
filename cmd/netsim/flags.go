package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/units"
)

// parseInterleaved parses fs from args with flags allowed before, between
// and after the positional arguments (netsim run x.yaml --seed 3), and
// returns the positional ones. "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseOne parses a command's flags and its one operand (what names it in
// the error). When ok is false the command returns code at once: exitOK
// after --help, exitUsage after a bad flag or a wrong number of operands.
func parseOne(fs *flag.FlagSet, args []string, what, usage string, stderr io.Writer) (operand string, code int, ok bool) {
	ops, code, ok := parseFlags(fs, args)
	if !ok {
		return "", code, false
	}
	if len(ops) != 1 {
		fmt.Fprintf(stderr, "netsim %s: want one %s, got %d\n\n%s", fs.Name(), what, len(ops), usage)
		return "", exitUsage, false
	}
	return ops[0], exitOK, true
}

// parseSome parses a command's flags and its operands, of which it wants
// at least one (missing says so: "no script given"). When ok is false the
// command returns code at once, as after parseOne.
func parseSome(fs *flag.FlagSet, args []string, missing, usage string, stderr io.Writer) (operands []string, code int, ok bool) {
	ops, code, ok := parseFlags(fs, args)
	if !ok {
		return nil, code, false
	}
	if len(ops) == 0 {
		fmt.Fprintf(stderr, "netsim %s: %s\n\n%s", fs.Name(), missing, usage)
		return nil, exitUsage, false
	}
	return ops, exitOK, true
}

// parseFlags is parseInterleaved with the exit code of a failure: exitOK
// after --help (the usage is printed), exitUsage after a bad flag (its
// error is printed).
func parseFlags(fs *flag.FlagSet, args []string) (operands []string, code int, ok bool) {
	ops, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, exitOK, false
	}
	if err != nil {
		return nil, exitUsage, false
	}
	return ops, exitOK, true
}

// newFlagSet returns a flag set that reports errors instead of exiting.
// --help prints the usage and the flags on stdout (it is what was asked
// for, and exits 0); a bad flag prints its error and one line pointing at
// --help on stderr.
func newFlagSet(name, usage string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	out := &flagOutput{w: stderr}
	fs.SetOutput(out)
	fs.Usage = func() {
		if out.wrote {
			fmt.Fprintf(stderr, "Run 'netsim %s --help' for its flags.\n", name)
			return
		}
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout, "\nFlags:")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(out)
	}
	return fs
}

// flagOutput is where package flag writes its errors: it remembers that
// one was written, so that the usage that follows is a pointer to --help,
// not the whole help.
type flagOutput struct {
	w     io.Writer
	wrote bool
}

func (o *flagOutput) Write(p []byte) (int, error) {
	o.wrote = true
	return o.w.Write(p)
}

// durationFlag is a flag holding a duration as scenarios write it.
type durationFlag struct {
	d   time.Duration
	set bool
}

// String returns the duration as given, or "" when unset (flag.Value).
func (f *durationFlag) String() string {
	if !f.set {
		return ""
	}
	return f.d.String()
}

// Set parses a duration as scenarios write it (flag.Value).
func (f *durationFlag) Set(s string) error {
	d, err := units.ParseDuration(s)
	if err != nil {
		return err
	}
	f.d, f.set = d, true
	return nil
}

// quoteArg quotes s for a POSIX shell when it needs it, so that printed
// commands can be pasted back.
func quoteArg(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=+,@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// checkedFlag is a string flag whose value a function checks as it is set
// (a figure's length or font size, parsed again by plots when used).
type checkedFlag struct {
	txt   string
	check func(string) error
}

// String returns the value as given (flag.Value).
func (f *checkedFlag) String() string { return f.txt }

// Set checks and keeps the value (flag.Value).
func (f *checkedFlag) Set(s string) error {
	if err := f.check(s); err != nil {
		return err
	}
	f.txt = s
	return nil
}

// overridesFlag collects --set PATH=VALUE, each checked as it is parsed
// (the value itself is checked when the scenario is decoded).
type overridesFlag []scenarios.Override

// String lists the overrides as given (flag.Value).
func (f *overridesFlag) String() string {
	args := make([]string, len(*f))
	for i, o := range *f {
		args[i] = o.Arg
	}
	return strings.Join(args, " ")
}

// Set adds one PATH=VALUE (flag.Value).
func (f *overridesFlag) Set(s string) error {
	o, err := scenarios.ParseOverride(s)
	if err != nil {
		return err
	}
	*f = append(*f, o)
	return nil
}

// setUsage is the help line of --set, shared by run and validate.
const setUsage = "replace a scenario key, PATH=VALUE (repeatable), like links.bottleneck.bandwidth=20Mbps or defaults.tcp.congestion=bbr"
