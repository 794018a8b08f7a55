package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/internal/capped"
	"github.com/netsimlab/netsim/nodes/drillstack"
	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/tcp/drill"
)

const drillUsage = `Usage: netsim drill SCRIPT.pkt... [--verbose] [--strict_segments] [--queue_unmatched]
                    [--tolerance_usecs N] [--set KEY=VALUE]... [--settings FILE]
                    [--preset packetdrill] [--define NAME=VALUE]... [--out DIR]

Runs packetdrill scripts against netsim's TCP: netsim plays the script's
remote peer and application, and reports the first line where the stack
differs from what the script expects. The stack under test is a whole
simulated host: its sockets, IPv4, demultiplexing and TCP.

Settings apply in order: --preset, then --settings (a YAML map of keys to
values), then each --set; a script's own --options lines come last. Keys are
the TCP settings of a scenario's tcp: mapping (tcp.syn_retries,
tcp.initial_cwnd), their aliases (tcp.init_cwnd) or Linux sysctls
(net.ipv4.tcp_syn_retries): docs/tcp-settings.md lists them all, with
their defaults and bounds. --preset packetdrill also turns on
--queue_unmatched, packetdrill's rule for segments no line lists (they wait
for the next outbound line and are not checked at the end); by default
such a segment fails the script.

--define NAME=VALUE (or -D, repeatable) defines a word of the scripts as
packetdrill's -D does: --define CODE=port_unreachable. Without it,
TFO_COOKIE and CODE have the values packetdrill's run_all.py gives every
IPv4 script (CODE=host_unreachable); a script's own --define lines win.

--out DIR writes trace.jsonl and pcap/dut-eth0.pcap of the run (with several
scripts, into DIR/<script name>/); a folder holding a netsim run is refused.

Exit codes: 0 every script passed; 1 a script failed; 2 a script does not
parse (FILE:LINE:COL) or bad usage.
`

// stringsFlag collects a repeated flag.
type stringsFlag []string

func (f *stringsFlag) String() string     { return strings.Join(*f, ",") }
func (f *stringsFlag) Set(s string) error { *f = append(*f, s); return nil }

type drillOpts struct {
	verbose   bool
	strict    bool
	queue     bool
	tolerance int
	// toleranceSet: --tolerance_usecs was given (0 included).
	toleranceSet bool
	sets         stringsFlag
	defines      stringsFlag
	settings     string
	preset       string
	stack        string
	out          string
}

// drillMain is "netsim drill": it returns the exit code.
func drillMain(args []string, stdout, stderr io.Writer) int {
	var o drillOpts
	fs := newFlagSet("drill", drillUsage, stdout, stderr)
	fs.BoolVar(&o.verbose, "verbose", false, "print every step (segment in or out, system call) as it runs")
	fs.BoolVar(&o.strict, "strict_segments", false, "match each outbound line with exactly one segment")
	fs.BoolVar(&o.queue, "queue_unmatched", false, "let segments no line lists wait for the next outbound line, unchecked at the end (packetdrill's rule)")
	fs.IntVar(&o.tolerance, "tolerance_usecs", 0, "how far (µs) a segment may be from its line's time (default 4000; a script's own option wins)")
	fs.Var(&o.sets, "set", "a setting KEY=VALUE (repeatable), e.g. tcp.syn_retries=5")
	fs.StringVar(&o.settings, "settings", "", "a YAML file of settings (KEY: VALUE)")
	fs.StringVar(&o.preset, "preset", "", "a preset environment: packetdrill (google/packetdrill's defaults.sh)")
	fs.StringVar(&o.stack, "stack", "host", "the stack under test: host, the only one (kept so that old command lines work)")
	fs.StringVar(&o.out, "out", "", "write trace.jsonl and the pcap of each run into DIR")
	fs.Var(&o.defines, "define", "define a script word NAME=VALUE (repeatable), as packetdrill's -D")
	fs.Var(&o.defines, "D", "the same as --define")
	files, code, ok := parseSome(fs, args, "no script given", drillUsage, stderr)
	if !ok {
		return code
	}
	if o.tolerance < 0 {
		fmt.Fprintf(stderr, "netsim drill: --tolerance_usecs %d: want 0 or more microseconds (0: exact times, as packetdrill)\n", o.tolerance)
		return exitUsage
	}
	// 0 is a tolerance (packetdrill's exact timing), so whether the flag
	// was given is asked of the flag set, not of its value.
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "tolerance_usecs" {
			o.toleranceSet = true
		}
	})
	for _, d := range o.defines {
		if k, _, found := strings.Cut(d, "="); !found || k == "" {
			fmt.Fprintf(stderr, "netsim drill: --define %q: want NAME=VALUE\n", d)
			return exitUsage
		}
	}
	switch o.stack {
	case "host":
	case "conn":
		fmt.Fprintln(stderr, "netsim drill: --stack conn was removed: scripts run against the simulated host only (its sockets, IPv4 and TCP); drop --stack")
		return exitUsage
	default:
		fmt.Fprintf(stderr, "netsim drill: --stack %q: the only stack is host\n", o.stack)
		return exitUsage
	}
	cfg, err := drillConfig(&o)
	if err != nil {
		fmt.Fprintf(stderr, "netsim drill: %v\n", err)
		return exitUsage
	}
	rc := drill.DefaultRunConfig()
	if o.toleranceSet {
		rc.Tolerance = time.Duration(o.tolerance) * time.Microsecond
	}
	rc.StrictSegments = o.strict
	rc.QueueUnmatched = o.queue || o.preset == "packetdrill"

	code, passed, failed := exitOK, 0, 0
	for _, f := range files {
		dir := ""
		if o.out != "" {
			dir = o.out
			if len(files) > 1 {
				dir = filepath.Join(o.out, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)))
			}
		}
		switch r := drillOne(f, cfg, rc, &o, dir, stdout, stderr); r {
		case exitOK:
			passed++
		default:
			failed++
			code = max(code, r)
		}
	}
	if len(files) > 1 {
		fmt.Fprintf(stdout, "%d scripts: %d passed, %d failed\n", len(files), passed, failed)
	}
	return code
}

