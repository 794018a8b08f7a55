package tcp

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
)

// TestSettingsCoverConfig: every Config field is one table entry, of the
// kind its Go type says; a new field must get an entry (or be listed here
// as not for users).
func TestSettingsCoverConfig(t *testing.T) {
	var c Config
	base := reflect.ValueOf(&c).Elem()
	byAddr := map[uintptr]string{}
	for _, s := range settings {
		p := reflect.ValueOf(s.field(&c))
		require.Equal(t, reflect.Pointer, p.Kind(), s.Name)
		addr := p.Pointer()
		require.NotContains(t, byAddr, addr, "%s and %s set the same field", s.Name, byAddr[addr])
		byAddr[addr] = s.Name
		want := map[SettingKind]reflect.Type{
			KindBool: reflect.TypeFor[bool](), KindInt: reflect.TypeFor[int](), KindSize: reflect.TypeFor[int](),
			KindDuration: reflect.TypeFor[time.Duration](), KindEnum: reflect.TypeFor[string](), KindText: reflect.TypeFor[string](),
		}[s.Kind]
		if s.Kind == KindEnum && (p.Elem().Type() == reflect.TypeFor[ECNMode]() || p.Elem().Type() == reflect.TypeFor[PacingMode]()) {
			want = p.Elem().Type() // an enum with its own type, which Set and Get know
		}
		assert.Equal(t, want, p.Elem().Type(), "%s is a %s", s.Name, s.Kind)
	}
	for i := 0; i < base.NumField(); i++ {
		f := base.Type().Field(i)
		assert.Contains(t, byAddr, base.Field(i).Addr().Pointer(), "Config.%s has no setting", f.Name)
	}
}

// TestSettingsNames: names, aliases and sysctls are unique, and a name is
// what YAML and --set can both write.
func TestSettingsNames(t *testing.T) {
	seen := map[string]string{}
	add := func(name, owner string) {
		t.Helper()
		require.NotEmpty(t, name, owner)
		require.NotContains(t, seen, name, "%s is used by %s and %s", name, seen[name], owner)
		seen[name] = owner
	}
	for _, s := range settings {
		assert.Regexp(t, `^[a-z][a-z0-9_]*$`, s.Name)
		assert.NotEmpty(t, s.Doc, s.Name)
		add(s.Name, s.Name)
		for _, a := range s.Aliases {
			add(a.Name, s.Name)
			assert.NotEmpty(t, a.Note, a.Name)
			got, ok := LookupSetting(a.Name)
			assert.True(t, ok && got.Name == s.Name, a.Name)
		}
		if s.Sysctl != "" {
			if owner, ok := seen[s.Sysctl]; ok && len(LookupSysctl(s.Sysctl)) > 1 {
				// A "min default max" triple sets one setting per value.
				assert.NotNil(t, s.sysctlValue, "%s shared by %s and %s", s.Sysctl, owner, s.Name)
			} else {
				add(s.Sysctl, s.Name)
			}
			names := []string{}
			for _, got := range LookupSysctl(s.Sysctl) {
				names = append(names, got.Name)
			}
			assert.Contains(t, names, s.Name, s.Sysctl)
		}
		for _, a := range s.ValueAliases {
			assert.Contains(t, s.Values, a.Note, "%s: alias %s", s.Name, a.Name)
		}
	}
	_, ok := LookupSetting("net.ipv4.tcp_sack")
	assert.False(t, ok, "sysctls are looked up apart, their values may need converting")
}

// TestSettingsDefaults: DefaultConfig passes the table's checks, and each
// default, formatted, parses back to itself.
func TestSettingsDefaults(t *testing.T) {
	def := DefaultConfig()
	require.NoError(t, def.Validate())
	for _, s := range settings {
		v := s.Get(def)
		require.NoError(t, s.Check(v), s.Name)
		back, err := s.Parse(s.Format(v))
		require.NoError(t, err, s.Name)
		assert.Equal(t, v, back, s.Name)
	}
}

