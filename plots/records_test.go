package plots

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/netsimlab/netsim/sim"
)

// tfield is one field of a fixture record, by its JSONL key.
type tfield struct {
	key string
	val any
}

func tInt(k string, v int64) tfield   { return tfield{k, v} }
func tUint(k string, v uint64) tfield { return tfield{k, v} }
func tStr(k, v string) tfield         { return tfield{k, v} }
func tBool(k string, v bool) tfield   { return tfield{k, v} }

// record builds a typed record from its kind and fields by way of its
// JSONL line, so that a fixture reads the way a trace.jsonl does. A
// fixture the trace reader refuses panics: it is a broken test.
func record(t sim.Time, kind sim.Kind, subject string, fields ...tfield) sim.Record {
	var b strings.Builder
	fmt.Fprintf(&b, `{"t":%d,"kind":%q,"subject":`, t, kind.String())
	js, _ := json.Marshal(subject)
	b.Write(js)
	for _, f := range fields {
		k, _ := json.Marshal(f.key)
		v, err := json.Marshal(f.val)
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(&b, ",%s:%s", k, v)
	}
	b.WriteString("}\n")
	var out sim.Record
	if err := sim.ReadJSONL(strings.NewReader(b.String()), func(r *sim.Record) error { out = *r; return nil }); err != nil {
		panic(fmt.Sprintf("fixture %s: %v", b.String(), err))
	}
	return out
}
