package view

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
)

// columnChunk is how many bytes of a column gather before they are
// deflated.
const columnChunk = 64 << 10

// column is one of the page's packet columns as the encoder writes it:
// its varints (or, for the captured bytes, its runs) and, for a column of
// varints, the same values as (value, count) runs, each
// deflated at BestSpeed as it grows. The encoder so holds a few bytes a
// packet instead of the whole columns (88 MB for a million packets); the
// page is made from whichever form is shorter (chosen).
type column struct {
	raw  deflated
	runs *deflated // nil for the captured bytes
	// last and count are the run of equal values not yet written to runs.
	last, count uint64
}

// deflated is a stream of bytes kept deflated, with its length.
type deflated struct {
	pend []byte
	z    bytes.Buffer
	w    *flate.Writer
	n    int
}

func (d *deflated) write(b []byte) {
	d.pend = append(d.pend, b...)
	d.n += len(b)
	if len(d.pend) >= columnChunk {
		d.flush()
	}
}

func (d *deflated) flush() {
	if len(d.pend) == 0 {
		return
	}
	if d.w == nil {
		d.w, _ = flate.NewWriter(&d.z, flate.BestSpeed) // BestSpeed is a valid level
	}
	d.w.Write(d.pend) // a bytes.Buffer's writes do not fail
	d.pend = d.pend[:0]
}

// copyTo writes the bytes of the stream to w.
func (d *deflated) copyTo(w io.Writer) error {
	if d.w != nil {
		d.flush()
		if err := d.w.Close(); err != nil {
			return err
		}
		n, err := io.Copy(w, flate.NewReader(&d.z))
		if err != nil {
			return err
		}
		if n != int64(d.n) {
			return fmt.Errorf("%d bytes of %d", n, d.n)
		}
		return nil
	}
	_, err := w.Write(d.pend)
	return err
}

func newColumn(runs bool) *column {
	c := &column{}
	if runs {
		c.runs = &deflated{}
	}
	return c
}

// value appends one uvarint.
func (c *column) value(v uint64) {
	var b [binary.MaxVarintLen64]byte
	c.raw.write(binary.AppendUvarint(b[:0], v))
	if c.runs == nil {
		return
	}
	if c.count > 0 && v == c.last {
		c.count++
		return
	}
	c.endRun()
	c.last, c.count = v, 1
}

func (c *column) endRun() {
	if c.count > 0 {
		var b [2 * binary.MaxVarintLen64]byte
		c.runs.write(binary.AppendUvarint(binary.AppendUvarint(b[:0], c.last), c.count))
		c.count = 0
	}
}

// chosen returns the form the page carries, and whether it is the runs:
// only where they halve the column at least (a column of short runs, a
// bulk transfer's senders alternating, reads faster as it is).
func (c *column) chosen() (*deflated, bool) {
	if c.runs != nil {
		c.endRun()
		if 2*c.runs.n < c.raw.n {
			return c.runs, true
		}
	}
	return &c.raw, false
}
