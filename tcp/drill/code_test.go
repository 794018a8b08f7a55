package drill_test

import (
	"testing"

	"github.com/netsimlab/netsim/internal/testutil"
	"github.com/netsimlab/netsim/tcp/drill"
)

// TestCodeLinesEvaluated: the runner hands %{ }% lines to the tcp_info
// check, so an assertion that does not hold fails the script at its line
// and one that holds passes; other code is still skipped.
func TestCodeLinesEvaluated(t *testing.T) {
	const open = testutil.PassiveOpenScript
	tests := []struct {
		name, code, want string
	}{
		{"holds", `+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%`, ""},
		{"does not hold", `+0 %{ assert tcpi_snd_cwnd == 11, tcpi_snd_cwnd }%`, "tcp_info: assert tcpi_snd_cwnd == 11 failed"},
		{"other code is skipped", `+0 %{ print(tcpi_snd_cwnd) }%`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireMismatch(t, runScript(t, "code.pkt", open+tt.code+"\n", drill.DefaultRunConfig()), tt.want)
		})
	}
}

// TestSkippedLinesTakeTime: a code block or shell command the runner
// skips still happens at its time, as packetdrill waits for every timed
// event, so the next relative time counts from it: the write after a
// skipped line at +.5 happens at 0.6 s, not 0.1 s.
func TestSkippedLinesTakeTime(t *testing.T) {
	for _, skipped := range []string{"+.5 %{ print(tcpi_snd_cwnd) }%", "+.5 `tc qdisc show`"} {
		t.Run(skipped, func(t *testing.T) {
			src := testutil.PassiveOpenScript + skipped + "\n+0 write(4, ..., 1000) = 1000\n0.600 > P. 1:1001(1000) ack 1\n"
			requireMismatch(t, runScript(t, "skipped.pkt", src, drill.DefaultRunConfig()), "")
		})
	}
}
