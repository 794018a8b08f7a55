package drill

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
)

// TestApplySettings: each key, each sysctl alias and each value form sets
// the field it documents.
func TestApplySettings(t *testing.T) {
	tests := []struct {
		key, value string
		check      func(c tcp.Config) bool
	}{
		{"tcp.syn_retries", "5", func(c tcp.Config) bool { return c.SynRetries == 5 }},
		{"tcp.synack_retries", "2", func(c tcp.Config) bool { return c.SynAckRetries == 2 }},
		{"tcp.data_retries", "8", func(c tcp.Config) bool { return c.DataRetries == 8 }},
		{"tcp.mss", "1000", func(c tcp.Config) bool { return c.MSS == 1000 }},
		{"tcp.init_cwnd", "4", func(c tcp.Config) bool { return c.InitialCwnd == 4 }},
		{"tcp.initial_cwnd", "5", func(c tcp.Config) bool { return c.InitialCwnd == 5 }},
		{"initial_cwnd", "6", func(c tcp.Config) bool { return c.InitialCwnd == 6 }},
		{"tcp.window_scale", "off", func(c tcp.Config) bool { return !c.WindowScale }},
		{"tcp.rack", "no", func(c tcp.Config) bool { return !c.RACK }},
		{"tcp.rescue_retransmit", "yes", func(c tcp.Config) bool { return c.RescueRetransmit }},
		{"net.ipv4.tcp_rto_max_ms", "60000", func(c tcp.Config) bool { return c.RTOMax == time.Minute }},
		{"tcp.rto_min", "100ms", func(c tcp.Config) bool { return c.RTOMin == 100*time.Millisecond }},
		{"tcp.rto_min", "50", func(c tcp.Config) bool { return c.RTOMin == 50*time.Millisecond }},
		{"tcp.rto_initial", "3s", func(c tcp.Config) bool { return c.RTOInitial == 3*time.Second }},
		{"tcp.rto_max", "60s", func(c tcp.Config) bool { return c.RTOMax == time.Minute }},
		{"tcp.delayed_ack", "0", func(c tcp.Config) bool { return c.DelayedAck == 0 }},
		{"tcp.time_wait", "1s", func(c tcp.Config) bool { return c.TimeWait == time.Second }},
		{"tcp.nagle", "off", func(c tcp.Config) bool { return !c.Nagle }},
		{"tcp.sack", "0", func(c tcp.Config) bool { return !c.SACK }},
		{"tcp.window_scaling", "false", func(c tcp.Config) bool { return !c.WindowScale }},
		{"tcp.timestamps", "0", func(c tcp.Config) bool { return !c.Timestamps }},
		{"tcp.recv_buffer", "15MiB", func(c tcp.Config) bool { return c.RecvBuffer == 15<<20 }},
		{"tcp.send_buffer", "65536", func(c tcp.Config) bool { return c.SendBuffer == 65536 }},
		{"tcp.congestion", "cubic", func(c tcp.Config) bool { return c.Congestion == "cubic" }},
		{"tcp.congestion", "reno", func(c tcp.Config) bool { return c.Congestion == "reno" }},
		{"net.ipv4.tcp_syn_retries", "3", func(c tcp.Config) bool { return c.SynRetries == 3 }},
		{"net.ipv4.tcp_synack_retries", "1", func(c tcp.Config) bool { return c.SynAckRetries == 1 }},
		{"net.ipv4.tcp_retries2", "5", func(c tcp.Config) bool { return c.DataRetries == 5 }},
		{"net.ipv4.tcp_timestamps", "2", func(c tcp.Config) bool { return c.Timestamps }},
		{"net.ipv4.tcp_sack", "0", func(c tcp.Config) bool { return !c.SACK }},
		{"net.ipv4.tcp_recovery", "0", func(c tcp.Config) bool { return !c.RACK }},
		{"net.ipv4.tcp_recovery", "0x5", func(c tcp.Config) bool { return c.RACK }},
		{"net.ipv4.tcp_window_scaling", "0", func(c tcp.Config) bool { return !c.WindowScale }},
		{"net.ipv4.tcp_rmem", "4096 540000 15728640", func(c tcp.Config) bool {
			return c.RecvBuffer == 0 && c.RecvBufferInitial == 540000 && c.RecvBufferMax == 15728640
		}},
		{"net.ipv4.tcp_wmem", "4096 262144 4194304", func(c tcp.Config) bool {
			return c.SendBuffer == 0 && c.SendBufferInitial == 262144 && c.SendBufferMax == 4194304
		}},
		{"tcp.recv_buffer", "auto", func(c tcp.Config) bool { return c.RecvBuffer == 0 }},
		{"tcp.send_buffer", "64KiB", func(c tcp.Config) bool { return c.SendBuffer == 64<<10 }},
		{"net.ipv4.tcp_congestion_control", "cubic", func(c tcp.Config) bool { return c.Congestion == "cubic" }},
		{"net.ipv4.tcp_rto_min_us", "50000", func(c tcp.Config) bool { return c.RTOMin == 50*time.Millisecond }},
		{"initcwnd", "20", func(c tcp.Config) bool { return c.InitialCwnd == 20 }},
		{"net.ipv4.tcp_init_cwnd", "2", func(c tcp.Config) bool { return c.InitialCwnd == 2 }},
		{"rto_min", "300ms", func(c tcp.Config) bool { return c.RTOMin == 300*time.Millisecond }},
		{"net.ipv4.tcp_min_rto", "250", func(c tcp.Config) bool { return c.RTOMin == 250*time.Millisecond }},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			cfg, err := ApplySettings(tcp.DefaultConfig(), []Setting{{Key: tt.key, Value: tt.value}})
			require.NoError(t, err)
			assert.True(t, tt.check(cfg), "%+v", cfg)
		})
	}
}

