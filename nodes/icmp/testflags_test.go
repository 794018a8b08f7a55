package icmp

// Every test binary of the module defines -long, so that
// go test ./... -args -long runs (see internal/testflags).
import _ "github.com/netsimlab/netsim/internal/testflags"
