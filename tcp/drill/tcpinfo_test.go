package drill

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestParseTCPInfoCode: only blocks made of assertions on known fields,
// integers and state names are evaluated; anything else is skipped.
func TestParseTCPInfoCode(t *testing.T) {
	tests := []struct {
		code string
		n    int
		ok   bool
	}{
		{"assert tcpi_snd_cwnd == 10", 1, true},
		{"assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd", 1, true},
		{"assert tcpi_state == TCP_ESTABLISHED\nassert tcpi_rto >= 200000", 2, true},
		{"assert tcpi_snd_cwnd == 10; assert tcpi_total_retrans != 0x1", 2, true},
		{"# a comment\nassert tcpi_snd_ssthresh < tcpi_snd_cwnd", 1, true},
		{"assert tcpi_ca_state == TCP_CA_Recovery", 1, true},
		{"assert tcpi_ca_state == TCP_CA_Undo", 0, false},
		{"assert tcpi_unacked == 1", 0, false},
		{"print(tcpi_snd_cwnd)", 0, false},
		{"assert tcpi_snd_cwnd", 0, false},
		{"assert tcpi_snd_cwnd == 10\nx = 1", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			got, ok := parseTCPInfoCode(tt.code)
			assert.Equal(t, tt.ok, ok)
			assert.Len(t, got, tt.n)
		})
	}
	a, _ := parseTCPInfoCode("assert tcpi_rto >= 200000, tcpi_rto")
	assert.Equal(t, tcpiAssert{lhs: "tcpi_rto", op: ">=", rhs: "200000", text: "tcpi_rto >= 200000"}, a[0])
}