// TestSettingsBounds: one past each bound is refused by Parse, Set and
// Validate alike, with the setting's name and what it allows.
func TestSettingsBounds(t *testing.T) {
	for _, s := range settings {
		if s.Kind != KindInt && s.Kind != KindSize && s.Kind != KindDuration {
			continue
		}
		outside := []int64{s.Min - 1}
		if s.Max != noMax {
			outside = append(outside, s.Max+1)
		}
		for _, n := range outside {
			var v any = n
			if s.Kind == KindDuration {
				v = time.Duration(n)
			}
			c := DefaultConfig()
			err := s.Set(&c, v)
			var se *SettingError
			require.ErrorAs(t, err, &se, "%s = %v", s.Name, v)
			assert.Equal(t, s.Name, se.Name)
			assert.Equal(t, s.Allowed(), se.Allowed)
			assert.ErrorIs(t, err, ErrConfig)
			assert.Equal(t, DefaultConfig(), c, "a refused value is not stored")

			// Validate applies the same bounds to a Config built by hand.
			switch p := s.field(&c).(type) {
			case *int:
				*p = int(n)
			case *time.Duration:
				*p = time.Duration(n)
			}
			err = c.Validate()
			require.ErrorAs(t, err, &se, "%s = %v", s.Name, v)
			assert.Equal(t, s.Name, se.Name)
		}
		var min any = s.Min
		if s.Kind == KindDuration {
			min = time.Duration(s.Min)
		}
		lo := s.Format(min)
		_, err := s.Parse(lo)
		assert.NoError(t, err, "%s: the minimum %s parses", s.Name, lo)
	}
}

