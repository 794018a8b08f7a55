package plots

import (
	"bytes"
	"net/netip"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// TestPingErrorsCounted: requests the host refused (EMSGSIZE above the
// path MTU) are sent and lost as ping(8) counts them, with "+N errors",
// so a run whose every request failed still gets its figure, saying what
// happened, rather than "no ping requests". An ICMP error that answered
// a request is one of the errors too, its request lost.
func TestPingErrorsCounted(t *testing.T) {
	to := netip.MustParseAddrPort("10.0.0.2:0")
	refused := func(seq int64, errno string) sim.Record {
		return sim.Record{T: sim.Time(seq * int64(time.Second)), Subject: "app/a/ping",
			Event: &sim.App{Event: sim.AppError, Has: sim.AppHasCall | sim.AppHasErrno | sim.AppHasCount | sim.AppHasTo,
				Call: "sendto", Errno: errno, Count: seq, To: to}}
	}
	recs := []sim.Record{refused(1, "EMSGSIZE"), refused(2, "EMSGSIZE"), refused(3, "EMSGSIZE")}
	var buf bytes.Buffer
	require.NoError(t, RenderTo(recs, Options{Kind: KindPing}, "svg", &buf))
	assert.Contains(t, buf.String(), "3 sent, 0 received, +3 errors (EMSGSIZE)")

	// A request answered, one answered by an ICMP error, one refused.
	router := netip.MustParseAddrPort("10.0.0.254:0")
	recs = []sim.Record{
		{T: sim.Time(time.Second), Subject: "app/a/ping",
			Event: &sim.App{Event: sim.AppSend, Has: sim.AppHasCount | sim.AppHasTo, Count: 1, To: to}},
		{T: sim.Time(time.Second + time.Millisecond), Subject: "app/a/ping",
			Event: &sim.App{Event: sim.AppReply, Has: sim.AppHasCount | sim.AppHasPeer | sim.AppHasLatency, Count: 1, Peer: to, Latency: time.Millisecond}},
		{T: sim.Time(2 * time.Second), Subject: "app/a/ping",
			Event: &sim.App{Event: sim.AppSend, Has: sim.AppHasCount | sim.AppHasTo, Count: 2, To: to}},
		{T: sim.Time(2*time.Second + time.Millisecond), Subject: "app/a/ping",
			Event: &sim.App{Event: sim.AppError, Has: sim.AppHasCall | sim.AppHasErrno | sim.AppHasCount | sim.AppHasPeer,
				Call: "recvmsg", Errno: "EMSGSIZE", Count: 2, Peer: router}},
		refused(3, "ENETUNREACH"),
	}
	buf.Reset()
	require.NoError(t, RenderTo(recs, Options{Kind: KindPing}, "svg", &buf))
	assert.Contains(t, buf.String(), "3 sent, 1 received, +2 errors (EMSGSIZE, ENETUNREACH)")
}

// TestPingICMPErrorGoesToItsTarget: two ping apps of one host toward two
// targets share the subject app/a/ping, and both have request 1 waiting
// when an ICMP error answers the one toward c. The error's record names
// its target (to): it counts for a → c, not for the first series waiting
// for an icmp_seq 1 (a → b, which got its reply).
func TestPingICMPErrorGoesToItsTarget(t *testing.T) {
	b, c := netip.MustParseAddrPort("10.0.0.2:0"), netip.MustParseAddrPort("10.0.0.3:0")
	router := netip.MustParseAddrPort("100.64.0.1:0")
	send := func(at time.Duration, to netip.AddrPort) sim.Record {
		return sim.Record{T: sim.Time(at), Subject: "app/a/ping",
			Event: &sim.App{Event: sim.AppSend, Has: sim.AppHasCount | sim.AppHasTo, Count: 1, To: to}}
	}
	recs := []sim.Record{
		send(0, b), send(0, c),
		{T: sim.Time(6 * time.Millisecond), Subject: "app/a/ping",
			Event: &sim.App{Event: sim.AppError, Has: sim.AppHasCall | sim.AppHasErrno | sim.AppHasCount | sim.AppHasTo | sim.AppHasPeer,
				Call: "recvmsg", Errno: "EMSGSIZE", Count: 1, To: c, Peer: router}},
		{T: sim.Time(20 * time.Millisecond), Subject: "app/a/ping",
			Event: &sim.App{Event: sim.AppReply, Has: sim.AppHasCount | sim.AppHasPeer | sim.AppHasLatency, Count: 1, Peer: b, Latency: 20 * time.Millisecond}},
	}
	var buf bytes.Buffer
	require.NoError(t, RenderTo(recs, Options{Kind: KindPing}, "svg", &buf))
	var legend []string
	for _, m := range regexp.MustCompile(`>(a → [^<]*)<`).FindAllStringSubmatch(buf.String(), -1) {
		legend = append(legend, m[1])
	}
	assert.Equal(t, []string{"a → 10.0.0.2: 1 sent, 1 received", "a → 10.0.0.3: 1 sent, 0 received, +1 errors (EMSGSIZE)"}, legend)
}
