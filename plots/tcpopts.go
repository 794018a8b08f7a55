package plots

import (
	"strconv"
	"strings"
)

// The opts field of pkt.send holds the options in wire order as tcpdump and
// packetdrill print them: "mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7",
// possibly inside "<...>". SACK blocks appear as "sack 1449:2897 4345:5793"
// (packetdrill) or "sack 2 {1449:2897}{4345:5793}" (tcpdump).

// optWScale returns the window scale shift an options text offers.
func optWScale(opts string) (int, bool) {
	for _, o := range splitOpts(opts) {
		if v, ok := strings.CutPrefix(o, "wscale "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 {
				return 0, false
			}
			// RFC 7323 §2.3: a shift above 14 is used as 14.
			return min(n, 14), true
		}
	}
	return 0, false
}

// sackBlock is a SACK block as printed, [start, end).
type sackBlock struct{ start, end int64 }

// optSACK returns the SACK blocks an options text holds.
func optSACK(opts string) []sackBlock {
	var out []sackBlock
	for _, o := range splitOpts(opts) {
		v, ok := strings.CutPrefix(o, "sack ")
		if !ok {
			continue
		}
		v = strings.NewReplacer("{", " ", "}", " ").Replace(v)
		for _, f := range strings.Fields(v) {
			a, b, ok := strings.Cut(f, ":")
			if !ok {
				continue // tcpdump's block count
			}
			s, err1 := strconv.ParseInt(a, 10, 64)
			e, err2 := strconv.ParseInt(b, 10, 64)
			if err1 == nil && err2 == nil {
				out = append(out, sackBlock{start: s, end: e})
			}
		}
	}
	return out
}

func splitOpts(opts string) []string {
	opts = strings.TrimSpace(opts)
	opts = strings.TrimPrefix(opts, "<")
	opts = strings.TrimSuffix(opts, ">")
	if opts == "" {
		return nil
	}
	parts := strings.Split(opts, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