// TestSettingParse: the value forms of --set and script options.
func TestSettingParse(t *testing.T) {
	get := func(name string) Setting {
		s, ok := LookupSetting(name)
		require.True(t, ok, name)
		return s
	}
	tests := []struct {
		name, text string
		want       any
	}{
		{"nagle", "on", true},
		{"nagle", "0", false},
		{"sack", "False", false},
		{"initial_cwnd", " 4 ", int64(4)},
		{"delayed_ack", "0", time.Duration(0)},
		{"delack_ms", "40", 40 * time.Millisecond},
		{"rto_min", "1.5s", 1500 * time.Millisecond},
		{"rto_min", "1.5us", 1500 * time.Nanosecond},
		{"rto_min", "1m0.5s", time.Minute + 500*time.Millisecond},
		{"rto_min", "10 ms", 10 * time.Millisecond}, // as a scenario writes it (units.ParseDuration)
		{"recv_buffer", "15MiB", int64(15 << 20)},
		{"mss", "1460", int64(1460)},
		{"mss", "auto", int64(0)},
		{"congestion", "reno", "reno"},
		{"congestion", "cubic", "cubic"},
		{"fastopen", "0x403", int64(0x403)},
		{"fastopen", "0X2", int64(2)},
		{"initial_cwnd", "010", int64(10)}, // no octal
	}
	for _, tt := range tests {
		s := get(tt.name)
		v, err := s.Parse(tt.text)
		require.NoError(t, err, "%s=%s", tt.name, tt.text)
		assert.Equal(t, tt.want, v, "%s=%s", tt.name, tt.text)
	}
	bad := []struct{ name, text, want string }{
		{"nagle", "2", `nagle: "2" is not a boolean (want 1 or 0 (true, false, on, off, yes, no))`},
		{"initial_cwnd", "0", "initial_cwnd: 0 is too small (want 1 to 1000 segments)"},
		{"delayed_ack", "1s", "delayed_ack: 1s is too long (want 0 (off) to 500ms (RFC 9293 §3.8.6.3))"},
		{"rto_min", "fast", `rto_min: "fast" is not a duration like 200ms or a whole number of ms (want more than 0)`},
		{"time_wait", "-1", "time_wait: -1ms is negative (want 0 or more)"},
		{"time_wait", "-5ms", "time_wait: -5ms is negative (want 0 or more)"},
		// Finer than a nanosecond: time.ParseDuration made 0.5ns 0 (delayed
		// acknowledgements off) and 1.5ns 1ns; a scenario refuses both, and
		// so does --set (units.ParseDuration).
		{"delayed_ack", "0.5ns", `delayed_ack: "0.5ns" is not a whole number of nanoseconds (netsim's time step) (want 0 (off) to 500ms (RFC 9293 §3.8.6.3))`},
		{"rto_min", "1.5ns", `rto_min: "1.5ns" is not a whole number of nanoseconds (netsim's time step) (want more than 0)`},
		{"rto_min", "--5ms", `rto_min: "--5ms" is not a duration like 200ms or a whole number of ms (want more than 0)`},
		{"send_buffer", "2GiB", "send_buffer: 2GiB is too large (want auto or 88 bytes to 1GiB (RFC 7323 §2.3))"},
		{"recv_buffer", "40", "recv_buffer: 40 bytes is too small (want auto or 88 bytes to 1GiB (RFC 7323 §2.3))"},
		{"recv_buffer", "automatic", `recv_buffer: "automatic" is not a size like 1460 or 64KiB (want auto or 88 bytes to 1GiB (RFC 7323 §2.3))`},
		{"mss", "1 MB", "mss: 1000000 bytes is too large (want auto or 88 to 65495 bytes)"},
		{"congestion", "westwood", `congestion: "westwood" is not known (want one of bbr, cubic, dctcp, newreno, reno, vegas)`},
		{"fastopen", "0x", `fastopen: "0x" is not a whole number (want 0 to 2147483647)`},
		{"delayed_ack", "99999999999999999", "delayed_ack: 99999999999999999ms is too long (want 0 (off) to 500ms (RFC 9293 §3.8.6.3))"},
	}
	for _, tt := range bad {
		s := get(tt.name)
		_, err := s.Parse(tt.text)
		assert.EqualError(t, err, tt.want, "%s=%s", tt.name, tt.text)
	}
	s := get("rack")
	assert.Error(t, s.Check(int64(1)), "a value of the wrong type is refused")
}

// TestSettingParseSysctl: Linux's value forms convert to netsim's.
func TestSettingParseSysctl(t *testing.T) {
	tests := []struct {
		sysctl, text string
		want         any
	}{
		{"net.ipv4.tcp_timestamps", "2", true},
		{"net.ipv4.tcp_recovery", "0x4", false},
		{"net.ipv4.tcp_recovery", "1", true},
		{"net.ipv4.tcp_rmem", "4096 131072 6291456", []any{int64(131072), int64(6291456)}},
		{"net.ipv4.tcp_wmem", "4096 16384 4194304", []any{int64(16384), int64(4194304)}},
		{"net.ipv4.tcp_rto_min_us", "5000", 5 * time.Millisecond},
		{"net.ipv4.tcp_rto_max_ms", "60000", time.Minute},
		{"net.ipv4.tcp_congestion_control", "reno", "reno"},
		{"net.ipv4.tcp_notsent_lowat", "16384", int64(16384)},
		{"net.ipv4.tcp_notsent_lowat", "2147483647", int64(2147483647)}, // the setting's maximum
		{"net.ipv4.tcp_notsent_lowat", "2147483648", int64(0)},          // 2^31 and more: no limit
		{"net.ipv4.tcp_notsent_lowat", "4294967295", int64(0)},
	}
	for _, tt := range tests {
		ss := LookupSysctl(tt.sysctl)
		require.NotEmpty(t, ss, tt.sysctl)
		var got []any
		for _, s := range ss {
			v, err := s.ParseSysctl(tt.text)
			require.NoError(t, err, tt.sysctl)
			got = append(got, v)
		}
		if len(got) == 1 {
			assert.Equal(t, tt.want, got[0], tt.sysctl)
		} else {
			assert.Equal(t, tt.want, got, tt.sysctl)
		}
	}
	s := LookupSysctl("net.ipv4.tcp_rmem")[0]
	_, err := s.ParseSysctl("4096 131072")
	assert.ErrorContains(t, err, `want three sizes "min default max"`)
}

