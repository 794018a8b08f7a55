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
	return cfg.WithMSS(mtu - ipv4.HeaderLen - tcp.HeaderLen)
}
