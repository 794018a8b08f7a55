package nodes_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// Two hosts over one link: a connect to a port where nobody listens is
// refused, one to a listener completes after one round trip.
func ExampleHost_Connect() {
	n := nodes.NewNetwork(1, nil)
	client, _ := n.AddHost("client", netip.MustParseAddr("10.0.0.1"), tcp.DefaultConfig())
	server, _ := n.AddHost("server", netip.MustParseAddr("10.0.0.2"), tcp.DefaultConfig())
	_, _ = n.AddLink(topology.LinkConfig{Rate: units.BitRate(10e6), Delay: 10 * time.Millisecond}, "client", "server")
	_ = n.InstallRoutes()

	lfd, _ := server.Socket()
	_ = server.Bind(lfd, netip.MustParseAddrPort("0.0.0.0:80"))
	_ = server.Listen(lfd, 16)

	for _, port := range []uint16{81, 80} {
		fd, _ := client.Socket()
		_ = client.SetHandler(fd, func(fd int, ev nodes.SocketEvent, err nodes.Errno) {
			switch ev {
			case nodes.SockConnected:
				fmt.Printf("%v fd %d port %d: connected\n", client.Now(), fd, port)
			case nodes.SockError:
				fmt.Printf("%v fd %d port %d: %v\n", client.Now(), fd, port, err)
			}
		})
		err := client.Connect(fd, netip.AddrPortFrom(server.Addr(), port))
		fmt.Printf("connect(fd %d, port %d) = %v\n", fd, port, err)
	}
	_ = n.Scheduler().RunUntil(sim.Time(time.Second))
	// Output:
	// connect(fd 3, port 81) = EINPROGRESS (Operation now in progress)
	// connect(fd 4, port 80) = EINPROGRESS (Operation now in progress)
	// 0.020080000s fd 3 port 81: ECONNREFUSED (Connection refused)
	// 0.020144000s fd 4 port 80: connected
}
