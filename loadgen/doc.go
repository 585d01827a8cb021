// Package loadgen generates load on a mudd server, or on any server that speaks its login
// dialogue, and measures it: command round trips, logins, errors and disconnects.
//
// Run connects Config.Bots bots, each logging in as its own character (created on first use:
// Bota, Botb, …), at the ramp-up rate. When every bot is in the game, all of them send commands
// from a Mix for Config.Duration: closed loop (the next command when the answer to the last
// one arrived) or open loop (one command every Config.Interval). A round trip is measured from
// the write of a line to the prompt that ends its answer.
//
// Ceiling is a trivial server with the same dialogue: it answers every line with a fixed room
// text, one line per connected player and a prompt. Running the same load against it shows what
// the machine and the bots themselves allow, so a server's figures can be read as a ratio.
package loadgen
