package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/tcp"
)

// appKeys lists the keys each app type takes; request-response has a
// server form (port) and a client form (to).
var appKeys = map[AppType][]string{
	AppSink:            {"type", "host", "port", "start", "fastopen", "congestion"},
	AppEcho:            {"type", "host", "port", "start", "fastopen", "congestion"},
	AppBulkSend:        {"type", "host", "to", "start", "bytes", "congestion"},
	AppRequestResponse: {"type", "host", "port", "to", "start", "request", "response", "count", "think", "persistent", "fastopen", "congestion"},
	AppOnOff:           {"type", "host", "to", "start", "stop", "rate", "on", "off", "bytes", "congestion"},
	AppUDPSink:         {"type", "host", "port", "start"},
	AppUDPSend:         {"type", "host", "to", "start", "stop", "rate", "size", "pattern", "on", "off"},
	AppPing:            {"type", "host", "to", "start", "interval", "count", "size"},
}

// appRequired lists the keys each app type needs.
var appRequired = map[AppType][]string{
	AppSink:            {"host", "port"},
	AppEcho:            {"host", "port"},
	AppBulkSend:        {"host", "to", "bytes"},
	AppRequestResponse: {"host", "request", "response"},
	AppOnOff:           {"host", "to", "rate", "on", "off"},
	AppUDPSink:         {"host", "port"},
	AppUDPSend:         {"host", "to", "rate", "size"},
	AppPing:            {"host", "to"},
}

// udpPatterns are the values of a udp-send's pattern.
var udpPatterns = []string{"cbr", "poisson", "on-off"}

// Ping defaults, as ping(8)'s.
const (
	defaultPingInterval = time.Second
	defaultPingSize     = 56
)

const allowEndpoint = "a host and a port, like server:80"

// apps decodes the apps list.
func (d *decoder) apps(n *yaml.Node, s *Scenario) {
	types := make([]string, len(AppTypes))
	for i, t := range AppTypes {
		types[i] = string(t)
	}
	for i, item := range d.sequence(n, "apps", "a list of apps, each - type: ...") {
		path, r := d.listItem("apps", i, item)
		es := d.mapping(r, path, nil)
		if isNull(r) {
			d.errNode(r, "a mapping like {type: sink, host: server, port: 80}", "%s: empty app", path)
		}
		if r.Kind != yaml.MappingNode {
			s.Apps = append(s.Apps, App{})
			continue
		}
		var typ AppType
		for _, e := range es {
			if e.key == "type" {
				if v, ok := d.oneOf(e.v, path+".type", types); ok {
					typ = AppType(v)
				}
			}
		}
		if typ == "" {
			if !hasKey(es, "type") {
				d.errNode(r, "type: one of "+strings.Join(types, ", "), "%s: missing required key %q", path, "type")
			}
			s.Apps = append(s.Apps, App{})
			continue
		}
		allowed := appKeys[typ]
		a := App{Type: typ}
		if typ == AppPing {
			a.Interval, a.Size = defaultPingInterval, defaultPingSize
		}
		if typ == AppUDPSend {
			a.Pattern = "cbr"
		}
		for _, e := range es {
			if !contains(allowed, e.key) {
				msg := fmt.Sprintf("%s: unknown key %q for a %s app", path, e.key, typ)
				if g := suggest(e.key, allowed); g != "" {
					msg += fmt.Sprintf(", did you mean %q?", g)
				}
				d.errNode(e.k, "allowed keys: "+strings.Join(allowed, ", "), "%s", msg)
				continue
			}
			d.pos.set(path+"."+e.key, posOf(d.resolve(e.v)))
			if typ == AppPing && e.key == "to" {
				// A ping goes to a host, not a port.
				if v, ok := d.str(e.v, path+".to", "a host name, like server"); ok {
					a.To = Endpoint{Host: v}
				}
				continue
			}
			d.appField(e, path+"."+e.key, &a)
		}
		d.require(r, path, es, appRequired[typ]...)
		if typ == AppRequestResponse {
			hasPort, hasTo := hasKey(es, "port"), hasKey(es, "to")
			switch {
			case hasPort && hasTo:
				d.errNode(r, "port: for the server, to: for the client", "%s: a request-response app is either a server (port) or a client (to), not both", path)
			case !hasPort && !hasTo:
				d.errNode(r, "port: for the server, to: for the client", "%s: a request-response app needs port (server) or to (client)", path)
			case hasTo && !hasKey(es, "count"):
				a.Count = 1
			}
			if hasPort {
				for _, k := range []string{"count", "think", "persistent"} {
					if e, ok := findKey(es, k); ok {
						d.errNode(e.k, "count, think and persistent are for the client (to:)", "%s: a request-response server takes no %q", path, k)
					}
				}
			}
		}
		if typ == AppUDPSend {
			hasOn, hasOff := hasKey(es, "on"), hasKey(es, "off")
			switch {
			case a.Pattern == "on-off" && (!hasOn || !hasOff):
				d.errNode(r, "on: and off: durations, like on: 1s, off: 500ms", "%s: pattern on-off needs on and off", path)
			case a.Pattern != "on-off" && (hasOn || hasOff):
				d.errNode(r, "pattern: on-off", "%s: on and off are for pattern on-off, not %s", path, a.Pattern)
			}
		}
		if a.Stop != 0 && a.Stop <= a.Start {
			d.errAt(d.pos.at(path+".stop"), "a stop time after start", "%s: stop %v is not after start %v", path, a.Stop, a.Start)
		}
		s.Apps = append(s.Apps, a)
	}
}

