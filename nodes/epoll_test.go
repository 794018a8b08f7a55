package nodes

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Close and Abort (close with SO_LINGER {1, 0}) both close an epoll
// descriptor, which the socket calls refuse with ENOTSOCK.
func TestEpollDescriptorCloses(t *testing.T) {
	_, a, _ := twoHosts(t, nil, fastLink("ab"))
	for _, closeFn := range []func(int) error{a.Close, a.Abort} {
		ep, err := a.EpollCreate()
		require.NoError(t, err)
		assert.Equal(t, ENOTSOCK, a.Listen(ep, 1))
		require.NoError(t, closeFn(ep))
		assert.Equal(t, EBADF, a.Close(ep))
	}
}