// TestValidateTogether: settings each within bounds that do not work
// together are named in the table's words.
func TestValidateTogether(t *testing.T) {
	tests := []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.RTOMax = 100 * time.Millisecond }, "rto_max = 100ms: want at least rto_min (200ms)"},
		{func(c *Config) { c.RTOInitial = 100 * time.Millisecond }, "rto_initial = 100ms: want between rto_min (200ms) and rto_max (2m0s)"},
		{func(c *Config) { c.SendBuffer = 1000 }, "send_buffer = 1000: want at least one mss (1460)"},
		{func(c *Config) { c.RecvBuffer = 1000 }, "recv_buffer = 1000: want at least one mss (1460)"},
	}
	for _, tt := range tests {
		c := DefaultConfig()
		tt.mod(&c)
		err := c.Validate()
		require.ErrorIs(t, err, ErrConfig)
		assert.Equal(t, "tcp: invalid config: "+tt.want, err.Error())
	}
}

const (
	docPath  = "../docs/tcp-settings.md"
	docBegin = "<!-- BEGIN settings table: go test ./tcp -run TestSettingsDoc -update -->\n"
	docEnd   = "<!-- END settings table -->\n"
)

// TestSettingsDoc: the tables in docs/tcp-settings.md are the settings
// table's; go test ./tcp -run TestSettingsDoc -update rewrites them.
func TestSettingsDoc(t *testing.T) {
	src, err := os.ReadFile(docPath)
	require.NoError(t, err)
	doc := string(src)
	i, j := strings.Index(doc, docBegin), strings.Index(doc, docEnd)
	require.True(t, i >= 0 && j > i, "%s must hold the markers %q and %q", docPath, docBegin, docEnd)
	got, want := doc[i+len(docBegin):j], settingsMarkdown()
	if testflags.Update() {
		require.NoError(t, os.WriteFile(docPath, []byte(doc[:i+len(docBegin)]+want+doc[j:]), 0o644))
		return
	}
	assert.Equal(t, want, got, "%s differs from the settings table in tcp/settings.go: run go test ./tcp -run TestSettingsDoc -update", docPath)
}

// settingsMarkdown writes the settings table and the aliases table.
func settingsMarkdown() string {
	var b strings.Builder
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	code := func(s string) string { return "`" + s + "`" }
	b.WriteString("| Setting | Kind | Default | Allowed | Linux | What it does |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, s := range settings {
		allowed := s.Allowed()
		if len(s.ValueAliases) > 0 {
			var as []string
			for _, a := range s.ValueAliases {
				as = append(as, code(a.Name)+" is "+code(a.Note))
			}
			allowed += "; " + strings.Join(as, ", ")
		}
		linux := ""
		if s.Sysctl != "" {
			linux = code(s.Sysctl)
			if s.SysctlNote != "" {
				linux += ": " + s.SysctlNote
			}
		}
		kind := s.Kind.String()
		if s.Unit != "" {
			kind += " (" + s.Unit + ")"
		}
		b.WriteString("| " + strings.Join([]string{code(s.Name), kind, code(s.Default()), cell(allowed), cell(linux), cell(s.Doc)}, " | ") + " |\n")
	}
	b.WriteString("\n| Alias | Setting | Where it comes from |\n|---|---|---|\n")
	for _, s := range settings {
		for _, a := range s.Aliases {
			b.WriteString("| " + code(a.Name) + " | " + code(s.Name) + " | " + cell(a.Note) + " |\n")
		}
	}
	return b.String()
}
