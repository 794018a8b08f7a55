package scenarios

import (
	"strings"

	"github.com/netsimlab/netsim/sim"
)

// Small readers of trace record fields: a missing field reads as the zero
// value, so a summary of a trace from an older netsim degrades instead of
// failing.

func fStr(r *sim.Record, key string) string {
	f, ok := r.Get(key)
	if !ok || f.Type != sim.FieldString {
		return ""
	}
	return f.Str
}

func fInt(r *sim.Record, key string) int64 {
	f, ok := r.Get(key)
	if !ok {
		return 0
	}
	switch f.Type {
	case sim.FieldInt, sim.FieldBool:
		return f.Int
	case sim.FieldUint:
		return int64(f.Uint)
	case sim.FieldFloat:
		return int64(f.Num)
	}
	return 0
}

func fBool(r *sim.Record, key string) bool {
	f, ok := r.Get(key)
	return ok && f.Type == sim.FieldBool && f.Int != 0
}

// hostOf returns the host name of a "host/<name>" or "app/<host>/<type>"
// subject.
func hostOf(subject string) string {
	for _, p := range []string{"host/", "app/"} {
		if rest, ok := strings.CutPrefix(subject, p); ok {
			name, _, _ := strings.Cut(rest, "/")
			return name
		}
	}
	return ""
}
