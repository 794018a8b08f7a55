package drill_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes/drillstack"
	"github.com/netsimlab/netsim/tcp/drill"
)

// newStack returns the stack the runner's tests play against: a fresh
// simulated host with the default options.
func newStack(t *testing.T) drill.Stack {
	t.Helper()
	st, err := drillstack.New(drillstack.DefaultOptions())
	require.NoError(t, err)
	return st
}

// passiveOpen is the start the runner tests share: a listener accepts a
// connection whose peer offered MSS 1000, SACK and window scale 7, so that
// fd 4 is established at 0.1 s.
const passiveOpen = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000,nop,nop,sackOK,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <...>
+.1 < . 1:1(0) ack 1 win 500
+0 accept(3, ..., ...) = 4
`
