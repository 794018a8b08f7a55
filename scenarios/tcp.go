package scenarios

import (
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/tcp"
)

// CongestionControls lists the congestion control names a scenario may use:
// those tcp.NewCongestion knows.
var CongestionControls = tcp.CongestionNames()

var tcpKeys = []string{"mss", "congestion", "initial_cwnd", "rto_initial", "rto_min", "delayed_ack",
	"nagle", "sack", "window_scale", "timestamps", "send_buffer", "recv_buffer", "ecn"}

// Bounds of the TCP settings: Linux's TCP_MIN_MSS, and the largest MSS an
// IPv4 datagram can carry.
const (
	minMSS        = 88
	maxMSS        = 65495
	maxDelayedAck = 500 * time.Millisecond
	maxBuffer     = 1 << 30
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
				// RFC 9293 §3.8.6.3: an ACK must not be delayed more than 0.5 s.
				if v > maxDelayedAck {
					d.errNode(d.resolve(e.v), "0 (off) to 500ms (RFC 9293 §3.8.6.3)", "%s: %v is too long", p, v)
				} else {
					t.DelayedAck = &v
				}
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
		case "ecn":
			// off | on | accept: Linux net.ipv4.tcp_ecn 0, 1, 2.
			if v, ok := d.oneOf(e.v, p, tcp.ECNModeNames()); ok {
				m, _ := tcp.ParseECNMode(v)
				t.ECN = &m
			}
		case "send_buffer", "recv_buffer":
			if v, ok := d.positiveSize(e.v, p); ok {
				if v > maxBuffer {
					d.errNode(d.resolve(e.v), "at most 1GiB (RFC 7323 §2.3)", "%s: %v is too large", p, v)
					continue
				}
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

// Config returns tcp.DefaultConfig (Linux behaviour) with the settings t
// names.
func (t TCP) Config() tcp.Config {
	c := tcp.DefaultConfig()
	if t.MSS != nil {
		c.MSS = int(*t.MSS)
	}
	if t.Congestion != nil {
		c.Congestion = *t.Congestion
	}
	if t.InitialCwnd != nil {
		c.InitialCwnd = *t.InitialCwnd
	}
	if t.RTOInitial != nil {
		c.RTOInitial = *t.RTOInitial
	}
	if t.RTOMin != nil {
		c.RTOMin = *t.RTOMin
	}
	if t.DelayedAck != nil {
		c.DelayedAck = *t.DelayedAck
	}
	if t.Nagle != nil {
		c.Nagle = *t.Nagle
	}
	if t.SACK != nil {
		c.SACK = *t.SACK
	}
	if t.WindowScale != nil {
		c.WindowScale = *t.WindowScale
	}
	if t.Timestamps != nil {
		c.Timestamps = *t.Timestamps
	}
	if t.SendBuffer != nil {
		c.SendBuffer = int(*t.SendBuffer)
	}
	if t.RecvBuffer != nil {
		c.RecvBuffer = int(*t.RecvBuffer)
	}
	if t.ECN != nil {
		c.ECN = *t.ECN
	}
	return c
}

// checkTCP reports settings that are each fine but do not work together
// (an initial RTO below the minimum, a buffer smaller than the MSS), at
// the host that ends up with them.
func (d *decoder) checkTCP(s *Scenario) {
	reported := make(map[string]bool)
	for _, h := range s.Hosts {
		err := h.Effective.Config().Validate()
		if err == nil {
			continue
		}
		// Point at the host's own tcp settings when it has them, else at
		// the defaults, and say it once per place.
		where, path := "hosts."+h.Name+".tcp", "hosts."+h.Name
		if h.TCP == (TCP{}) {
			where, path = "defaults.tcp", "defaults"
		}
		if reported[where] {
			continue
		}
		reported[where] = true
		d.errAt(d.pos[path], "settings that work together: rto_initial >= rto_min, buffers >= mss",
			"%s: %s", where, stripErrPrefix(err))
	}
}

// stripErrPrefix drops the "tcp: invalid config: " prefix of a tcp error
// and names the settings as a scenario does.
func stripErrPrefix(err error) string {
	msg := strings.TrimPrefix(err.Error(), tcp.ErrConfig.Error()+": ")
	// Say it in the scenario's words.
	return strings.NewReplacer("SendBuffer", "send_buffer", "RecvBuffer", "recv_buffer", "RTOInitial", "rto_initial",
		"RTOMin", "rto_min", "RTOMax", "the maximum RTO", "InitialCwnd", "initial_cwnd", "DelayedAck", "delayed_ack",
		"MSS", "mss", "Congestion", "congestion", "want ", "").Replace(msg)
}
