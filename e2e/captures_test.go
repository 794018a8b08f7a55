package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testutil"
)

// captureScenarios are every example scenario and every scenario of this
// package, with captures and the trace turned on and cut at 3 s of
// simulated time so the files stay small. Scenarios in testdata/large are
// left out: 3 s of them would write gigabytes (flow-5gb.yaml, at 10 Gbit/s,
// about 11 GB of captures and trace, which the check reads into memory).
func captureScenarios(t *testing.T) []string {
	t.Helper()
	var all []string
	for _, pattern := range []string{"../scenarios/*.yaml", "testdata/*.yaml"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		all = append(all, m...)
	}
	sort.Strings(all)
	require.GreaterOrEqual(t, len(all), 6)
	return all
}

// withCaptures writes a copy of a scenario that writes its trace and a
// capture of every interface (pcap: true in place of false or a list of
// nodes), of whole packets (without its snaplen), so that every checksum
// can be checked.
func withCaptures(t *testing.T, scenario string) string {
	t.Helper()
	b, err := os.ReadFile(scenario)
	require.NoError(t, err)
	text := strings.NewReplacer("pcap: false", "pcap: true").Replace(string(b))
	text = pcapKey.ReplaceAllString(text, "${1}pcap: true")
	text = snapLenKey.ReplaceAllString(text, "")
	text = strings.NewReplacer("trace: false", "trace: true").Replace(text)
	return writeScenario(t, filepath.Base(scenario), text)
}

// pcapKey is an outputs.pcap line of a block mapping, whatever its value
// (a flow mapping's "pcap: false" is replaced as text above).
var pcapKey = regexp.MustCompile(`(?m)^(\s*)pcap: .*$`)

// snapLenKey is an outputs.snaplen line.
var snapLenKey = regexp.MustCompile(`(?m)^\s*snaplen: .*\n`)

// captureUntil cuts scenarios whose 3 s would write too much: dctcp.yaml
// runs 1 Gbit/s behind 10 Gbit/s access links for its 200 ms; 3 s of it
// would write about 20 GB (the disk guard refuses it).
var captureUntil = map[string]string{"dctcp.yaml": "200ms"}

// quickCaptureScenarios are the scenarios TestCaptures checks without
// -long; together they hold every kind of capture netsim writes (one link
// type, LINKTYPE_RAW IPv4). lossy-link.yaml: host interfaces, a handshake,
// data and ACKs, duplicated copies and copies corrupted on purpose, whose
// bad checksums tshark must see. partition.yaml: router interfaces, TTLs
// decremented on the way, and link faults (interfaces that go down and up
// mid-capture). The other scenarios add more packets of the same kinds, so
// they are the -long matrix.
var quickCaptureScenarios = map[string]bool{"lossy-link.yaml": true, "partition.yaml": true}

// TestCaptures runs scenarios and checks each capture twice: with this
// package's own reader (timestamps and lengths against the trace,
// checksums), and, when tshark is installed, with tshark, which must find
// no malformed packet and no bad checksum except on copies the link
// corrupted on purpose, and must read nanosecond timestamps. Without
// -long only quickCaptureScenarios run; with -short none does.
func TestCaptures(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs netsim with captures (and tshark over them): skipped in -short mode")
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Log("tshark not on PATH (Debian package tshark): checking captures with the package's own reader only")
	}
	for _, sc := range captureScenarios(t) {
		t.Run(filepath.Base(sc), func(t *testing.T) {
			if !long() && !quickCaptureScenarios[filepath.Base(sc)] {
				t.Skip("the capture matrix over every scenario is a long check: run with -long or NETSIM_LONG=1")
			}
			t.Parallel()
			// Cut short, a run may miss an expect with a later deadline.
			until := "3s"
			if d, ok := captureUntil[filepath.Base(sc)]; ok {
				until = d
			}
			dir := runExpecting(t, []int{0, 1}, withCaptures(t, sc), "--until", until)
			recs := readTrace(t, dir)
			corrupt := checkPcapTimes(t, dir, recs)
			files, err := filepath.Glob(filepath.Join(dir, "pcap", "*.pcap"))
			require.NoError(t, err)
			require.NotEmpty(t, files)
			if tshark == "" {
				return
			}
			for _, f := range files {
				tsharkCheck(t, tshark, f, corrupt[filepath.Base(f)])
			}
		})
	}
}

// tsharkCheck reads a capture with tshark with checksum validation on.
// corrupt says which records are corrupt on purpose (nil when the trace
// put no packet through that interface).
func tsharkCheck(t *testing.T, tshark, file string, corrupt []bool) {
	t.Helper()
	rows := testutil.TsharkFields(t, tshark, file, "frame.number", "frame.time_epoch",
		"ip.checksum.status", "tcp.checksum.status", "_ws.malformed", "udp.checksum.status", "icmp.checksum.status")
	pkts := readPcap(t, file)
	require.Len(t, rows, len(pkts), "%s: tshark reads every record", file)
	name := filepath.Base(file)
	for i, f := range rows {
		require.Len(t, f, 7, "%s: %q", name, f)
		assert.Empty(t, f[4], "%s frame %s: malformed", name, f[0])
		ts := fmt.Sprintf("%d.%09d", pkts[i].ts/1e9, pkts[i].ts%1e9)
		assert.Equal(t, ts, f[1], "%s frame %s: nanosecond timestamp", name, f[0])
		bad := corrupt != nil && i < len(corrupt) && corrupt[i]
		// An ICMP error quotes a datagram: its header's checksum shows
		// too (after a ";"), and the transport checksum of a quote cut
		// short cannot be verified ("2").
		// An ICMP error's quote is cut at 576 bytes, so tshark cannot
		// check the quoted segment's checksum and may call it bad: with
		// ICMP, only the IP and ICMP checksums count.
		transport := []string{"1", "2", ""}
		if f[6] != "" {
			transport = append(transport, "0")
		}
		good := allOf(f[2], "1") && allOf(f[3], transport...) && allOf(f[5], transport...) && allOf(f[6], "1", "")
		if bad {
			assert.False(t, good, "%s frame %s: corrupted on purpose, checksums should fail", name, f[0])
		} else {
			assert.True(t, good, "%s frame %s: ip.checksum.status %s tcp.checksum.status %s (1 = good)", name, f[0], f[2], f[3])
		}
	}
}

// allOf reports whether every ";"-separated value of field is one of ok.
func allOf(field string, ok ...string) bool {
	for _, v := range strings.Split(field, ";") {
		found := false
		for _, o := range ok {
			found = found || v == o
		}
		if !found {
			return false
		}
	}
	return true
}
