package telnet

import (
	"compress/zlib"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"
)

// ErrLineTooLong is returned by [Conn.ReadLine] for an input line longer than
// Config.MaxLine. The line is discarded; the next call returns the next line.
var ErrLineTooLong = errors.New("telnet: input line too long")

// DefaultWriteTimeout is the write deadline when Config.WriteTimeout is 0.
const DefaultWriteTimeout = 10 * time.Second

// Config configures a [Conn]. The zero value is a telnet connection with the
// default limits.
type Config struct {
	// Raw serves plain TCP clients: no negotiation, no IAC processing. The
	// input is UTF-8 text with the same line rules.
	Raw bool
	// MaxLine is the maximum length of one input line in bytes (default 4096).
	MaxLine int
	// MaxSub is the maximum subnegotiation payload in bytes (default 8192).
	MaxSub int
	// WriteTimeout is the deadline of each socket write (default 10s).
	WriteTimeout time.Duration
	// Logger, if set, receives warnings about hostile or broken input.
	Logger *slog.Logger

	// MaxOOB is the maximum GMCP or MSDP message in bytes (default 64 KiB).
	MaxOOB int
	// OnMessage, if set, receives each GMCP and MSDP message from the client. It is called
	// by the goroutine in ReadLine, in stream order with the lines, and must not block for
	// long. GMCP Core.Supports.* and Core.Ping are also handled by the Conn itself.
	OnMessage func(Message)
	// MSSP, if set, returns the MSSP variables sent when the client says DO MSSP. It is
	// called with the Conn's lock held and must not call the Conn.
	MSSP func() []Var
	// CompressLevel is the zlib level of MCCP2 output (default 6, see BENCHMARKS.md).
	CompressLevel int
	// NoCompress turns off MCCP2 and MCCP3: they are neither offered nor accepted.
	NoCompress bool
	// Deflaters, if set, lends MCCP2 compressors and takes them back when a stream ends or
	// the connection closes.
	Deflaters *DeflaterPool
}

// Info is what the client reported about itself.
type Info struct {
	Width, Height int      // window size from NAWS; 0 if unknown
	TerminalTypes []string // TTYPE replies in order, without repeats
	MTTS          int      // MTTS bits from TTYPE; -1 if unknown
	EOR           bool     // prompts are marked with IAC EOR
	SGA           bool     // the client asked us to suppress go ahead
	Echoing       bool     // the client accepted WILL ECHO: it does not show what is typed
	ClientName    string   // the first terminal type, e.g. "MUDLET" or "TINTIN++"

	GMCP         bool     // the client said DO GMCP
	GMCPClient   string   // from GMCP Core.Hello, e.g. "Mudlet 4.18"
	GMCPSupports []string // subscribed GMCP packages with versions, e.g. "Room 1", sorted
	MSDP         bool     // the client said DO MSDP
	MSSP         bool     // the client said DO MSSP (and was sent the variables)
	MCCP2        bool     // output is compressed (MCCP2 agreed and started)
	MCCP3        bool     // input is being inflated (the client started MCCP3)

	// Charset is the character set the client accepted through CHARSET, "UTF-8" (see
	// the UTF8 constant) or another upper-case name; "" if none was agreed.
	Charset         string
	CharsetRejected bool // the client rejected our CHARSET request
}

