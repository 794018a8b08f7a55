package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TCP settings that are each fine but do not work together are reported
// once, where the value that breaks them was written: at the defaults'
// line when every host inherits it (not once more at each host that
// writes some other setting), at the host's line when the host's own
// value is the one that clashes, and once for a whole group.
func TestTCPConflictPointsWhereTheValueWasWritten(t *testing.T) {
	const head = "version: 1\nname: t\nduration: 1s\n"
	const link = "links:\n  - {between: [a, b], bandwidth: 10Mbps}\n"
	const together = " (settings that work together: rto_min <= rto_initial <= rto_max, buffers >= mss, each *_max >= its *_initial, ecn on or accept with dctcp)"
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"defaults-clash-host-writes-other-setting", head + `defaults:
  tcp:
    rto_min: 2s
hosts:
  a: {tcp: {congestion: reno}}
  b: {}
` + link, []string{
			"t.yaml:6:14: defaults.tcp: rto_initial = 1s: between rto_min (2s) and rto_max (2m0s)" + together,
		}},
		{"host-clashes-with-defaults", head + `defaults:
  tcp: {rto_min: 500ms}
hosts:
  a:
    tcp: {rto_initial: 300ms}
  b: {}
` + link, []string{
			"t.yaml:8:24: hosts.a.tcp: rto_initial = 300ms: between rto_min (500ms) and rto_max (2m0s)" + together,
		}},
		{"host-mss-over-defaults-buffer", head + `defaults:
  tcp: {send_buffer: 8KB}
hosts:
  a: {tcp: {mss: 9000}}
  b: {}
` + link, []string{
			"t.yaml:7:18: hosts.a.tcp: send_buffer = 8000: at least one mss (9000)" + together,
		}},
		{"both-places-clash", head + `defaults:
  tcp: {rto_min: 2s}
hosts:
  a: {tcp: {rto_max: 1s}}
  b: {}
` + link, []string{
			"t.yaml:5:18: defaults.tcp: rto_initial = 1s: between rto_min (2s) and rto_max (2m0s)" + together,
			"t.yaml:7:22: hosts.a.tcp: rto_max = 1s: at least rto_min (2s)" + together,
		}},
		{"group", head + `hosts:
  a: {count: 3, tcp: {rto_max: 100ms}}
  b: {}
links:
  - {between: [a-1, b], bandwidth: 10Mbps}
  - {between: [a-2, b], bandwidth: 10Mbps}
  - {between: [a-3, b], bandwidth: 10Mbps}
`, []string{
			"t.yaml:5:32: hosts.a.tcp: rto_max = 100ms: at least rto_min (200ms)" + together,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.yaml))
			require.Error(t, err)
			assert.Equal(t, tc.want, strings.Split(err.Error(), "\n"))
		})
	}
}
