package nodes

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
)

func TestPcapWriterReadBack(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf, 0)
	require.NoError(t, err)
	pkts := []struct {
		at   sim.Time
		data []byte
	}{
		{0, []byte{0x45, 0, 0, 20}},
		{sim.Time(1_500_000_123), []byte{0x45, 1, 2, 3, 4, 5}},
		{sim.Time(3*time.Second + 999_999_999), bytes.Repeat([]byte{0x45}, 1500)},
	}
	for _, p := range pkts {
		require.NoError(t, w.WritePacket(p.at, p.data))
	}
	assert.EqualValues(t, 3, w.Packets())

	// An independent reader (gopacket) agrees on every field.
	r, err := pcapgo.NewReader(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, layers.LinkType(LinkTypeRaw), r.LinkType())
	assert.EqualValues(t, 101, r.LinkType(), "LINKTYPE_RAW")
	for i, p := range pkts {
		data, ci, err := r.ReadPacketData()
		require.NoError(t, err, "packet %d", i)
		assert.Equal(t, p.data, data)
		assert.Equal(t, int64(p.at), ci.Timestamp.UnixNano(), "nanosecond timestamp of packet %d", i)
		assert.Equal(t, len(p.data), ci.Length)
	}
}

// With a snaplen, each record keeps the packet's first bytes and its
// original length, and the file header declares the snaplen, as
// tcpdump -s writes it.
func TestPcapWriterSnapLen(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf, 40)
	require.NoError(t, err)
	long := bytes.Repeat([]byte{0x45, 7}, 750)
	require.NoError(t, w.WritePacket(5, long))
	require.NoError(t, w.WritePacket(6, long[:30]))
	r, err := pcapgo.NewReader(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.EqualValues(t, 40, r.Snaplen())
	data, ci, err := r.ReadPacketData()
	require.NoError(t, err)
	assert.Equal(t, long[:40], data)
	assert.Equal(t, 40, ci.CaptureLength)
	assert.Equal(t, 1500, ci.Length, "the original length")
	data, ci, err = r.ReadPacketData()
	require.NoError(t, err)
	assert.Equal(t, long[:30], data, "a shorter packet is whole")
	assert.Equal(t, 30, ci.Length)

	buf.Reset()
	_, err = NewPcapWriter(&buf, 0)
	require.NoError(t, err)
	r, err = pcapgo.NewReader(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.EqualValues(t, MaxSnapLen, r.Snaplen(), "0: whole packets")
}

// lender is a writer that lends its buffer, as bufio.Writer does, and
// counts the writes that were built in place.
type lender struct {
	buf     []byte
	inPlace int
}

func (l *lender) AvailableBuffer() []byte { return l.buf[len(l.buf):len(l.buf)] }

func (l *lender) Write(p []byte) (int, error) {
	if free := l.buf[len(l.buf):cap(l.buf)]; len(p) > 0 && len(p) <= len(free) && &p[0] == &free[0] {
		l.inPlace++
		l.buf = l.buf[:len(l.buf)+len(p)]
		return len(p), nil
	}
	l.buf = append(l.buf, p...)
	return len(p), nil
}

// WriteDatagram writes what WritePacket writes for the completed packet,
// whether the writer lends its buffer (then in place) or not, with and
// without a snaplen; the packet's payload stays by reference.
func TestPcapWriteDatagram(t *testing.T) {
	payload := bytes.Repeat([]byte{9}, 1400)
	mk := func() *topology.Packet {
		p := &topology.Packet{ID: 1, Data: make([]byte, 60+len(payload))}
		for i := range 60 {
			p.Data[i] = byte(i)
		}
		p.DeferPayload(payload)
		p.DeferChecksum(func(b, _ []byte) { b[30] = b[len(b)-1] })
		return p
	}
	for _, snap := range []int{0, 40} {
		var want bytes.Buffer
		ww, err := NewPcapWriter(&want, snap)
		require.NoError(t, err)
		done := mk()
		done.Complete()
		require.NoError(t, ww.WritePacket(7, done.Data))
		require.NoError(t, ww.WritePacket(8, done.Data))

		var plain bytes.Buffer
		l := &lender{buf: make([]byte, 0, 1<<16)}
		for _, w := range []io.Writer{&plain, l} {
			pw, err := NewPcapWriter(w, snap)
			require.NoError(t, err)
			p := mk()
			require.NoError(t, pw.WriteDatagram(7, p))
			require.NoError(t, pw.WriteDatagram(8, p))
			assert.Equal(t, payload, p.DeferredPayload(), "the payload stays by reference")
		}
		assert.Equal(t, want.Bytes(), plain.Bytes(), "snaplen %d", snap)
		assert.Equal(t, want.Bytes(), l.buf, "snaplen %d, lent buffer", snap)
		assert.Equal(t, 2, l.inPlace, "both records built in place")
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(b []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("disk full")
	}
	f.after--
	return len(b), nil
}

func TestPcapWriterErrors(t *testing.T) {
	_, err := NewPcapWriter(&failWriter{}, 0)
	require.ErrorContains(t, err, "disk full")

	w, err := NewPcapWriter(&failWriter{after: 1}, 0)
	require.NoError(t, err)
	require.ErrorContains(t, w.WritePacket(5, []byte{0x45}), "disk full")
	require.Error(t, w.WritePacket(-1, []byte{0x45}))
}

// captureAll captures every interface of n into its own buffer, keyed
// "node-iface".
func captureAll(t *testing.T, n *Network) map[string]*bytes.Buffer {
	t.Helper()
	bufs := map[string]*bytes.Buffer{}
	require.NoError(t, n.EnableCaptures(func(node, iface string) (io.Writer, error) {
		b := &bytes.Buffer{}
		bufs[node+"-"+iface] = b
		return b, nil
	}, 0))
	return bufs
}

// capturedPacket is one record of a pcap file.
type capturedPacket struct {
	data []byte
	// at is the capture timestamp in nanoseconds.
	at int64
}

// readCapture reads every record of a pcap file with gopacket's reader.
func readCapture(t *testing.T, b []byte) []capturedPacket {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	var pkts []capturedPacket
	for {
		d, ci, err := r.ReadPacketData()
		if err == io.EOF {
			return pkts
		}
		require.NoError(t, err)
		pkts = append(pkts, capturedPacket{data: d, at: ci.Timestamp.UnixNano()})
	}
}
