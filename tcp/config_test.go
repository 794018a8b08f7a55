package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Valid validates once; NewConnValid then opens connections without
// walking the settings table again, and refuses the zero ValidConfig.
func TestValidConfig(t *testing.T) {
	bad := DefaultConfig()
	bad.RTOMax = time.Millisecond
	_, err := bad.Valid()
	require.ErrorIs(t, err, ErrConfig)
	require.ErrorContains(t, err, "rto_max")

	_, err = NewConnValid(ValidConfig{}, epA, epB, 1, 1)
	require.ErrorIs(t, err, ErrConfig)

	v, err := DefaultConfig().Valid()
	require.NoError(t, err)
	require.Equal(t, DefaultConfig(), v.Config())
	c, err := NewConnValid(v, epA, epB, 1, 1)
	require.NoError(t, err)
	working := DefaultConfig()
	working.MSS = DefaultMSS // auto works with DefaultMSS until a route sets it
	require.Equal(t, working, c.Config())
	require.Equal(t, DefaultMSS, v.MSS())

	// WithMSS lowers a configured MSS, never raises it, never below
	// MinMSS (tcp_mss_clamp).
	fixed := DefaultConfig()
	fixed.MSS = 1460
	f, err := fixed.Valid()
	require.NoError(t, err)
	require.Equal(t, 536, f.WithMSS(536).Config().MSS)
	require.Equal(t, 1460, f.WithMSS(9000).Config().MSS)
	require.Equal(t, MinMSS, f.WithMSS(20).Config().MSS)
	_, err = f.WithMSS(20).Config().Valid()
	require.NoError(t, err)

	// An auto MSS takes the route's, raised or lowered (tcp_advertise_mss),
	// and still reads as auto.
	require.Equal(t, 8960, v.WithMSS(8960).MSS())
	require.Equal(t, 536, v.WithMSS(536).MSS())
	require.Equal(t, MaxMSS, v.WithMSS(65496).MSS())
	require.Equal(t, 0, v.WithMSS(8960).Config().MSS)
	c, err = NewConnValid(v.WithMSS(8960), epA, epB, 1, 1)
	require.NoError(t, err)
	require.Equal(t, 8960, c.Config().MSS)

	// Opening from validated settings costs less than validating them
	// again (the table's walk allocates).
	open := testing.AllocsPerRun(50, func() { _, _ = NewConnValid(v, epA, epB, 1, 1) })
	validating := testing.AllocsPerRun(50, func() { _, _ = NewConn(DefaultConfig(), epA, epB, 1, 1) })
	require.Less(t, open, validating)
}

// TestWithCongestion: one socket's congestion control (TCP_CONGESTION)
// changes the name alone, but for DCTCP, which asks for ECN whatever the
// ecn setting (Linux's tcp_ca_needs_ecn); an unknown name is refused and
// the settings it came from are not changed.
func TestWithCongestion(t *testing.T) {
	base := DefaultConfig()
	base.ECN = ECNOff
	v, err := base.Valid()
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		wantECN ECNMode
	}{
		{CongestionBBR, ECNOff},
		{CongestionNewReno, ECNOff},
		{CongestionDCTCP, ECNOn},
		{base.Congestion, ECNOff},
	} {
		w, err := v.WithCongestion(tc.name)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.name, w.Config().Congestion)
		assert.Equal(t, tc.wantECN, w.Config().ECN, tc.name)
		require.NoError(t, w.Config().Validate(), tc.name)
	}
	_, err = v.WithCongestion("westwood")
	require.ErrorIs(t, err, ErrConfig)
	assert.Equal(t, base, v.Config(), "the settings it came from are unchanged")
}
