package telnet

import (
	"slices"
	"testing"
)

// FuzzDecoder checks that no input panics, buffers stay within their limits,
// and that cutting the input anywhere changes neither the lines and events
// nor what the Conn answers and learns.
func FuzzDecoder(f *testing.F) {
	for _, c := range captures {
		f.Add([]byte(c.in), uint16(len(c.in)/2))
	}
	f.Add([]byte(h("ff fa 1f ff ff f0 00 18 ff f0")+"hi\r\n"), uint16(4))
	f.Add([]byte(h("ff fa 18 00 41 ff fa 1f 00 50 00 18 ff f0")), uint16(6))
	f.Add([]byte("a\xffb\r\nc\r"), uint16(2))
	f.Add([]byte(h("ff fd 2a ff fa 2a 02")+";utf8"+h("ff f0")), uint16(5))
	f.Add([]byte(h("ff fb 2a ff fa 2a 01")+"[TTABLE]\x01;a;UTF-8"+h("ff f0 ff fa 2a 04 ff f0")), uint16(9))
	f.Add([]byte("x\r\x00y\x7f\x08\n\x1b[1m\t\xc2\x9b\r\n"), uint16(3))
	f.Fuzz(func(t *testing.T, in []byte, cut uint16) {
		k := int(cut) % (len(in) + 1)
		const maxSub, maxLine = 16, 32
		whole := transcript(t, [][]byte{in}, maxSub, maxLine)
		cutIn := transcript(t, [][]byte{in[:k], in[k:]}, maxSub, maxLine)
		if !slices.Equal(whole, cutIn) {
			t.Fatalf("cut at %d:\n%q\n%q", k, whole, cutIn)
		}
		cfg := Config{MaxSub: maxSub, MaxLine: maxLine}
		lines1, out1, info1 := replay(t, cfg, [][]byte{in})
		lines2, out2, info2 := replay(t, cfg, [][]byte{in[:k], in[k:]})
		if !slices.Equal(lines1, lines2) || out1 != out2 || !infoEqual(info1, info2) {
			t.Fatalf("Conn, cut at %d:\n%q % x %+v\n%q % x %+v", k, lines1, out1, info1, lines2, out2, info2)
		}
		if len(info1.TerminalTypes) > maxTTypes || info1.Width > 500 || info1.Height > 500 || len(info1.Charset) > maxTTypeLen {
			t.Fatalf("info out of bounds: %+v", info1)
		}
	})
}

func infoEqual(a, b Info) bool {
	return slices.Equal(a.TerminalTypes, b.TerminalTypes) && a.Width == b.Width && a.Height == b.Height &&
		a.MTTS == b.MTTS && a.EOR == b.EOR && a.SGA == b.SGA && a.Echoing == b.Echoing && a.ClientName == b.ClientName &&
		a.Charset == b.Charset && a.CharsetRejected == b.CharsetRejected
}
