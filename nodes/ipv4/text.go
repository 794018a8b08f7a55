package ipv4

import "strconv"

// AppendText appends the header in the form of tcpdump -v:
//
//	IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 60) 10.0.0.1 > 10.0.0.2
//
// tos is the whole traffic-class byte (DSCP and ECN), flags list DF and MF
// (and "+" for the reserved bit) or "none", and offset is in bytes.
func (h *Header) AppendText(b []byte) []byte {
	b = append(b, "IP (tos 0x"...)
	b = strconv.AppendUint(b, uint64(h.DSCP<<2|h.ECN&3), 16)
	b = append(b, ", ttl "...)
	b = strconv.AppendUint(b, uint64(h.TTL), 10)
	b = append(b, ", id "...)
	b = strconv.AppendUint(b, uint64(h.ID), 10)
	b = append(b, ", offset "...)
	b = strconv.AppendUint(b, uint64(h.FragOffset)*8, 10)
	b = append(b, ", flags ["...)
	switch {
	case h.Flags&7 == 0:
		b = append(b, "none"...)
	default:
		if h.Flags&FlagReserved != 0 {
			b = append(b, '+')
		}
		if h.Flags&FlagDF != 0 {
			b = append(b, "DF"...)
		}
		if h.Flags&FlagMF != 0 {
			b = append(b, '+')
		}
	}
	b = append(b, "], proto "...)
	b = append(b, protoName(h.Protocol)...)
	b = append(b, " ("...)
	b = strconv.AppendUint(b, uint64(h.Protocol), 10)
	b = append(b, "), length "...)
	b = strconv.AppendUint(b, uint64(h.TotalLen), 10)
	if h.Options.n > 0 {
		b = append(b, ", options "...)
		b = strconv.AppendInt(b, int64(h.Options.n), 10)
		b = append(b, " bytes"...)
	}
	b = append(b, ") "...)
	b = h.Src.AppendTo(b)
	b = append(b, " > "...)
	return h.Dst.AppendTo(b)
}

// String returns the tcpdump -v form (see AppendText).
func (h *Header) String() string {
	var a [128]byte
	return string(h.AppendText(a[:0]))
}

// protoName names the protocols tcpdump names.
func protoName(p uint8) string {
	switch p {
	case ProtoICMP:
		return "ICMP"
	case ProtoTCP:
		return "TCP"
	case ProtoUDP:
		return "UDP"
	}
	return "unknown"
}