func hasKey(es []entry, key string) bool {
	_, ok := findKey(es, key)
	return ok
}

func findKey(es []entry, key string) (entry, bool) {
	for _, e := range es {
		if e.key == key {
			return e, true
		}
	}
	return entry{}, false
}

// appField decodes one key of an app.
func (d *decoder) appField(e entry, p string, a *App) {
	switch e.key {
	case "host":
		keep(&a.Host)(d.str(e.v, p, "a host name"))
	case "port":
		if v, ok := d.integer(e.v, p, 1, 65535); ok {
			a.Port = uint16(v)
		}
	case "to":
		keep(&a.To)(d.endpoint(e.v, p))
	case "start":
		d.start(e.v, p, a)
	case "stop":
		keep(&a.Stop)(d.positiveDuration(e.v, p))
	case "bytes":
		keep(&a.Bytes)(d.size(e.v, p))
	case "request":
		keep(&a.Request)(d.positiveSize(e.v, p))
	case "response":
		keep(&a.Response)(d.positiveSize(e.v, p))
	case "count":
		lo := int64(1)
		if a.Type == AppPing {
			lo = 0 // ping(8) without -c: requests until the end of the run
		}
		if v, ok := d.integer(e.v, p, lo, 1<<31-1); ok {
			a.Count = int(v)
		}
	case "think":
		keep(&a.Think)(d.duration(e.v, p))
	case "persistent":
		keep(&a.Persistent)(d.boolean(e.v, p))
	case "fastopen":
		keep(&a.FastOpen)(d.boolean(e.v, p))
	case "congestion":
		cc, _ := tcp.LookupSetting("congestion")
		keep(&a.Congestion)(d.enum(e.v, p, &cc))
	case "rate":
		keep(&a.Rate)(d.rate(e.v, p))
	case "on":
		keep(&a.On)(d.positiveDuration(e.v, p))
	case "off":
		keep(&a.Off)(d.duration(e.v, p))
	case "size":
		lo := int64(1)
		if a.Type == AppPing {
			lo = 0 // ping -s 0 sends a bare header
		}
		if v, ok := d.boundedSize(e.v, p, lo, 65507); ok {
			a.Size = int(v)
		}
	case "pattern":
		keep(&a.Pattern)(d.oneOf(e.v, p, udpPatterns))
	case "interval":
		keep(&a.Interval)(d.positiveDuration(e.v, p))
	}
}

// endpoint decodes "host:port".
func (d *decoder) endpoint(n *yaml.Node, path string) (Endpoint, bool) {
	v, ok := d.str(n, path, allowEndpoint)
	if !ok {
		return Endpoint{}, false
	}
	i := strings.LastIndexByte(v, ':')
	if i <= 0 {
		d.errNode(d.resolve(n), allowEndpoint, "%s: %q has no port", path, v)
		return Endpoint{}, false
	}
	port, err := strconv.ParseUint(v[i+1:], 10, 16)
	if err != nil || port == 0 {
		d.errNode(d.resolve(n), "a port from 1 to 65535, like server:80", "%s: %q is not a valid port", path, v[i+1:])
		return Endpoint{}, false
	}
	return Endpoint{Host: v[:i], Port: uint16(port)}, true
}
