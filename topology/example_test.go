package topology_test

import (
	"fmt"
	"time"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// printer is an Endpoint that prints what reaches it.
type printer struct {
	name string
	s    *sim.Scheduler
}

func (p printer) Transmitted(pk *topology.Packet) {
	fmt.Printf("%v %s: packet %d first bit leaves\n", p.s.Now(), p.name, pk.ID)
}

func (p printer) Deliver(pk *topology.Packet) {
	fmt.Printf("%v %s: packet %d last bit arrives (%d bytes)\n", p.s.Now(), p.name, pk.ID, len(pk.Data))
}

// Two 1500-byte datagrams sent at once over 10 Mbps and 5 ms: each takes
// 1.2 ms to serialize, so the second leaves when the first is out.
func ExampleLink() {
	s := sim.NewScheduler()
	var ids topology.IDs
	l, err := topology.NewLink(s, sim.NewStreams(1), nil, ids.Next,
		topology.LinkConfig{Name: "uplink", Rate: 10 * units.Mbps, Delay: 5 * time.Millisecond}, "client", "server")
	if err != nil {
		fmt.Println(err)
		return
	}
	l.Attach(0, printer{"client", s})
	l.Attach(1, printer{"server", s})
	l.Send(0, &topology.Packet{ID: ids.Next(), Data: make([]byte, 1500)})
	l.Send(0, &topology.Packet{ID: ids.Next(), Data: make([]byte, 1500)})
	s.Run()
	st := l.Stats(0)
	fmt.Printf("sent %d, delivered %d, queue peak %d\n", st.Sent, st.Delivered, st.QueuePeakPackets)
	// Output:
	// 0.000000000s client: packet 1 first bit leaves
	// 0.001200000s client: packet 2 first bit leaves
	// 0.006200000s server: packet 1 last bit arrives (1500 bytes)
	// 0.007400000s server: packet 2 last bit arrives (1500 bytes)
	// sent 2, delivered 2, queue peak 1
}

// The routes of a dumbbell: every sender reaches every receiver over the
// bottleneck.
func ExampleGraph_Routes() {
	spec := topology.Dumbbell(2,
		topology.LinkConfig{Rate: 100 * units.Mbps, Delay: time.Millisecond},
		topology.LinkConfig{Rate: 10 * units.Mbps, Delay: 20 * time.Millisecond})
	var ids topology.IDs
	g, err := spec.Build(sim.NewScheduler(), sim.NewStreams(1), nil, ids.Next)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range g.Routes().From("left1") {
		fmt.Println(r)
	}
	// Output:
	// left1>left2 via left1-rl next rl (2ms, 2 hops)
	// left1>right1 via left1-rl next rl (22ms, 3 hops)
	// left1>right2 via left1-rl next rl (22ms, 3 hops)
	// left1>rl via left1-rl next rl (1ms, 1 hops)
	// left1>rr via left1-rl next rl (21ms, 2 hops)
}

// A partition cuts every link between groups; Heal restores them.
func ExampleGraph_Partition() {
	var ids topology.IDs
	g, err := topology.Chain(1, topology.LinkConfig{Delay: time.Millisecond}).
		Build(sim.NewScheduler(), sim.NewStreams(1), nil, ids.Next)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := g.Partition([][]string{{"left"}, {"r1", "right"}}); err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range g.Links() {
		fmt.Println(l.Name(), "up:", l.Up())
	}
	_, ok := g.RoutesUp().Lookup("left", "right")
	fmt.Println("route left>right:", ok)
	g.Heal()
	_, ok = g.RoutesUp().Lookup("left", "right")
	fmt.Println("after heal:", ok)
	// Output:
	// left-r1 up: false
	// r1-right up: true
	// route left>right: false
	// after heal: true
}
