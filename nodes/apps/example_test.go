package apps_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/nodes/apps"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// Greeter is a user-written app: it connects, sends a greeting, prints
// what comes back and closes. It is a state machine driven by socket
// events: no goroutine, no blocking call.
type Greeter struct {
	To  netip.AddrPort
	ctx *apps.Context
	buf [64]byte
}

func (g *Greeter) Type() string { return "greeter" }

func (g *Greeter) Start(ctx *apps.Context) error {
	g.ctx = ctx
	h := ctx.Host
	fd, err := h.Socket()
	if err != nil {
		return err
	}
	if err := h.SetHandler(fd, g.event); err != nil {
		return err
	}
	if err := h.Connect(fd, g.To); err != nodes.EINPROGRESS {
		return err
	}
	return nil
}

func (g *Greeter) event(fd int, ev nodes.SocketEvent, err nodes.Errno) {
	h := g.ctx.Host
	switch ev {
	case nodes.SockConnected:
		fmt.Printf("%v connected\n", g.ctx.Now())
		_, _ = h.Send(fd, []byte("hello, netsim"))
	case nodes.SockReadable:
		n, _ := h.Recv(fd, g.buf[:])
		if n > 0 {
			fmt.Printf("%v got %q\n", g.ctx.Now(), g.buf[:n])
			_ = h.Close(fd)
		}
	case nodes.SockError:
		fmt.Println("error:", err)
	}
}

// Writing an app: implement Type and Start, install it on a host at a
// start time, run the scheduler.
func Example() {
	n := nodes.NewNetwork(1, nil)
	client, _ := n.AddHost("client", netip.MustParseAddr("10.0.0.1"), tcp.DefaultConfig())
	server, _ := n.AddHost("server", netip.MustParseAddr("10.0.0.2"), tcp.DefaultConfig())
	_, _ = n.AddLink(topology.LinkConfig{Rate: units.BitRate(100e6), Delay: 5 * time.Millisecond}, "client", "server")
	_ = n.InstallRoutes()

	_, _ = apps.Install(server, 0, &apps.Echo{Port: 7})
	_, _ = apps.Install(client, time.Millisecond, &Greeter{To: netip.MustParseAddrPort("10.0.0.2:7")})
	_ = n.Scheduler().RunUntil(sim.Time(time.Second))
	// Output:
	// 0.011009600s connected
	// 0.021028320s got "hello, netsim"
}
