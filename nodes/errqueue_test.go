package nodes

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// A MSG_ZEROCOPY send made of one SendFlags call takes one number; one
// made of several calls without the flag and ended by ZerocopySent takes
// one too, and completes only once all its parts are acknowledged, not
// when the first part is (Linux's tcp_sendmsg_locked holds the send's
// ubuf_info until it returns).
func TestZerocopyNumbersEachSend(t *testing.T) {
	n, a, b := twoHosts(t, nil, fastLink("ab"))
	listenOn(t, b, 80, 8)
	fd := dial(t, a)
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(100*time.Millisecond)))
	require.NoError(t, a.SetSockOpt(fd, SOL_SOCKET, SO_ZEROCOPY, 1))

	sent, err := a.SendFlags(fd, make([]byte, 100), MSG_ZEROCOPY)
	require.NoError(t, err)
	require.Equal(t, 100, sent)
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(200*time.Millisecond)))
	e, err := a.RecvErrQueue(fd)
	require.NoError(t, err)
	assert.Equal(t, ErrQueueEntry{Origin: SO_EE_ORIGIN_ZEROCOPY, Code: SO_EE_CODE_ZEROCOPY_COPIED, Info: 0, Data: 0}, e)

	// One send in two parts, the first acknowledged before the second
	// is written.
	_, err = a.SendFlags(fd, make([]byte, 100), 0)
	require.NoError(t, err)
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(300*time.Millisecond)))
	_, err = a.RecvErrQueue(fd)
	require.ErrorIs(t, err, EAGAIN, "the first part alone completes nothing")
	_, err = a.SendFlags(fd, make([]byte, 100), 0)
	require.NoError(t, err)
	require.NoError(t, a.ZerocopySent(fd))
	_, err = a.RecvErrQueue(fd)
	require.ErrorIs(t, err, EAGAIN, "the second part is not acknowledged yet")
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(400*time.Millisecond)))
	e, err = a.RecvErrQueue(fd)
	require.NoError(t, err)
	assert.Equal(t, uint32(1), e.Info)
	assert.Equal(t, uint32(1), e.Data)
}
