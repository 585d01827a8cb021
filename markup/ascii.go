package markup

// latin1 and latinExtA give the base letter of each letter U+00C0-U+00FF and U+0100-U+017F,
// for ASCII-only clients; '?' marks the ones handled in asciiSpecial or not letters.
const (
	latin1    = "AAAAAA?CEEEEIIIIDNOOOOOxOUUUUY??aaaaaa?ceeeeiiiidnooooo/ouuuuy?y"
	latinExtA = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiJjJjKkkLlLlLlLlLlNnNnNnnNnOoOoOo??RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs"
)

// asciiSpecial transliterates characters that are not single letters.
var asciiSpecial = map[rune]string{
	'\u00a0': " ", '¡': "!", '¢': "c", '£': "GBP", '¤': "?", '¥': "JPY", '¦': "|", '§': "S",
	'¨': "\"", '©': "(c)", 'ª': "a", '«': "<<", '¬': "!", '\u00ad': "", '®': "(R)", '¯': "-",
	'°': "o", '±': "+/-", '²': "2", '³': "3", '´': "'", 'µ': "u", '¶': "P", '·': ".", '¸': ",",
	'¹': "1", 'º': "o", '»': ">>", '¼': "1/4", '½': "1/2", '¾': "3/4", '¿': "?",
	'Æ': "AE", 'æ': "ae", 'Þ': "Th", 'þ': "th", 'ß': "ss", 'Œ': "OE", 'œ': "oe", 'Ĳ': "IJ", 'ĳ': "ij",
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "--", '―': "--", '−': "-",
	'‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", '“': "\"", '”': "\"", '„': "\"", '‟': "\"", '″': "\"",
	'‹': "<", '›': ">", '…': "...", '•': "*", '‣': ">", '€': "EUR", '™': "(TM)", '×': "x", '÷': "/",
	'←': "<-", '→': "->", '↑': "^", '↓': "v", '≤': "<=", '≥': ">=", '≠': "!=", '≈': "~",
	'\u2009': " ", '\u200a': " ", '\u2002': " ", '\u2003': " ", '\u202f': " ", '\u200b': "", '\ufeff': "",
	'░': "#", '▒': "#", '▓': "#", '█': "#", '▀': "#", '▄': "#", '■': "#", '□': "#", '▪': "*", '●': "o", '○': "o",
	'♥': "<3", '★': "*", '☆': "*", '✓': "v", '✔': "v", '✗': "x", '✘': "x",
}

// ascii returns the ASCII form of r: r itself below U+0080, a transliteration of common
// letters, punctuation and box drawing, nothing for combining marks, else "?".
func ascii(r rune) string {
	switch {
	case r < 0x80:
		return string(r)
	case r >= 0x300 && r < 0x370:
		return "" // combining accents: the letter before them stays
	case r >= 0x2500 && r < 0x2580:
		return boxChar(r)
	}
	if s, ok := asciiSpecial[r]; ok {
		return s
	}
	var c byte = '?'
	switch {
	case r >= 0xc0 && r < 0x100:
		c = latin1[r-0xc0]
	case r >= 0x100 && r < 0x180:
		c = latinExtA[r-0x100]
	}
	return asciiBytes[c : c+1]
}

// asciiBytes holds every ASCII byte at its own index, so that ascii returns one-byte
// strings without allocating.
var asciiBytes = func() string {
	b := make([]byte, 128)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}()

// boxChar draws a box-drawing character (U+2500-U+257F) with "-", "|" and "+".
func boxChar(r rune) string {
	switch r {
	case '─', '━', '═', '┄', '┅', '┈', '┉', '╌', '╍', '╴', '╶', '╸', '╺', '╼', '╾':
		return "-"
	case '│', '┃', '║', '┆', '┇', '┊', '┋', '╎', '╏', '╵', '╷', '╹', '╻', '╽', '╿':
		return "|"
	case '╱':
		return "/"
	case '╲':
		return "\\"
	case '╳':
		return "X"
	}
	return "+"
}
