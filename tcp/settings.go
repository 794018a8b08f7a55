package tcp

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netsimlab/netsim/units"
)

// SettingKind is the type of a setting's value.
type SettingKind uint8

// The kinds of setting. The Go type of a value (see Setting.Check) is
// given for each.
const (
	KindBool     SettingKind = iota + 1 // bool
	KindInt                             // int64, counted in Setting.Unit
	KindDuration                        // time.Duration
	KindSize                            // int64 bytes
	KindEnum                            // string, one of Setting.Values
	KindText                            // string that Setting.text accepts
)

// String names the kind as docs/tcp-settings.md does.
func (k SettingKind) String() string {
	switch k {
	case KindBool:
		return "bool"
	case KindInt:
		return "int"
	case KindDuration:
		return "duration"
	case KindSize:
		return "size"
	case KindEnum:
		return "enum"
	case KindText:
		return "text"
	}
	return "SettingKind(" + strconv.Itoa(int(k)) + ")"
}

// Alias is another name accepted for a setting: an older netsim spelling,
// a packetdrill script option or a Linux name.
type Alias struct {
	Name string
	// Note says where the name comes from, for the documentation.
	Note string
}

// Setting describes one field of Config that a user can change. The same
// table serves a scenario's tcp: mapping, `netsim drill --set` and
// settings files, and a drill script's options, so a setting has one
// name, one set of bounds and one documentation line everywhere.
type Setting struct {
	// Name is the key: defaults.tcp.NAME in a scenario, tcp.NAME for
	// netsim drill --set, --NAME in a drill script.
	Name string
	// Doc is one line saying what the setting does.
	Doc string
	// Kind is the type of the value.
	Kind SettingKind
	// Unit is what a KindInt value counts ("segments").
	Unit string
	// Min and Max bound the value, inclusive: the count of a KindInt, the
	// bytes of a KindSize, the nanoseconds of a KindDuration. Max is
	// math.MaxInt64 when there is no upper bound.
	Min, Max int64
	// Zero says what 0 means when it is allowed and special ("off"). A
	// setting whose Zero is Auto also reads and writes 0 as "auto", and
	// accepts it below Min.
	Zero string
	// Ref cites where the bounds come from, when not obvious.
	Ref string
	// Values are the names a KindEnum accepts.
	Values []string
	// ValueAliases maps other accepted enum values to one of Values
	// ("on" for "true"), in documentation order.
	ValueAliases []Alias
	// Sysctl is the Linux sysctl that holds the setting, if any.
	Sysctl string
	// SysctlNote says how Linux's value maps onto the setting when it is
	// not the same value.
	SysctlNote string
	// sysctlValue turns the sysctl's value into the setting's; nil keeps
	// it. Its error says what it wants ("a bit mask like 1").
	sysctlValue func(string) (string, error)
	// Aliases are other names accepted for Name.
	Aliases []Alias
	// text checks a KindText value; TextForm says in words what it takes.
	text     func(string) error
	TextForm string
	// field returns a pointer to the Config field: *bool, *int,
	// *time.Duration, *string or (an enum with its own type) *ECNMode or
	// *PacingMode, as
	// Kind says.
	field func(*Config) any
}

// Bounds of the settings that other code needs too.
const (
	// MinMSS is Linux's TCP_MIN_MSS: setsockopt(TCP_MAXSEG) refuses less.
	MinMSS = 88
	// MaxMSS is the largest MSS an IPv4 datagram can carry: 65535 less
	// 20-byte IPv4 and TCP headers.
	MaxMSS = 65495
	// MaxBuffer is the largest socket buffer: RFC 7323 §2.3 limits the
	// scaled window to 2^30 bytes.
	MaxBuffer = 1 << 30
	// MaxDelayedAck is the longest delayed-ACK timeout: RFC 9293
	// §3.8.6.3 says an ACK must not be delayed more than 0.5 s.
	MaxDelayedAck = 500 * time.Millisecond
)

const (
	noMax   = math.MaxInt64
	retries = "retransmissions"
	// minSockMem is the smallest buffer memory the tcp_rmem and tcp_wmem
	// settings take: Linux's page-sized tcp_rmem[0] and tcp_wmem[0].
	minSockMem = 4096
)

// Auto is how a setting whose Zero is Auto writes 0: the value is chosen
// as Linux would (mss: auto, send_buffer: auto, recv_buffer: auto).
const Auto = "auto"

