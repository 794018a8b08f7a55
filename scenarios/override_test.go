package scenarios

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/units"
)

func overrides(t *testing.T, args ...string) []Override {
	t.Helper()
	var list []Override
	for _, a := range args {
		o, err := ParseOverride(a)
		require.NoError(t, err, a)
		list = append(list, o)
	}
	return list
}

// TestOverrides replaces keys of the dumbbell as netsim run --set does:
// by name after a dot, by index, a whole block, units with spaces.
func TestOverrides(t *testing.T) {
	data, err := os.ReadFile("dumbbell.yaml")
	require.NoError(t, err)
	s, err := ParseWith("dumbbell.yaml", data, overrides(t,
		"links.bottleneck.bandwidth=1 Gbit/s",
		"links[0].delay=10 ms",
		"defaults.tcp.congestion=cubic",
		"links.bottleneck.queue={kind: codel}",
		"duration=3s"))
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, s.Duration)
	assert.Equal(t, 10*time.Millisecond, s.Links[0].Delay)
	for _, l := range s.Links {
		if l.Name == "bottleneck" {
			assert.Equal(t, units.Gbps, l.Bandwidth)
			assert.Equal(t, "codel", string(l.Queue.Kind))
		}
	}
	assert.Equal(t, "cubic", s.Hosts[0].Effective.Config().Congestion)
}

// TestOverrideErrors: a problem in an override's value, or in a key it
// adds, names the override, not a position in the file; a problem in the file keeps its position;
// both are reported together.
func TestOverrideErrors(t *testing.T) {
	data, err := os.ReadFile("dumbbell.yaml")
	require.NoError(t, err)
	data = append(data, []byte("routing: {ecmp: maybe}\n")...)
	_, err = ParseWith("d.yaml", data, overrides(t,
		"links.bottleneck.bandwidth=10 Mb",
		"links.nope.loss=1%",
		"duration={a: [1",
		"defaults.tcp.congestion=westwood",
		"defaults.tcp.nagl=false"))
	require.ErrorIs(t, err, ErrInvalid)
	msg := err.Error()
	assert.Contains(t, msg, `d.yaml: --set links.bottleneck.bandwidth=10 Mb: links[4].bandwidth: rate "10 Mb": unit "Mb" is ambiguous`)
	assert.Contains(t, msg, `d.yaml: --set links.nope.loss=1%: bad path: links[nope]: no element is named "nope" (names: `)
	assert.Contains(t, msg, `d.yaml: --set duration={a: [1: the value is not YAML: `)
	assert.Contains(t, msg, `d.yaml: --set defaults.tcp.congestion=westwood: defaults.tcp.congestion: `)
	// A key the override adds is the override's too, not line 1 of the
	// file.
	assert.Contains(t, msg, `d.yaml: --set defaults.tcp.nagl=false: defaults.tcp: unknown key "nagl", did you mean "nagle"?`)
	assert.NotContains(t, msg, "d.yaml:1:1:")
	assert.Regexp(t, `d\.yaml:\d+:\d+: routing\.ecmp: "maybe" is not a boolean`, msg)
	_, err = ParseOverride("links")
	assert.EqualError(t, err, "want PATH=VALUE, like links.bottleneck.bandwidth=20Mbps")
}
