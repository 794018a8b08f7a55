package drill

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/units"
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

// settingKey is one netsim key: what it sets and how its value reads.
type settingKey struct {
	doc   string
	apply func(cfg *tcp.Config, v string) error
}

func intKey(doc string, f func(*tcp.Config) *int) settingKey {
	return settingKey{doc, func(c *tcp.Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errors.New("want an integer")
		}
		*f(c) = n
		return nil
	}}
}

func boolKey(doc string, f func(*tcp.Config) *bool) settingKey {
	return settingKey{doc, func(c *tcp.Config, v string) error {
		b, err := parseBool(v)
		*f(c) = b
		return err
	}}
}

// durKey reads a Go duration ("200ms"), or a bare number in unit (ms for
// the timers, as Linux's route attributes and most sysctls count them).
func durKey(doc string, unit time.Duration, f func(*tcp.Config) *time.Duration) settingKey {
	return settingKey{doc, func(c *tcp.Config, v string) error {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			if n < 0 {
				return errors.New("must not be negative")
			}
			*f(c) = time.Duration(n) * unit
			return nil
		}
		d, err := units.ParseDuration(v)
		if err != nil {
			return err
		}
		*f(c) = d
		return nil
	}}
}

func sizeKey(doc string, f func(*tcp.Config) *int) settingKey {
	return settingKey{doc, func(c *tcp.Config, v string) error {
		n, err := units.ParseByteSize(v)
		if err != nil {
			return err
		}
		if n > 1<<30 {
			return errors.New("want at most 1GiB")
		}
		*f(c) = int(n)
		return nil
	}}
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "on", "yes":
		return true, nil
	case "0", "false", "off", "no":
		return false, nil
	}
	return false, errors.New("want 1 or 0 (true, false, on, off)")
}

// settingKeys are netsim's own keys: each is one tcp.Config field.
var settingKeys = map[string]settingKey{
	"tcp.mss":            intKey("MSS: the largest segment payload announced in the SYN (bytes)", func(c *tcp.Config) *int { return &c.MSS }),
	"tcp.init_cwnd":      intKey("InitialCwnd: the initial congestion window (segments, RFC 6928)", func(c *tcp.Config) *int { return &c.InitialCwnd }),
	"tcp.rto_initial":    durKey("RTOInitial: the RTO before any RTT sample (RFC 6298 §2.1; 1s)", time.Millisecond, func(c *tcp.Config) *time.Duration { return &c.RTOInitial }),
	"tcp.rto_min":        durKey("RTOMin: the lower bound of the RTO (Linux 200ms)", time.Millisecond, func(c *tcp.Config) *time.Duration { return &c.RTOMin }),
	"tcp.rto_max":        durKey("RTOMax: the upper bound of the RTO (Linux 120s)", time.Millisecond, func(c *tcp.Config) *time.Duration { return &c.RTOMax }),
	"tcp.delayed_ack":    durKey("DelayedAck: the delayed-ACK timeout; 0 acknowledges every segment at once", time.Millisecond, func(c *tcp.Config) *time.Duration { return &c.DelayedAck }),
	"tcp.time_wait":      durKey("TimeWait: how long TIME-WAIT lasts (2 MSL; Linux 60s)", time.Millisecond, func(c *tcp.Config) *time.Duration { return &c.TimeWait }),
	"tcp.nagle":          boolKey("Nagle: hold back small segments while data is in flight (0 = TCP_NODELAY)", func(c *tcp.Config) *bool { return &c.Nagle }),
	"tcp.sack":           boolKey("SACK: offer selective acknowledgments (RFC 2018)", func(c *tcp.Config) *bool { return &c.SACK }),
	"tcp.window_scaling": boolKey("WindowScale: offer the window scale option (RFC 7323 §2)", func(c *tcp.Config) *bool { return &c.WindowScale }),
	"tcp.timestamps":     boolKey("Timestamps: offer the timestamps option (RFC 7323 §3)", func(c *tcp.Config) *bool { return &c.Timestamps }),
	"tcp.send_buffer":    sizeKey("SendBuffer: the send buffer (bytes, or 256KiB)", func(c *tcp.Config) *int { return &c.SendBuffer }),
	"tcp.recv_buffer":    sizeKey("RecvBuffer: the receive buffer (bytes, or 15MiB); it also sets the window scale offered", func(c *tcp.Config) *int { return &c.RecvBuffer }),
	"tcp.syn_retries":    intKey("SynRetries: SYN retransmissions before connect() fails ETIMEDOUT", func(c *tcp.Config) *int { return &c.SynRetries }),
	"tcp.synack_retries": intKey("SynAckRetries: SYN-ACK retransmissions before a half-open connection is dropped", func(c *tcp.Config) *int { return &c.SynAckRetries }),
	"tcp.rack":           boolKey("RACK: RACK-style loss detection during SACK recovery, incl. lost retransmissions (RFC 8985 §6.2; Linux tcp_recovery=1)", func(c *tcp.Config) *bool { return &c.RACK }),
	"tcp.data_retries":   intKey("DataRetries: RTO expiries in a row before a connection fails ETIMEDOUT", func(c *tcp.Config) *int { return &c.DataRetries }),
	"tcp.congestion": {"Congestion: the congestion control (newreno, cubic; reno means newreno)", func(c *tcp.Config, v string) error {
		if v == "reno" {
			v = "newreno"
		}
		c.Congestion = v
		return nil
	}},
}

