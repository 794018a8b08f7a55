package testutil

import (
	"os/exec"
	"strings"
	"testing"
)

// TsharkFields reads the capture file with tshark (the program at path
// tshark) and returns a row a frame, holding the values of fields in
// order; where a field occurs more than once in a frame (the headers an
// ICMP error quotes), its values are joined with ";". The IPv4, TCP and
// UDP checksums are validated (their *.checksum.status fields: 0 bad,
// 1 good, 2 unverified), names are not resolved, and the HTTP dissector
// is off: the payload of the built-in apps is a byte pattern, not HTTP,
// which tshark's HTTP dissector on port 80 calls malformed in places (a
// known problem in docs/validation.md). It fails t if tshark does.
func TsharkFields(t testing.TB, tshark, file string, fields ...string) [][]string {
	t.Helper()
	args := []string{"-n", "-r", file, "--disable-protocol", "http",
		"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
		"-T", "fields", "-E", "separator=,", "-E", "aggregator=;"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	cmd := exec.Command(tshark, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v: %s", file, err, stderr.String())
	}
	var rows [][]string
	for line := range strings.Lines(string(out)) {
		rows = append(rows, strings.Split(strings.TrimSuffix(line, "\n"), ","))
	}
	return rows
}
