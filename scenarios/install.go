package scenarios

import (
	"fmt"
	"net/netip"

	"github.com/netsimlab/netsim/nodes/apps"
)

// installApps schedules every app of the scenario on its host, in file
// order.
func (w *World) installApps() error {
	addr := make(map[string]netip.Addr, len(w.Scenario.Hosts))
	for _, h := range w.Scenario.Hosts {
		addr[h.Name] = h.Address
	}
	// rank counts the apps of each host and type: an app's random streams
	// are named after its host, type and rank among those, not after its
	// place in the list, so that adding or removing other apps (a sink
	// above a group) leaves its draws as they were.
	type hostType struct {
		host string
		typ  AppType
	}
	rank := make(map[hostType]int)
	pinged := make(map[string]bool) // host + " " + target of the ping apps so far
	for i, a := range w.Scenario.Apps {
		k := hostType{a.Host, a.Type}
		rank[k]++
		stream := fmt.Sprintf("app/%s/%s/%d", a.Host, a.Type, rank[k])
		if w.stopAt(i) {
			return errBuildStopped("apps")
		}
		h, ok := w.Net.Host(a.Host)
		if !ok {
			return fmt.Errorf("apps[%d]: no host %q", i, a.Host)
		}
		to := netip.AddrPortFrom(addr[a.To.Host], a.To.Port)
		var app apps.App
		switch a.Type {
		case AppSink:
			app = &apps.Sink{Port: a.Port, Verify: true, FastOpen: a.FastOpen, Congestion: a.Congestion}
		case AppBulkSend:
			app = &apps.BulkSend{To: to, Bytes: int64(a.Bytes), Congestion: a.Congestion}
		case AppEcho:
			app = &apps.Echo{Port: a.Port, FastOpen: a.FastOpen, Congestion: a.Congestion}
		case AppRequestResponse:
			if a.Server() {
				app = &apps.ResponseServer{Port: a.Port, RequestSize: int64(a.Request), ResponseSize: int64(a.Response), FastOpen: a.FastOpen, Congestion: a.Congestion}
			} else {
				app = &apps.RequestResponse{To: to, RequestSize: int64(a.Request), ResponseSize: int64(a.Response),
					Count: a.Count, Think: a.Think, Persistent: a.Persistent, FastOpen: a.FastOpen, Congestion: a.Congestion}
			}
		case AppOnOff:
			app = &apps.OnOff{To: to, On: a.On, Off: a.Off, Rate: a.Rate, Bytes: int64(a.Bytes), Stop: a.Stop, Congestion: a.Congestion}
		case AppUDPSink:
			app = &apps.UDPSink{Port: a.Port}
		case AppUDPSend:
			app = &apps.UDPSend{To: to, Rate: a.Rate, Size: a.Size, Pattern: apps.UDPPattern(a.Pattern), On: a.On, Off: a.Off,
				Stop: a.Stop, Rand: w.Net.Streams().Rand(stream + "/gaps")}
		case AppPing:
			ping := &apps.Ping{To: addr[a.To.Host], Interval: a.Interval, Count: a.Count, Size: a.Size, Stop: w.end}
			app = ping
			if hostTo := a.Host + " " + a.To.Host; pinged[hostTo] {
				app = rankedPing{ping, fmt.Sprintf("%d/%s", rank[k], a.Type)}
			} else {
				pinged[hostTo] = true
			}
		default:
			return fmt.Errorf("apps[%d]: unknown app type %q", i, a.Type)
		}
		start := a.Start
		if a.StartDraw != nil {
			start = a.StartDraw.draw(w.Net.Streams().Rand(stream + "/start"))
		}
		if _, err := apps.Install(h, start, app); err != nil {
			return fmt.Errorf("apps[%d]: %w", i, err)
		}
	}
	return nil
}

// rankedPing is a ping app whose host already runs a ping app toward the
// same target. Its records are about "app/<host>/<n>/ping", n its rank
// among the host's ping apps (as in its random streams' names): the
// records of ping apps carry no ICMP identifier, so without this the
// summary could not tell the two apart, and would sum them into one row
// with interleaved icmp_seq numbers. The first app keeps "app/<host>/ping",
// so a scenario with one ping per target traces as before; the type stays
// the last element, where the summary and the ping plot look for it.
type rankedPing struct {
	*apps.Ping
	typ string
}

// Type returns "<n>/ping".
func (p rankedPing) Type() string { return p.typ }
