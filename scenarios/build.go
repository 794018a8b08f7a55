package scenarios

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// ErrBuild is wrapped by every error Build returns: the scenario was valid
// but the world could not be assembled (which is a bug in netsim or a
// limit of a component, not a problem of the scenario's syntax).
var ErrBuild = errors.New("cannot build the scenario")

// BuildOptions are the run-time choices that are not part of a scenario.
type BuildOptions struct {
	// Seed seeds every random stream (the CLI passes the scenario's seed or
	// --seed).
	Seed uint64
	// Trace receives every trace record of the run; nil builds none.
	Trace sim.Sink
	// Capture, when not nil, opens the writer of the classic pcap of each
	// interface (node "client", interface "eth0"); the writer is closed by
	// the caller after the run.
	Capture func(node, iface string) (io.Writer, error)
	// Stop, when not nil, is asked between the steps of building (every
	// stopCheckItems hosts, routers, links or apps, and as routes are
	// computed); when it returns true Build gives up with an error
	// wrapping ErrStopped, so that Ctrl-C stops the build of a large
	// scenario promptly. Build has written nothing then but what Capture
	// opened.
	Stop func() bool
	// End is the time the run will end, the scenario's duration when 0
	// (netsim run --until gives a shorter one). A ping app sends no
	// request then, as ping(8) -w stops at its deadline before sending
	// one more that could get no reply.
	End sim.Time
}

// stopCheckItems is how many hosts, routers, links or apps Build adds
// between two calls of BuildOptions.Stop.
const stopCheckItems = 256

// World is a scenario built into a network, with its apps started and its
// faults scheduled: run its scheduler to simulate.
type World struct {
	Scenario *Scenario
	Net      *nodes.Network
	trace    sim.Sink
	rec      sim.Record
	fault    sim.Fault
	stop     func() bool // BuildOptions.Stop
	// recomputeAt is when the last recompute of the routes asked for
	// (routeFault) runs, and recomputePending whether it is still to
	// run.
	recomputeAt      sim.Time
	recomputePending bool
	// huge says Run asked for the world's memory in huge pages
	// (hugePages).
	huge bool
	// end is when the run ends (BuildOptions.End).
	end sim.Time
}

// stopAt reports, at the i-th item of a build step, whether the build was
// asked to stop (BuildOptions.Stop), every stopCheckItems items.
func (w *World) stopAt(i int) bool {
	return w.stop != nil && i%stopCheckItems == 0 && w.stop()
}

// errBuildStopped is Build's error when it gave up at step.
func errBuildStopped(step string) error {
	return fmt.Errorf("%w while building the %s", ErrStopped, step)
}

// Build assembles the network of s: hosts (with their TCP settings over the
// defaults), routers, links, routes, captures, apps and the fault schedule,
// in file order so that the same scenario always builds the same world.
func Build(s *Scenario, opts BuildOptions) (*World, error) {
	net := nodes.NewNetwork(opts.Seed, opts.Trace)
	w := &World{Scenario: s, Net: net, trace: opts.Trace, stop: opts.Stop, end: opts.End}
	if w.end <= 0 {
		w.end = sim.FromDuration(s.Duration)
	}
	for i, h := range s.Hosts {
		if w.stopAt(i) {
			return nil, errBuildStopped("hosts")
		}
		if _, err := net.AddHost(h.Name, h.Address, h.Effective.Config()); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBuild, err)
		}
	}
	for i, r := range s.Routers {
		if w.stopAt(i) {
			return nil, errBuildStopped("routers")
		}
		if _, err := net.AddRouter(r.Name); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBuild, err)
		}
	}
	for i, l := range s.Links {
		if w.stopAt(i) {
			return nil, errBuildStopped("links")
		}
		if _, err := net.AddLink(l.config(), l.A, l.B); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBuild, err)
		}
	}
	net.SetRouting(s.Routing.nodesRouting())
	if err := net.InstallRoutesStoppable(opts.Stop); errors.Is(err, nodes.ErrStopped) {
		return nil, errBuildStopped("routes")
	} else if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBuild, err)
	}
	if opts.Capture != nil {
		if err := net.EnableCaptures(s.Outputs.captured(s, opts.Capture), s.Outputs.SnapLen); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBuild, err)
		}
	}
	if err := w.installApps(); errors.Is(err, ErrStopped) {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBuild, err)
	}
	if err := w.scheduleFaults(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBuild, err)
	}
	return w, nil
}

// config returns the topology configuration of l.
func (l Link) config() topology.LinkConfig {
	c := topology.LinkConfig{
		Name:      l.Name,
		Rate:      l.Bandwidth,
		Delay:     l.Delay,
		MTU:       l.MTU,
		Queue:     l.Queue.Discipline,
		Loss:      l.Loss.model(),
		Jitter:    l.Jitter,
		Reorder:   l.Reorder,
		Duplicate: l.Duplicate,
		Corrupt:   l.Corrupt,
		Overhead:  l.Overhead,
	}
	c.QueueLimitPackets, c.QueueLimitBytes = l.Queue.limits()
	return c
}

// limits returns q's limits as topology takes them: a byte limit alone
// means no packet limit (topology's -1).
func (q Queue) limits() (packets int, bytes units.ByteSize) {
	if q.LimitBytes > 0 {
		return -1, q.LimitBytes
	}
	return q.LimitPackets, q.LimitBytes
}

