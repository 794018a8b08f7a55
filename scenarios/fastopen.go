package scenarios

import (
	"strconv"

	"github.com/netsimlab/netsim/tcp"
)

// fastOpenWarnings warns about an app whose fastopen: true does nothing,
// as it would do nothing on Linux: its host's fastopen setting lacks the
// bit for its side (0x1 for a client, 0x2 for a listener), or a client's
// server has no Fast Open listener (neither fastopen: true on its app nor
// 0x400 on its host), so the SYN-ACK never carries a cookie and no SYN
// ever carries data.
func (d *decoder) fastOpenWarnings(s *Scenario) {
	var host map[string]int
	var listeners map[Endpoint]bool
	for i, a := range s.Apps {
		if !a.FastOpen || a.Type == "" {
			continue
		}
		if host == nil {
			host = make(map[string]int, len(s.Hosts))
			for j, h := range s.Hosts {
				host[h.Name] = j
			}
			// A listener has a Fast Open queue when its app asks
			// (TCP_FASTOPEN) or its host's setting gives every
			// listener one (0x400 with the server bit, Linux's
			// TFO_SERVER_WO_SOCKOPT1 in inet_listen).
			const anyListener = tcp.FastOpenServer | tcp.FastOpenServerAnyListener
			listeners = make(map[Endpoint]bool)
			for _, l := range s.Apps {
				if l.Port == 0 || l.Type.UDP() {
					continue
				}
				if k, ok := host[l.Host]; l.FastOpen || ok && s.Hosts[k].Effective.Config().FastOpen&anyListener == anyListener {
					listeners[Endpoint{l.Host, l.Port}] = true
				}
			}
		}
		j, ok := host[a.Host]
		if !ok {
			continue // validation said why
		}
		path := "apps[" + strconv.Itoa(i) + "]"
		p := d.pos.atOr(path+".fastopen", path)
		mask := s.Hosts[j].Effective.Config().FastOpen
		bit, side, allow := tcp.FastOpenClient, "client", "bit 0x1 (the default)"
		if a.Port != 0 {
			bit, side, allow = tcp.FastOpenServer, "server", "bit 0x2, like fastopen: 3"
		}
		if mask&bit == 0 {
			d.warnAt(p, "hosts."+a.Host+".tcp.fastopen (or defaults.tcp.fastopen) with the "+side+" "+allow,
				"%s.fastopen: host %s's fastopen setting %#x has no %s bit: Fast Open is off for it", d.label("apps", i), a.Host, mask, side)
			continue
		}
		if a.To.Host != "" && !listeners[a.To] {
			d.warnAt(p, "fastopen: true on the app that listens on "+a.To.String(),
				"%s.fastopen: no Fast Open listener on %s: its SYN-ACKs carry no cookie and take no data from a SYN, so Fast Open gains nothing", d.label("apps", i), a.To)
		}
	}
}