// settings is the table. Order is the documentation's: the segment and
// window first, then the timers, the options, the buffers, the retries and
// loss recovery. A new setting is one entry here.
var settings = []Setting{
	{
		Name: "mss", Kind: KindSize, Min: MinMSS, Max: MaxMSS, Zero: Auto,
		Doc: "the largest segment payload we accept, announced in the SYN's MSS option (RFC 9293 §3.7.1): auto is Linux's, the MTU toward the peer less 40 " +
			"(tcp_advertise_mss; 1460 on Ethernet, 8960 on a 9000-byte MTU; capped at recv_buffer_initial/2 and a fixed buffer's size); a size is an upper bound, " +
			"as setsockopt(TCP_MAXSEG), lowered to fit the MTU; at least Linux's TCP_MIN_MSS, at most what an IPv4 datagram holds",
		field: func(c *Config) any { return &c.MSS },
	},
	{
		Name: "congestion", Kind: KindEnum, Values: CongestionNames(),
		Doc:    "the congestion control algorithm (see docs/congestion.md)",
		Sysctl: "net.ipv4.tcp_congestion_control",
		field:  func(c *Config) any { return &c.Congestion },
	},
	{
		Name: "initial_cwnd", Kind: KindInt, Unit: "segments", Min: 1, Max: 1000,
		Doc: "the initial congestion window (RFC 6928)",
		Aliases: []Alias{
			{"init_cwnd", "netsim drill's former key tcp.init_cwnd and the script option --init_cwnd"},
			{"initcwnd", "the Linux route attribute (ip route ... initcwnd N); Linux has no sysctl for it"},
			{"net.ipv4.tcp_init_cwnd", "not a Linux sysctl; accepted as a name for initcwnd"},
		},
		field: func(c *Config) any { return &c.InitialCwnd },
	},
	{
		Name: "rto_initial", Kind: KindDuration, Min: 1, Max: noMax,
		Doc:     "the retransmission timeout before any RTT sample (RFC 6298 §2.1); between rto_min and rto_max",
		Aliases: []Alias{{"rto_initial_ms", "script option; a bare number is ms"}},
		field:   func(c *Config) any { return &c.RTOInitial },
	},
	{
		Name: "rto_min", Kind: KindDuration, Min: 1, Max: noMax,
		Doc:         "the lower bound of the retransmission timeout (RFC 6298 §2.4 asks 1 s; Linux uses 200 ms); also the Linux route attribute rto_min",
		Sysctl:      "net.ipv4.tcp_rto_min_us",
		SysctlNote:  "microseconds (Linux 6.11+)",
		sysctlValue: func(v string) (string, error) { return scaleInt(v, time.Microsecond) },
		Aliases: []Alias{
			{"rto_min_ms", "script option; a bare number is ms"},
			{"net.ipv4.tcp_min_rto", "not a Linux sysctl; accepted as a name for rto_min"},
		},
		field: func(c *Config) any { return &c.RTOMin },
	},
	{
		Name: "rto_max", Kind: KindDuration, Min: 1, Max: noMax,
		Doc:        "the upper bound of the retransmission timeout (RFC 6298 §2.5; Linux TCP_RTO_MAX)",
		Sysctl:     "net.ipv4.tcp_rto_max_ms",
		SysctlNote: "milliseconds (Linux 6.15+)",
		field:      func(c *Config) any { return &c.RTOMax },
	},
	{
		Name: "delayed_ack", Kind: KindDuration, Min: 0, Max: int64(MaxDelayedAck), Zero: "off",
		Doc:     "the delayed-ACK timeout at first and at least: the floor of the ACK timeout estimate, which then adapts to the gaps between the peer's segments (Linux's TCP_ATO_MIN); 0 acknowledges every segment at once",
		Ref:     "RFC 9293 §3.8.6.3",
		Aliases: []Alias{{"delack_ms", "script option; a bare number is ms"}},
		field:   func(c *Config) any { return &c.DelayedAck },
	},
	{
		Name: "time_wait", Kind: KindDuration, Min: 0, Max: noMax,
		Doc:     "how long TIME-WAIT lasts, 2×MSL (RFC 9293 §3.3.2; Linux TCP_TIMEWAIT_LEN)",
		Aliases: []Alias{{"timewait_ms", "script option; a bare number is ms"}},
		field:   func(c *Config) any { return &c.TimeWait },
	},
	{
		Name: "max_tw_buckets", Kind: KindInt, Unit: "connections", Min: 0, Max: math.MaxInt32, Zero: "none: every connection skips TIME-WAIT",
		Doc: "how many connections a host keeps in TIME-WAIT at once; one more skips TIME-WAIT and closes at once, " +
			"counted as timewait_overflow in summary.json (a host's setting: its own tcp settings decide)",
		Sysctl: "net.ipv4.tcp_max_tw_buckets",
		field:  func(c *Config) any { return &c.MaxTimeWait },
	},
	{
		Name: "rfc1337", Kind: KindBool,
		Doc:    "TIME-WAIT ignores RSTs (RFC 1337 §2, TIME-WAIT assassination); off, as in Linux, an in-window RST ends TIME-WAIT",
		Sysctl: "net.ipv4.tcp_rfc1337",
		field:  func(c *Config) any { return &c.RFC1337 },
	},
	{
		Name:  "nagle",
		Kind:  KindBool,
		Doc:   "hold back small segments while data is unacknowledged (RFC 9293 §3.7.4); false is TCP_NODELAY",
		field: func(c *Config) any { return &c.Nagle },
	},
	{
		Name: "ecn", Kind: KindEnum, Values: ECNModeNames(),
		Doc:         "Explicit Congestion Notification (RFC 3168): off; on asks for it on SYNs and accepts it; accept answers a peer that asks",
		Sysctl:      "net.ipv4.tcp_ecn",
		SysctlNote:  "0 off, 1 on, 2 accept",
		sysctlValue: ecnSysctl,
		field:       func(c *Config) any { return &c.ECN },
	},
	{
		Name: "sack", Kind: KindBool,
		Doc:    "offer and use selective acknowledgments (RFC 2018, RFC 6675)",
		Sysctl: "net.ipv4.tcp_sack",
		field:  func(c *Config) any { return &c.SACK },
	},
	{
		Name: "window_scale", Kind: KindBool,
		Doc:    "offer the window scale option (RFC 7323 §2)",
		Sysctl: "net.ipv4.tcp_window_scaling",
		Aliases: []Alias{
			{"window_scaling", "netsim drill's former key tcp.window_scaling"},
			{"wscale", "script option"},
		},
		field: func(c *Config) any { return &c.WindowScale },
	},
	{
		Name: "timestamps", Kind: KindBool,
		Doc:        "offer the timestamps option (RFC 7323 §3)",
		Sysctl:     "net.ipv4.tcp_timestamps",
		SysctlNote: "1 on, 0 off; Linux's 2 (timestamps without random offsets) is 1",
		sysctlValue: func(v string) (string, error) {
			if strings.TrimSpace(v) == "2" {
				return "1", nil
			}
			return v, nil
		},
		field: func(c *Config) any { return &c.Timestamps },
	},
	sockBuf("send_buffer", "sndbuf",
		"the send buffer: auto grows it with the congestion window as Linux does (tcp_sndbuf_expand), from send_buffer_initial to send_buffer_max; "+
			"a size fixes it, as setsockopt(SO_SNDBUF) does; at least mss",
		func(c *Config) any { return &c.SendBuffer }),
	sockMem("send_buffer_initial", "net.ipv4.tcp_wmem", 1,
		"the send buffer memory an automatic send buffer starts with; half of it holds data",
		func(c *Config) any { return &c.SendBufferInitial }),
	sockMem("send_buffer_max", "net.ipv4.tcp_wmem", 2,
		"the most send buffer memory an automatic send buffer grows to; half of it holds data",
		func(c *Config) any { return &c.SendBufferMax }),
	sockBuf("recv_buffer", "rcvbuf",
		"the receive buffer: auto grows it with what the application reads per round trip as Linux does (tcp_rcv_space_adjust), "+
			"from recv_buffer_initial to recv_buffer_max; a size fixes the window, as setsockopt(SO_RCVBUF) does; at least mss",
		func(c *Config) any { return &c.RecvBuffer }),
	sockMem("recv_buffer_initial", "net.ipv4.tcp_rmem", 1,
		"the receive buffer memory an automatic receive buffer starts with; half of it is window; at least 2 × mss",
		func(c *Config) any { return &c.RecvBufferInitial }),
	sockMem("recv_buffer_max", "net.ipv4.tcp_rmem", 2,
		"the most receive buffer memory autotuning grows to (half of it is window); also sets the window scale offered, whatever recv_buffer is",
		func(c *Config) any { return &c.RecvBufferMax }),
	{
		Name: "syn_retries", Kind: KindInt, Unit: retries, Min: 0, Max: 30,
		Doc:    "SYN retransmissions before connect fails with ETIMEDOUT",
		Sysctl: "net.ipv4.tcp_syn_retries",
		field:  func(c *Config) any { return &c.SynRetries },
	},
	{
		Name: "synack_retries", Kind: KindInt, Unit: retries, Min: 0, Max: 30,
		Doc:    "SYN-ACK retransmissions before a half-open connection is dropped",
		Sysctl: "net.ipv4.tcp_synack_retries",
		field:  func(c *Config) any { return &c.SynAckRetries },
	},
	{
		Name: "data_retries", Kind: KindInt, Unit: "retransmissions", Min: 1, Max: 30,
		Doc: "how long an established connection retransmits before it fails with ETIMEDOUT, counted as Linux counts it: the time that many " +
			"retransmissions take whose timeout starts at 200 ms and doubles up to rto_max (924.6 s for 15), from the first retransmission, " +
			"checked at each RTO expiry, so a connection whose RTO is above 200 ms gives up after fewer (Linux's tcp_model_timeout); " +
			"unanswered zero-window probes are counted, that many in a row",
		Sysctl: "net.ipv4.tcp_retries2",
		field:  func(c *Config) any { return &c.DataRetries },
	},
	{
		Name: "user_timeout", Kind: KindDuration, Min: 0, Max: noMax, Zero: "off: data_retries alone",
		Doc: "how long data may stay unacknowledged after its first retransmission (or zero-window probes go on) before the connection fails " +
			"with ETIMEDOUT; replaces data_retries for retransmissions, and the last RTO is shortened to end on time " +
			"(RFC 5482; Linux has it as the TCP_USER_TIMEOUT socket option, no sysctl)",
		field: func(c *Config) any { return &c.UserTimeout },
	},
	{
		Name: "keepalive", Kind: KindBool,
		Doc: "send keepalive probes on an idle connection (RFC 9293 §3.8.4; Linux has it as the SO_KEEPALIVE socket option, off by default, " +
			"no sysctl): see keepalive_time, keepalive_intvl, keepalive_probes",
		field: func(c *Config) any { return &c.Keepalive },
	},
	{
		Name: "keepalive_time", Kind: KindDuration, Min: int64(time.Second), Max: int64(MaxKeepalive),
		Doc:         "how long a connection with keepalive on stays idle (no segment from the peer, nothing in flight) before its first probe (the TCP_KEEPIDLE socket option sets it per socket)",
		Ref:         "Linux's MAX_TCP_KEEPIDLE",
		Sysctl:      "net.ipv4.tcp_keepalive_time",
		SysctlNote:  "seconds",
		sysctlValue: func(v string) (string, error) { return scaleInt(v, time.Second) },
		field:       func(c *Config) any { return &c.KeepaliveTime },
	},
	{
		Name: "keepalive_intvl", Kind: KindDuration, Min: int64(time.Second), Max: int64(MaxKeepalive),
		Doc:         "the time between keepalive probes (the TCP_KEEPINTVL socket option sets it per socket)",
		Ref:         "Linux's MAX_TCP_KEEPINTVL",
		Sysctl:      "net.ipv4.tcp_keepalive_intvl",
		SysctlNote:  "seconds",
		sysctlValue: func(v string) (string, error) { return scaleInt(v, time.Second) },
		field:       func(c *Config) any { return &c.KeepaliveIntvl },
	},
	{
		Name: "keepalive_probes", Kind: KindInt, Unit: "probes", Min: 1, Max: MaxKeepaliveProbes,
		Doc:    "keepalive probes left unanswered before the connection fails with ETIMEDOUT and a reset (the TCP_KEEPCNT socket option sets it per socket)",
		Ref:    "Linux's MAX_TCP_KEEPCNT",
		Sysctl: "net.ipv4.tcp_keepalive_probes",
		field:  func(c *Config) any { return &c.KeepaliveProbes },
	},
	{
		Name: "notsent_lowat", Kind: KindSize, Min: 0, Max: math.MaxInt32, Zero: "no limit",
		Doc: "the most bytes written and not yet sent: a write stops there, and the socket is writable only while twice the unsent bytes " +
			"are below it (Linux's tcp_stream_memory_free; the TCP_NOTSENT_LOWAT socket option sets it per socket)",
		Sysctl:     "net.ipv4.tcp_notsent_lowat",
		SysctlNote: "4294967295 (Linux's default) and other values of 2^31 or more are 0, no limit",
		sysctlValue: func(v string) (string, error) {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
			if err != nil || n == 0 {
				return "", errors.New("1 to 4294967295")
			}
			if n > math.MaxInt32 {
				n = 0
			}
			return strconv.FormatUint(n, 10), nil
		},
		field: func(c *Config) any { return &c.NotsentLowat },
	},
	{
		Name: "rack", Kind: KindBool,
		Doc: "RACK loss detection (RFC 8985 §6) as Linux's: a segment is lost once one sent after it is delivered and a reordering window " +
			"(a quarter of the minimum RTT, grown by D-SACKs; zero in recovery until reordering is seen) has passed, with the reordering timer; " +
			"lost retransmissions included; needs sack (tail loss probes are tlp)",
		Sysctl:     "net.ipv4.tcp_recovery",
		SysctlNote: "bit 0x1 (RACK loss detection) is rack",
		sysctlValue: func(v string) (string, error) {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 0, 64)
			if err != nil {
				return "", errors.New("a bit mask like 1")
			}
			return strconv.FormatInt(n&1, 10), nil
		},
		field: func(c *Config) any { return &c.RACK },
	},
	{
		Name: "tlp", Kind: KindBool,
		Doc:        "tail loss probes (RFC 8985 §7): a segment sent about two round trips after the last one when no ACK came, so that a lost tail is repaired without the RTO; needs sack",
		Sysctl:     "net.ipv4.tcp_early_retrans",
		SysctlNote: "3 or 4 (TLP on) is true, 0 to 2 is false",
		sysctlValue: func(v string) (string, error) {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < 0 || n > 4 {
				return "", errors.New("0 to 4")
			}
			return strconv.FormatBool(n >= 3), nil
		},
		field: func(c *Config) any { return &c.TLP },
	},
	{
		Name: "slow_start_after_idle", Kind: KindBool,
		Doc:    "restart the congestion window after the sender was idle for more than an RTO (RFC 5681 §4.1, Linux's tcp_cwnd_restart)",
		Sysctl: "net.ipv4.tcp_slow_start_after_idle",
		field:  func(c *Config) any { return &c.SlowStartAfterIdle },
	},
	{
		Name: "hystart", Kind: KindBool,
		Doc: "CUBIC's HyStart: slow start ends before the first loss when the ACK train lasts half the minimum RTT " +
			"or the round's RTT rises by an eighth of it (4 to 16 ms), from a window of 16 segments (Linux's tcp_cubic defaults)",
		Sysctl: "/sys/module/tcp_cubic/parameters/hystart",
		field:  func(c *Config) any { return &c.HyStart },
	},
	{
		Name: "rescue_retransmit", Kind: KindBool,
		Doc:   "RFC 6675 §4 NextSeg rule 4: once per SACK recovery, resend the highest unSACKed segment when nothing else may be sent (Linux has none)",
		field: func(c *Config) any { return &c.RescueRetransmit },
	},
	{
		Name: "pacing", Kind: KindEnum, Values: PacingModes(),
		Doc: "release segments at a pacing rate (Linux's internal pacing, tcp_internal_pacing): auto when the congestion control sets one (bbr); " +
			"true for every algorithm, at pacing_ss_ratio or pacing_ca_ratio of cwnd/SRTT; false never",
		field: func(c *Config) any { return &c.Pacing },
	},
	{
		Name: "pacing_ss_ratio", Kind: KindInt, Unit: "percent", Min: 1, Max: 1000,
		Doc:    "the pacing rate in slow start (cwnd below half ssthresh) as a percentage of cwnd/SRTT, with pacing: true",
		Sysctl: "net.ipv4.tcp_pacing_ss_ratio",
		field:  func(c *Config) any { return &c.PacingSSRatio },
	},
	{
		Name: "pacing_ca_ratio", Kind: KindInt, Unit: "percent", Min: 1, Max: 1000,
		Doc:    "the pacing rate in congestion avoidance as a percentage of cwnd/SRTT, with pacing: true",
		Sysctl: "net.ipv4.tcp_pacing_ca_ratio",
		field:  func(c *Config) any { return &c.PacingCARatio },
	},
	{
		Name: "fastopen", Kind: KindInt, Min: 0, Max: math.MaxInt32,
		Doc: "TCP Fast Open (RFC 7413) as Linux's bit mask: 0x1 clients may send data in the SYN (sendto MSG_FASTOPEN, TCP_FASTOPEN_CONNECT), " +
			"0x2 listeners with a Fast Open queue (TCP_FASTOPEN) accept it, 0x4 clients send it without a cookie, 0x200 servers accept it without one, " +
			"0x400 every listener has a queue as long as its backlog",
		Sysctl:     "net.ipv4.tcp_fastopen",
		SysctlNote: "the same mask, in hex (0x70403) or decimal",
		sysctlValue: func(v string) (string, error) {
			// proc_dointvec refuses what an int does not hold: a mask
			// with bit 31 set is an error, not that mask without it.
			n, err := strconv.ParseUint(strings.TrimSpace(v), 0, 31)
			if err != nil {
				return "", errors.New("a bit mask like 0x3")
			}
			return strconv.FormatUint(n, 10), nil
		},
		field: func(c *Config) any { return &c.FastOpen },
	},
	{
		Name: "fastopen_key", Kind: KindText,
		TextForm: "four 32-bit hex words joined by dashes (a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4)",
		Doc:      "the key of a server's Fast Open cookies (SipHash-2-4 of the client's and the server's addresses, as Linux's); Linux draws a random one",
		Sysctl:   "net.ipv4.tcp_fastopen_key",
		text:     func(v string) error { _, err := ParseFastOpenKey(v); return err },
		field:    func(c *Config) any { return &c.FastOpenKey },
	},
}

