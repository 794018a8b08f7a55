package nodes

import (
	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/tcp"
)

// connMSS returns cfg with the MSS a connection announces in its SYN and
// uses for its segments when the interface toward the peer has the given
// MTU, whose advmss is the MTU less 20-byte IPv4 and TCP headers
// (Linux's ipv4_default_advmss). An auto MSS (the default) becomes that
// advmss, as Linux's tcp_advertise_mss announces it: 8960 on a 9000-byte
// link, 65495 on loopback (LoopbackMTU, as Linux's lo). A configured MSS
// (the host's, or TCP_MAXSEG) is only lowered to it, as Linux's
// tcp_mss_clamp does with user_mss. The peer's MSS option lowers the
// sending size further as usual (RFC 9293 §3.7.1). An MTU too small for
// even tcp.MinMSS gives tcp.MinMSS (tcp.ValidConfig.WithMSS): those
// segments are dropped with reason "mtu" instead of the connection
// failing to open.
func connMSS(cfg tcp.ValidConfig, mtu int) tcp.ValidConfig {
	return cfg.WithMSS(AdvMSS(mtu))
}

// AdvMSS is the MSS a route of the given MTU allows: the MTU less 20-byte
// IPv4 and TCP headers (Linux's ipv4_default_advmss).
func AdvMSS(mtu int) int { return mtu - ipv4.HeaderLen - tcp.HeaderLen }

// mssKey names a host's settings with the MTU of a route (hostMSS).
type mssKey struct {
	base tcp.ValidConfig
	mtu  int
}

// hostMSS is connMSS for a connection of h: when cfg is the host's own
// settings (no socket option changed them), connections on routes of one
// MTU share one copy of the settings with their MSS, as they share the
// host's where the MSS stays as it is (a 1500-byte route with the auto
// MSS), instead of a copy each: a jumbo or small-MTU network of many
// connections keeps one per host and MTU (Network.mssConfigs, looked up,
// never walked). A socket's own settings get their own copy, as before.
func (h *Host) hostMSS(cfg tcp.ValidConfig, mtu int) tcp.ValidConfig {
	if cfg != h.cfg {
		return connMSS(cfg, mtu)
	}
	n := h.net
	k := mssKey{cfg, mtu}
	if v, ok := n.mssConfigs[k]; ok {
		return v
	}
	v := connMSS(cfg, mtu)
	if v == cfg {
		return v
	}
	if n.mssConfigs == nil {
		n.mssConfigs = make(map[mssKey]tcp.ValidConfig)
	}
	n.mssConfigs[k] = v
	return v
}
