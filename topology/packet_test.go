package topology

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The checksum state of a packet through what a link and a capture do to
// it: DeferChecksum trusts, Complete fills once, Clone keeps the state,
// Corrupt fills first and withdraws the trust.
func TestPacketChecksumState(t *testing.T) {
	fills := 0
	fill := func(b, _ []byte) { fills++; b[0] = 0xAA }
	p := &Packet{ID: 1, Data: []byte{0, 0, 0, 0}}
	assert.False(t, p.Trusted(), "a packet made by hand is verified")
	p.Complete()
	assert.Equal(t, 0, fills, "nothing pending")

	p.DeferChecksum(fill)
	assert.True(t, p.Trusted())
	c := p.Clone(2)
	assert.Equal(t, uint64(2), c.ID)
	assert.True(t, c.Trusted(), "a duplicate is as trustworthy as the original")

	p.Complete()
	p.Complete()
	assert.Equal(t, 1, fills, "filled once")
	assert.Equal(t, byte(0xAA), p.Data[0])
	assert.True(t, p.Trusted(), "completing changes no byte the sender made")
	assert.Equal(t, byte(0), c.Data[0], "the clone has its own bytes, still pending")

	c.Corrupt(9) // byte 1, bit 1
	assert.Equal(t, 2, fills, "the checksum is filled before the bit flips")
	assert.Equal(t, []byte{0xAA, 2, 0, 0}, c.Data)
	assert.False(t, c.Trusted(), "the receiver must verify a corrupted packet")
	assert.True(t, p.Trusted(), "the original keeps its trust")
}

// A payload carried by reference is written into Data by Complete, after
// the header and before the checksum, once; a clone carries the same
// reference; Corrupt writes the payload before it flips a bit of it.
func TestPacketDeferredPayload(t *testing.T) {
	payload := []byte{7, 8, 9}
	var sawPayload []byte
	fill := func(b, _ []byte) { sawPayload = append([]byte(nil), b[2:]...); b[0] = 0xCC }
	p := &Packet{ID: 1, Data: []byte{1, 2, 0, 0, 0}}
	p.DeferPayload(payload)
	p.DeferChecksum(fill)
	assert.Equal(t, payload, p.DeferredPayload())
	c := p.Clone(2)
	assert.Equal(t, payload, c.DeferredPayload(), "a duplicate carries the same reference")

	p.Complete()
	assert.Equal(t, []byte{0xCC, 2, 7, 8, 9}, p.Data)
	assert.Equal(t, payload, sawPayload, "the checksum is computed over the payload")
	assert.Nil(t, p.DeferredPayload(), "nothing left out once complete")
	assert.Equal(t, []byte{1, 2, 0, 0, 0}, c.Data, "the clone is still pending")

	c.Corrupt(8*4 + 0) // byte 4, bit 0
	assert.Equal(t, []byte{0xCC, 2, 7, 8, 8}, c.Data, "the payload's own byte is flipped")
	assert.Nil(t, c.DeferredPayload())
	assert.Equal(t, []byte{7, 8, 9}, payload, "the referenced bytes are never written")
}

// AppendWire appends the bytes Complete would make, without writing the
// payload into Data: the receiver still takes it by reference. The
// checksum is computed once, over the payload, and kept in Data's
// header; Complete then writes the payload alone.
func TestPacketAppendWire(t *testing.T) {
	payload := []byte{7, 8, 9}
	fills := 0
	fill := func(b, _ []byte) { fills++; b[0] = 0xC0 + b[len(b)-1] }
	p := &Packet{ID: 1, Data: []byte{1, 2, 0, 0, 0}}
	p.DeferPayload(payload)
	p.DeferChecksum(fill)

	dst := p.AppendWire([]byte{0xEE})
	assert.Equal(t, []byte{0xEE, 0xC9, 2, 7, 8, 9}, dst, "after dst's bytes, as on a wire")
	assert.Equal(t, payload, p.DeferredPayload(), "the payload stays by reference")
	assert.Equal(t, []byte{0xC9, 2}, p.Data[:2], "the header keeps the checksum")
	assert.True(t, p.Trusted())

	assert.Equal(t, []byte{0xC9, 2, 7, 8, 9}, p.AppendWire(nil), "a second capture: the same bytes")
	assert.Equal(t, 1, fills, "computed once")
	p.Complete()
	assert.Equal(t, []byte{0xC9, 2, 7, 8, 9}, p.Data)
	assert.Equal(t, 1, fills)

	// A packet whose payload is in Data is completed and appended.
	q := &Packet{ID: 2, Data: []byte{1, 2, 3}}
	q.DeferChecksum(fill)
	assert.Equal(t, []byte{0xC3, 2, 3}, q.AppendWire(nil))
	assert.Equal(t, []byte{0xC3, 2, 3}, q.Data)
	assert.Equal(t, 2, fills)
}