// A Conn is the server side of one telnet (or raw TCP) connection.
//
// ReadLine must be called by one goroutine only. Write, AppendText,
// AppendPromptEnd, HideInput, Info and Close may be called from any
// goroutine. Negotiation replies and data share one write lock, so bytes
// never interleave.
type Conn struct {
	nc  net.Conn
	cfg Config

	// Owned by the ReadLine goroutine.
	dec  Decoder
	line lineBuf
	rbuf []byte
	in   []byte // read and not yet decoded
	data []byte // decoded text not yet given to line
	rerr error  // read error to return once pending input is used up
	inz  inflater

	wmu    sync.Mutex // serialises socket writes; taken before mu
	wbuf   []byte     // bytes being written, guarded by wmu
	werr   error      // the first write error, guarded by wmu
	z      deflater   // MCCP2 state, guarded by wmu
	wmarks []mark     // marks being written, guarded by wmu

	mu       sync.Mutex // guards the fields below
	pending  []byte     // negotiation bytes to write
	opts     options
	width    int
	height   int
	mtts     int
	types    []string
	ttDone   bool // the terminal type cycle is over
	charset  charsetState
	budget   int            // replies left for refusals and AYT
	marks    []mark         // where in pending compression starts or stops
	subs     map[string]int // GMCP packages subscribed to, lower case, with versions
	client   string         // GMCP Core.Hello client and version
	zon      bool           // MCCP2 has been started in pending (the writer follows)
	inflate  bool           // the client started MCCP3
	inflated bool           // the client has started MCCP3 at some point (see Movable)
	zPaused  bool           // MCCP2 was ended by PauseCompression
}

// NewConn returns a Conn on c. It sends nothing until [Conn.Start].
func NewConn(c net.Conn, cfg Config) *Conn {
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = DefaultMaxLine
	}
	if cfg.MaxSub <= 0 {
		cfg.MaxSub = DefaultMaxSub
	}
	if cfg.CompressLevel == 0 || cfg.CompressLevel < zlib.HuffmanOnly || cfg.CompressLevel > zlib.BestCompression {
		cfg.CompressLevel = DefaultCompressLevel
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	return &Conn{
		nc:     c,
		cfg:    cfg,
		dec:    Decoder{MaxSub: cfg.MaxSub, MaxOOB: cfg.MaxOOB},
		line:   lineBuf{max: cfg.MaxLine},
		rbuf:   make([]byte, 4096),
		mtts:   -1,
		budget: maxUnsolicited,
		z:      deflater{pool: cfg.Deflaters},
	}
}

// Start sends the opening offers in one write: DO TTYPE, DO NAWS, WILL EOR,
// WILL GMCP, MSDP, MSSP, MCCP2 and MCCP3, and WILL CHARSET. It sends nothing in raw mode.
func (c *Conn) Start() error {
	if c.cfg.Raw {
		return nil
	}
	c.mu.Lock()
	c.askHim(OptTType)
	c.askHim(OptNAWS)
	c.askUs(OptEOR, true)
	c.offerOOB()
	c.askUs(OptCharset, true)
	c.mu.Unlock()
	_, err := c.flush(nil)
	return err
}

// HideInput asks the client to stop echoing input (WILL ECHO), for a
// password, or to echo it again (WONT ECHO). A request that would not change
// anything sends nothing. It does nothing in raw mode.
func (c *Conn) HideInput(hide bool) error {
	if c.cfg.Raw {
		return nil
	}
	c.mu.Lock()
	c.askUs(OptEcho, hide)
	c.mu.Unlock()
	_, err := c.flush(nil)
	return err
}

// Info returns what the client has reported so far.
func (c *Conn) Info() Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	info := Info{
		Width:         c.width,
		Height:        c.height,
		TerminalTypes: c.types[:len(c.types):len(c.types)],
		MTTS:          c.mtts,
		EOR:           c.opts.us[OptEOR].enabled(),
		SGA:           c.opts.us[OptSGA].enabled(),
		Echoing:       c.opts.us[OptEcho].enabled(),
		GMCP:          c.opts.us[OptGMCP].enabled(),
		GMCPClient:    c.client,
		GMCPSupports:  c.supports(),
		MSDP:          c.opts.us[OptMSDP].enabled(),
		MSSP:          c.opts.us[OptMSSP].enabled(),
		MCCP2:         c.zon,
		MCCP3:         c.inflate,

		Charset:         c.charset.name,
		CharsetRejected: c.charset.rejected,
	}
	if len(c.types) > 0 {
		info.ClientName = c.types[0]
	}
	return info
}

// Close closes the connection and releases the compression state.
func (c *Conn) Close() error {
	err := c.nc.Close()
	c.wmu.Lock()
	c.z.release()
	c.wmu.Unlock()
	return err
}
