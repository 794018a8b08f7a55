package drill

import (
	"fmt"
	"net/netip"
	"path"
	"strings"

	"github.com/netsimlab/netsim/tcp"
)

// ConfigFromScript applies a script's netsim options to base. They stand in
// for the sysctls and socket options a Linux script would set. An option
// is a TCP setting when its name is a setting's name or alias in the
// settings table (tcp.Settings, docs/tcp-settings.md), read as --set reads
// it (a bare number of a duration is ms); other options (--tolerance_usecs)
// are the runner's. For example:
//
//	--congestion=cubic  --nagle=0  --sack=0  --timestamps=0  --wscale=0
//	--delack_ms=0  --init_cwnd=4  --mss=1000  --rcvbuf=8192  --sndbuf=8192
//	--rto_min_ms=200  --rto_initial_ms=1000  --syn_retries=6
//	--synack_retries=5  --timewait_ms=60000  --rack=0
//
// The sysctl lines of the script's untimed shell commands that name a
// sysctl netsim has are applied first, in order, as Linux runs them before
// the script's first line: the public ECN scripts turn ECN on that way
// (`sysctl -q net.ipv4.tcp_ecn=1`). Those of timed commands, such as a
// line "+0 `sysctl -q net.ipv4.tcp_fastopen=0x402`", are checked here and
// applied by the runner at their line's time (SettingsStack).
func ConfigFromScript(s *Script, base tcp.Config) (tcp.Config, error) {
	cfg := base
	if sc := ScriptSysctls(s); len(sc) > 0 {
		// Every sysctl is checked now, so that a bad value stops the
		// script before it starts.
		if _, err := ApplySettings(cfg, sc); err != nil {
			return base, fmt.Errorf("drill: %w", err)
		}
	}
	for _, l := range s.Lines {
		if l.Kind != LineCommand || l.Time.Kind != TimeNone {
			continue
		}
		if sc := LineSysctls(s, l); len(sc) > 0 {
			var err error
			if cfg, err = ApplySettings(cfg, sc); err != nil {
				return base, fmt.Errorf("drill: %w", err)
			}
		}
	}
	for _, l := range s.Lines {
		if l.Kind != LineOption {
			continue
		}
		o := l.Option
		st, ok := tcp.LookupSetting(o.Name)
		if !ok {
			continue
		}
		v, err := st.Parse(o.Value)
		if err == nil {
			err = st.Set(&cfg, v)
		}
		if err != nil {
			return cfg, fmt.Errorf("drill: %s:%d: --%s=%q: %s", s.Name, l.Num, o.Name, o.Value, problem(err))
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("drill: %s: %w", s.Name, err)
	}
	return cfg, nil
}

// RunConfigFromScript applies a script's address options to rc, as
// packetdrill's: --local_ip=A is the stack's address, --remote_ip=B the
// peer's (IPv4 only: the drill host has no IPv6). The public Fast Open
// scripts set them to check the cookie of other addresses.
func RunConfigFromScript(s *Script, rc RunConfig) (RunConfig, error) {
	for _, l := range s.Lines {
		if l.Kind != LineOption || l.Option.Name != "local_ip" && l.Option.Name != "remote_ip" {
			continue
		}
		a, err := netip.ParseAddr(strings.Trim(l.Option.Value, `"`))
		if err != nil || !a.Is4() {
			return rc, fmt.Errorf("drill: %s:%d: --%s=%s: want an IPv4 address", s.Name, l.Num, l.Option.Name, l.Option.Value)
		}
		if l.Option.Name == "local_ip" {
			rc.Local = a
		} else {
			rc.Remote = a
		}
	}
	if rc.Local == rc.Remote {
		return rc, fmt.Errorf("drill: %s: the local and remote addresses are both %s", s.Name, rc.Local)
	}
	return rc, nil
}

// ScriptSysctls returns the settings of a script's shell commands that
// netsim can apply: each line of a backtick block of the form
// `sysctl [-q] [-w] KEY=VALUE`, or packetdrill's
// `set_sysctls.py /proc/sys/net/ipv4/KEY=VALUE ...` (continued over lines
// with a backslash), whose KEY is a Linux sysctl netsim has
// (docs/tcp-settings.md), with its source SCRIPT:LINE. Other lines (the
// `../common/defaults.sh` the --preset packetdrill stands for, tc, ip,
// sysctls netsim does not model) are left out: the runner skips them.
func ScriptSysctls(s *Script) []Setting {
	var out []Setting
	for _, l := range s.Lines {
		if l.Kind == LineCommand {
			out = append(out, LineSysctls(s, l)...)
		}
	}
	return out
}

// LineSysctls returns the settings of one shell command line of s, as
// ScriptSysctls reads them.
func LineSysctls(s *Script, l *Line) []Setting {
	var out []Setting
	lines := strings.Split(l.Command, "\n")
	for i := 0; i < len(lines); i++ {
		first, text := i, lines[i]
		for strings.HasSuffix(strings.TrimSpace(text), "\\") && i+1 < len(lines) {
			i++
			text = strings.TrimSuffix(strings.TrimSpace(text), "\\") + " " + lines[i]
		}
		for _, kv := range sysctlLine(text) {
			if sts, sysctl := lookup(kv[0]); len(sts) == 0 || !sysctl {
				continue
			}
			out = append(out, Setting{Key: kv[0], Value: kv[1], Source: fmt.Sprintf("%s:%d", s.Name, l.Num+first)})
		}
	}
	return out
}

// FlushesMetrics reports whether a shell command line runs `ip
// tcp_metrics flush` (`ip tcp_metrics flush all`, its short forms), which
// clears Linux's per-destination cache of Fast Open cookies.
func FlushesMetrics(l *Line) bool {
	for _, line := range strings.Split(l.Command, "\n") {
		for _, cmd := range strings.FieldsFunc(line, func(r rune) bool { return r == ';' || r == '&' || r == '|' }) {
			f := strings.Fields(cmd)
			if len(f) >= 3 && path.Base(f[0]) == "ip" && strings.HasPrefix("tcp_metrics", f[1]) && len(f[1]) >= 5 &&
				strings.HasPrefix("flush", f[2]) {
				return true
			}
		}
	}
	return false
}

// sysctlLine reads one shell line and returns the KEY, VALUE pairs of its
// commands of the form sysctl [-q] [-w] KEY=VALUE ... or set_sysctls.py
// /proc/sys/A/B/KEY=VALUE ... (as the sysctl A.B.KEY), with values quoted
// as the shell quotes them ("4096 87380 6291456"). Commands joined by ;,
// && or | are read one by one; a redirection ends a command's arguments;
// a # comment ends the line.
func sysctlLine(line string) [][2]string {
	var out [][2]string
	for _, f := range shellCommands(line) {
		if len(f) < 2 {
			continue
		}
		switch {
		case path.Base(f[0]) == "set_sysctls.py":
			for _, a := range f[1:] {
				k, v, ok := strings.Cut(strings.TrimPrefix(a, "/proc/sys/"), "=")
				if ok && k != "" && strings.HasPrefix(a, "/proc/sys/") {
					out = append(out, [2]string{strings.ReplaceAll(k, "/", "."), v})
				}
			}
		case f[0] == "sysctl":
			// procps sysctl sets every KEY=VALUE argument.
			for _, a := range f[1:] {
				if k, v, ok := strings.Cut(a, "="); ok && k != "" && !strings.HasPrefix(a, "-") {
					out = append(out, [2]string{k, v})
				}
			}
		}
	}
	return out
}

// shellCommands splits a shell line into commands, and each into words, as
// sh does for the simple commands scripts use: white space outside quotes
// separates words; single and double quotes group (and are removed); a
// backslash takes the next character as it is (within double quotes only
// $ ` " and \); an unquoted ;, & or | ends a command (so && and || do);
// an unquoted < or > starts a redirection, which is left out with its
// target (and a file descriptor number before it, as in 2>/dev/null); a #
// that begins a word starts a comment. Nothing is expanded ($, globs).
func shellCommands(line string) [][]string {
	var (
		cmds  [][]string
		words []string
		word  strings.Builder
		in    bool // a word has begun (possibly empty: "")
		quote byte
		redir bool // the next word is a redirection's target
	)
	endWord := func() {
		if in {
			if !redir {
				words = append(words, word.String())
			}
			redir = false
		}
		word.Reset()
		in = false
	}
	endCommand := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words, redir = nil, false
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == '\'':
			word.WriteByte(c)
		case c == '\\' && i+1 < len(line) && (quote == 0 || strings.IndexByte("$`\"\\", line[i+1]) >= 0):
			i++
			word.WriteByte(line[i])
			in = true
		case quote == '"':
			word.WriteByte(c)
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t':
			endWord()
		case c == ';' || c == '&' || c == '|':
			endCommand()
		case c == '<' || c == '>':
			if in && strings.Trim(word.String(), "0123456789") == "" {
				word.Reset() // 2>file: the digits name a descriptor
				in = false
			}
			endWord()
			for i+1 < len(line) && (line[i+1] == '>' || line[i+1] == '&') {
				i++ // >>, >&
			}
			redir = true
		case c == '#' && !in:
			endCommand()
			return cmds
		default:
			word.WriteByte(c)
			in = true
		}
	}
	endCommand()
	return cmds
}