// Settings returns the table of settings a user can change, in
// documentation order.
func Settings() []Setting { return slices.Clone(settings) }

// SettingNames returns the names of the settings, in table order.
func SettingNames() []string {
	out := make([]string, len(settings))
	for i := range settings {
		out[i] = settings[i].Name
	}
	return out
}

// LookupSetting returns the setting a name or an alias names. Linux
// sysctls are looked up with LookupSysctl, since their values may need
// converting.
func LookupSetting(name string) (Setting, bool) {
	for i := range settings {
		s := &settings[i]
		if s.Name == name {
			return *s, true
		}
		for _, a := range s.Aliases {
			if a.Name == name {
				return *s, true
			}
		}
	}
	return Setting{}, false
}

// LookupSysctl returns the settings a Linux sysctl holds, in table order:
// one for most, two for a "min default max" triple (tcp_rmem sets
// recv_buffer_initial and recv_buffer_max).
func LookupSysctl(name string) []Setting {
	var out []Setting
	for i := range settings {
		if s := &settings[i]; s.Sysctl != "" && s.Sysctl == name {
			out = append(out, *s)
		}
	}
	return out
}

// SettingError says why a value does not suit a setting. It wraps
// ErrConfig.
type SettingError struct {
	// Name is the setting's name.
	Name string
	// Value is the value as written or formatted.
	Value string
	// Problem says what is wrong: "is too large", "is not a whole number".
	Problem string
	// Allowed says what the setting accepts: "0 to 30 retransmissions".
	Allowed string
}

