package telnet

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

// discardConn is a net.Conn whose reads return the given chunks and then io.EOF, and whose
// writes are counted and dropped.
type discardConn struct {
	scriptConn
	n int
}

func (d *discardConn) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

// lookOutputs are the outputs of `look` in every room of the default game (its descriptions
// read from ../world), as the engine writes them, with a couple of things and players each.
func lookOutputs(b *testing.B) [][]byte {
	files, _ := filepath.Glob("../world/*/rooms.lua")
	descRe := regexp.MustCompile(`(?s)name = "([^"]*)",\s*desc = \[\[(.*?)\]\]`)
	c := NewConn(&scriptConn{}, Config{})
	var outs [][]byte
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for i, m := range descRe.FindAllSubmatch(src, -1) {
			text := fmt.Sprintf("%s\n  %s\nExits: north, east, south\nA gold coin glints here.\nPlayer%d is here.\n> ",
				m[1], strings.Join(strings.Fields(string(m[2])), " "), i)
			outs = append(outs, append(c.AppendText(nil, text), IAC, EOR))
		}
	}
	if len(outs) < 10 {
		b.Fatalf("found %d rooms in %q", len(outs), files)
	}
	return outs
}

// shuffled returns n looks made from looks with the words of each description shuffled:
// English text the stream has not seen, as on a first visit.
func shuffled(looks [][]byte, n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, n)
	for i := range out {
		words := strings.Fields(string(looks[i%len(looks)]))
		rng.Shuffle(len(words), func(a, b int) { words[a], words[b] = words[b], words[a] })
		out[i] = []byte(strings.Join(words, " ") + "\r\n")
	}
	return out
}

// BenchmarkCompressedWrite measures the CPU cost of MCCP2 for one session: one Write (one
// sync flush) per `look`, at each zlib level, against no compression. "revisit" walks
// through every room of the default game in turn, so each description is still in the zlib
// window; "fresh" sends text the stream has not seen. wire-B/op is what reaches the socket
// per look once the stream is warm.
func BenchmarkCompressedWrite(b *testing.B) {
	revisit := lookOutputs(b)
	for _, tc := range []struct {
		name  string
		looks [][]byte
	}{{"revisit", revisit}, {"fresh", shuffled(revisit, 1024)}} {
		for _, level := range []int{0, 1, 5, 6, 9} {
			name := tc.name + "/off"
			if level > 0 {
				name = tc.name + "/level" + strconv.Itoa(level)
			}
			b.Run(name, func(b *testing.B) { benchWrites(b, tc.looks, level) })
		}
	}
}

func benchWrites(b *testing.B, looks [][]byte, level int) {
	size := 0
	for _, l := range looks {
		size += len(l)
	}
	dc := &discardConn{scriptConn: scriptConn{chunks: [][]byte{[]byte(h("ff fd 56"))}}}
	c := NewConn(dc, Config{CompressLevel: level, NoCompress: level == 0, Deflaters: &DeflaterPool{}})
	c.Start()
	c.ReadLine() // takes DO MCCP2 (and then io.EOF)
	for _, l := range looks[:min(len(looks), 100)] {
		c.Write(l) // warm the stream
	}
	start, i := dc.n, 0
	b.SetBytes(int64(size / len(looks)))
	b.ReportAllocs()
	for b.Loop() {
		c.Write(looks[i%len(looks)])
		i++
	}
	b.ReportMetric(float64(dc.n-start)/float64(b.N), "wire-B/op")
}