// sysctl maps a Linux name onto a netsim key, converting the value.
type sysctl struct {
	key string
	doc string
	// conv turns the Linux value into the netsim key's; nil keeps it.
	conv func(v string) (string, error)
}

// field returns the i-th whitespace-separated field of a triple such as
// tcp_rmem's "min default max".
func field(i int) func(string) (string, error) {
	return func(v string) (string, error) {
		f := strings.Fields(v)
		if len(f) != 3 {
			return "", errors.New(`want three sizes "min default max"`)
		}
		return f[i], nil
	}
}

// sysctlKeys maps the common Linux sysctls (and the route attributes
// initcwnd and rto_min) onto netsim keys.
var sysctlKeys = map[string]sysctl{
	"net.ipv4.tcp_syn_retries":    {key: "tcp.syn_retries", doc: "same meaning"},
	"net.ipv4.tcp_synack_retries": {key: "tcp.synack_retries", doc: "same meaning"},
	"net.ipv4.tcp_retries2":       {key: "tcp.data_retries", doc: "RTO expiries before an established connection fails"},
	"net.ipv4.tcp_timestamps": {key: "tcp.timestamps", doc: "1 on, 0 off (Linux's 2, timestamps without random offsets, is 1)", conv: func(v string) (string, error) {
		if v == "2" {
			return "1", nil
		}
		return v, nil
	}},
	"net.ipv4.tcp_sack":           {key: "tcp.sack", doc: "same meaning"},
	"net.ipv4.tcp_window_scaling": {key: "tcp.window_scaling", doc: "same meaning"},
	"net.ipv4.tcp_recovery": {key: "tcp.rack", doc: "bit 0x1 (RACK loss detection) turns tcp.rack on; netsim has no RACK timer or tail-loss probes", conv: func(v string) (string, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 0, 64)
		if err != nil {
			return "", errors.New("want an integer bit mask, like 1")
		}
		if n&1 != 0 {
			return "1", nil
		}
		return "0", nil
	}},
	"net.ipv4.tcp_rmem": {key: "tcp.recv_buffer", conv: field(2),
		doc: "the third value (max): netsim has one receive buffer size, and Linux both chooses the window scale from max and lets autotuning grow the buffer to it"},
	"net.ipv4.tcp_wmem": {key: "tcp.send_buffer", conv: field(1),
		doc: "the second value (default): the send buffer a socket starts with"},
	"net.ipv4.tcp_congestion_control": {key: "tcp.congestion", doc: "cubic, reno (netsim's newreno)"},
	"net.ipv4.tcp_rto_min_us": {key: "tcp.rto_min", doc: "microseconds (Linux 6.11+)", conv: func(v string) (string, error) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "", errors.New("want an integer number of microseconds")
		}
		return (time.Duration(n) * time.Microsecond).String(), nil
	}},
	"initcwnd": {key: "tcp.init_cwnd", doc: "the route attribute (ip route ... initcwnd N); Linux has no sysctl for it"},
	"rto_min":  {key: "tcp.rto_min", doc: "the route attribute (ip route ... rto_min 200ms); a bare number is ms"},
	"net.ipv4.tcp_init_cwnd": {key: "tcp.init_cwnd",
		doc: "not a Linux sysctl (the initial window is the route's initcwnd); accepted as a name for it"},
	"net.ipv4.tcp_min_rto": {key: "tcp.rto_min", doc: "not a Linux sysctl (see rto_min); accepted as a name for it"},
}

