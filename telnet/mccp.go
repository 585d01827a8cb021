package telnet

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"sync"
)

// DefaultCompressLevel is the zlib level of MCCP2 output when Config.CompressLevel is 0.
const DefaultCompressLevel = 6

// mccp2Start is the MCCP2 start marker: every byte after it is zlib.
var mccp2Start = []byte{IAC, SB, OptMCCP2, IAC, SE}

// A mark says that compression starts or stops at offset at of the pending bytes.
type mark struct {
	at    int
	start bool
}

// markCompress records that compression starts (or stops) after what is pending now. The
// caller holds c.mu.
func (c *Conn) markCompress(start bool) {
	if c.zon == start {
		return
	}
	c.zon = start
	c.marks = append(c.marks, mark{at: len(c.pending), start: start})
}

// A DeflaterPool reuses MCCP2 compressors between connections: a zlib writer holds about
// 800 KB of state at level 6. Share one among the Conns of a server (Config.Deflaters). The
// zero value is ready to use.
type DeflaterPool struct {
	levels [zlib.BestCompression - zlib.HuffmanOnly + 1]sync.Pool
}

func (p *DeflaterPool) get(level int) *zlib.Writer {
	if p == nil {
		return nil
	}
	w, _ := p.levels[level-zlib.HuffmanOnly].Get().(*zlib.Writer)
	return w
}

func (p *DeflaterPool) put(level int, w *zlib.Writer) {
	if p != nil {
		w.Reset(io.Discard)
		p.levels[level-zlib.HuffmanOnly].Put(w)
	}
}

// deflater is the MCCP2 state of a Conn, guarded by its write lock.
type deflater struct {
	pool  *DeflaterPool
	zw    *zlib.Writer
	level int
	buf   bytes.Buffer // compressed output not yet written
}

// start begins a zlib stream.
func (d *deflater) start(level int) {
	d.level = level
	if w := d.pool.get(level); w != nil {
		w.Reset(&d.buf)
		d.zw = w
		return
	}
	d.zw, _ = zlib.NewWriterLevel(&d.buf, level) // the level was checked in NewConn
}

// finish ends the stream (Z_FINISH), leaving its last bytes in buf, and returns the writer
// to its pool.
func (d *deflater) finish() {
	if d.zw == nil {
		return
	}
	d.zw.Close()
	d.put()
}

// put returns the writer to the pool, if there is one.
func (d *deflater) put() {
	d.pool.put(d.level, d.zw)
	d.zw = nil
}

// release drops the stream without finishing it, and its unwritten output.
func (d *deflater) release() {
	if d.zw != nil {
		d.put()
	}
	d.buf = bytes.Buffer{}
}

// send writes p to the socket, through the compressor when MCCP2 is on. Compressed bytes
// are collected and written by sync. The caller holds wmu.
func (c *Conn) send(p []byte) error {
	if len(p) == 0 {
		return c.werr
	}
	if c.z.zw == nil {
		_, err := c.write(p)
		return err
	}
	c.z.zw.Write(p) // writes to a bytes.Buffer: cannot fail
	return c.werr
}

// sync flushes the compressor (Z_SYNC_FLUSH) and writes what it produced. The caller holds
// wmu.
func (c *Conn) sync() error {
	if c.z.zw != nil {
		c.z.zw.Flush()
	}
	if c.z.buf.Len() > 0 {
		_, err := c.write(c.z.buf.Bytes())
		c.z.buf.Reset()
		return err
	}
	return c.werr
}

// switchCompress starts or stops MCCP2 at a mark. Plain output written so far goes in its
// own write, then the start marker in one write of its own, so a client that looks for
// the marker at the start of a read finds it. The caller holds wmu.
func (c *Conn) switchCompress(start bool) error {
	if err := c.sync(); err != nil {
		return err
	}
	if !start {
		c.z.finish()
		return c.sync()
	}
	if _, err := c.write(mccp2Start); err != nil {
		return err
	}
	c.z.start(c.cfg.CompressLevel)
	return nil
}

// inflater is the MCCP3 state of a Conn, owned by the ReadLine goroutine.
type inflater struct {
	src *bufio.Reader // the socket, after the bytes that were already read
	zr  io.ReadCloser // the zlib stream, nil until its header is read
	on  bool
}

// start makes reading go through zlib from the byte after the client's IAC SB MCCP3 IAC
// SE: rest is what was read after it.
func (z *inflater) start(rest []byte, nc io.Reader) {
	var under io.Reader = nc
	if z.src != nil {
		under = z.src // after an earlier stream, the socket is read through src
	}
	z.src = bufio.NewReader(io.MultiReader(bytes.NewReader(bytes.Clone(rest)), under))
	z.on = true
}

// ErrInflate is wrapped by the error ReadLine returns when the client's MCCP3 stream is
// not valid zlib.
var ErrInflate = errors.New("telnet: MCCP3 input is not valid zlib")

// inflateRead reads inflated input, or plain input after the stream ended.
func (c *Conn) inflateRead(p []byte) (int, error) {
	z := &c.inz
	if !z.on {
		return z.src.Read(p)
	}
	if z.zr == nil {
		zr, err := zlib.NewReader(z.src)
		if err != nil {
			return 0, inflateErr(err)
		}
		z.zr = zr
	}
	n, err := z.zr.Read(p)
	if errors.Is(err, io.EOF) { // Z_FINISH: plain input follows
		z.zr.Close()
		z.zr, z.on = nil, false
		c.mu.Lock()
		c.inflate = false
		c.mu.Unlock()
		return n, nil
	}
	if err != nil {
		return n, inflateErr(err)
	}
	return n, nil
}

// inflateErr tells a broken stream from a connection that ended inside it.
func inflateErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return io.EOF // the client closed without Z_FINISH (TinTin++ does)
	}
	var netErr interface{ Timeout() bool }
	if errors.As(err, &netErr) {
		return err
	}
	if errors.Is(err, zlib.ErrHeader) || errors.Is(err, zlib.ErrChecksum) || isCorrupt(err) {
		return fmt.Errorf("%w: %v", ErrInflate, err)
	}
	return err
}

func isCorrupt(err error) bool {
	var ce flate.CorruptInputError
	return errors.As(err, &ce)
}
