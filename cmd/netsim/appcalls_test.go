package main

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/netsimlab/netsim/sim"
)

// A UDP source's connect and a ping's requests are not TCP calls: a UDP
// connect returns 0 at once (it only sets the peer), and neither has a
// connection to name, so their lines carry no EINPROGRESS and no
// "[conn 0]"; a ping's request says its icmp_seq, as ping(8) numbers them.
func TestAppCallsOfDatagramApps(t *testing.T) {
	to := netip.MustParseAddrPort("10.0.0.2:9")
	ping := netip.AddrPortFrom(to.Addr(), 0)
	recs := []sim.Record{
		{T: 0, Subject: "app/a/udp-send", Event: &sim.App{Event: sim.AppConnect, Has: sim.AppHasTo, To: to}},
		{T: 0, Subject: "app/a/ping", Event: &sim.App{Event: sim.AppSend, Has: sim.AppHasCount | sim.AppHasTo | sim.AppHasBytes, Count: 3, To: ping, Bytes: 64}},
		{T: 0, Subject: "app/a/bulk-send", Event: &sim.App{Event: sim.AppConnect, Has: sim.AppHasConn | sim.AppHasTo, Conn: 1, To: to}},
		{T: 0, Subject: "app/b/udp-sink", Event: &sim.App{Event: sim.AppRecv, Has: sim.AppHasBytes | sim.AppHasTotal, Bytes: 1000, Total: 1000}},
		{T: 0, Subject: "app/a/ping", Event: &sim.App{Event: sim.AppError, Has: sim.AppHasCall | sim.AppHasErrno | sim.AppHasCount | sim.AppHasTo | sim.AppHasPeer,
			Call: "recvmsg", Errno: "EHOSTUNREACH", Count: 4, To: ping, Peer: netip.MustParseAddrPort("100.64.0.1:0")}},
	}
	var b bytes.Buffer
	printAppCalls(&b, recs)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	assert.Len(t, lines, 5)
	assert.True(t, strings.HasSuffix(lines[3], "b/udp-sink               recvfrom() = 1000 bytes"), lines[3])
	assert.True(t, strings.HasSuffix(lines[4], "a/ping                   From 100.64.0.1 icmp_seq=4: EHOSTUNREACH"), lines[4])
	assert.True(t, strings.HasSuffix(lines[0], "a/udp-send               socket(SOCK_DGRAM), connect(10.0.0.2:9) = 0"), lines[0])
	assert.True(t, strings.HasSuffix(lines[1], "a/ping                   sendto(10.0.0.2, 64 bytes) icmp_seq=3"), lines[1])
	assert.True(t, strings.HasSuffix(lines[2], "a/bulk-send              socket(), connect(10.0.0.2:9) = EINPROGRESS  [conn 1]"), lines[2])
}
