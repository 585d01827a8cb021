package telnet

import (
	"strings"
	"testing"
)

// mixedInput is what a busy session sends: commands and chat, some UTF-8, an
// escaped 0xFF, window resizes and a TTYPE reply.
func mixedInput() []byte {
	var sb strings.Builder
	for sb.Len() < 64<<10 {
		sb.WriteString("look\r\nn\r\nkill goblin\r\n")
		sb.WriteString("say Hello there, how is everyone doing today? Ready for the raid?\r\n")
		sb.WriteString("tell bob café ☕ at the inn, bring 5 \xff\xff coins\r\n")
		sb.WriteString(h("ff fa 1f 00 78 00 28 ff f0") + is("MTTS 271") + h("ff f1"))
	}
	return []byte(sb.String())
}

// BenchmarkDecode measures decoding and line assembly, fed in 4 KiB reads as
// Conn does.
func BenchmarkDecode(b *testing.B) {
	in := mixedInput()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var d Decoder
	l := lineBuf{max: DefaultMaxLine}
	for b.Loop() {
		for p := in; len(p) > 0; {
			chunk := p[:min(len(p), 4096)]
			p = p[len(chunk):]
			for len(chunk) > 0 {
				n, ev := d.Next(chunk)
				chunk = chunk[n:]
				for data := ev.Data; ev.Kind == EventData && len(data) > 0; {
					k, done := l.add(data)
					data = data[k:]
					if done {
						l.take()
					}
				}
			}
		}
	}
}

// BenchmarkReadLine measures Conn.ReadLine on the same stream, negotiation
// handling included.
func BenchmarkReadLine(b *testing.B) {
	in := mixedInput()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		c := NewConn(&scriptConn{chunks: [][]byte{in}}, Config{})
		for {
			if _, err := c.ReadLine(); err != nil {
				break
			}
		}
	}
}

// BenchmarkAppendText encodes a room description with CR LF conversion.
func BenchmarkAppendText(b *testing.B) {
	text := strings.Repeat("The square is busy with merchants and travellers; a fountain\n"+
		"bubbles in its centre. Exits lead north, south and east.\r\n", 8)
	c := NewConn(&scriptConn{}, Config{})
	buf := make([]byte, 0, 2*len(text))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		buf = c.AppendText(buf[:0], text)
	}
}
