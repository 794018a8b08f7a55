package drill

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/netsimlab/netsim/tcp"
)

// Setting is one key=value change to the TCP settings of a drill run, from
// a --set flag, a --settings file or a preset.
type Setting struct {
	// Key is a netsim key ("tcp.syn_retries") or a Linux sysctl
	// ("net.ipv4.tcp_syn_retries") or route attribute ("initcwnd") that
	// maps onto one; see SettingKeys and SysctlKeys.
	Key string
	// Value is the value as written.
	Value string
	// Source says where the setting came from, for errors: "--set",
	// "settings.yaml:3", "preset packetdrill".
	Source string
}

// ErrSetting is wrapped by every error about a setting: an unknown key, a
// value that does not parse, or a value netsim cannot model.
var ErrSetting = errors.New("drill: bad setting")

// SettingError says which setting is wrong and why.
type SettingError struct {
	Setting
	Msg string
}

// Error repeats the source, key and value, then the reason.
func (e *SettingError) Error() string {
	src := ""
	if e.Source != "" {
		src = e.Source + ": "
	}
	return fmt.Sprintf("%s%s=%s: %s", src, e.Key, e.Value, e.Msg)
}

// Is makes errors.Is(err, ErrSetting) hold.
func (e *SettingError) Is(target error) bool { return target == ErrSetting }

// ParseSetting splits "key=value" as given to --set.
func ParseSetting(s, source string) (Setting, error) {
	k, v, ok := strings.Cut(s, "=")
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	if !ok || k == "" {
		return Setting{}, &SettingError{Setting{Key: s, Source: source}, "want key=value, like tcp.syn_retries=5"}
	}
	return Setting{Key: k, Value: v, Source: source}, nil
}

// lookup finds the table entries a key names: tcp.NAME or NAME, where NAME
// is a setting's name or alias, or a Linux sysctl (whose value may need
// converting, tcp.Setting.ParseSysctl, and which may set two settings).
func lookup(key string) (sts []tcp.Setting, sysctl bool) {
	if st, ok := tcp.LookupSetting(strings.TrimPrefix(key, "tcp.")); ok {
		return []tcp.Setting{st}, false
	}
	return tcp.LookupSysctl(key), true
}

// problem turns a tcp.SettingError into the tail of a SettingError's
// message, which already repeats the key and value.
func problem(err error) string {
	var se *tcp.SettingError
	if errors.As(err, &se) {
		return se.Problem + "; want " + se.Allowed
	}
	return err.Error()
}

// SettingKeys returns netsim's setting keys (tcp.NAME) with what each
// sets, in the order of the settings table (tcp.Settings).
func SettingKeys() [][2]string {
	var out [][2]string
	for _, st := range tcp.Settings() {
		out = append(out, [2]string{"tcp." + st.Name, st.Doc})
	}
	return out
}

