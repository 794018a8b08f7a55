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
	require.Equal(t, DefaultConfig(), c.Config())

	// WithMSS lowers, never raises, never below MinMSS.
	require.Equal(t, 536, v.WithMSS(536).Config().MSS)
	require.Equal(t, 1460, v.WithMSS(9000).Config().MSS)
	require.Equal(t, MinMSS, v.WithMSS(20).Config().MSS)
	_, err = v.WithMSS(20).Config().Valid()
	require.NoError(t, err)

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
