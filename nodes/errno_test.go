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

func TestErrnoFromTCP(t *testing.T) {
	for in, want := range map[tcp.Errno]Errno{
		tcp.ECONNREFUSED: ECONNREFUSED, tcp.ETIMEDOUT: ETIMEDOUT, tcp.ECONNRESET: ECONNRESET,
		tcp.EPIPE: EPIPE, tcp.ENOTCONN: ENOTCONN, tcp.EISCONN: EISCONN, tcp.EAGAIN: EAGAIN,
		tcp.ECONNABORTED: ECONNABORTED, tcp.EINVAL: EINVAL,
	} {
		assert.Equal(t, want, fromTCP(in), in.String())
	}
}
