// Package view turns a run's output folder (trace.jsonl, summary.json,
// manifest.json and the pcaps, as docs/outputs.md describes them) into one
// self-contained interactive HTML page: the connections, a sequence
// diagram, a time-sequence graph with cwnd and RTT, a packet table with
// filters and every header field of a packet, and the summary tables.
//
// The page needs no network: its script and style are inline and written
// for netsim; the run's data rides in the page as JSON and its packets in
// compact gzipped columns (packets.go), so that every packet of a
// 1 Gbit/s × 10 s run fits in one page a browser opens in seconds. What
// goes into the page can be bounded (Options.MaxPackets, a time window,
// one connection); the page says what was left out.
package view

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/netsimlab/netsim/internal/capped"
	"github.com/netsimlab/netsim/sim"
)

// DefaultMaxPackets is how many packets a page holds unless told otherwise:
// every packet of a 1 Gbit/s × 10 s bulk transfer (1.24 million), which
// the page's compact packet columns carry in about 15 MB.
const DefaultMaxPackets = 2_000_000

// Options bound what goes into the page.
type Options struct {
	// Conn keeps one connection's packets, states and series; 0 keeps all.
	Conn uint64
	// From and To keep what happened in [From, To]; To 0 means the end.
	From, To sim.Time
	// MaxPackets is the most packets embedded (the first ones of the
	// window); 0 means DefaultMaxPackets.
	MaxPackets int
	// NodeOrder is the scenario's nodes in the order it declares them:
	// lifelines the network puts at one place follow it, and natural
	// name order for nodes it does not list (nil: natural name order).
	NodeOrder []string
}

// Page is the data of one page, built by Build and written by WriteHTML.
type Page struct {
	data pageData
	// packets is the packets' compact form (packets.go), shown of them.
	packets string
	shown   int
}

// Packets returns how many packets the page holds and how many packets of
// the window and connection were left out by the MaxPackets bound.
func (p *Page) Packets() (shown, left int) {
	return p.shown, p.data.Cut.PacketsLeft
}

// Build reads the output folder dir: trace is its trace.jsonl, opened by
// the caller (which may cap its line length); summary.json, manifest.json
// and pcap/*.pcap are read from dir when they are there. A malformed trace
// or JSON file is an error naming the file.
func Build(dir string, trace io.Reader, opts Options) (*Page, error) {
	if opts.MaxPackets <= 0 {
		opts.MaxPackets = DefaultMaxPackets
	}
	if opts.To != 0 && opts.To < opts.From {
		return nil, fmt.Errorf("view: window ends (%v) before it starts (%v)", opts.To, opts.From)
	}
	c := newCollector(opts, filepath.Join(dir, "pcap"))
	defer c.caps.close()
	if err := sim.ReadJSONL(trace, c.add); errors.Is(err, errCapture) {
		return nil, c.err
	} else if err != nil && !errors.Is(err, errEnough) {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "trace.jsonl"), err)
	}
	data, packets, err := c.finish()
	if err != nil {
		return nil, err
	}
	p := &Page{data: data, packets: packets, shown: c.shown}
	if err := p.readJSONFiles(dir); err != nil {
		return nil, err
	}
	return p, nil
}

// readJSONFiles embeds summary.json and the few fields of manifest.json
// the page shows; either may be missing (an interrupted or drill run).
func (p *Page) readJSONFiles(dir string) error {
	sum, err := readOptional(filepath.Join(dir, "summary.json"))
	if err != nil {
		return err
	}
	if sum != nil {
		var compact bytes.Buffer
		if err := json.Compact(&compact, sum); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, "summary.json"), err)
		}
		p.data.Summary = compact.Bytes()
	}
	man, err := readOptional(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return err
	}
	if man != nil {
		if err := json.Unmarshal(man, &p.data.Meta); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
		}
	}
	p.data.Meta.Dir = filepath.Base(filepath.Clean(dir))
	return nil
}

// readOptional reads a file that may be absent (nil, nil), with netsim's
// input cap.
func readOptional(path string) ([]byte, error) {
	b, err := capped.ReadFile(path, capped.MaxInput)
	if os.IsNotExist(err) {
		return nil, nil
	}
	return b, err
}

// HasConn reports whether connection id has anything in the page.
func (p *Page) HasConn(id uint64) bool {
	for _, c := range p.data.Conns {
		if c.ID == id {
			return true
		}
	}
	return false
}
