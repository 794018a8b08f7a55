package drill

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
)

// TestConfigFromScript: the script options scripts have always used still
// set their fields, the settings table's own names work too, and options
// that are not settings are left to the runner.
func TestConfigFromScript(t *testing.T) {
	src := `--congestion=cubic
--nagle=0
--sack=0
--timestamps=0
--wscale=0
--delack_ms=0
--init_cwnd=4
--mss=1000
--rcvbuf=8192
--sndbuf=8192
--rto_min_ms=100
--rto_initial_ms=2000
--syn_retries=3
--synack_retries=2
--timewait_ms=1000
--rack=0
--data_retries=7
--tolerance_usecs=10000
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
`
	s := mustParse(t, src)
	cfg, err := ConfigFromScript(s, tcp.DefaultConfig())
	require.NoError(t, err)
	want := tcp.DefaultConfig()
	want.Congestion = "cubic"
	want.Nagle, want.SACK, want.Timestamps, want.WindowScale, want.RACK = false, false, false, false, false
	want.DelayedAck = 0
	want.InitialCwnd = 4
	want.MSS = 1000
	want.RecvBuffer, want.SendBuffer = 8192, 8192
	want.RTOMin, want.RTOInitial = 100*time.Millisecond, 2*time.Second
	want.SynRetries, want.SynAckRetries, want.DataRetries = 3, 2, 7
	want.TimeWait = time.Second
	assert.Equal(t, want, cfg)
}

// TestConfigFromScriptErrors: a bad option names the script line and says
// what the setting accepts.
func TestConfigFromScriptErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"--init_cwnd=four\n", `drill: t.pkt:1: --init_cwnd="four": is not a whole number; want 1 to 1000 segments`},
		{"--mss=10\n", `drill: t.pkt:1: --mss="10": is too small; want auto or 88 to 65495 bytes`},
		{"--sndbuf=1000\n", "drill: t.pkt: tcp: invalid config: send_buffer = 1000: want at least one mss (1460)"},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.src+"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n")
		_, err := ConfigFromScript(s, tcp.DefaultConfig())
		require.Error(t, err)
		assert.EqualError(t, err, tt.want)
	}
}

// TestConfigFromScriptSysctls: the sysctl lines of a script's shell
// commands that name a sysctl netsim has are applied (the public ECN
// scripts turn ECN on with them), quoted values and comments included;
// other shell lines and unknown sysctls are left for the runner to skip.
func TestConfigFromScriptSysctls(t *testing.T) {
	src := "`../common/defaults.sh\n" +
		"sysctl -q net.ipv4.tcp_ecn=1  # fully enabled\n" +
		"sysctl -w net.ipv4.tcp_wmem=\"4096 16384 65536\"\n" +
		"sysctl -q net.ipv4.tcp_no_such_thing=1\n" +
		"tc qdisc add dev tun0 root fq\n" +
		"../common/set_sysctls.py /proc/sys/net/ipv4/tcp_slow_start_after_idle=0 \\\n" +
		"   /proc/sys/net/ipv4/tcp_rmem=\"4096 50000 4194304\" \\\n" +
		"   /proc/sys/net/ipv4/tcp_min_tso_segs=10\n" +
		"`\n" +
		"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
	s := mustParse(t, src)
	assert.Equal(t, []Setting{
		{Key: "net.ipv4.tcp_ecn", Value: "1", Source: "t.pkt:2"},
		{Key: "net.ipv4.tcp_wmem", Value: "4096 16384 65536", Source: "t.pkt:3"},
		{Key: "net.ipv4.tcp_slow_start_after_idle", Value: "0", Source: "t.pkt:6"},
		{Key: "net.ipv4.tcp_rmem", Value: "4096 50000 4194304", Source: "t.pkt:6"},
	}, ScriptSysctls(s))
	base := tcp.DefaultConfig()
	base.ECN = tcp.ECNOff // as --preset packetdrill leaves it
	cfg, err := ConfigFromScript(s, base)
	require.NoError(t, err)
	assert.Equal(t, tcp.ECNOn, cfg.ECN)
	assert.Equal(t, 65536, cfg.SendBufferMax)
	assert.False(t, cfg.SlowStartAfterIdle, "set_sysctls.py's /proc/sys path")
	assert.Equal(t, 4194304, cfg.RecvBufferMax, "a quoted set_sysctls.py value")

	bad, err := Parse("t.pkt", []byte("`sysctl -q net.ipv4.tcp_ecn=7`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"))
	require.NoError(t, err)
	_, err = ConfigFromScript(bad, tcp.DefaultConfig())
	assert.ErrorContains(t, err, "t.pkt:1")
	assert.ErrorContains(t, err, "net.ipv4.tcp_ecn")
}

