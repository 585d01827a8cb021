// Package mudd is an embeddable MUD engine. This package holds the default game, embedded in
// the binary; the engine lives in package engine and the telnet protocol in package telnet.
package mudd

import (
	"embed"
	"io/fs"
)

//go:embed world scripts tests
var defaultGame embed.FS

// DefaultGame returns the default game: a game directory with scripts/, world/ and the
// scenario tests of its quests in tests/.
func DefaultGame() fs.FS { return defaultGame }
