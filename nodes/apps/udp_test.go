package apps

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// A CBR source of 160-byte datagrams at 64 kbit/s (G.711 voice: one every
// 20 ms) for one second sends 50 datagrams, and an idle sink reads them
// all.
func TestUDPSendCBR(t *testing.T) {
	w := simpleWorld(t, nil)
	sink := &UDPSink{Port: 9000}
	_, err := Install(w.server, 0, sink)
	require.NoError(t, err)
	src := &UDPSend{To: netip.AddrPortFrom(serverAddr, 9000), Rate: units.BitRate(64000), Size: 160, Pattern: UDPConstant, Stop: time.Second}
	_, err = Install(w.client, 0, src)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(2*time.Second)))
	assert.Equal(t, int64(50), src.Datagrams)
	assert.Equal(t, int64(50), sink.Datagrams)
	assert.Equal(t, int64(50*160), sink.Received)
}

// appErrors lists the app error records of recs as "call errno".
func appErrors(recs []sim.Record) []string {
	var calls []string
	for _, r := range recs {
		if e, ok := r.Event.(*sim.App); ok && e.Event == sim.AppError {
			calls = append(calls, e.Call+" "+e.Errno)
		}
	}
	return calls
}

// Every send the host refuses is an error record of its own, as ping's
// are: summary.json's app_errors and netsim run's "send failed ... N
// times" count the records, and they used to say "once" for a source
// whose every datagram was refused.
func TestUDPSendTracesEachRefusedSend(t *testing.T) {
	rec := &sim.Recorder{}
	w := simpleWorld(t, rec)
	// 2000-byte datagrams do not fit the 1500-byte link: EMSGSIZE each
	// time, one every 200 ms for a second.
	src := &UDPSend{To: netip.AddrPortFrom(serverAddr, 9000), Rate: units.BitRate(80000), Size: 2000, Pattern: UDPConstant, Stop: time.Second}
	_, err := Install(w.client, 0, src)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(2*time.Second)))
	assert.Equal(t, int64(5), src.Errors)
	assert.Equal(t, []string{"send EMSGSIZE", "send EMSGSIZE", "send EMSGSIZE", "send EMSGSIZE", "send EMSGSIZE"}, appErrors(rec.Records))
	assert.Zero(t, src.Datagrams)
}

// On-off sends only in its On periods; Poisson spaces datagrams at random
// with the same mean rate.
func TestUDPSendPatterns(t *testing.T) {
	w := simpleWorld(t, nil)
	_, err := Install(w.server, 0, &UDPSink{Port: 9000})
	require.NoError(t, err)
	onoff := &UDPSend{To: netip.AddrPortFrom(serverAddr, 9000), Rate: units.BitRate(80000), Size: 100,
		Pattern: UDPOnOff, On: 100 * time.Millisecond, Off: 100 * time.Millisecond, Stop: time.Second}
	_, err = Install(w.client, 0, onoff)
	require.NoError(t, err)
	poisson := &UDPSend{To: netip.AddrPortFrom(serverAddr, 9000), Rate: units.BitRate(80000), Size: 100,
		Pattern: UDPPoisson, Rand: w.net.Streams().Rand("test/gaps"), Stop: 10 * time.Second}
	_, err = Install(w.client, 0, poisson)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(11*time.Second)))
	assert.Equal(t, int64(50), onoff.Datagrams, "100 a second, half the time")
	assert.InDelta(t, 1000, poisson.Datagrams, 100, "100 a second on average")
}

// ping(8): Count requests Interval apart, each answered one RTT later.
func TestPing(t *testing.T) {
	w := simpleWorld(t, nil)
	p := &Ping{To: serverAddr, Interval: time.Second, Count: 3, Size: DefaultPingSize}
	_, err := Install(w.client, 0, p)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(10*time.Second)))
	assert.Equal(t, 3, p.Sent)
	require.Equal(t, 3, p.Received)
	// 84-byte datagrams: 6.72 us at 100 Mbit/s, 67.2 us at 10 Mbit/s,
	// 5 ms of propagation, each way.
	rtt := 2 * (84*8*time.Second/100e6 + 84*8*time.Second/10e6 + 5*time.Millisecond)
	for _, r := range p.RTTs {
		assert.Equal(t, rtt, r)
	}
}

// A ping may carry up to 65507 data bytes, as ping(8) -s 65507: with its
// 8-byte ICMP header and 20 of IPv4 that is 65535, the largest datagram.
// The app starts with that size (it used to refuse anything above 65499
// with EINVAL, which the scenario loader allows); on these 1500-byte
// links each request then fails with EMSGSIZE, as ping(8)'s would with DF
// set.
func TestPingLargestSize(t *testing.T) {
	rec := &sim.Recorder{}
	w := simpleWorld(t, rec)
	p := &Ping{To: serverAddr, Interval: time.Second, Count: 2, Size: 65507}
	_, err := Install(w.client, 0, p)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(3*time.Second)))
	assert.Equal(t, []string{"sendto EMSGSIZE", "sendto EMSGSIZE"}, appErrors(rec.Records))
	assert.Equal(t, 2, p.seq, "both requests tried")
}
