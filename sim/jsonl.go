package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"unicode/utf8"

	"github.com/netsimlab/netsim/internal/addrcache"
	"github.com/netsimlab/netsim/internal/handoff"
)

// jsonlBufferSize is the size of the reader's input buffer.
const jsonlBufferSize = 64 << 10

// jsonlWriteBufferSize is the size of the writer's buffer: a busy trace
// (2.9 GiB for 10 simulated seconds of a 1 Gbps transfer) costs one
// write, and one sha256 update, per about 1,300 records. A traced
// 1 Gbps run measured faster with 256 KiB than with 1 MiB (282k-311k
// data packets per wall second against 260k-271k, in alternated runs
// at load 1.1-1.6), the buffers staying in the caches between the
// encoder, the sha256 and the kernel's copy; 128 KiB and 64 KiB were
// slower (more hand-overs, and buffers below the file writer's block
// are copied into its blocks).
const jsonlWriteBufferSize = 256 << 10

// JSONLWriter is a Sink that writes one JSON object per line:
//
//	{"t":1200000,"kind":"pkt.tx","subject":"link/l/a>b","id":7,"len":1500,...}
//
// The keys are always "t" (nanoseconds), "kind" and "subject", then the
// fields of the record's type in the order the type declares them. The
// bytes depend only on the records: integers print as integers, strings
// with the escapes of encoding/json (invalid UTF-8 becomes U+FFFD), and
// each type has its own hand-written encoder (no reflection, no
// allocation). So the same records give the same file on every machine,
// and Sum, a running sha256 of the bytes, can be held in a golden test.
// ReadJSONL reads the lines back into the same types.
//
// A write error is kept (see Err) and stops further output; Emit never
// fails, so a producer need not check after every record.
//
// Emit copies the record into a batch (the event by value, into an array
// of its type: no allocation) and returns; each full batch of
// jsonlBatchRecords records is encoded, sha256-hashed and written on a
// worker goroutine while the run fills another (batchesInFlight of them
// can wait for the worker). So on a machine with a free core the
// encoding, the sha256 and the write syscalls leave the simulation's
// thread, which only copies each record. That goroutine is I/O at the
// edge, outside the simulation path: it starts with the first full
// batch, sees only copies of finished records, in order (one batch at a
// time, as they were handed over; at most batchesInFlight wait and one
// more is being filled), and decides nothing the simulation reads. The
// lines are encoded into one large buffer, hashed and written whenever it is full: the bytes, the
// file and Sum are those of encoding on the calling goroutine. Flush,
// Sum and Err wait for the batches in flight and end the goroutine, so
// after any of them the underlying writer is no longer used until the
// next Emit: call one (Flush, normally) on every path before closing or
// discarding that writer. A trace smaller than a batch never starts a
// goroutine. The underlying writer is called from that goroutine, so
// whatever it shares with the caller (an error it records) must be
// guarded. A caller that is itself beside the simulation can have the
// lines encoded on its own goroutine instead (EncodeInline).
type JSONLWriter struct {
	w io.Writer
	h hash.Hash
	// Emit's side.
	q       batchQueue
	records uint64
	// chunks, after EncodeInline, hashes and writes full buffers of
	// lines instead: Emit encodes.
	chunks *handoff.Worker[chunk]
	// The encoder's side: while batches are in flight, only the worker
	// goroutine touches these (and h and w). After EncodeInline, buf,
	// hashed and heads are Emit's, and the worker has h, w, err and
	// bytes while buffers are in flight.
	buf    []byte
	hashed int   // buf[:hashed] is in h already
	err    error // the first write error
	bytes  int64 // handed out of buf so far
	// heads caches the heads of lines (kind and subject, as JSON) by
	// subject (its address: see internal/addrcache) and kind.
	heads [64]addrcache.Slot[lineHead]
}

// lineHead is the part of a line after its time and before its fields,
// `,"kind":"pkt.tx","subject":"link/l/a>b"`, for one kind and the subject
// its slot holds. The producers name a subject with the same string every
// time, so the head is found by the string's address and length.
type lineHead struct {
	kind Kind
	len  uint8
	b    [maxLineHead]byte
}