// TestShellCommands: shell lines split as sh splits the simple commands
// of scripts' backtick blocks, so that a quoted sysctl value with spaces
// (set_sysctls.py /proc/sys/net/ipv4/tcp_wmem="4096 50000 4194304" in the
// public notsent_lowat scripts) stays one word, and commands joined by ;,
// && or | and redirections are told apart from arguments.
func TestShellCommands(t *testing.T) {
	tests := []struct {
		line string
		want [][]string
	}{
		{"", nil},
		{"  sysctl -q  a=1\t# comment", [][]string{{"sysctl", "-q", "a=1"}}},
		{`x=" 4096 50000 4194304" y`, [][]string{{"x= 4096 50000 4194304", "y"}}},
		{`a='b "c" \d' e`, [][]string{{`a=b "c" \d`, "e"}}},
		{`a="b \" \x" c\ d`, [][]string{{`a=b " \x`, "c d"}}},
		{`"" x#y #z`, [][]string{{"", "x#y"}}},
		{`a="unterminated b`, [][]string{{"a=unterminated b"}}},
		{`a=1; b "c;d" && e||f |g &`, [][]string{{"a=1"}, {"b", "c;d"}, {"e"}, {"f"}, {"g"}}},
		{`a=1 > /dev/null 2>&1 b`, [][]string{{"a=1", "b"}}},
		{`a 2>/dev/null >>log c <in`, [][]string{{"a", "c"}}},
		{`a '>' b`, [][]string{{"a", ">", "b"}}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, shellCommands(tt.line), "%q", tt.line)
	}
}

// TestSysctlLine: every KEY=VALUE of every sysctl command of a line, as
// procps sysctl sets them all.
func TestSysctlLine(t *testing.T) {
	tests := []struct {
		line string
		want [][2]string
	}{
		{"sysctl -w net.ipv4.tcp_ecn=1 net.ipv4.tcp_sack=0", [][2]string{{"net.ipv4.tcp_ecn", "1"}, {"net.ipv4.tcp_sack", "0"}}},
		{`sysctl -q net.ipv4.tcp_ecn=1; sysctl -q net.ipv4.tcp_wmem="1 2 3"`, [][2]string{{"net.ipv4.tcp_ecn", "1"}, {"net.ipv4.tcp_wmem", "1 2 3"}}},
		{"sysctl -q net.ipv4.tcp_ecn=1 > /dev/null", [][2]string{{"net.ipv4.tcp_ecn", "1"}}},
		{"sysctl -q net.ipv4.tcp_ecn=1;", [][2]string{{"net.ipv4.tcp_ecn", "1"}}},
		{"echo sysctl a=1", nil},
		{"sysctl -a", nil},
		{"../common/set_sysctls.py /proc/sys/net/ipv4/tcp_ecn=1 x=2 /proc/sys/net/core/somaxconn=5", [][2]string{{"net.ipv4.tcp_ecn", "1"}, {"net.core.somaxconn", "5"}}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, sysctlLine(tt.line), "%q", tt.line)
	}
}
