package plots

import (
	"strings"

	"github.com/netsimlab/netsim/sim"
)

// The record readers below accept any numeric field type, so that records
// read back from trace.jsonl (whose number types depend on the reader) and
// records built in memory read the same.

// fieldInt returns the field key of r as an integer.
func fieldInt(r *sim.Record, key string) (int64, bool) {
	f, ok := r.Get(key)
	if !ok {
		return 0, false
	}
	switch f.Type {
	case sim.FieldInt, sim.FieldBool:
		return f.Int, true
	case sim.FieldUint:
		return int64(f.Uint), true
	case sim.FieldFloat:
		return int64(f.Num), true
	}
	return 0, false
}

// fieldStr returns the field key of r as a string.
func fieldStr(r *sim.Record, key string) string {
	f, ok := r.Get(key)
	if !ok || f.Type != sim.FieldString {
		return ""
	}
	return f.Str
}

// fieldBool reports whether the field key of r is present and true.
func fieldBool(r *sim.Record, key string) bool {
	f, ok := r.Get(key)
	if !ok {
		return false
	}
	switch f.Type {
	case sim.FieldBool, sim.FieldInt:
		return f.Int != 0
	case sim.FieldUint:
		return f.Uint != 0
	case sim.FieldString:
		return f.Str == "true"
	}
	return false
}

// nodeName returns the node a "host/<name>" or "router/<name>" subject
// names, and whether it is a router.
func nodeName(subject string) (name string, router, ok bool) {
	if n, found := strings.CutPrefix(subject, "host/"); found {
		return n, false, true
	}
	if n, found := strings.CutPrefix(subject, "router/"); found {
		return n, true, true
	}
	return "", false, false
}

// linkDir splits a "link/<name>/<from>><to>" subject.
func linkDir(subject string) (name, from, to string, ok bool) {
	rest, found := strings.CutPrefix(subject, "link/")
	if !found {
		return "", "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return "", "", "", false
	}
	from, to, found = strings.Cut(rest[i+1:], ">")
	if !found {
		return "", "", "", false
	}
	return rest[:i], from, to, true
}