// TestApplySettingsErrors: a bad key or value names the source, key and
// value and wraps ErrSetting; a config that cannot work is refused.
func TestApplySettingsErrors(t *testing.T) {
	tests := []struct {
		set  Setting
		want string
	}{
		{Setting{Key: "tcp.synretries", Value: "5", Source: "--set"}, "--set: tcp.synretries=5: unknown key; want one of tcp.mss, tcp.congestion,"},
		{Setting{Key: "tcp.syn_retries", Value: "five", Source: "x.yaml:2"}, "x.yaml:2: tcp.syn_retries=five: is not a whole number; want 0 to 30 retransmissions"},
		{Setting{Key: "tcp.sack", Value: "maybe"}, "tcp.sack=maybe: is not a boolean; want 1 or 0"},
		{Setting{Key: "tcp.rto_min", Value: "-5"}, "tcp.rto_min=-5: is negative; want more than 0"},
		{Setting{Key: "tcp.recv_buffer", Value: "2GiB"}, "tcp.recv_buffer=2GiB: is too large; want auto or 88 bytes to 1GiB"},
		{Setting{Key: "net.ipv4.tcp_rmem", Value: "4096 87380"}, `want three sizes "min default max"`},
		{Setting{Key: "tcp.syn_retries", Value: "99"}, "tcp.syn_retries=99: is too large; want 0 to 30 retransmissions"},
		{Setting{Key: "tcp.mss", Value: "64"}, "tcp.mss=64: is too small; want auto or 88 to 65495 bytes"},
		{Setting{Key: "net.ipv4.tcp_recovery", Value: "on"}, "net.ipv4.tcp_recovery=on: does not parse; want a bit mask like 1"},
		{Setting{Key: "tcp.rto_initial", Value: "100ms"}, "rto_initial = 100ms: want between rto_min (200ms) and rto_max (2m0s)"},
		{Setting{Key: "tcp.congestion", Value: "westwood"}, "tcp.congestion=westwood: is not known; want one of bbr, cubic, dctcp, newreno, reno, vegas"},
	}
	for _, tt := range tests {
		t.Run(tt.set.Key+"="+tt.set.Value, func(t *testing.T) {
			_, err := ApplySettings(tcp.DefaultConfig(), []Setting{tt.set})
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrSetting), "%v", err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseSetting(t *testing.T) {
	s, err := ParseSetting(" tcp.syn_retries = 5 ", "--set")
	require.NoError(t, err)
	assert.Equal(t, Setting{Key: "tcp.syn_retries", Value: "5", Source: "--set"}, s)
	_, err = ParseSetting("tcp.syn_retries", "--set")
	require.ErrorIs(t, err, ErrSetting)
	assert.Contains(t, err.Error(), "want key=value")
}

// TestPresetPacketdrill: the preset gives defaults.sh's values, a window
// scale of 8 among them, and documents every line of the file.
func TestPresetPacketdrill(t *testing.T) {
	set, all, err := Preset("packetdrill")
	require.NoError(t, err)
	cfg, err := ApplySettings(tcp.DefaultConfig(), set)
	require.NoError(t, err)
	assert.Equal(t, 5, cfg.SynRetries)
	assert.Equal(t, 5, cfg.SynAckRetries)
	assert.Equal(t, "cubic", cfg.Congestion)
	assert.Equal(t, 15<<20, cfg.RecvBufferMax)
	assert.Equal(t, 540000, cfg.RecvBufferInitial)
	assert.Equal(t, 256<<10, cfg.SendBufferInitial)
	assert.Equal(t, 0, cfg.RecvBuffer+cfg.SendBuffer, "autotuned")
	assert.True(t, cfg.SACK && cfg.Timestamps && cfg.RACK)
	assert.Equal(t, 0x70403, cfg.FastOpen)
	assert.Equal(t, "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4", cfg.FastOpenKey)
	for _, e := range all {
		assert.True(t, e.Setting.Key != "" || e.Note != "", "%s has neither a setting nor a note", e.Sysctl)
	}
	assert.Len(t, all, 23)

	// The SYN a preset host sends offers wscale 8.
	c, err := tcp.NewConn(cfg, tcp.Endpoint{Port: 1}, tcp.Endpoint{Port: 2}, 0, 0)
	require.NoError(t, err)
	require.NoError(t, c.Connect(0))
	var ws uint8
	c.Segments(func(h *tcp.Header, _ []byte) { ws, _ = h.Options.WScale() })
	assert.Equal(t, uint8(8), ws)

	_, _, err = Preset("linux")
	require.ErrorIs(t, err, ErrSetting)
}
