package nodes

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/netsimlab/netsim/tcp"
)

func TestErrnoNames(t *testing.T) {
	tests := []struct {
		e    Errno
		num  int
		name string
		text string
	}{
		{ECONNREFUSED, 111, "ECONNREFUSED", "ECONNREFUSED (Connection refused)"},
		{EINPROGRESS, 115, "EINPROGRESS", "EINPROGRESS (Operation now in progress)"},
		{EAGAIN, 11, "EAGAIN", "EAGAIN (Resource temporarily unavailable)"},
		{EADDRINUSE, 98, "EADDRINUSE", "EADDRINUSE (Address already in use)"},
		{EBADF, 9, "EBADF", "EBADF (Bad file descriptor)"},
		{Errno(4242), 4242, "ERRNO(4242)", "ERRNO(4242)"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.num, int(tc.e))
		assert.Equal(t, tc.name, tc.e.String())
		assert.Equal(t, tc.text, tc.e.Error())
	}
	wrapped := fmt.Errorf("connect fd 3: %w", ECONNREFUSED)
	assert.True(t, errors.Is(wrapped, ECONNREFUSED))
}

// TestErrnoIsTCPs: a connection's error reaches the socket user as the
// same value (one errno type), so == and errors.Is work across layers.
func TestErrnoIsTCPs(t *testing.T) {
	var e error = tcp.ECONNRESET
	assert.True(t, errors.Is(e, ECONNRESET))
	assert.Equal(t, ECONNRESET, errnoOf(fmt.Errorf("write: %w", tcp.ECONNRESET)))
	assert.Equal(t, EINVAL, errnoOf(errors.New("not an errno")))
}
