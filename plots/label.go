package plots

import (
	"strconv"
	"strings"
)

// flagNames spells the flags of a tcpdump flag string ("S.", "P.", "F.",
// "R") as a textbook does, in the order SYN, FIN, RST, PSH, URG, ECE, CWR,
// ACK ("." is ACK).
func flagNames(flags string, withPSH bool) []string {
	var out []string
	for _, f := range []struct {
		c    byte
		name string
	}{{'S', "SYN"}, {'F', "FIN"}, {'R', "RST"}, {'P', "PSH"}, {'U', "URG"}, {'E', "ECE"}, {'W', "CWR"}, {'.', "ACK"}} {
		if f.c == 'P' && !withPSH {
			continue
		}
		if strings.IndexByte(flags, f.c) >= 0 {
			out = append(out, f.name)
		}
	}
	return out
}

// hasFlag reports whether the tcpdump flag string has flag c.
func hasFlag(flags string, c byte) bool { return strings.IndexByte(flags, c) >= 0 }

// seqText prints a segment's relative sequence number, as a range start:end
// when it carries payload (tcpdump's convention, end exclusive).
func seqText(p *packet) string {
	if p.plen > 0 {
		return strconv.FormatInt(p.rseq, 10) + ":" + strconv.FormatInt(p.rseq+p.plen, 10)
	}
	return strconv.FormatInt(p.rseq, 10)
}

// textbookLabel labels a segment as a textbook draws the handshake: "SYN
// seq=0", "SYN, ACK seq=0 ack=1", "ACK ack=1", data as "seq=1:1461 ack=1",
// "FIN, ACK seq=1 ack=1". A bare ACK shows no seq; a data segment names no
// flags unless it also carries SYN, FIN or RST. Other datagrams are
// labelled by protocol and length: "UDP len=1200" (its payload), "ICMP
// len=64" (the ICMP message).
func textbookLabel(p *packet) string {
	if !p.tcp {
		return datagramLabel(p, false)
	}
	ack := hasFlag(p.flags, '.')
	ctl := ctlFlags(p.flags) != ""
	var b strings.Builder
	switch {
	case p.plen > 0 && !ctl:
		// Data: the range says it all.
	case !ctl && ack:
		b.WriteString("ACK ack=")
		b.WriteString(strconv.FormatInt(p.rack, 10))
		return b.String()
	default:
		b.WriteString(strings.Join(flagNames(p.flags, false), ", "))
		b.WriteByte(' ')
	}
	b.WriteString("seq=")
	b.WriteString(seqText(p))
	if ack {
		b.WriteString(" ack=")
		b.WriteString(strconv.FormatInt(p.rack, 10))
	}
	return b.String()
}

// asciiLabel labels a segment for the terminal diagram: "SYN seq=0
// win=65535 <mss 1460,...>", "SYN,ACK seq=0 ack=1 win=65535 <...>", "ACK
// seq=1 ack=1 win=502". optsLevel 0 prints the options in full, 1 keeps
// the first one and "...", 2 prints "<...>", 3 leaves them out.
func asciiLabel(p *packet, optsLevel int) string {
	if !p.tcp {
		return datagramLabel(p, true)
	}
	var b strings.Builder
	names := flagNames(p.flags, p.plen == 0)
	if p.plen > 0 && len(names) == 1 && names[0] == "ACK" {
		names = nil // data segments are named by their range
	}
	if len(names) > 0 {
		b.WriteString(strings.Join(names, ","))
		b.WriteByte(' ')
	}
	b.WriteString("seq=")
	b.WriteString(seqText(p))
	if hasFlag(p.flags, '.') {
		b.WriteString(" ack=")
		b.WriteString(strconv.FormatInt(p.rack, 10))
	}
	b.WriteString(" win=")
	b.WriteString(strconv.FormatInt(p.win, 10))
	if o := strings.Trim(p.opts, "<> "); o != "" && optsLevel < 3 {
		b.WriteString(" <")
		switch optsLevel {
		case 0:
			b.WriteString(o)
		case 1:
			first, _, more := strings.Cut(o, ",")
			b.WriteString(first)
			if more {
				b.WriteString(",...")
			}
		default:
			b.WriteString("...")
		}
		b.WriteByte('>')
	}
	return b.String()
}

// datagramLabel labels a datagram that is not TCP by its protocol and
// length, as tcpdump does: "UDP 49152 > 9 len=1200" (ports with ports,
// for the terminal), "UDP len=1200", "ICMP len=64"; the length is the
// UDP payload or the ICMP message, and the IPv4 length for another
// protocol ("IP len=60").
func datagramLabel(p *packet, ports bool) string {
	switch p.proto {
	case 17:
		if ports {
			return "UDP " + strconv.FormatInt(p.sport, 10) + " > " + strconv.FormatInt(p.dport, 10) + " len=" + strconv.FormatInt(p.plen, 10)
		}
		return "UDP len=" + strconv.FormatInt(p.plen, 10)
	case 1:
		return "ICMP len=" + strconv.FormatInt(p.plen, 10)
	}
	return "IP len=" + strconv.FormatInt(p.size, 10)
}