// Error reads "syn_retries: 99 is too large (want 0 to 30 retransmissions)".
func (e *SettingError) Error() string {
	return fmt.Sprintf("%s: %s %s (want %s)", e.Name, e.Value, e.Problem, e.Allowed)
}

// Is makes errors.Is(err, ErrConfig) hold.
func (e *SettingError) Is(target error) bool { return target == ErrConfig }

func (s *Setting) errorf(value, problem string) *SettingError {
	return &SettingError{Name: s.Name, Value: value, Problem: problem, Allowed: s.Allowed()}
}

// Allowed says in words what values the setting accepts, as messages and
// the documentation write it: "1 to 1000 segments", "true or false".
func (s *Setting) Allowed() string {
	var r string
	switch s.Kind {
	case KindBool:
		return "true or false"
	case KindEnum:
		return "one of " + strings.Join(s.Values, ", ")
	case KindText:
		return s.TextForm
	case KindInt:
		r = s.intRange()
	case KindSize:
		r = s.sizeRange()
		if s.Zero == Auto {
			r = Auto + " or " + r
		}
	case KindDuration:
		r = s.durationRange()
	}
	if s.Ref != "" {
		r += " (" + s.Ref + ")"
	}
	return r
}

func (s *Setting) intRange() string {
	unit := ""
	if s.Unit != "" {
		unit = " " + s.Unit
	}
	if s.Max == noMax {
		return fmt.Sprintf("at least %d%s", s.Min, unit)
	}
	return fmt.Sprintf("%d to %d%s", s.Min, s.Max, unit)
}