// drillConfig builds the TCP settings from the preset, the settings file
// and the --set flags, in that order.
func drillConfig(o *drillOpts) (tcp.Config, error) {
	var set []drill.Setting
	if o.preset != "" {
		p, _, err := drill.Preset(o.preset)
		if err != nil {
			return tcp.Config{}, err
		}
		set = append(set, p...)
	}
	if o.settings != "" {
		src, err := capped.ReadFile(o.settings, maxInputBytes)
		if err != nil {
			return tcp.Config{}, fmt.Errorf("--settings: %w", err)
		}
		fromFile, err := settingsYAML(o.settings, src)
		if err != nil {
			return tcp.Config{}, err
		}
		set = append(set, fromFile...)
	}
	for _, kv := range o.sets {
		s, err := drill.ParseSetting(kv, "--set")
		if err != nil {
			return tcp.Config{}, err
		}
		set = append(set, s)
	}
	return drill.ApplySettings(tcp.DefaultConfig(), set)
}

// settingsYAML reads a settings file: a map of keys to scalar values, in
// which nested maps join their keys with dots (tcp: {syn_retries: 5} is
// tcp.syn_retries: 5). Each setting's source is FILE:LINE.
func settingsYAML(name string, src []byte) ([]drill.Setting, error) {
	doc, err := scenarios.DecodeYAML(name, src) // at its line and column, as in a scenario
	if err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	var out []drill.Setting
	var walk func(prefix string, n *yaml.Node) error
	walk = func(prefix string, n *yaml.Node) error {
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%s:%d:%d: want a map of settings (key: value)", name, n.Line, n.Column)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := k.Value
			if prefix != "" {
				key = prefix + "." + key
			}
			switch v.Kind {
			case yaml.MappingNode:
				if err := walk(key, v); err != nil {
					return err
				}
			case yaml.ScalarNode:
				out = append(out, drill.Setting{Key: key, Value: v.Value, Source: fmt.Sprintf("%s:%d", name, k.Line)})
			default:
				return fmt.Errorf("%s:%d:%d: %s: want a single value", name, v.Line, v.Column, key)
			}
		}
		return nil
	}
	if err := walk("", doc.Content[0]); err != nil {
		return nil, err
	}
	return out, nil
}

