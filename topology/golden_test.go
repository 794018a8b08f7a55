package topology

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// formatRecord prints a record on one line, fields in their order, read
// back from its JSONL line.
func formatRecord(r *sim.Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s %s", r.T, r.Kind(), r.Subject)
	dec := json.NewDecoder(bytes.NewReader(sim.AppendJSONL(nil, r)))
	dec.UseNumber()
	_, _ = dec.Token() // {
	for n := 0; dec.More(); n++ {
		k, _ := dec.Token()
		v, _ := dec.Token()
		if n >= 3 { // after t, kind and subject
			fmt.Fprintf(&b, " %s=%v", k, v)
		}
	}
	return b.String()
}

// impairedRun sends traffic both ways over a link with every impairment on,
// with a fault, a down/up and a partition, and returns the trace.
func impairedRun(t *testing.T) []string {
	g, s, rec := build(t, Spec{Hosts: []string{"a", "b"}, Routers: []string{"r"}, Links: []LinkSpec{
		{A: "a", B: "r", Config: LinkConfig{Name: "ar", Rate: 20 * units.Mbps, Delay: 2 * time.Millisecond, QueueLimitPackets: 5,
			Loss: GilbertElliott{P: 0.05, R: 0.3, LossGood: 0.01, LossBad: 0.6}, Jitter: 400 * time.Microsecond,
			Duplicate: 0.03, Corrupt: 0.03, Overhead: 14}},
		{A: "r", B: "b", Config: LinkConfig{Name: "rb", Rate: 5 * units.Mbps, Delay: 7 * time.Millisecond, QueueLimitBytes: 6000,
			Loss: Bernoulli(0.02), Jitter: time.Millisecond, Reorder: true}},
	}})
	ar, _ := g.Link("ar")
	rb, _ := g.Link("rb")
	var ids IDs
	ids.last = 1 << 20
	at := func(d time.Duration, fn func()) {
		_, err := s.At(sim.FromDuration(d), fn)
		require.NoError(t, err)
	}
	for i := 0; i < 400; i++ {
		n := 40 + (i*337)%1460
		at(time.Duration(i)*150*time.Microsecond, func() {
			ar.Send(0, &Packet{ID: ids.Next(), Data: make([]byte, n)})
			rb.Send(1, &Packet{ID: ids.Next(), Data: make([]byte, 1500-n)})
		})
	}
	at(20*time.Millisecond, func() { require.NoError(t, ar.Set(LinkChange{Rate: Ptr(2 * units.Mbps)})) })
	at(30*time.Millisecond, func() { rb.SetUp(false) })
	at(35*time.Millisecond, func() { rb.SetUp(true) })
	at(40*time.Millisecond, func() { require.NoError(t, g.Partition([][]string{{"a"}})) })
	at(45*time.Millisecond, g.Heal)
	s.Run()
	var lines []string
	for i := range rec.Records {
		lines = append(lines, formatRecord(&rec.Records[i]))
	}
	return lines
}

// TestTraceGolden pins the trace of an impaired run by its hash: the same
// seed must give the same bytes on any machine and in any later version,
// unless a change is meant (then run with -update and say why in the
// commit).
func TestTraceGolden(t *testing.T) {
	first := impairedRun(t)
	require.Equal(t, first, impairedRun(t), "two runs with the same seed differ")
	sum := sha256.Sum256([]byte(strings.Join(first, "\n") + "\n"))
	got := hex.EncodeToString(sum[:])
	path := filepath.Join("testdata", "impaired-trace.sha256")
	if testflags.Update() {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got+"\n"), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(string(want)), got, "trace hash (%d records); first lines:\n%s", len(first), strings.Join(first[:min(10, len(first))], "\n"))
	kinds := map[string]int{}
	for _, l := range first {
		kinds[strings.Fields(l)[1]]++
	}
	for _, k := range []sim.Kind{sim.KindPacketEnqueue, sim.KindPacketTx, sim.KindPacketRx, sim.KindPacketDrop, sim.KindPacketDuplicate, sim.KindLinkState} {
		assert.Positive(t, kinds[k.String()], "the run exercises %s", k)
	}
}
