package drill_test

import (
	"testing"

	"github.com/netsimlab/netsim/tcp/drill"
)

// TestCodeLinesEvaluated: the runner hands %{ }% lines to the tcp_info
// check, so an assertion that does not hold fails the script at its line
// and one that holds passes; other code is still skipped.
func TestCodeLinesEvaluated(t *testing.T) {
	const open = passiveOpen
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
