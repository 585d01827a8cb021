// Package telnet implements the server side of the telnet protocol as MUD
// clients speak it.
//
// A [Conn] wraps a net.Conn. It offers the options a MUD needs (terminal
// type, window size, end-of-record prompt marks, UTF-8 through CHARSET), answers the client's
// negotiation with the RFC 1143 Q method so that no exchange can loop, hides
// input around passwords, and turns the byte stream into lines of valid UTF-8
// text with control characters removed. With [Config.Raw] it serves plain TCP
// clients instead: the same line rules, no telnet processing.
//
// [Decoder] is the streaming state machine Conn is built on. It has no I/O and
// can be fed arbitrary pieces of input, down to one byte at a time.
//
// The package tolerates what real clients send: TinTin++ sends user input with
// 0xFF unescaped and never acknowledges WONT ECHO; TinyFugue sends DONT ECHO
// on its own before a password; Mudlet answers every WILL it sees; telnet in
// character mode sends one keystroke per segment and ends lines with CR NUL.
// Buffers are bounded by [Config.MaxLine] and [Config.MaxSub].
package telnet
