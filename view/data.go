package view

import "encoding/json"

// pageData is what the page's script reads, embedded as JSON. Keys are
// short because a page holds tens of thousands of packets.
type pageData struct {
	Meta    meta     `json:"meta"`
	Hosts   []string `json:"hosts"`   // hosts and routers, by name
	Routers []int    `json:"routers"` // indexes into Hosts of the routers
	// Ranks gives each of Hosts its place in lifelines.Order (the
	// scenario's declared order, then natural name order): the diagram's
	// tie-break between lifelines at the same place.
	Ranks []int      `json:"ranks"`
	Conns []connInfo `json:"conns"`
	// The packets ride in the page in their compact form (packets.go),
	// not in the JSON; Columns names its columns in their order.
	Columns []string        `json:"columns"`
	States  []stateChange   `json:"states"`
	Series  []series        `json:"series"`
	Modes   []modeChange    `json:"modes"`
	Summary json.RawMessage `json:"summary,omitempty"`
	Cut     cut             `json:"cut"`
}

// meta is what the page's title line says about the run (from
// manifest.json when there is one).
type meta struct {
	Dir      string `json:"dir"`
	Version  string `json:"netsim_version,omitempty"`
	Scenario struct {
		Path string `json:"path,omitempty"`
		Name string `json:"name,omitempty"`
	} `json:"scenario"`
	Seed        int64  `json:"seed,omitempty"`
	Duration    string `json:"duration,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Complete    *bool  `json:"complete,omitempty"`
}

// cut says what the page left out, so that it can say so.
type cut struct {
	From       int64  `json:"from"`
	To         int64  `json:"to"` // 0: the end of the trace
	Conn       uint64 `json:"conn"`
	MaxPackets int    `json:"max_packets"`
	// PacketsInWindow counts the packets sent in the window (and of the
	// connection); PacketsLeft those of them not embedded.
	PacketsInWindow int `json:"packets_in_window"`
	PacketsLeft     int `json:"packets_left"`
	// PacketsOutside counts packets sent outside the window or of another
	// connection.
	PacketsOutside int `json:"packets_outside"`
	// SeriesLeft counts connections whose graphs were not embedded.
	SeriesLeft int `json:"series_left"`
	// TraceEnd is the time of the last record read.
	TraceEnd int64 `json:"trace_end"`
	// Captured is true when packet bytes were found in pcap/.
	Captured bool `json:"captured"`
}

// connInfo is one TCP connection as the trace names it.
type connInfo struct {
	ID         uint64 `json:"id"`
	Client     string `json:"client"`
	Server     string `json:"server"`
	ClientHost int    `json:"ch"` // index into hosts, -1 unknown
	ServerHost int    `json:"sh"`
	First      int64  `json:"first"` // first record in the window
	Last       int64  `json:"last"`
	Packets    int    `json:"packets"` // sent in the window, embedded or not
	Retrans    int    `json:"retrans"`
	Drops      int    `json:"drops"`
	ClientEnd  string `json:"cstate"` // last state seen in the window
	ServerEnd  string `json:"sstate"`
}

// packet is one datagram from its pkt.send to its delivery or drop.
type packet struct {
	ID    uint64 `json:"id"`
	T     int64  `json:"t"` // sent
	Src   int    `json:"s"` // host index
	Dst   int    `json:"d"` // host index, -1 unknown
	Conn  uint64 `json:"c,omitempty"`
	Side  string `json:"side,omitempty"` // "client" or "server" end of Conn sent it
	SrcA  string `json:"sa"`
	DstA  string `json:"da"`
	Proto uint8  `json:"p"`
	SPort uint16 `json:"sp"`
	DPort uint16 `json:"dp"`
	Flags string `json:"f"`
	Seq   uint32 `json:"seq"`
	Ack   uint32 `json:"ack"`
	RSeq  uint64 `json:"rs"`
	RAck  uint64 `json:"ra"`
	Win   uint16 `json:"w"`
	// Wnd is the window in bytes the Win field stands for once scaled
	// (RFC 7323), -1 when unknown (the SYNs are not in the trace); 0 in
	// a SYN and in a datagram that is not TCP, whose window is not scaled.
	Wnd  int64  `json:"wnd,omitempty"`
	PLen int    `json:"pl"`
	Len  int    `json:"l"`
	Opts string `json:"o,omitempty"`
	// End is when it was delivered or dropped, 0 when neither happened in
	// the trace (still in flight at the end, or outside the window).
	End     int64  `json:"e,omitempty"`
	Drop    string `json:"x,omitempty"`  // drop reason
	DropAt  string `json:"xa,omitempty"` // where it was dropped
	Retrans string `json:"r,omitempty"`  // retransmission reason
	DupOf   uint64 `json:"dup,omitempty"`
	Marked  bool   `json:"ce,omitempty"`
	Corrupt bool   `json:"bad,omitempty"`
	// Via lists the routers that forwarded it: [index into Hosts, when].
	Via      [][2]int64 `json:"via,omitempty"`
	iface    string
	txAt     int64 // first bit left the sender, for the capture; -1 not yet
	captured bool
	fated    bool // delivered or dropped: End is its time
	// raw is the datagram as captured, cut after its headers and
	// capturedPayload bytes of payload; CapLen is its whole length.
	raw []byte
	// Bytes is raw in hex, in the packets ReadPackets returns.
	Bytes  string `json:"b,omitempty"`
	CapLen int    `json:"bl,omitempty"`
	IPSum  *bool  `json:"ipok,omitempty"` // IPv4 header checksum valid
	// L4Sum: the TCP, UDP or ICMP checksum is valid.
	L4Sum *bool `json:"l4ok,omitempty"`
}

// stateChange is a tcp.state record.
type stateChange struct {
	T    int64  `json:"t"`
	Host int    `json:"h"`
	Conn uint64 `json:"c"`
	Side string `json:"side"`
	From string `json:"from"`
	To   string `json:"to"`
}

// modeChange is a BBR sender entering a mode (tcp.bbr): startup, drain,
// probe_bw or probe_rtt.
type modeChange struct {
	T    int64  `json:"t"`
	Conn uint64 `json:"c"`
	Side string `json:"side"`
	Mode string `json:"mode"`
}

// series is one decimated time series of one end of a connection: "seq"
// (highest byte sent), "ack" (highest byte acknowledged by the peer),
// "cwnd", "ssthresh" (bytes), "srtt", "rtt" (ns), "rate" (delivery-rate
// samples, bit/s), "bbr_bw" (BBR's bottleneck bandwidth, bit/s) and
// "bbr_min_rtt" (ns). Points are
// [t, min, max, last] over consecutive bins.
type series struct {
	Conn   uint64     `json:"c"`
	Side   string     `json:"side"`
	Name   string     `json:"name"`
	Width  int64      `json:"width"` // bin width in ns, 1 when exact
	Points [][4]int64 `json:"pts"`
}
