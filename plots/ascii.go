package plots

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/netsimlab/netsim/sim"
)

// HostLabel names a column of the terminal diagram: a host and its address.
type HostLabel struct {
	Name string
	Addr string
}

// ASCIIOptions choose what the terminal diagram shows.
type ASCIIOptions struct {
	// Conn restricts the diagram to one connection id; 0 shows every
	// packet.
	Conn int
	// From and To bound the time shown (by when a packet left its sender);
	// To = 0 means the end of the run.
	From, To sim.Time
	// Width is the widest line to print; 0 means 100 columns. Labels that
	// do not fit are shortened: options first (to "<mss 1460,...>", then
	// "<...>"), then the text is cut.
	Width int
	// States adds a line for each TCP state change, beside its host's
	// lifeline.
	States bool
}

// The terminal diagram's layout.
const (
	asciiIndent     = 3  // the first lifeline's column
	asciiMinGap     = 24 // narrowest distance between lifelines
	asciiArrowExtra = 9  // "---- " + " " + "-->" around a label
	asciiTimeGap    = 3  // spaces between the last lifeline and the time
	asciiTimeWidth  = 12 // "0.100000000s"
	asciiWidth      = 100
)

// asciiRow is one line of the diagram, in time order.
type asciiRow struct {
	t        sim.Time
	idx      int // the record's position, to break ties in trace order
	from, to int // columns; to < 0 for a state line
	label    string
	p        *packet
	state    string
}

