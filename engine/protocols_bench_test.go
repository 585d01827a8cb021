package engine_test

import (
	"strings"
	"testing"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// BenchmarkLookWire measures the bytes on the wire per `look` in the default game's start
// room over a real telnet connection, without and with MCCP2 (a warm stream: the room was
// seen before, as in a real session). wire-B/op counts socket bytes, text-B/op the text.
func BenchmarkLookWire(b *testing.B) {
	for _, mccp := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "mccp2"}[mccp]
		b.Run(name, func(b *testing.B) {
			s := mudtest.Start(b, engine.Config{Game: mudd.DefaultGame(), DataDir: b.TempDir()}, nil)
			c := mudtest.DialTelnet(b, s.Eng.TelnetAddr())
			c.Negotiated("WILL 86")
			reply := hx("ff fd 19")
			if mccp {
				reply += hx("ff fd 56")
			}
			c.Write(reply)
			c.Expect("name")
			c.Send("Looker")
			c.Expect("(yes/no)")
			c.Send("yes")
			c.Expect("password")
			c.Send("sesame123")
			c.Expect("again")
			c.Send("sesame123")
			c.Expect("> <EOR>")
			c.Send("look")
			c.Expect("> <EOR>")
			start, text := c.RawBytes(), 0
			for b.Loop() {
				c.Send("look")
				text += len(c.Expect("> <EOR>"))
			}
			b.ReportMetric(float64(c.RawBytes()-start)/float64(b.N), "wire-B/op")
			b.ReportMetric(float64(text-b.N*len("<EOR>")+b.N*2)/float64(b.N), "text-B/op")
			if started, _ := c.Compression(); (started == 1) != mccp || !strings.Contains(c.Do("protocols"), "MCCP2") {
				b.Fatalf("compression streams: %d", started)
			}
		})
	}
}
