package scenarios

import "gopkg.in/yaml.v3"

// CongestionControls lists the congestion control names a scenario may use.
var CongestionControls = []string{"newreno", "cubic"}

var tcpKeys = []string{"mss", "congestion", "initial_cwnd", "rto_initial", "rto_min", "delayed_ack",
	"nagle", "sack", "window_scale", "timestamps", "send_buffer", "recv_buffer"}

// Bounds of the TCP settings: Linux's TCP_MIN_MSS, and the largest MSS an
// IPv4 datagram can carry.
const (
	minMSS = 88
	maxMSS = 65495
)

// tcp decodes a tcp settings mapping.
func (d *decoder) tcp(n *yaml.Node, path string) TCP {
	var t TCP
	for _, e := range d.mapping(n, path, tcpKeys) {
		p := path + "." + e.key
		switch e.key {
		case "mss":
			if v, ok := d.size(e.v, p); ok {
				if v < minMSS || v > maxMSS {
					d.errNode(d.resolve(e.v), "from 88 to 65495 bytes", "%s: %d bytes is out of range", p, int64(v))
				} else {
					t.MSS = &v
				}
			}
		case "congestion":
			if v, ok := d.oneOf(e.v, p, CongestionControls); ok {
				t.Congestion = &v
			}
		case "initial_cwnd":
			if v, ok := d.integer(e.v, p, 1, 1000); ok {
				c := int(v)
				t.InitialCwnd = &c
			}
		case "rto_initial":
			if v, ok := d.positiveDuration(e.v, p); ok {
				t.RTOInitial = &v
			}
		case "rto_min":
			if v, ok := d.positiveDuration(e.v, p); ok {
				t.RTOMin = &v
			}
		case "delayed_ack":
			if v, ok := d.duration(e.v, p); ok {
				t.DelayedAck = &v
			}
		case "nagle", "sack", "window_scale", "timestamps":
			if v, ok := d.boolean(e.v, p); ok {
				switch e.key {
				case "nagle":
					t.Nagle = &v
				case "sack":
					t.SACK = &v
				case "window_scale":
					t.WindowScale = &v
				case "timestamps":
					t.Timestamps = &v
				}
			}
		case "send_buffer", "recv_buffer":
			if v, ok := d.positiveSize(e.v, p); ok {
				if e.key == "send_buffer" {
					t.SendBuffer = &v
				} else {
					t.RecvBuffer = &v
				}
			}
		}
	}
	return t
}