// ASCII writes the packet exchange in recs as a text sequence diagram, one
// column per host (hosts gives the order and the addresses; hosts that
// recs mention and hosts omits are added on the right), one arrow per
// packet with its label and, at the right, the time it left its sender:
//
//	client 10.0.0.1                                  server 10.0.0.2
//	   |---- SYN seq=0 win=65535 <mss 1460,...> ------->|   0.100000000s
//	   |<--- SYN,ACK seq=0 ack=1 win=65535 <...> -------|   0.110120000s
//	   |---- ACK seq=1 ack=1 win=502 ------------------>|   0.110240000s
//
// A packet lost on the way ends in an X and says why; it is drawn toward
// its destination's column even when that host never sent anything (the
// column found by its address in hosts, or a column named by the address).
// A retransmission says so after the time.
func ASCII(w io.Writer, recs []sim.Record, hosts []HostLabel, opts ASCIIOptions) error {
	m := buildModel(recs)
	if opts.Conn != 0 && !m.hasConn(opts.Conn) {
		return fmt.Errorf("ascii diagram: conn %d is not in the trace (%s): %w", opts.Conn, m.connsText(), ErrNoData)
	}
	cols := append([]HostLabel(nil), hosts...)
	idx := make(map[string]int)
	byAddr := make(map[string]string) // the caller's addresses -> host names
	for i, h := range cols {
		idx[h.Name] = i
		if _, ok := byAddr[h.Addr]; !ok && h.Addr != "" {
			byAddr[h.Addr] = h.Name
		}
	}
	col := func(name string) int {
		if i, ok := idx[name]; ok {
			return i
		}
		idx[name] = len(cols)
		hl := HostLabel{Name: name}
		if j, ok := m.nodeIdx[name]; ok {
			hl.Addr = m.nodes[j].addr
		}
		cols = append(cols, hl)
		return len(cols) - 1
	}
	var rows []asciiRow
	for _, p := range m.packets {
		if opts.Conn != 0 && (!p.tcp || p.conn != opts.Conn) || !inWindow(asciiWindow(opts), p.start()) {
			continue
		}
		to := ""
		switch {
		case p.delivered:
			to = p.deliverHost
		case p.dropped:
			// Toward where it was going: a host the trace names by that
			// address, else one the caller does, else the address itself
			// (a host that never sent anything is in no record).
			to = m.hostOf[p.dst]
			if to == "" {
				to = byAddr[p.dst]
			}
			if to == "" {
				to = p.dst
			}
		default:
			continue // never arrived nor dropped before the trace ended
		}
		from := col(p.host)
		tc := from
		if to != "" {
			tc = col(to)
		}
		rows = append(rows, asciiRow{t: p.start(), idx: p.idx, from: from, to: tc, p: p})
	}
	if opts.States {
		for _, s := range m.states {
			if (opts.Conn == 0 || s.conn == opts.Conn) && inWindow(asciiWindow(opts), s.t) {
				rows = append(rows, asciiRow{t: s.t, idx: s.idx, from: col(s.host), to: -1, state: s.to})
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].t != rows[j].t {
			return rows[i].t < rows[j].t
		}
		return rows[i].idx < rows[j].idx
	})

	width := opts.Width
	if width <= 0 {
		width = asciiWidth
	}
	gap := asciiMinGap
	for _, r := range rows {
		if r.p != nil && r.to != r.from {
			span := max(r.to-r.from, r.from-r.to)
			need := (len(asciiLabel(r.p, 0)) + asciiArrowExtra + span - 1) / span
			gap = max(gap, need)
		}
	}
	for i, h := range cols {
		if i+1 < len(cols) {
			gap = max(gap, len(h.Name)+len(h.Addr)+3)
		}
	}
	// The time column is as wide as the longest time (12 up to 9.999...s).
	timeWidth := asciiTimeWidth
	for _, r := range rows {
		timeWidth = max(timeWidth, len(r.t.String()))
	}
	if len(cols) > 1 {
		fit := (width - asciiIndent - asciiTimeGap - timeWidth - 1) / (len(cols) - 1)
		gap = max(min(gap, fit), 12)
	}
	if len(cols) == 0 {
		return nil // nothing happened: nothing to draw
	}
	xs := make([]int, len(cols))
	for i := range xs {
		xs[i] = asciiIndent + i*gap
	}
	last := xs[len(xs)-1]
	lineLen := last + 1
	if len(cols) == 1 {
		// One lifeline: a packet to itself is written to its right, as
		// wide as the widest such label (within the width), so the times
		// still line up.
		for _, r := range rows {
			if r.p != nil && r.to == r.from {
				lineLen = max(lineLen, xs[0]+2+len(asciiSelfPrefix+asciiLabel(r.p, 0)))
			}
		}
		lineLen = min(lineLen, max(last+1, width-asciiTimeGap-timeWidth))
	}

	bw := bufio.NewWriter(w)
	// The header: each host's name and address, the first one at the left
	// edge, the others starting one column before their lifeline.
	var head []byte
	for i, h := range cols {
		label := h.Name
		if h.Addr != "" {
			label += " " + h.Addr
		}
		start := 0
		if i > 0 {
			start = max(xs[i]-1, len(head)+1)
		}
		for len(head) < start {
			head = append(head, ' ')
		}
		head = append(head, label...)
	}
	bw.Write(head)
	bw.WriteByte('\n')
	for _, r := range rows {
		line := make([]byte, lineLen)
		for i := range line {
			line[i] = ' '
		}
		for _, x := range xs {
			line[x] = '|'
		}
		var note []string
		switch {
		case r.to < 0:
			placeState(line, xs, r.from, r.state)
		case r.to == r.from:
			placeSelf(line, xs, r.from, r.p)
			if r.p.retrans {
				note = append(note, "retransmission")
			}
			if r.p.dropped && !r.p.delivered {
				note = append(note, fmt.Sprintf("dropped (%s)", r.p.dropReason))
			}
		default:
			drawASCIIArrow(line, xs[r.from], xs[r.to], r.p)
			if r.p.retrans {
				note = append(note, "retransmission")
			}
			if r.p.dropped && !r.p.delivered {
				note = append(note, fmt.Sprintf("dropped (%s)", r.p.dropReason))
			}
		}
		bw.Write(line)
		fmt.Fprintf(bw, "%*s%s", asciiTimeGap, "", r.t)
		if len(note) > 0 {
			bw.WriteString("  " + strings.Join(note, ", "))
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("ascii diagram: %w", err)
	}
	return nil
}

// asciiWindow returns the time window of opts as plot Options, for
// inWindow.
func asciiWindow(opts ASCIIOptions) Options { return Options{From: opts.From, To: opts.To} }

// asciiSelfPrefix starts the label of a packet a host sent to itself.
const asciiSelfPrefix = "(self) "

// fitASCIILabel returns p's label in at most room bytes: options shortened
// first, then the text cut with "...", or "" when not even that fits.
func fitASCIILabel(p *packet, room int) string {
	label := ""
	for lvl := 0; lvl <= 3; lvl++ {
		label = asciiLabel(p, lvl)
		if len(label) <= room {
			return label
		}
	}
	if room >= 4 {
		return label[:room-3] + "..."
	}
	return ""
}

// placeSelf writes the label of a packet host c sent to itself (over
// loopback) beside its lifeline, between it and the next one (the
// previous one for the last column), so it never crosses a lifeline or
// the time column.
func placeSelf(line []byte, xs []int, c int, p *packet) {
	start, end := xs[c]+2, len(line)
	switch {
	case c+1 < len(xs):
		end = xs[c+1] - 1
	case c > 0:
		start, end = xs[c-1]+2, xs[c]-1
	}
	text := ""
	if room := end - start - len(asciiSelfPrefix); room > 0 {
		if l := fitASCIILabel(p, room); l != "" {
			text = asciiSelfPrefix + l
		}
	}
	if text == "" {
		return // no room: the time and notes still say what it was
	}
	if c > 0 && c+1 == len(xs) {
		start = end - len(text) // right-aligned against its lifeline
	}
	copy(line[start:end], text)
}

// drawASCIIArrow writes the arrow for p between lifelines at a and b
// (a != b: placeSelf draws a packet to the same host). A dropped packet's
// arrow stops about three quarters of the way, in an X.
func drawASCIIArrow(line []byte, a, b int, p *packet) {
	if a == b {
		return
	}
	lo, hi := min(a, b), max(a, b)
	body := hi - lo - 1
	label := fitASCIILabel(p, body-asciiArrowExtra)
	dropped := p.dropped && !p.delivered
	n := body
	if dropped {
		n = max(body*3/4, min(body, len(label)+asciiArrowExtra))
	}
	s := make([]byte, 0, body)
	if b > a {
		s = append(s, "---- "...)
		s = append(s, label...)
		s = append(s, ' ')
		for len(s) < n-1 {
			s = append(s, '-')
		}
		if dropped {
			s = append(s, 'X')
		} else {
			s = append(s, '>')
		}
		for len(s) < body {
			s = append(s, ' ')
		}
	} else {
		for len(s) < body-n {
			s = append(s, ' ')
		}
		if dropped {
			s = append(s, "X--- "...)
		} else {
			s = append(s, "<--- "...)
		}
		s = append(s, label...)
		s = append(s, ' ')
		for len(s) < body {
			s = append(s, '-')
		}
	}
	copy(line[lo+1:hi], s)
}

// placeState writes a state name beside lifeline c: to its right, or to its
// left for the last column.
func placeState(line []byte, xs []int, c int, state string) {
	text := "[" + state + "]"
	x := xs[c] + 2
	if c == len(xs)-1 && c > 0 {
		x = xs[c] - 1 - len(text)
	}
	if x < 0 {
		x = 0
	}
	for i := 0; i < len(text) && x+i < len(line); i++ {
		line[x+i] = text[i]
	}
}
