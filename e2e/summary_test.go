package e2e

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullSummary is summary.json with its link and node tables.
type fullSummary struct {
	Connections []struct {
		ID             int64             `json:"id"`
		EstablishedAt  int64             `json:"established_at"`
		FinalState     map[string]string `json:"final_state"`
		BytesDelivered int64             `json:"bytes_delivered"`
		BytesSent      int64             `json:"bytes_sent"`
		Retransmits    int64             `json:"retransmits"`
		Reverse        struct {
			BytesDelivered int64 `json:"bytes_delivered"`
		} `json:"reverse"`
	} `json:"connections"`
	Links []struct {
		Link             string           `json:"link"`
		Direction        string           `json:"direction"`
		PacketsSent      int64            `json:"packets_sent"`
		Dropped          map[string]int64 `json:"dropped"`
		QueuePeakPackets int64            `json:"queue_peak_packets"`
	} `json:"links"`
	Nodes []struct {
		Node    string           `json:"node"`
		Dropped map[string]int64 `json:"dropped"`
	} `json:"nodes"`
}

// TestSummaryAgreesWithTrace: summary.json is computed from the trace, so
// every count in it can be recounted from trace.jsonl.
func TestSummaryAgreesWithTrace(t *testing.T) {
	t.Parallel()
	slow(t)
	for _, sc := range []string{"../scenarios/lossy-link.yaml", "../scenarios/bulk-transfer.yaml", "../scenarios/request-response.yaml"} {
		t.Run(filepath.Base(sc), func(t *testing.T) {
			t.Parallel()
			dir := run(t, sc)
			recs := readTrace(t, dir)
			var s fullSummary
			require.NoError(t, json.Unmarshal(readFile(t, dir, "summary.json"), &s))
			require.NotEmpty(t, s.Connections)

			type connCount struct {
				established, rtx, delivered int64
				final                       map[string]string
			}
			cc := map[int64]*connCount{}
			get := func(id int64) *connCount {
				if cc[id] == nil {
					cc[id] = &connCount{established: -1, final: map[string]string{}}
				}
				return cc[id]
			}
			txs, peaks := map[string]int64{}, map[string]int64{}
			drops := map[string]map[string]int64{}
			for _, r := range recs {
				switch r.Kind {
				case "tcp.state":
					c := get(r.Conn)
					c.final[r.Side] = r.To
					if r.Side == "client" && r.To == "ESTABLISHED" {
						c.established = r.T
					}
				case "tcp.retransmit":
					if r.Side == "client" {
						get(r.Conn).rtx++
					}
				case "app":
					if r.Event == "recv" && r.Conn != 0 {
						// What either end's application read.
						get(r.Conn).delivered += r.Bytes
					}
				case "pkt.tx":
					txs[r.Subject]++
				case "pkt.enqueue":
					peaks[r.Subject] = max(peaks[r.Subject], r.Qlen)
				case "pkt.drop":
					if drops[r.Subject] == nil {
						drops[r.Subject] = map[string]int64{}
					}
					drops[r.Subject][r.Reason]++
				}
			}
			for _, c := range s.Connections {
				want := get(c.ID)
				assert.Equal(t, want.established, c.EstablishedAt, "conn %d established_at", c.ID)
				assert.Equal(t, want.rtx, c.Retransmits, "conn %d retransmits", c.ID)
				assert.Equal(t, want.final, c.FinalState, "conn %d final_state", c.ID)
				assert.Equal(t, want.delivered, c.BytesDelivered+c.Reverse.BytesDelivered, "conn %d: bytes the applications read", c.ID)
			}
			for _, l := range s.Links {
				sub := "link/" + l.Link + "/" + l.Direction
				assert.Equal(t, txs[sub], l.PacketsSent, "%s packets_sent", sub)
				assert.Equal(t, peaks[sub], l.QueuePeakPackets, "%s queue_peak_packets", sub)
				got := l.Dropped
				if got == nil {
					got = map[string]int64{}
				}
				want := drops[sub]
				if want == nil {
					want = map[string]int64{}
				}
				assert.Equal(t, want, got, "%s dropped", sub)
			}
			for _, n := range s.Nodes {
				assert.Equal(t, drops[n.Node], n.Dropped, "%s dropped", n.Node)
			}
		})
	}
}