// SettingKeys returns netsim's setting keys with what each sets, sorted.
func SettingKeys() [][2]string {
	out := make([][2]string, 0, len(settingKeys))
	for k, v := range settingKeys {
		out = append(out, [2]string{k, v.doc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// SysctlKeys returns the Linux names accepted as keys, the netsim key each
// sets and how, sorted.
func SysctlKeys() [][3]string {
	out := make([][3]string, 0, len(sysctlKeys))
	for k, v := range sysctlKeys {
		out = append(out, [3]string{k, v.key, v.doc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// ApplySettings applies settings to base in order (a later one wins) and
// validates the result.
func ApplySettings(base tcp.Config, settings []Setting) (tcp.Config, error) {
	cfg := base
	for _, s := range settings {
		key, val := s.Key, s.Value
		if sc, ok := sysctlKeys[key]; ok {
			key = sc.key
			if sc.conv != nil {
				v, err := sc.conv(val)
				if err != nil {
					return base, &SettingError{s, err.Error()}
				}
				val = v
			}
		}
		k, ok := settingKeys[key]
		if !ok {
			return base, &SettingError{s, "unknown key; want one of " + knownKeys()}
		}
		if err := k.apply(&cfg, val); err != nil {
			return base, &SettingError{s, err.Error()}
		}
	}
	if err := cfg.Validate(); err != nil {
		return base, fmt.Errorf("%w: %w", ErrSetting, err)
	}
	return cfg, nil
}

func knownKeys() string {
	var ks []string
	for k := range settingKeys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ") + " (or a Linux sysctl: see the README, section netsim drill)"
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
	{"net.ipv4.tcp_rmem=\"4096 540000 15728640\"", Setting{Key: "tcp.recv_buffer", Value: "15728640"},
		"the max, 15 MiB, gives the window scale 8 the public scripts expect"},
	{"net.ipv4.tcp_wmem=\"4096 262144 4194304\"", Setting{Key: "tcp.send_buffer", Value: "262144"}, "the default a socket starts with"},
	{"net.ipv4.tcp_timestamps=1", Setting{Key: "tcp.timestamps", Value: "1"}, ""},
	{"net.ipv4.tcp_syn_retries=5", Setting{Key: "tcp.syn_retries", Value: "5"}, "stock Linux has 6"},
	{"net.ipv4.tcp_synack_retries=5", Setting{Key: "tcp.synack_retries", Value: "5"}, ""},
	{"net.ipv4.tcp_frto=2", Setting{}, "not modelled: netsim has no F-RTO (RFC 5682)"},
	{"net.ipv4.tcp_sack=1", Setting{Key: "tcp.sack", Value: "1"}, ""},
	{"net.ipv4.tcp_dsack=1", Setting{}, "on, as netsim (D-SACK blocks are always sent, RFC 2883; the sender ignores those it receives)"},
	{"net.ipv4.tcp_fack=0", Setting{}, "off, as netsim (no FACK)"},
	{"net.ipv4.tcp_reordering=3", Setting{}, "netsim's duplicate-ACK threshold is fixed at 3 (RFC 5681)"},
	{"net.ipv4.tcp_congestion_control=cubic", Setting{Key: "tcp.congestion", Value: "cubic"}, ""},
	{"net.ipv4.tcp_slow_start_after_idle=0", Setting{}, "netsim does not restart slow start after idle (RFC 5681 §4.1), which is this setting"},
	{"net.ipv4.tcp_recovery=1", Setting{Key: "tcp.rack", Value: "1"}, "RACK loss detection during recovery; netsim has no RACK timer"},
	{"net.ipv4.tcp_early_retrans=4", Setting{}, "not modelled: netsim sends no tail-loss probes"},
	{"net.ipv4.tcp_tso_win_divisor=3", Setting{}, "no TSO in netsim"},
	{"net.ipv4.tcp_ecn=0", Setting{}, "off, as netsim (no ECN)"},
	{"net.ipv4.tcp_pacing_ss_ratio=200 tcp_pacing_ca_ratio=120", Setting{}, "no pacing in netsim"},
	{"net.ipv4.tcp_notsent_lowat=4294967295", Setting{}, "no limit, as netsim"},
	{"net.ipv4.tcp_fastopen=0x70403", Setting{}, "not modelled: no TCP Fast Open"},
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
