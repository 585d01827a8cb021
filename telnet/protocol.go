package telnet

// Telnet commands (RFC 854), each sent after IAC.
const (
	SE   byte = 240 // end of subnegotiation
	NOP  byte = 241 // no operation
	DM   byte = 242 // data mark
	BRK  byte = 243 // break
	IP   byte = 244 // interrupt process
	AO   byte = 245 // abort output
	AYT  byte = 246 // are you there
	EC   byte = 247 // erase character
	EL   byte = 248 // erase line
	GA   byte = 249 // go ahead
	SB   byte = 250 // begin subnegotiation
	WILL byte = 251
	WONT byte = 252
	DO   byte = 253
	DONT byte = 254
	IAC  byte = 255 // interpret as command
	EOR  byte = 239 // end of record (RFC 885), marks a prompt
)

// Telnet options this package negotiates.
const (
	OptEcho    byte = 1  // RFC 857
	OptSGA     byte = 3  // suppress go ahead, RFC 858
	OptTType   byte = 24 // terminal type, RFC 1091
	OptEOR     byte = 25 // end of record, RFC 885
	OptNAWS    byte = 31 // window size, RFC 1073
	OptCharset byte = 42 // character set, RFC 2066
)

// TTYPE subnegotiation codes (RFC 1091).
const (
	ttypeIs   byte = 0
	ttypeSend byte = 1
)

// MUD protocol options (see the mudhalla protocol pages).
const (
	OptMSDP  byte = 69  // MUD Server Data Protocol
	OptMSSP  byte = 70  // MUD Server Status Protocol
	OptMCCP2 byte = 86  // MUD Client Compression Protocol v2: server output is zlib
	OptMCCP3 byte = 87  // MCCP v3: client input is zlib
	OptGMCP  byte = 201 // Generic MUD Communication Protocol
)

// MSDP and MSSP structure bytes.
const (
	msdpVar        byte = 1
	msdpVal        byte = 2
	msdpTableOpen  byte = 3
	msdpTableClose byte = 4
	msdpArrayOpen  byte = 5
	msdpArrayClose byte = 6
)
