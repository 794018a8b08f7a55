package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const drillData = "../../tcp/drill/testdata"

// runDrill runs "netsim drill args..." in-process.
func runDrill(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = drillMain(args, &out, &errb)
	return code, out.String(), errb.String()
}

// writeScript writes a file (a script, a scenario) into a temporary folder
// and returns its path.
func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	return p
}

// syn3 is a script that needs tcp.syn_retries=2: connect() fails at 7 s
// after SYNs at 0, 1 and 3 s.
const syn3 = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0...7 connect(3, ..., ...) = -1 ETIMEDOUT (Connection timed out)
+0 > S 0:0(0) <...>
1 > S 0:0(0) <...>
3 > S 0:0(0) <...>
8 < S. 0:0(0) ack 1 win 65535 <mss 1460>
+0 > R 1:1(0)
`

// wscale8 expects packetdrill's environment: a SYN offering wscale 8.
const wscale8 = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
`

// TestDrillExitCodes: 0 when every script passes, 1 when one fails, 2 for
// a script that does not parse and for bad usage; each with its message.
func TestDrillExitCodes(t *testing.T) {
	passing, err := filepath.Glob(filepath.Join(drillData, "scripts", "*.pkt"))
	require.NoError(t, err)
	require.NotEmpty(t, passing)
	bad := writeScript(t, "bad.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 > S 0:0(0) ack\n")
	// The ACK of the data is not listed: packetdrill's rule lets it be.
	unlisted := writeScript(t, "unlisted.pkt", `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1460>
+0 > S. 0:0(0) ack 1 <mss 1460>
+.1 < . 1:1(0) ack 1 win 65535
+0 accept(3, ..., ...) = 4
+0 < P. 1:101(100) ack 1 win 65535
+0 read(4, ..., 100) = 100
`)
	tests := []struct {
		name        string
		args        []string
		code        int
		out, errOut []string
	}{
		{"all pass", passing, exitOK,
			[]string{"ok   " + passing[0], " scripts: " + itoa(len(passing)) + " passed, 0 failed"}, nil},
		{"one fails", []string{passing[0], filepath.Join(drillData, "fail", "wrong-flag.pkt")}, exitFailed,
			[]string{"FAIL " + filepath.Join(drillData, "fail", "wrong-flag.pkt"), "2 scripts: 1 passed, 1 failed"},
			[]string{"wrong-flag.pkt:7: error handling packet: flags S., want S\n",
				"script packet:  0.000000 S 0:0(0) ack 1 <...>\n",
				"actual packet:  0.000000 S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val ",
				"time difference: +0.000000 s"}},
		{"late segment", []string{filepath.Join(drillData, "fail", "late-segment.pkt")}, exitFailed, nil,
			[]string{"late-segment.pkt:8: error handling packet: expected an outbound segment by 0.504000; none was sent",
				"script packet:  0.500000 S 0:0(0) <...>", "actual packet:  (none sent within the tolerance, 0.004000 s)"}},
		{"unsupported call", []string{filepath.Join(drillData, "fail", "unsupported-syscall.pkt")}, exitFailed, nil,
			[]string{"unsupported-syscall.pkt:4: error handling system call: sendfile: drill: unsupported: system call sendfile is not implemented"}},
		{"parse error", []string{passing[0], bad}, exitUsage, []string{"ok   "}, []string{bad + ":3:1: expected TCP ack sequence number"}},
		{"no script", nil, exitUsage, nil, []string{"no script given"}},
		{"bad stack", []string{"--stack", "kernel", passing[0]}, exitUsage, nil, []string{`--stack "kernel": the only stack is host`}},
		{"--stack host", []string{"--stack", "host", passing[0]}, exitOK, []string{"ok   "}, nil},
		{"--stack conn is gone", []string{"--stack", "conn", passing[0]}, exitUsage, nil, []string{"--stack conn was removed: scripts run against the simulated host only"}},
		{"bad set", []string{"--set", "tcp.synretries=2", passing[0]}, exitUsage, nil, []string{"--set: tcp.synretries=2: unknown key"}},
		{"--strict_segments", []string{"--strict_segments", filepath.Join(drillData, "scripts", "iw10.pkt")}, exitOK, nil, nil},
		{"unlisted ACK fails", []string{unlisted}, exitFailed, nil, []string{"unlisted.pkt:9: error handling system call: unexpected outbound segment at 0.100000"}},
		{"--queue_unmatched", []string{"--queue_unmatched", unlisted}, exitOK, nil, nil},
		{"--preset packetdrill queues", []string{"--preset", "packetdrill", unlisted}, exitOK, nil, nil},
		{"tcp_info", []string{filepath.Join(drillData, "fail", "tcpinfo-wrong.pkt")}, exitFailed, nil,
			[]string{"tcpinfo-wrong.pkt:9: error handling code block: tcp_info: assert tcpi_snd_cwnd == 4 failed: tcpi_snd_cwnd is 10, 4 is 4"}},
		{"coalesced --strict_segments", []string{"--strict_segments", filepath.Join(drillData, "scripts", "segments-coalesced.pkt")}, exitFailed, nil,
			[]string{"segments-coalesced.pkt:12: error handling packet: flags ., want P.\n",
				"script packet:  0.100000 P. 1:5841(5840) ack 1\n",
				"actual packet:  0.100000 . 1:1461(1460) ack 1 win "}},
		{"merged segments in the report", []string{filepath.Join(drillData, "fail", "segments-short.pkt")}, exitFailed, nil,
			[]string{"actual packet:  0.100000 . 1:4381(4380) ack 1 win "}},
		{"still blocked", []string{filepath.Join(drillData, "fail", "blocking-still-blocked.pkt")}, exitFailed, nil,
			[]string{"blocking-still-blocked.pkt:6: error handling system call: connect still blocked at 2.004000, expected to return at 2.000000 (tolerance 4ms)"}},
		{"bad preset", []string{"--preset", "bsd", passing[0]}, exitUsage, nil, []string{`preset "bsd": want one of packetdrill`}},
		// --tolerance_usecs 0 is packetdrill's exact timing: it was taken
		// for "not given" (4 ms), and a negative value was ignored.
		{"--tolerance_usecs 0", []string{"--tolerance_usecs", "0", filepath.Join(drillData, "fail", "late-segment.pkt")}, exitFailed, nil,
			[]string{"late-segment.pkt:8: error handling packet: expected an outbound segment by 0.500000; none was sent"}},
		{"negative tolerance", []string{"--tolerance_usecs", "-5", passing[0]}, exitUsage, nil, []string{"--tolerance_usecs -5: want 0 or more microseconds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runDrill(t, tt.args...)
			assert.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, w := range tt.out {
				assert.Contains(t, out, w)
			}
			for _, w := range tt.errOut {
				assert.Contains(t, errOut, w)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestDrillSettings: --set, --settings and --preset reach the stack; a
// script that needs them fails without them.
func TestDrillSettings(t *testing.T) {
	syn := writeScript(t, "syn3.pkt", syn3)
	ws := writeScript(t, "wscale8.pkt", wscale8)
	yml := writeScript(t, "s.yaml", "tcp:\n  syn_retries: 2\n")
	sysctl := writeScript(t, "sysctl.yaml", "net.ipv4.tcp_syn_retries: 2\n")
	badYAML := writeScript(t, "bad.yaml", "tcp:\n  syn_retries: [2]\n")
	// A syntax error at its line and column (it was "yaml: line 2: ..."
	// after the file name, without a column).
	syntax := writeScript(t, "syntax.yaml", "tcp.mss: 1000\n tcp.sack: 1\n")
	runDrillCases(t, []drillCase{
		{"default retries", []string{syn}, exitFailed, ""},
		{"--set", []string{"--set", "tcp.syn_retries=2", syn}, exitOK, ""},
		{"--set sysctl", []string{"--set", "net.ipv4.tcp_syn_retries=2", syn}, exitOK, ""},
		{"--settings nested", []string{"--settings", yml, syn}, exitOK, ""},
		{"--settings sysctl", []string{"--settings", sysctl, syn}, exitOK, ""},
		{"--set after --settings wins", []string{"--settings", yml, "--set", "tcp.syn_retries=6", syn}, exitFailed, ""},
		{"bad yaml value", []string{"--settings", badYAML, syn}, exitUsage, "bad.yaml:2:16: tcp.syn_retries: want a single value"},
		{"yaml syntax error", []string{"--settings", syntax, syn}, exitUsage, "syntax.yaml:2:2: YAML syntax error: mapping values are not allowed in this context"},
		{"default wscale", []string{ws}, exitFailed, ""},
		{"--preset packetdrill", []string{"--preset", "packetdrill", ws}, exitOK, ""},
	})
}

// TestDrillDefine: --define (and -D) give a script's words a value, as
// packetdrill's command line does, and CODE is host_unreachable without
// them, as packetdrill's run_all.py defines it; the script's own --define
// wins.
func TestDrillDefine(t *testing.T) {
	const body = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <...>
+.01 < icmp unreachable CODE [0:0(0)]
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [EHOSTUNREACH], [4]) = 0
`
	f := writeScript(t, "code.pkt", body)
	own := writeScript(t, "own.pkt", "--define=CODE=port_unreachable\n"+body)
	other := writeScript(t, "other.pkt", strings.Replace(body, "CODE", "OTHER", 1))
	runDrillCases(t, []drillCase{
		{"the runner's default", []string{f}, exitOK, ""},
		{"undefined", []string{other}, exitFailed, `other.pkt:5: error handling packet: unknown ICMP code "OTHER"`},
		{"--define", []string{"--define", "CODE=port_unreachable", f}, exitFailed, "SO_ERROR is 111"},
		{"-D", []string{"-D", "CODE=port_unreachable", f}, exitFailed, "SO_ERROR is 111"},
		{"the script's own wins", []string{"-D", "CODE=host_unreachable", own}, exitFailed, "SO_ERROR"},
		{"no value", []string{"--define", "CODE", f}, exitUsage, `--define "CODE": want NAME=VALUE`},
	})
}

// TestDrillSkippedAndVerbose: shell and code lines are counted in a
// warning; --verbose prints every step.
func TestDrillSkippedAndVerbose(t *testing.T) {
	p := writeScript(t, "skip.pkt", "`../common/defaults.sh`\n"+
		"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"+
		"+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n"+
		"+0 < S 0:0(0) win 65535 <mss 1460>\n+0 > S. 0:0(0) ack 1 <mss 1460>\n"+
		"+0 `echo hi`\n+0 %{ print(tcpi_snd_cwnd) }%\n+0 %{ assert tcpi_snd_cwnd == 10 }%\n")
	code, out, errOut := runDrill(t, "--verbose", p)
	require.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	assert.Contains(t, errOut, "skip.pkt: warning: skipped 2 shell command line(s) and 1 %{ }% code block(s)")
	assert.Contains(t, out, "0.000000 listen(3, 1) returned 0\n")
	assert.Contains(t, out, "0.000000 < S 0:0(0) win 65535 <mss 1460>\n")
	assert.Contains(t, out, "0.000000 > S. 0:0(0) ack 1 win 64240 <mss 1460>\n")
}

// TestDrillOut: --out writes the trace and the host's capture.
func TestDrillOut(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(drillData, "scripts", "close-active.pkt")
	code, out, errOut := runDrill(t, "--out", dir, script)
	require.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	trace, err := os.ReadFile(filepath.Join(dir, "trace.jsonl"))
	require.NoError(t, err)
	assert.Contains(t, string(trace), `"kind":"pkt.send"`)
	assert.Contains(t, string(trace), `"to":"TIME-WAIT"`)
	pcap, err := os.ReadFile(filepath.Join(dir, "pcap", "dut-eth0.pcap"))
	require.NoError(t, err)
	// The file header and 7 datagrams in and out, each with its record
	// header.
	assert.Greater(t, len(pcap), 24+7*(16+40))

	// Several scripts: one folder each.
	code, _, errOut = runDrill(t, "--out", dir, script, filepath.Join(drillData, "scripts", "close-passive.pkt"))
	require.Equal(t, exitOK, code, errOut)
	assert.FileExists(t, filepath.Join(dir, "close-passive", "trace.jsonl"))
	assert.FileExists(t, filepath.Join(dir, "close-active", "pcap", "dut-eth0.pcap"))
}

// TestDrillOutKeepsARun: --out naming the folder of a netsim run is
// refused (exit 2) and the run's files stay: a drill writes no manifest,
// so committing into that folder removed the run's manifest, summary and
// captures as an earlier run's and left only the script's two files.
func TestDrillOutKeepsARun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hs")
	code, _, stderr := cli(t, "run", handshake, "--out", dir)
	require.Equal(t, exitOK, code, stderr)
	before, err := filesUnder(dir)
	require.NoError(t, err)
	trace, err := os.ReadFile(filepath.Join(dir, "trace.jsonl"))
	require.NoError(t, err)

	script := filepath.Join(drillData, "scripts", "close-active.pkt")
	code, out, errOut := runDrill(t, "--out", dir, script)
	assert.Equal(t, exitUsage, code, "%s\n%s", out, errOut)
	assert.Contains(t, errOut, "holds the outputs of a netsim run (manifest.json)")
	after, err := filesUnder(dir)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	got, err := os.ReadFile(filepath.Join(dir, "trace.jsonl"))
	require.NoError(t, err)
	assert.Equal(t, trace, got)
}

// TestRunReplacesADrillsOut: a run into the folder a drill wrote replaces
// the drill's trace and its capture pcap/dut-eth0.pcap, which no manifest
// lists: that capture stayed beside the run's own.
func TestRunReplacesADrillsOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	script := filepath.Join(drillData, "scripts", "close-active.pkt")
	code, out, errOut := runDrill(t, "--out", dir, script)
	require.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	require.FileExists(t, filepath.Join(dir, "pcap", "dut-eth0.pcap"))
	code, _, stderr := cli(t, "run", handshake, "--out", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.NoFileExists(t, filepath.Join(dir, "pcap", "dut-eth0.pcap"))
	assert.FileExists(t, filepath.Join(dir, "pcap", "client-eth0.pcap"))
}

// drillCase is a netsim drill command line, the exit code it must give
// and a text its standard error must hold.
type drillCase struct {
	name string
	args []string
	code int
	want string
}

// runDrillCases runs each case as a subtest.
func runDrillCases(t *testing.T, cases []drillCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runDrill(t, tt.args...)
			assert.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			assert.Contains(t, errOut, tt.want)
		})
	}
}
