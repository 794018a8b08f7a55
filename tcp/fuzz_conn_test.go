package tcp

import (
	"testing"
	"time"
)

// FuzzConnInput feeds arbitrary segments, user calls and timer ticks to an
// established connection. Whatever arrives, the Conn must not panic and its
// send sequence variables must stay ordered (SND.UNA <= SND.NXT <=
// SND.MAX).
func FuzzConnInput(f *testing.F) {
	f.Add([]byte{0x10, 0, 0, 0, 1, 0, 0, 0x13, 0x89, 0, 0, 0, 100, 0, 10})
	f.Add([]byte{0x11, 0, 0, 0, 1, 0, 0, 0x13, 0x89, 1, 0, 0, 0, 0, 0, 0x04, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x02, 0, 0, 0, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 1, 0, 0, 0x13, 0x89, 0, 0, 0, 0, 0, 0})
	f.Fuzz(fuzzConnInput)
}

func fuzzConnInput(t *testing.T, data []byte) {
	{
		cfg := DefaultConfig()
		cfg.RecvBuffer, cfg.SendBuffer = 8192, 8192
		c, err := NewConn(cfg, epB, epA, 5000, 0)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.Listen(0)
		c.Input(0, &Header{Seq: 0, Flags: FlagSYN, Window: 65535, Options: SYNOptions(1460, true, 1, true, 7)}, nil)
		c.Input(time.Millisecond, &Header{Seq: 1, Ack: 5001, Flags: FlagACK, Window: 100}, nil)
		now := 2 * time.Millisecond
		payload := make([]byte, 4096)
		buf := make([]byte, 4096)
		for len(data) >= 15 {
			op := data[0]
			h := Header{
				Flags:  Flags(op) & (FlagFIN | FlagSYN | FlagRST | FlagPSH | FlagACK),
				Seq:    Seq(uint32(data[1])<<24 | uint32(data[2])<<16 | uint32(data[3])<<8 | uint32(data[4])),
				Ack:    Seq(uint32(data[5])<<24 | uint32(data[6])<<16 | uint32(data[7])<<8 | uint32(data[8])),
				Window: uint16(data[9])<<8 | uint16(data[10]),
			}
			if data[11]&1 != 0 {
				h.Options = SegmentOptions(uint32(data[12]), 0, true, []SACKBlock{{Start: h.Ack, End: h.Ack + Seq(data[13])*100}})
			}
			n := int(data[13]) * 16
			now += time.Duration(data[14]) * time.Millisecond
			switch data[12] % 8 {
			case 0:
				_, _ = c.Write(now, payload[:n])
			case 1:
				_, _ = c.Read(now, buf[:n])
			case 2:
				if d, ok := c.Deadline(); ok {
					now = max(now, d)
					c.Tick(now)
				}
			case 3:
				if data[13] == 7 {
					_ = c.Shutdown(now)
				}
			}
			c.Input(now, &h, payload[:n])
			c.Segments(func(*Header, []byte) {})
			c.Events(func(*Event) {})
			if c.sndNxt.LessThan(c.sndUna) || c.sndMax.LessThan(c.sndNxt) {
				t.Fatalf("send sequence out of order: una %d nxt %d max %d", c.sndUna, c.sndNxt, c.sndMax)
			}
			data = data[15:]
		}
	}
}
