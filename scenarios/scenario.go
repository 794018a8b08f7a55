package scenarios

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// FormatVersion is the only scenario format version this package reads.
const FormatVersion = 1

// DefaultSeed is the seed of a scenario that names none.
const DefaultSeed uint64 = 1

// Scenario is a loaded and validated scenario. Slices keep the order of the
// file (hosts and routers in the order they are written), so that building
// a world from it is deterministic.
type Scenario struct {
	// File is the path the scenario was read from, as given to Load.
	File string
	// Version is the format version (always FormatVersion).
	Version int
	// Name names the run and its default output folder ([a-z0-9-]+).
	Name        string
	Description string
	// Seed seeds every random stream of the run (`--seed` overrides it).
	Seed uint64
	// Duration is the simulated time at which the run stops.
	Duration time.Duration
	// Defaults holds the settings every host inherits.
	Defaults Defaults
	Hosts    []Host
	// Groups are the host groups (count:) among Hosts, in file order.
	Groups  []Group
	Routers []Router
	Links   []Link
	Routing Routing
	Apps    []App
	Faults  []Fault
	Expect  []Expect
	Outputs Outputs
	// Warnings are things that are valid but probably not what the author
	// meant (a fault after the end of the run, a rate without a unit);
	// they stop nothing. Each prints as "FILE:LINE:COL: warning: ...".
	Warnings ErrorList
	// Inputs are the files the scenario read besides itself (a gml
	// generator's graph), in the order read: a run depends on their
	// bytes as on the scenario's, so netsim run records them in
	// manifest.json.
	Inputs []InputFile

	// pos maps a field path ("links[0].between[1]") to where it was written.
	pos *positions
}

// InputFile is a file a scenario read: Path as the scenario wrote it, and
// the sha256 of the bytes read, in hex.
type InputFile struct {
	Path   string
	SHA256 string
}

// Pos returns where the field at path (e.g. "links[0].bandwidth",
// "hosts.client") was written, and whether it was.
func (s *Scenario) Pos(path string) (Pos, bool) {
	p, ok := s.pos.lookup(path)
	return p, ok
}

// Defaults are the settings every host inherits unless it overrides them.
type Defaults struct {
	TCP TCP
}

// Host is an end host with one IPv4 address.
type Host struct {
	Name    string
	Address netip.Addr
	// AutoAddress reports whether Address was assigned because the scenario
	// gave none.
	AutoAddress bool
	// TCP is the host's own settings as written; Effective merges them over
	// the defaults.
	TCP TCP
	// Effective is TCP over Defaults.TCP.
	Effective TCP
}

// Router forwards IPv4 by shortest path.
type Router struct {
	Name string
}

// QueueKind names a queue discipline.
type QueueKind string

// Queue disciplines.
const (
	QueueDropTail QueueKind = "droptail"
	QueueRED      QueueKind = "red"
	QueueCoDel    QueueKind = "codel"
	QueueFQCoDel  QueueKind = "fq-codel"
	QueuePIE      QueueKind = "pie"
	QueueStep     QueueKind = "step"
)

// DefaultQueueLimit is a link queue's limit in packets when the scenario
// names none (ns-3's DropTailQueue default, "100p").
const DefaultQueueLimit = 100

// DefaultMTU is a link's MTU when the scenario names none.
const DefaultMTU = 1500

// Queue is a link direction's queue. Exactly one of LimitPackets and
// LimitBytes is non-zero. Discipline holds the parameters of Kind, decoded
// straight into topology's type (topology.DropTail, RED, CoDel, FQCoDel,
// PIE, Step); nil is drop-tail.
type Queue struct {
	Kind         QueueKind
	LimitPackets int
	LimitBytes   units.ByteSize
	Discipline   topology.QueueConfig
}

// LossModel names a loss model.
type LossModel string

// Loss models.
const (
	LossNone           LossModel = ""
	LossBernoulli      LossModel = "bernoulli"
	LossGilbertElliott LossModel = "gilbert-elliott"
)