// drillOne runs one script and reports it; it returns the script's exit
// code.
func drillOne(path string, cfg tcp.Config, rc drill.RunConfig, o *drillOpts, dirPath string, stdout, stderr io.Writer) int {
	src, err := capped.ReadFile(path, maxInputBytes)
	if err != nil {
		fmt.Fprintf(stderr, "netsim drill: %v\n", err)
		return exitUsage
	}
	s, err := drill.ParseDefines(path, src, o.defines)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	// The host reports tcp_info, so its assertions are evaluated.
	if cmds, code := drill.Skipped(s, true); cmds+code > 0 {
		applied := ""
		if n := len(drill.ScriptSysctls(s)); n > 0 {
			applied = fmt.Sprintf(" (their %d sysctl line(s) of settings netsim has are applied)", n)
		}
		fmt.Fprintf(stderr, "%s: warning: skipped %d shell command line(s)%s and %d %%{ }%% code block(s): netsim cannot run them\n", path, cmds, applied, code)
	}
	cfg, err = drill.ConfigFromScript(s, cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if rc, err = drill.RunConfigFromScript(s, rc); err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	var log io.Writer
	if o.verbose {
		log = stdout
		fmt.Fprintf(stdout, "%s:\n", path)
	}
	var out *outDir
	var trace *sim.JSONLWriter
	var capture io.Writer
	if dirPath != "" {
		// A drill writes no manifest.json, so committing into the folder
		// of a netsim run would take the run's files (listed by its
		// manifest) for an earlier drill's and remove them; refuse, as
		// netsim sweep does.
		if _, err := os.Stat(filepath.Join(dirPath, "manifest.json")); err == nil {
			fmt.Fprintf(stderr, "netsim drill: output folder %s: holds the outputs of a netsim run (manifest.json): give the drill a folder of its own, like out/drill\n", dirPath)
			return exitUsage
		}
		if out, err = newOutDir(dirPath); err != nil {
			fmt.Fprintf(stderr, "netsim drill: %v\n", err)
			return exitUsage
		}
		tw, err := out.create("trace.jsonl")
		if err == nil {
			trace = sim.NewJSONLWriter(tw)
			capture, err = out.create(filepath.Join("pcap", drillstack.HostName+"-eth0.pcap"))
		}
		if err != nil {
			out.abort()
			fmt.Fprintf(stderr, "netsim drill: %v\n", err)
			return exitUsage
		}
	}
	opts := drillstack.Options{Config: cfg, Run: rc, Seed: 1}
	if trace != nil {
		opts.Trace, opts.Capture = trace, capture
	}
	host, err := drillstack.New(opts)
	if err != nil {
		if out != nil {
			_ = trace.Err() // no buffer in flight while the folder goes
			out.abort()
		}
		fmt.Fprintf(stderr, "netsim drill: %s: %v\n", path, err)
		return exitUsage
	}
	rec := drill.NewRecorder(host, log)
	runErr := drill.Run(s, rec, rc)
	if runErr == nil {
		runErr = errors.Join(host.DecodeErr(), host.CaptureErr())
	}
	if out != nil {
		if trace != nil {
			if err := trace.Flush(); err != nil {
				fmt.Fprintf(stderr, "netsim drill: trace: %v\n", err)
			}
		}
		if err := out.commit(); err != nil {
			fmt.Fprintf(stderr, "netsim drill: %v\n", err)
		} else {
			fmt.Fprintf(stdout, "%s: wrote %s\n", path, strings.Join(out.written, ", "))
		}
	}
	if runErr != nil {
		var b bytes.Buffer
		drill.Report(&b, s, runErr, rec, rc)
		stderr.Write(b.Bytes())
		fmt.Fprintf(stdout, "FAIL %s\n", path)
		return exitFailed
	}
	fmt.Fprintf(stdout, "ok   %s (%s)\n", path, scriptStats(s, rec))
	return exitOK
}

// scriptStats summarises what a passing script exercised.
func scriptStats(s *drill.Script, rec *drill.Recorder) string {
	counts := map[string]int{}
	for _, l := range s.Lines {
		switch {
		case l.Kind == drill.LinePacket && l.Packet.Dir == drill.Inbound:
			counts["in"]++
		case l.Kind == drill.LinePacket:
			counts["out"]++
		case l.Kind == drill.LineSyscall:
			counts["calls"]++
		}
	}
	return strconv.Itoa(counts["in"]) + " in, " + strconv.Itoa(counts["out"]) + " out, " +
		strconv.Itoa(counts["calls"]) + " calls, " + strconv.Itoa(len(rec.Sent)) + " segments sent"
}
