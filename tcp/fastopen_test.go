package tcp

import (
	"encoding/hex"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSipHash24 checks the hash against the reference vectors of the
// SipHash paper (key 00..0f, message 00..len-1).
func TestSipHash24(t *testing.T) {
	var key FastOpenKey
	for i := range key {
		key[i] = byte(i)
	}
	msg := make([]byte, 15)
	for i := range msg {
		msg[i] = byte(i)
	}
	for _, tc := range []struct {
		n    int
		want uint64
	}{
		{0, 0x726fdb47dd0e0e31},
		{8, 0x93f5f5799a932462},
		{15, 0xa129ca6149be45e5},
	} {
		assert.Equal(t, tc.want, sipHash24(key, msg[:tc.n]), "%d bytes", tc.n)
	}
}

// TestFastOpenCookie pins the cookies Linux gives (tcp_fastopen_cookie_gen
// with siphash, as its packetdrill scripts check them), for the sysctl's
// key form.
func TestFastOpenCookie(t *testing.T) {
	for _, tc := range []struct{ key, client, server, want string }{
		// packetdrill's defaults.sh key, its client and server.
		{"a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4", "192.0.2.1", "192.168.0.1", "3021b9d889017eeb"},
		{"a0bf63f7-ed803d81-cd641d30-cebc4a90", "10.248.0.2", "192.168.0.2", "00abaaabe8e954c2"},
		{"a0bf63f7-ed803d81-cd641d30-cebc4a90", "10.248.0.3", "192.168.0.2", "1313a2da994a0951"},
		{"a0bf63f7-ed803d81-cd641d30-cebc4a90", "10.248.0.3", "192.168.0.3", "76d2c1c530f51f79"},
		{"01234567-89abcdef-fedcba98-76543210", "192.0.2.1", "192.168.0.1", "cca957b9a63da3de"},
		{"00000000-00000000-00000000-00000000", "192.0.2.1", "192.168.0.1", "b7c12350a90dc8f5"},
	} {
		k, err := ParseFastOpenKey(tc.key)
		require.NoError(t, err)
		assert.Equal(t, tc.key, k.String())
		c := FastOpenCookie(k, netip.MustParseAddr(tc.client), netip.MustParseAddr(tc.server))
		assert.Equal(t, tc.want, hex.EncodeToString(c[:]), "%s %s>%s", tc.key, tc.client, tc.server)
	}
	// The words are stored little-endian, as proc_tcp_fastopen_key's
	// cpu_to_le32 does.
	k, err := ParseFastOpenKey("00010203-0-0-0,11111111-0-0-0")
	require.NoError(t, err)
	assert.Equal(t, []byte{3, 2, 1, 0}, k[:4])
	for _, bad := range []string{"a1a1a1a1", "a1-b2-c3-zz", "1-2-3-4-5", "100000000-0-0-0"} {
		_, err := ParseFastOpenKey(bad)
		require.ErrorIs(t, err, ErrFastOpenKey, bad)
	}
	// A listener reads its key at every Fast Open SYN.
	assert.Zero(t, testing.AllocsPerRun(10, func() { _, _ = ParseFastOpenKey("a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4") }))
}

// TestFastOpenOption checks the option's layout (Linux's
// tcp_options_write pads it to 32 bits) and how it reads back
// (tcp_parse_fastopen_option).
func TestFastOpenOption(t *testing.T) {
	cookie := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	for _, tc := range []struct {
		name   string
		cookie []byte
		exp    bool
		wire   string
	}{
		{"request", nil, false, "2202" + "0101"},
		{"request exp", nil, true, "fe04f989"},
		{"cookie", cookie, false, "220a0102030405060708" + "0101"},
		{"cookie exp", cookie, true, "fe0cf9890102030405060708"},
		{"short", cookie[:4], false, "22060102030401" + "01"},
	} {
		var o Options
		require.NoError(t, o.AppendFastOpen(tc.cookie, tc.exp), tc.name)
		assert.Equal(t, tc.wire, hex.EncodeToString(o.Bytes()), tc.name)
		require.NoError(t, o.Validate())
		f, ok := o.FastOpen()
		require.True(t, ok, tc.name)
		assert.Equal(t, len(tc.cookie), f.Len, tc.name)
		assert.Equal(t, tc.exp, f.Exp, tc.name)
		assert.Equal(t, hex.EncodeToString(tc.cookie), hex.EncodeToString(f.Bytes()), tc.name)
	}
	for _, bad := range [][]byte{make([]byte, 3), make([]byte, 2), make([]byte, 18)} {
		var o Options
		require.ErrorIs(t, o.AppendFastOpen(bad, false), ErrBadOption, "%d bytes", len(bad))
	}
	// Received: an odd length is ignored, a length outside 4..16 is an
	// invalid cookie (-1), another magic is not Fast Open.
	for _, tc := range []struct {
		name string
		kind uint8
		data []byte
		ok   bool
		len  int
	}{
		{"odd", OptFastOpen, []byte{1, 2, 3}, false, 0},
		{"two bytes", OptFastOpen, []byte{1, 2}, true, -1},
		{"eighteen", OptFastOpen, make([]byte, 18), true, -1},
		{"other magic", OptExp, []byte{0x12, 0x34, 1, 2, 3, 4}, false, 0},
	} {
		var o Options
		require.NoError(t, o.AppendRaw(tc.kind, tc.data))
		f, ok := o.FastOpen()
		assert.Equal(t, tc.ok, ok, tc.name)
		if ok {
			assert.Equal(t, tc.len, f.Len, tc.name)
		}
	}
	// Several: as tcp_parse_options, every one of even length is read
	// and the last wins; an odd one is skipped, not the end of the walk.
	for _, tc := range []struct {
		name string
		opts [][]byte
		ok   bool
		len  int
		exp  bool
	}{
		{"two cookies", [][]byte{{1, 2, 3, 4}, {5, 6, 7, 8, 9, 10}}, true, 6, false},
		{"odd after", [][]byte{{1, 2, 3, 4}, {5, 6, 7}}, true, 4, false},
		{"odd before", [][]byte{{5, 6, 7}, {1, 2, 3, 4}}, true, 4, false},
		{"exp after", [][]byte{{1, 2, 3, 4}, {0xf9, 0x89}}, true, 0, true},
	} {
		var o Options
		for _, d := range tc.opts {
			kind := OptFastOpen
			if len(d) >= 2 && d[0] == 0xf9 {
				kind = OptExp
			}
			require.NoError(t, o.AppendRaw(kind, d), tc.name)
		}
		f, ok := o.FastOpen()
		assert.Equal(t, tc.ok, ok, tc.name)
		assert.Equal(t, tc.len, f.Len, tc.name)
		assert.Equal(t, tc.exp, f.Exp, tc.name)
	}
	var none Options
	_, ok := none.FastOpen()
	assert.False(t, ok)
}

// TestFastOpenSettings reads the two sysctls as Linux writes them.
func TestFastOpenSettings(t *testing.T) {
	s := LookupSysctl("net.ipv4.tcp_fastopen")
	require.Len(t, s, 1)
	v, err := s[0].ParseSysctl("0x70403")
	require.NoError(t, err)
	assert.Equal(t, int64(0x70403), v)
	_, err = s[0].ParseSysctl("fast")
	require.ErrorIs(t, err, ErrConfig)
	// Past an int, as proc_dointvec: an error, not the mask cut short.
	_, err = s[0].ParseSysctl("0x80000001")
	require.ErrorIs(t, err, ErrConfig)

	k := LookupSysctl("net.ipv4.tcp_fastopen_key")
	require.Len(t, k, 1)
	v, err = k[0].ParseSysctl("a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4")
	require.NoError(t, err)
	cfg := DefaultConfig()
	require.NoError(t, k[0].Set(&cfg, v))
	assert.Equal(t, "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4", cfg.FastOpenKey)
	_, err = k[0].Parse("a1a1a1a1-b2b2b2b2")
	var se *SettingError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Allowed, "four 32-bit hex words")
}
