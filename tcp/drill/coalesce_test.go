package drill_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testutil"
	"github.com/netsimlab/netsim/tcp/drill"
)

// TestCoalescedSegments: as in packetdrill without --strict_segments, one
// outbound line may stand for several consecutive segments (public scripts
// are written against TSO/GSO super-packets), and only then.
func TestCoalescedSegments(t *testing.T) {
	const open = testutil.PassiveOpenScript + `+0 write(4, ..., 3500) = 3500
`
	tests := []struct {
		name, src, want string
		strict          bool
	}{
		{"one line, four segments; PSH of the last counts", `+0 > P. 1:3501(3500) ack 1`, "", false},
		{"two lines splitting the four", "+0 > . 1:2001(2000) ack 1\n+0 > P. 2001:3501(1500) ack 1", "", false},
		{"a line per segment still matches", "+0 > . 1:1001(1000) ack 1\n+0 > . 1001:2001(1000) ack 1\n+0 > . 2001:3001(1000) ack 1\n+0 > P. 3001:3501(500) ack 1", "", false},
		{"more than was sent", `+0 > P. 1:4501(4500) ack 1`, "payload length 3500, want 4500", false},
		{"a range that does not end on a segment boundary", `+0 > . 1:1501(1500) ack 1`, "payload length 1000, want 1500", false},
		{"wrong ack on the merged segment", `+0 > P. 1:3501(3500) ack 2`, "ack 1, want 2", false},
		{"strict_segments turns it off", `+0 > P. 1:3501(3500) ack 1`, "flags ., want P.", true},
		{"RunConfig.StrictSegments turns it off too", `+0 > P. 1:3501(3500) ack 1`, "flags ., want P.", false},
		{"less written than the line says", "+0 > P. 1:3501(3500) ack 1\n+.1 < . 1:1(0) ack 3501 win 500\n+0 write(4, ..., 100) = 100\n+0 > P. 3501:3701(200) ack 1", "payload length 100, want 200", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := open + tt.src + "\n"
			if tt.strict {
				src = "--strict_segments\n" + src
			}
			rc := drill.DefaultRunConfig()
			rc.StrictSegments = strings.HasPrefix(tt.name, "RunConfig.StrictSegments")
			err := runScript(t, tt.name+".pkt", src, rc)
			requireMismatch(t, err, tt.want)
			if tt.want == "" {
				return
			}
			// The error carries the segment compared, merged when the
			// line stood for several, for the report to show.
			var re *drill.RunError
			require.True(t, errors.As(err, &re))
			require.NotNil(t, re.Actual)
			if tt.want == "payload length 3500, want 4500" {
				require.Len(t, re.Actual.Payload, 3500)
			}
		})
	}
}

// TestReportShowsMergedSegment: the report of a failed coalesced line
// shows the merged segment the runner compared, not the first segment.
func TestReportShowsMergedSegment(t *testing.T) {
	src := testutil.PassiveOpenScript + `+0 write(4, ..., 3500) = 3500
+0 > P. 1:4501(4500) ack 1
`
	require.Contains(t, failureReport(t, "merged.pkt", src), "actual packet:  0.100000 P. 1:3501(3500) ack 1")
}