// maxLineHead is the longest head cached; a longer one is written each
// time.
const maxLineHead = 118

// NewJSONLWriter returns a writer that writes trace lines to w.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	j := &JSONLWriter{w: w, h: sha256.New(), buf: make([]byte, 0, jsonlWriteBufferSize)}
	j.q = newBatchQueue(j.encode)
	return j
}

// Emit writes r as one line (a copy of it, encoded later: see
// JSONLWriter). Once both batches exist it allocates nothing (a line
// longer than the buffer grows it once). A nil r, or one without an
// event, is ignored.
func (j *JSONLWriter) Emit(r *Record) {
	if r == nil || r.Event == nil {
		return
	}
	j.records++
	if j.chunks == nil {
		j.q.add(r)
		return
	}
	j.line(r)
	if len(j.buf) >= jsonlBufferFull {
		next, ok := j.chunks.Hand(chunk{j.buf, j.hashed})
		if !ok {
			next.b = make([]byte, 0, jsonlWriteBufferSize)
		}
		j.buf, j.hashed = next.b[:0], 0
	}
}

// EncodeInline makes Emit encode each record at once, on the caller's
// goroutine, and hand only each full buffer of lines to the worker
// goroutine, which hashes and writes it. It is for a caller that is
// itself beside the simulation (the sink of an Async, as in netsim run):
// no record is copied into a batch, and the encoding runs on the
// caller's goroutine, leaving the worker the sha256 and the write
// syscalls. The bytes, the file and Sum are the same. It may be called
// at any time (it waits for the batches in flight and encodes the
// records not handed over); Flush, Sum, Err and Bytes wait for the
// buffers in flight as they wait for batches. Up to chunksInFlight full
// buffers can wait for the worker.
func (j *JSONLWriter) EncodeInline() {
	if j.chunks != nil {
		return
	}
	j.q.stop()
	j.encode(j.q.batch)
	j.chunks = handoff.NewDepth(j.writeChunk, chunksInFlight)
}

// chunk is a buffer of whole lines whose bytes from hashed on are not in
// the sha256 yet.
type chunk struct {
	b      []byte
	hashed int
}

// chunksInFlight is the number of full buffers of lines EncodeInline's
// Emit hands over before it waits for the first of them to be hashed and
// written (see batchesInFlight: the encoding and the sha256 took turns on
// one core while one buffer was in flight). Sixteen are 4 MiB.
const chunksInFlight = 16

// jsonlBufferFull is the length at which the buffer of lines is hashed
// and written: a line rarely takes the last 4 KiB, so the buffer seldom
// grows.
const jsonlBufferFull = jsonlWriteBufferSize - 4<<10

// encode appends the lines of b's records to buf, hashing and writing buf
// whenever it is full, and empties b.
func (j *JSONLWriter) encode(b *recordBatch) {
	for i := range b.recs {
		j.line(&b.recs[i])
		if len(j.buf) >= jsonlBufferFull {
			j.write()
		}
	}
	b.reset()
}

// line appends r's line to buf: AppendJSONL, with the head from the
// cache.
func (j *JSONLWriter) line(r *Record) {
	dst := appendKeyInt(j.buf, `{"t":`, int64(r.T))
	dst = j.head(dst, r)
	dst = appendFields(dst, r.Event)
	j.buf = append(dst, '}', '\n')
}

// head appends r's head, `,"kind":...,"subject":...`, from the cache
// when r's kind and subject have been seen before. Writing the subject
// as a JSON string, byte by byte, and the kind took a quarter of the time
// to encode a line.
func (j *JSONLWriter) head(dst []byte, r *Record) []byte {
	k := r.Kind()
	// A subject (a link direction, a connection) has records of several
	// kinds: the kind takes part in the slot's index.
	h := &j.heads[(addrcache.Index(r.Subject, len(j.heads))^int(k)*0x9e37)&(len(j.heads)-1)]
	if h.Holds(r.Subject) && h.V.kind == k {
		return append(dst, h.V.b[:h.V.len]...)
	}
	start := len(dst)
	dst = appendHead(dst, k, r.Subject)
	if m := len(dst) - start; m <= maxLineHead && r.Subject != "" {
		h.Keep(r.Subject, lineHead{kind: k, len: uint8(m)})
		copy(h.V.b[:], dst[start:])
	}
	return dst
}