// SysctlKeys returns the other names accepted as keys, sorted: the Linux
// sysctls, the route attributes and netsim's older spellings, each with
// the netsim key it sets and how.
func SysctlKeys() [][3]string {
	var out [][3]string
	for _, st := range tcp.Settings() {
		if st.Sysctl != "" {
			note := st.SysctlNote
			if note == "" {
				note = "same meaning"
			}
			out = append(out, [3]string{st.Sysctl, "tcp." + st.Name, note})
		}
		for _, a := range st.Aliases {
			out = append(out, [3]string{a.Name, "tcp." + st.Name, a.Note})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// ApplySettings applies settings to base in order (a later one wins) and
// validates the result. A key is tcp.NAME (the tcp. may be left out), with
// NAME a setting's name or alias, or a Linux sysctl: see tcp.Settings.
func ApplySettings(base tcp.Config, settings []Setting) (tcp.Config, error) {
	cfg := base
	for _, s := range settings {
		sts, sysctl := lookup(s.Key)
		if len(sts) == 0 {
			return base, &SettingError{s, "unknown key; want one of " + knownKeys()}
		}
		for _, st := range sts {
			parse := st.Parse
			if sysctl {
				parse = st.ParseSysctl
			}
			v, err := parse(s.Value)
			if err == nil {
				err = st.Set(&cfg, v)
			}
			if err != nil {
				return base, &SettingError{s, problem(err)}
			}
		}
	}
	if err := cfg.Validate(); err != nil {
		return base, fmt.Errorf("%w: %w", ErrSetting, err)
	}
	return cfg, nil
}

func knownKeys() string {
	var ks []string
	for _, name := range tcp.SettingNames() {
		ks = append(ks, "tcp."+name)
	}
	return strings.Join(ks, ", ") + " (or an alias or Linux sysctl: see docs/tcp-settings.md)"
}

// PresetEntry is one line of google/packetdrill's
// gtests/net/common/defaults.sh, with what netsim makes of it.
type PresetEntry struct {
	// Sysctl is the line's setting as defaults.sh writes it.
	Sysctl string
	// Setting is the netsim setting applied; empty Key when none is.
	Setting Setting
	// Note says why, or why nothing is applied.
	Note string
}

// packetdrillPreset is defaults.sh, line by line.
var packetdrillPreset = []PresetEntry{
	{"net.ipv4.tcp_rmem=\"4096 540000 15728640\"", Setting{Key: "net.ipv4.tcp_rmem", Value: "4096 540000 15728640"},
		"recv_buffer_initial and recv_buffer_max; the max, 15 MiB, gives the window scale 8 the public scripts expect"},
	{"net.ipv4.tcp_wmem=\"4096 262144 4194304\"", Setting{Key: "net.ipv4.tcp_wmem", Value: "4096 262144 4194304"}, "send_buffer_initial and send_buffer_max"},
	{"net.ipv4.tcp_timestamps=1", Setting{Key: "tcp.timestamps", Value: "1"}, ""},
	{"net.ipv4.tcp_syn_retries=5", Setting{Key: "tcp.syn_retries", Value: "5"}, "stock Linux has 6"},
	{"net.ipv4.tcp_synack_retries=5", Setting{Key: "tcp.synack_retries", Value: "5"}, ""},
	{"net.ipv4.tcp_frto=2", Setting{}, "not modelled: netsim has no F-RTO (RFC 5682)"},
	{"net.ipv4.tcp_sack=1", Setting{Key: "tcp.sack", Value: "1"}, ""},
	{"net.ipv4.tcp_dsack=1", Setting{}, "on, as netsim (D-SACK blocks are always sent, RFC 2883; those received grow RACK's reordering window)"},
	{"net.ipv4.tcp_fack=0", Setting{}, "off, as netsim (no FACK)"},
	{"net.ipv4.tcp_reordering=3", Setting{}, "netsim's duplicate-ACK threshold is fixed at 3 (RFC 5681)"},
	{"net.ipv4.tcp_congestion_control=cubic", Setting{Key: "tcp.congestion", Value: "cubic"}, ""},
	{"net.ipv4.tcp_slow_start_after_idle=0", Setting{Key: "tcp.slow_start_after_idle", Value: "0"}, "stock Linux (and netsim) restart slow start after idle"},
	{"net.ipv4.tcp_recovery=1", Setting{Key: "tcp.rack", Value: "1"}, "RACK loss detection with its reordering window and timer"},
	{"net.ipv4.tcp_early_retrans=4", Setting{Key: "net.ipv4.tcp_early_retrans", Value: "4"}, "tail loss probes on (tcp.tlp), as stock Linux's 3"},
	{"net.ipv4.tcp_tso_win_divisor=3", Setting{}, "no TSO in netsim"},
	{"net.ipv4.tcp_ecn=0", Setting{Key: "tcp.ecn", Value: "off"}, "netsim's default is Linux's 2 (accept)"},
	{"net.ipv4.tcp_pacing_ss_ratio=200 tcp_pacing_ca_ratio=120", Setting{}, "no pacing in netsim"},
	{"net.ipv4.tcp_notsent_lowat=4294967295", Setting{Key: "net.ipv4.tcp_notsent_lowat", Value: "4294967295"}, "tcp.notsent_lowat 0: no limit, netsim's default too"},
	{"net.ipv4.tcp_fastopen=0x70403", Setting{Key: "net.ipv4.tcp_fastopen", Value: "0x70403"}, "Fast Open (RFC 7413): client, server, every listener with a queue as long as its backlog"},
	{"net.ipv4.tcp_fastopen_key=a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4", Setting{Key: "net.ipv4.tcp_fastopen_key", Value: "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4"}, "the key of the server's cookies"},
	{"net.ipv4.tcp_syncookies=1", Setting{}, "not modelled: a full accept queue drops SYNs"},
	{"net.mptcp.enabled=1", Setting{}, "no MPTCP"},
	{"tc qdisc add dev tun0 root pfifo", Setting{}, "the drill link has no queueing discipline"},
}

// Presets returns the names of the presets.
func Presets() []string { return []string{"packetdrill"} }

// Preset returns the settings of a named preset, and the whole mapping
// (entries applied and not) for documentation and --verbose.
func Preset(name string) ([]Setting, []PresetEntry, error) {
	if name != "packetdrill" {
		return nil, nil, fmt.Errorf("%w: preset %q: want one of %s", ErrSetting, name, strings.Join(Presets(), ", "))
	}
	var out []Setting
	for _, e := range packetdrillPreset {
		if e.Setting.Key != "" {
			s := e.Setting
			s.Source = "preset packetdrill"
			out = append(out, s)
		}
	}
	return out, packetdrillPreset, nil
}
