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
			app = &apps.Sink{Port: a.Port, Verify: true}
		case AppBulkSend:
			app = &apps.BulkSend{To: to, Bytes: int64(a.Bytes)}
		case AppEcho:
			app = &apps.Echo{Port: a.Port}
		case AppRequestResponse:
			if a.Server() {
				app = &apps.ResponseServer{Port: a.Port, RequestSize: int64(a.Request), ResponseSize: int64(a.Response)}
			} else {
				app = &apps.RequestResponse{To: to, RequestSize: int64(a.Request), ResponseSize: int64(a.Response),
					Count: a.Count, Think: a.Think, Persistent: a.Persistent}
			}
		case AppOnOff:
			app = &apps.OnOff{To: to, On: a.On, Off: a.Off, Rate: a.Rate, Bytes: int64(a.Bytes), Stop: a.Stop}
		case AppUDPSink:
			app = &apps.UDPSink{Port: a.Port}
		case AppUDPSend:
			app = &apps.UDPSend{To: to, Rate: a.Rate, Size: a.Size, Pattern: apps.UDPPattern(a.Pattern), On: a.On, Off: a.Off,
				Stop: a.Stop, Rand: w.Net.Streams().Rand(stream + "/gaps")}
		case AppPing:
			app = &apps.Ping{To: addr[a.To.Host], Interval: a.Interval, Count: a.Count, Size: a.Size}
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
