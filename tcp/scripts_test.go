package tcp_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes/drillstack"
	"github.com/netsimlab/netsim/sim"
)

// transitions lists, per script, the states the first connection goes
// through: together they cover every transition of the RFC 9293 §3.3.2
// diagram that a socket API can reach.
var transitions = map[string]string{
	"server-basic.pkt":                "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED",
	"connect-refused-nonblocking.pkt": "CLOSED>SYN-SENT>CLOSED",
	"connect-timeout.pkt":             "CLOSED>SYN-SENT>CLOSED",
	"simultaneous-open-data.pkt":      "CLOSED>SYN-SENT>SYN-RECEIVED>ESTABLISHED",
	"syn-sent-paws.pkt":               "CLOSED>SYN-SENT>ESTABLISHED",
	"simultaneous-close.pkt":          "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT>CLOSED",
	"time-wait.pkt":                   "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT>CLOSED",
	"fin-ack-together.pkt":            "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT",
	"half-close-client.pkt":           "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT",
	"rst-syn-received.pkt":            "CLOSED>LISTEN>SYN-RECEIVED>CLOSED",
	"rst-established.pkt":             "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED",
	"rst-fin-wait-1.pkt":              "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSED",
	"rst-fin-wait-2.pkt":              "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>CLOSED",
	"rst-close-wait.pkt":              "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>CLOSED",
	"rst-closing.pkt":                 "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSING>CLOSED",
	"rst-last-ack.pkt":                "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED",
	"rst-time-wait.pkt":               "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT>CLOSED",
	"close-unread-data.pkt":           "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED",
	"synack-timeout.pkt":              "CLOSED>LISTEN>SYN-RECEIVED>CLOSED",
	"fin-wait-2-timeout-quiet.pkt":    "CLOSED>LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>CLOSED",
}

// statePath follows the first connection's tcp.state records: the states
// it went through, from CLOSED. A passive connection's LISTEN (its
// listener's state, not traced for it) shows as the from of its first
// change.
type statePath struct {
	conn  uint64
	have  bool
	path  string
	state string
}

// Emit implements sim.Sink.
func (p *statePath) Emit(r *sim.Record) {
	st, ok := r.Event.(*sim.TCPState)
	if !ok {
		return
	}
	if !p.have {
		p.conn, p.have, p.path, p.state = st.Conn, true, "CLOSED", "CLOSED"
	}
	if st.Conn != p.conn {
		return
	}
	if st.From != p.state {
		p.path += ">" + st.From
	}
	p.path += ">" + st.To
	p.state = st.To
}

// TestScripts plays every testdata/*.pkt script, the TCP behaviour this
// package pins, through a simulated host (package nodes/drillstack) and
// checks the state transitions listed for it. testdata/sack holds scripts
// that TestSACKRecoverySettings runs with a setting on and off.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.pkt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	seen := 0
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			var p statePath
			o := drillstack.DefaultOptions()
			o.Trace = &p
			require.NoError(t, drillstack.RunFile(f, o))
			if want, ok := transitions[name]; ok {
				seen++
				require.Equal(t, want, p.path)
			}
		})
	}
	require.Equal(t, len(transitions), seen, "every listed script exists")
}