// appendHead appends the head of a line of kind k about subject.
func appendHead(dst []byte, k Kind, subject string) []byte {
	dst = append(dst, `,"kind":"`...)
	dst = append(dst, k.String()...)
	dst = append(dst, `","subject":`...)
	return appendJSONString(dst, subject)
}

// write hashes buf[hashed:], writes buf unless a write failed before, and
// empties it.
func (j *JSONLWriter) write() {
	j.writeChunk(chunk{j.buf, j.hashed})
	j.buf, j.hashed = j.buf[:0], 0
}

// writeChunk hashes c.b[c.hashed:] and writes c.b unless a write failed
// before.
func (j *JSONLWriter) writeChunk(c chunk) {
	j.h.Write(c.b[c.hashed:]) // a hash.Hash never returns an error
	if j.err == nil && len(c.b) > 0 {
		if _, err := j.w.Write(c.b); err != nil {
			j.err = err
		}
	}
	j.bytes += int64(len(c.b))
}

// stop waits for the batches or buffers in flight and ends the goroutine.
func (j *JSONLWriter) stop() {
	j.q.stop()
	if j.chunks != nil {
		j.chunks.Stop()
	}
}

// Flush writes any buffered output to the underlying writer and returns the
// first error met by this writer, if any. It waits for the batches in
// flight, ends the goroutine and encodes the records not handed over:
// after it, the underlying writer can be flushed and closed.
func (j *JSONLWriter) Flush() error {
	j.stop()
	j.encode(j.q.batch)
	j.write()
	return j.err
}

// Err returns the first error met while writing, or nil. It waits for the
// batches in flight and ends the goroutine, so call it after a run, not
// after every record.
func (j *JSONLWriter) Err() error {
	j.stop()
	return j.err
}

// Sum returns the hex sha256 of every line emitted so far. When Flush
// returned nil it is the sha256 of the bytes the underlying writer received.
// It waits for the batches in flight, ends the goroutine and encodes the
// records not handed over (which may write a full buffer).
func (j *JSONLWriter) Sum() string {
	j.stop()
	j.encode(j.q.batch)
	j.h.Write(j.buf[j.hashed:])
	j.hashed = len(j.buf)
	var b [sha256.Size]byte
	return hex.EncodeToString(j.h.Sum(b[:0]))
}

// Records returns the number of records emitted.
func (j *JSONLWriter) Records() uint64 { return j.records }

// Bytes returns the number of bytes emitted, newlines included. Like Sum,
// it waits for the batches in flight and encodes the records not handed
// over.
func (j *JSONLWriter) Bytes() int64 {
	j.stop()
	j.encode(j.q.batch)
	return j.bytes + int64(len(j.buf))
}

// AppendJSONL appends r as one JSONL trace line, newline included, to dst
// and returns the extended slice. It is the encoding JSONLWriter writes.
// A record without an event writes only its time, "kind":"unknown" and
// subject.
func AppendJSONL(dst []byte, r *Record) []byte {
	dst = appendKeyInt(dst, `{"t":`, int64(r.T))
	dst = appendHead(dst, r.Kind(), r.Subject)
	if r.Event != nil {
		dst = appendFields(dst, r.Event)
	}
	return append(dst, '}', '\n')
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string (RFC 8259 §7) with the escapes
// encoding/json uses without its HTML escaping: quote, backslash, control
// characters (\n \r \t \b \f, others as \u00XX), U+2028 and U+2029;
// each invalid UTF-8 byte becomes \ufffd.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