func (s *Setting) sizeRange() string {
	switch {
	case s.Max == noMax:
		return "at least " + formatSize(s.Min)
	case s.Min%1024 != 0 && s.Max%1024 != 0:
		return fmt.Sprintf("%d to %d bytes", s.Min, s.Max)
	}
	return formatSize(s.Min) + " to " + formatSize(s.Max)
}

func (s *Setting) durationRange() string {
	lo := time.Duration(s.Min).String()
	if s.Min == 0 {
		lo = "0"
		if s.Zero != "" {
			lo += " (" + s.Zero + ")"
		}
	}
	switch {
	case s.Max != noMax:
		return lo + " to " + time.Duration(s.Max).String()
	case s.Min == 0:
		return lo + " or more"
	case s.Min == 1:
		return "more than 0"
	}
	return "at least " + lo
}

// formatSize writes a size as units do ("256KiB", "1GiB") when a binary
// prefix fits, else in bytes ("88 bytes").
func formatSize(n int64) string {
	if n != 0 && n%1024 == 0 {
		return units.ByteSize(n).String()
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// Format writes a value of the setting as the documentation and messages
// do: true, 10, 40ms, 256KiB, newreno.
func (s *Setting) Format(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int64:
		if s.Kind == KindSize && x == 0 && s.Zero == Auto {
			return Auto
		}
		if s.Kind == KindSize {
			return formatSize(x)
		}
		return strconv.FormatInt(x, 10)
	case time.Duration:
		if x == 0 {
			return "0"
		}
		return x.String()
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// Check reports whether v suits the setting: its Go type must be the
// kind's (see KindBool and the others) and it must lie within the bounds.
// The error is a *SettingError.
func (s *Setting) Check(v any) error {
	switch x := v.(type) {
	case bool:
		if s.Kind == KindBool {
			return nil
		}
	case string:
		if s.Kind == KindEnum {
			if slices.Contains(s.Values, x) {
				return nil
			}
			return s.errorf(strconv.Quote(x), "is not known")
		}
		if s.Kind == KindText {
			if err := s.text(x); err != nil {
				return s.errorf(strconv.Quote(x), "does not parse")
			}
			return nil
		}
	case int64:
		if s.Kind == KindInt || s.Kind == KindSize {
			return s.checkRange(v, x)
		}
	case time.Duration:
		if s.Kind == KindDuration {
			return s.checkRange(v, int64(x))
		}
	}
	return s.errorf(fmt.Sprint(v), fmt.Sprintf("is a %T, not a %s", v, s.Kind))
}

// checkIn checks the setting's field of c as Check(s.Get(*c)) does, but
// reads a number or a flag in place: boxing each value, with a copy of
// the whole Config per setting, made validating a config allocate 12 KB,
// once per host of a scenario (10,000 for a star of 10,000 hosts). Only a
// value that fails, or a string, takes Check's way.
func (s *Setting) checkIn(c *Config) error {
	var n int64
	switch p := s.field(c).(type) {
	case *bool:
		if s.Kind == KindBool {
			return nil
		}
		return s.Check(*p)
	case *int:
		if s.Kind != KindInt && s.Kind != KindSize {
			return s.Check(int64(*p))
		}
		n = int64(*p)
	case *time.Duration:
		if s.Kind != KindDuration {
			return s.Check(*p)
		}
		n = int64(*p)
	default:
		return s.Check(s.Get(*c))
	}
	if (n == 0 && s.Zero == Auto) || (n >= s.Min && n <= s.Max && (n >= 0 || s.Min < 0)) {
		return nil
	}
	return s.Check(s.Get(*c)) // out of range: Check words the error
}

// checkRange checks n, the number in v, against the bounds.
func (s *Setting) checkRange(v any, n int64) error {
	switch {
	case n == 0 && s.Zero == Auto:
		return nil
	case n < 0 && s.Min >= 0:
		return s.errorf(s.Format(v), "is negative")
	case n < s.Min:
		return s.errorf(s.Format(v), tooSmall(s.Kind))
	case n > s.Max:
		return s.errorf(s.Format(v), tooLarge(s.Kind))
	}
	return nil
}

func tooSmall(k SettingKind) string {
	if k == KindDuration {
		return "is too short"
	}
	return "is too small"
}

func tooLarge(k SettingKind) string {
	if k == KindDuration {
		return "is too long"
	}
	return "is too large"
}

// Parse reads a value written as text, as netsim drill --set, settings
// files and script options write it: a bool is 1, 0, true, false, on,
// off, yes or no; an int is a whole number; a duration is as a scenario
// writes it (units.ParseDuration: "200ms", "10 ms", never finer than a
// nanosecond) or a bare whole number of milliseconds, as Linux's route
// attributes and most sysctls count them; a size is a number of bytes with an optional
// unit ("64KiB"), or auto where the setting has it; an enum is one of
// Values or ValueAliases. The value is
// checked (see Check).
func (s *Setting) Parse(text string) (any, error) {
	t := strings.TrimSpace(text)
	var v any
	switch s.Kind {
	case KindBool:
		switch strings.ToLower(t) {
		case "1", "true", "on", "yes":
			v = true
		case "0", "false", "off", "no":
			v = false
		default:
			return nil, &SettingError{s.Name, strconv.Quote(text), "is not a boolean", "1 or 0 (true, false, on, off, yes, no)"}
		}
	case KindInt:
		// Decimal, or hex with 0x as YAML reads it (a bit mask such as
		// fastopen=0x403); a leading zero is no octal prefix.
		n, err := strconv.ParseInt(t, 10, 64)
		if h, ok := strings.CutPrefix(strings.ToLower(t), "0x"); ok {
			n, err = strconv.ParseInt(h, 16, 64)
		}
		if err != nil {
			return nil, s.errorf(strconv.Quote(text), "is not a whole number")
		}
		v = n
	case KindDuration:
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			if n > math.MaxInt64/int64(time.Millisecond) || n < math.MinInt64/int64(time.Millisecond) {
				return nil, s.errorf(t+"ms", tooLarge(s.Kind))
			}
			v = time.Duration(n) * time.Millisecond
			break
		}
		// The units package's parser, as a scenario's YAML reads a
		// duration: time.ParseDuration drops what is finer than a
		// nanosecond (delayed_ack=0.5ns became 0, 1.5ns 1ns), which
		// simulated time cannot hold, so such a value is refused. The
		// sign is read here, so that a negative duration is reported as
		// negative by the bounds check (Check), as a negative whole
		// number of ms is.
		mag, neg := strings.CutPrefix(t, "-")
		d, err := units.ParseDuration(mag)
		switch {
		case errors.Is(err, units.ErrSyntax), err != nil && strings.HasPrefix(mag, "-"):
			return nil, s.errorf(strconv.Quote(text), "is not a duration like 200ms or a whole number of ms")
		case err != nil:
			// units says why it refuses a well-written duration (finer
			// than a nanosecond, past what a time.Duration holds) after
			// the quoted value.
			_, why, _ := strings.Cut(err.Error(), ": ")
			return nil, s.errorf(strconv.Quote(text), why)
		}
		if neg {
			d = -d
		}
		v = d
	case KindSize:
		if s.Zero == Auto && strings.EqualFold(t, Auto) {
			v = int64(0)
			break
		}
		n, err := units.ParseByteSize(t)
		if err != nil {
			return nil, s.errorf(strconv.Quote(text), "is not a size like 1460 or 64KiB")
		}
		v = int64(n)
	case KindText:
		v = t
	case KindEnum:
		v = t
		for _, a := range s.ValueAliases {
			if a.Name == t {
				v = a.Note
			}
		}
	}
	if err := s.Check(v); err != nil {
		return nil, err
	}
	return v, nil
}

// ParseSysctl reads a value written as the setting's Linux sysctl writes
// it (the three sizes of tcp_rmem, the bit mask of tcp_recovery) and
// checks it.
func (s *Setting) ParseSysctl(text string) (any, error) {
	if s.sysctlValue != nil {
		t, err := s.sysctlValue(text)
		if err != nil {
			return nil, &SettingError{s.Sysctl, strconv.Quote(text), "does not parse", err.Error()}
		}
		text = t
	}
	return s.Parse(text)
}

// Set checks v (see Check) and stores it in c.
func (s *Setting) Set(c *Config, v any) error {
	if err := s.Check(v); err != nil {
		return err
	}
	switch p := s.field(c).(type) {
	case *bool:
		*p = v.(bool)
	case *int:
		*p = int(v.(int64))
	case *time.Duration:
		*p = v.(time.Duration)
	case *string:
		*p = v.(string)
	case *ECNMode:
		*p, _ = ParseECNMode(v.(string))
	case *PacingMode:
		*p = parsePacingMode(v.(string))
	}
	return nil
}

// Get returns the setting's value in c, of the kind's Go type.
func (s *Setting) Get(c Config) any {
	switch p := s.field(&c).(type) {
	case *bool:
		return *p
	case *int:
		return int64(*p)
	case *time.Duration:
		return *p
	case *string:
		return *p
	case *ECNMode:
		return p.String()
	case *PacingMode:
		return p.String()
	}
	return nil
}

// Default returns the setting's value in DefaultConfig, formatted.
func (s *Setting) Default() string { return s.Format(s.Get(DefaultConfig())) }

// scaleInt turns a whole number of unit into a duration string.
func scaleInt(v string, unit time.Duration) (string, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return "", errors.New("a whole number")
	}
	if n > math.MaxInt64/int64(unit) || n < math.MinInt64/int64(unit) {
		return "", fmt.Errorf("a whole number below %d", math.MaxInt64/int64(unit))
	}
	return (time.Duration(n) * unit).String(), nil
}

// triple returns the i-th field of a "min default max" triple such as
// tcp_rmem's.
func triple(i int) func(string) (string, error) {
	return func(v string) (string, error) {
		f := strings.Fields(v)
		if len(f) != 3 {
			return "", errors.New(`three sizes "min default max"`)
		}
		return f[i], nil
	}
}

// sockBuf is the entry of a socket buffer (send_buffer, recv_buffer):
// auto (0) or a fixed size, at least mss (Validate checks that, since it
// depends on another setting), at most what a scaled window describes;
// alias is its drill script option.
func sockBuf(name, alias, doc string, field func(*Config) any) Setting {
	return Setting{
		Name: name, Kind: KindSize, Min: MinMSS, Max: MaxBuffer, Zero: Auto,
		Doc:     doc,
		Ref:     "RFC 7323 §2.3",
		Aliases: []Alias{{alias, "script option"}},
		field:   field,
	}
}

// sockMem is the entry of a buffer memory setting that one value of a
// Linux "min default max" sysctl holds (tcp_wmem, tcp_rmem): index 1 the
// default an automatic buffer starts with, 2 the most it grows to.
func sockMem(name, sysctl string, index int, doc string, field func(*Config) any) Setting {
	return Setting{
		Name: name, Kind: KindSize, Min: minSockMem, Max: MaxBuffer,
		Doc:         doc,
		Sysctl:      sysctl,
		SysctlNote:  [...]string{1: "the second value (default)", 2: "the third value (max)"}[index],
		sysctlValue: triple(index),
		field:       field,
	}
}

// ecnSysctl maps net.ipv4.tcp_ecn's 0, 1 and 2 onto off, on and accept.
func ecnSysctl(v string) (string, error) {
	switch strings.TrimSpace(v) {
	case "0":
		return "off", nil
	case "1":
		return "on", nil
	case "2":
		return "accept", nil
	}
	return "", errors.New("want 0, 1 or 2")
}