// Loss is a link's loss model. Bernoulli drops each packet with probability
// P. Gilbert-Elliott moves from the good to the bad state with probability P
// and back with R per packet, and drops with LossGood / LossBad in each
// state (tc-netem "gemodel").
type Loss struct {
	Model    LossModel
	P        units.Ratio
	R        units.Ratio
	LossBad  units.Ratio
	LossGood units.Ratio
}

// Link is a full-duplex point-to-point link between two nodes; both
// directions get the same properties.
type Link struct {
	Name      string
	A, B      string
	Bandwidth units.BitRate
	Delay     time.Duration
	MTU       int
	Queue     Queue
	Loss      Loss
	Jitter    time.Duration
	Reorder   bool
	Duplicate units.Ratio
	Corrupt   units.Ratio
	Overhead  units.ByteSize
}

// otherEnd returns the end of l that is not node: B for node A, and A
// otherwise.
func (l *Link) otherEnd(node string) string {
	if l.A == node {
		return l.B
	}
	return l.A
}

// LinkSet is a change to some of a link's properties; nil fields stay as
// they are.
type LinkSet struct {
	Bandwidth *units.BitRate
	Delay     *time.Duration
	MTU       *int
	Queue     *Queue
	Loss      *Loss
	Jitter    *time.Duration
	Reorder   *bool
	Duplicate *units.Ratio
	Corrupt   *units.Ratio
	Overhead  *units.ByteSize
}

// AppType names a built-in application.
type AppType string

// The built-in applications.
const (
	// AppSink listens on Port, accepts every connection and reads until EOF.
	AppSink AppType = "sink"
	// AppBulkSend connects to To, writes Bytes, then closes.
	AppBulkSend AppType = "bulk-send"
	// AppEcho listens on Port and writes back whatever it reads.
	AppEcho AppType = "echo"
	// AppRequestResponse is, with Port, a server that answers every
	// Request-byte request with Response bytes; with To, a client that
	// makes Count requests Think apart, each on a new connection unless
	// Persistent.
	AppRequestResponse AppType = "request-response"
	// AppOnOff connects to To and writes at Rate during On periods,
	// pausing for Off between them, until Bytes are sent (then closes) or
	// until Stop.
	AppOnOff AppType = "on-off"
	// AppUDPSink binds UDP Port and reads every datagram.
	AppUDPSink AppType = "udp-sink"
	// AppUDPSend sends Size-byte UDP datagrams to To at Rate, spaced as
	// Pattern says (cbr, poisson, on-off with On and Off), until Stop.
	AppUDPSend AppType = "udp-send"
	// AppPing sends Count ICMP echo requests of Size data bytes to the
	// host To.Host, one every Interval.
	AppPing AppType = "ping"
)

// AppTypes lists the built-in application types in the order the errors
// name them.
var AppTypes = []AppType{AppSink, AppBulkSend, AppEcho, AppRequestResponse, AppOnOff, AppUDPSink, AppUDPSend, AppPing}

// UDP reports whether the app's port or destination is a UDP one.
func (t AppType) UDP() bool { return t == AppUDPSink || t == AppUDPSend }

// Endpoint is a host and a TCP port, written "server:80".
type Endpoint struct {
	Host string
	Port uint16
}

// String returns "host:port".
func (e Endpoint) String() string { return e.Host + ":" + strconv.Itoa(int(e.Port)) }