// model returns the topology loss model of l, nil for none.
func (l Loss) model() topology.LossModel {
	switch l.Model {
	case LossBernoulli:
		return topology.Bernoulli(l.P)
	case LossGilbertElliott:
		return topology.GilbertElliott{P: l.P, R: l.R, LossGood: l.LossGood, LossBad: l.LossBad}
	}
	return nil
}

// change returns the topology change of set.
func (set LinkSet) change() topology.LinkChange {
	ch := topology.LinkChange{
		Rate:      set.Bandwidth,
		Delay:     set.Delay,
		MTU:       set.MTU,
		Jitter:    set.Jitter,
		Reorder:   set.Reorder,
		Duplicate: set.Duplicate,
		Corrupt:   set.Corrupt,
		Overhead:  set.Overhead,
	}
	if set.Queue != nil {
		p, b := set.Queue.limits()
		ch.QueueLimitPackets, ch.QueueLimitBytes = &p, &b
		ch.Queue = set.Queue.Discipline
	}
	if set.Loss != nil {
		ch.Loss, ch.SetLoss = set.Loss.model(), true
	}
	return ch
}

// describe returns the properties set changes, e.g. "loss=10% delay=50ms".
func (set LinkSet) describe() string {
	var parts []string
	add := func(k string, v any) { parts = append(parts, fmt.Sprintf("%s=%v", k, v)) }
	addSet(add, "bandwidth", set.Bandwidth)
	addSet(add, "delay", set.Delay)
	addSet(add, "mtu", set.MTU)
	if set.Queue != nil {
		kind := ""
		if set.Queue.Kind != QueueDropTail && set.Queue.Kind != "" {
			kind = string(set.Queue.Kind) + "/"
		}
		if set.Queue.LimitBytes > 0 {
			add("queue", fmt.Sprintf("%s%v", kind, set.Queue.LimitBytes))
		} else {
			add("queue", fmt.Sprintf("%s%v", kind, set.Queue.LimitPackets))
		}
	}
	if set.Loss != nil {
		if m := set.Loss.model(); m != nil {
			add("loss", m)
		} else {
			add("loss", "0%")
		}
	}
	addSet(add, "jitter", set.Jitter)
	addSet(add, "reorder", set.Reorder)
	addSet(add, "duplicate", set.Duplicate)
	addSet(add, "corrupt", set.Corrupt)
	addSet(add, "overhead", set.Overhead)
	return strings.Join(parts, " ")
}

// addSet passes key k and *v to add when the fault sets v (v not nil).
func addSet[T any](add func(k string, v any), k string, v *T) {
	if v != nil {
		add(k, *v)
	}
}

// scheduleFaults puts every fault on the scheduler, in file order: faults at
// the same time apply in the order they are written (architecture rule 2).
func (w *World) scheduleFaults() error {
	sched := w.Net.Scheduler()
	for i := range w.Scenario.Faults {
		f := w.Scenario.Faults[i]
		if _, err := sched.At(sim.FromDuration(f.At), func() { w.apply(f) }); err != nil {
			return fmt.Errorf("fault %d: %w", i, err)
		}
	}
	return nil
}

// apply applies one fault and traces it first, so that the link.state and
// drop records it causes follow its fault record.
func (w *World) apply(f Fault) {
	switch f.Action {
	case FaultSet:
		l, ok := w.Net.Link(f.Link)
		if !ok {
			return
		}
		w.emitFault("link/"+f.Link, "set "+f.Set.describe())
		if err := l.Set(f.Set.change()); err != nil {
			w.emitFault("link/"+f.Link, "rejected: "+err.Error())
		}
	case FaultDown, FaultUp:
		l, ok := w.Net.Link(f.Link)
		if !ok {
			return
		}
		w.emitFault("link/"+f.Link, string(f.Action))
		l.SetUp(f.Action == FaultUp)
		w.routeFault()
	case FaultPartition:
		groups := make([]string, len(f.Partition))
		for i, g := range f.Partition {
			groups[i] = "[" + strings.Join(g, " ") + "]"
		}
		w.emitFault("partition", "partition "+strings.Join(groups, " | "))
		if err := w.Net.Graph().Partition(f.Partition); err != nil {
			w.emitFault("partition", "rejected: "+err.Error())
		}
		w.routeFault()
	case FaultHeal:
		w.emitFault("partition", "heal")
		w.Net.Graph().Heal()
		w.routeFault()
	}
}

func (w *World) emitFault(subject, what string) {
	if w.trace == nil {
		return
	}
	w.fault = sim.Fault{What: what}
	w.rec = sim.Record{T: w.Net.Now(), Subject: subject, Event: &w.fault}
	w.trace.Emit(&w.rec)
}

// captured narrows open to the interfaces of the nodes outputs.pcap
// lists (every node when it lists none): the others get no capture.
func (o Outputs) captured(s *Scenario, open func(node, iface string) (io.Writer, error)) func(node, iface string) (io.Writer, error) {
	if o.PCAPNodes == nil {
		return open
	}
	want := make(map[string]bool)
	for _, name := range o.PCAPNodes {
		want[name] = true
		if g, ok := s.group(name); ok {
			for _, m := range g.Members {
				want[m] = true
			}
		}
	}
	return func(node, iface string) (io.Writer, error) {
		if !want[node] {
			return nil, nil
		}
		return open(node, iface)
	}
}