// App is an application on a host. Which fields mean something depends on
// Type (see the App* constants).
type App struct {
	Type AppType
	Host string
	// Port is the port a server app listens on (0 for clients).
	Port uint16
	// To is where a client app connects (zero for servers).
	To    Endpoint
	Start time.Duration
	// StartDraw, when not nil, draws Start per run from a stream of the
	// app's own; Start is then the draw's lower bound.
	StartDraw *StartDraw
	// Stop, when non-zero, is when an on-off app stops sending.
	Stop     time.Duration
	Bytes    units.ByteSize
	Request  units.ByteSize
	Response units.ByteSize
	Count    int
	Think    time.Duration
	// Persistent sends every request of a request-response client over
	// one connection.
	Persistent bool
	// FastOpen: a server app's listener has a Fast Open queue
	// (TCP_FASTOPEN); a request-response client sends each
	// connection's request in its SYN once it holds the server's
	// cookie (RFC 7413). Both need their host's fastopen setting: the
	// server bit 0x2, the client bit 0x1 (Linux's tcp_fastopen).
	FastOpen bool
	// Congestion is the congestion control of the app's connections
	// (setsockopt TCP_CONGESTION), instead of its host's; empty: the
	// host's. One that needs ECN (dctcp) turns ECN on for them, as Linux
	// does.
	Congestion string
	Rate       units.BitRate
	On         time.Duration
	Off        time.Duration
	// Size is a udp-send's datagram payload or a ping's data, in bytes.
	Size int
	// Pattern is how a udp-send spaces its datagrams: cbr (the default),
	// poisson or on-off.
	Pattern string
	// Interval is the time between a ping's echo requests.
	Interval time.Duration
}

// Server reports whether the app listens rather than connects.
func (a App) Server() bool { return a.To.Host == "" }

// FaultAction says what a fault does.
type FaultAction string

// Fault actions.
const (
	FaultSet       FaultAction = "set"
	FaultDown      FaultAction = "down"
	FaultUp        FaultAction = "up"
	FaultPartition FaultAction = "partition"
	FaultHeal      FaultAction = "heal"
)

// Fault is one timed change to the network.
type Fault struct {
	At     time.Duration
	Action FaultAction
	// Link names the link of set, down and up.
	Link string
	Set  LinkSet
	// Partition lists the groups of node names that can no longer reach
	// each other: every link between two groups goes down until a heal.
	Partition [][]string
}

// ExpectKind names an expectation.
type ExpectKind string

// Expectations.
const (
	// ExpectEstablished: a connection from From to To reaches ESTABLISHED
	// on the client within Within of the client's first SYN.
	ExpectEstablished ExpectKind = "established"
	// ExpectDelivered: at least Bytes reach the applications of To (from
	// From, when given) by time By.
	ExpectDelivered ExpectKind = "delivered"
)

// Expect is one assertion on the run; a failed one makes `netsim run` exit 1.
type Expect struct {
	Kind   ExpectKind
	From   string
	To     Endpoint
	Within time.Duration
	Bytes  units.ByteSize
	By     time.Duration
}

// PlotKind names a plot.
type PlotKind string

// The plots a scenario may ask for.
const (
	PlotSequence     PlotKind = "sequence"
	PlotTimeSequence PlotKind = "time-sequence"
	PlotCwnd         PlotKind = "cwnd"
	PlotThroughput   PlotKind = "throughput"
	PlotQueue        PlotKind = "queue"
	PlotDelay        PlotKind = "delay"
	PlotDelayCDF     PlotKind = "delay-cdf"
	PlotPing         PlotKind = "ping"
)

// PlotKinds lists every plot kind.
var PlotKinds = []PlotKind{PlotSequence, PlotTimeSequence, PlotCwnd, PlotThroughput, PlotQueue, PlotDelay, PlotDelayCDF, PlotPing}

// PlotFormats lists the image formats of plots.
var PlotFormats = []string{"png", "svg", "pdf"}

// Outputs says which files `netsim run` writes besides manifest.json and
// summary.json. Defaults: trace and pcap on, no plots, png.
type Outputs struct {
	// PCAP turns captures on; PCAPNodes, when not nil, limits them to the
	// interfaces of these hosts and routers (a group's name stands for
	// its members), from `pcap: [client, r1]`.
	PCAP      bool
	PCAPNodes []string
	// SnapLen is the bytes kept of each captured packet (pcap's snaplen);
	// 0 keeps whole packets.
	SnapLen int
	Trace   bool
	Plots   []PlotKind
	Format  string
	// Flows writes flows.csv, one row per TCP or UDP flow.
	Flows bool
}
