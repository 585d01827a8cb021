package markup

import (
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Renderer renders markup for one client.
type Renderer struct {
	Level Level // colours the client shows
	ASCII bool  // the client did not agree to UTF-8: transliterate to ASCII
}

// Render returns s rendered: tags become SGR escape sequences for r.Level (24-bit colours
// downsampled to the nearest xterm-256 or 16-colour entry), a tab becomes a space, other
// control characters but "\n" are dropped, invalid UTF-8 becomes U+FFFD, and in ASCII mode
// every non-ASCII character is transliterated or replaced with "?". A line that changed
// colour ends with a reset, so colour never carries into the next line or the prompt. Text
// that needs none of this is returned as it is, without allocating.
func (r Renderer) Render(s string) string {
	if r.plain(s) {
		return s
	}
	b := r.Append(make([]byte, 0, len(s)+len(s)/4+16), s)
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is never written again, as in strings.Builder
}

// plain reports whether s renders as itself.
func (r Renderer) plain(s string) bool {
	high := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{', c < 0x20 && c != '\n', c == 0x7f:
			return false
		case c >= 0x80:
			if r.ASCII || c == 0xc2 && i+1 < len(s) && s[i+1] < 0xa0 {
				return false // C1 controls are U+0080-U+009F: c2 80 to c2 9f
			}
			high = true
		}
	}
	return !high || utf8.ValidString(s)
}

// AppendPlainLines appends to dst the longest prefix of s made of whole lines (each with its
// "\n", the last one possibly ending s) that render as themselves and are at most max bytes
// long (so at most max characters wide), with every "\n" replaced by eol. It returns the
// result and the length n of that prefix. Rendering treats every line alike, so Render(s) is
// s[:n] followed by Render(s[n:]).
func (r Renderer) AppendPlainLines(dst []byte, s string, max int, eol string) ([]byte, int) {
	n, high := 0, false
	for i := 0; i < len(s); i++ {
		switch byteClass[s[i]] {
		case classText:
			continue
		case classNewline:
			if i-n > max || high && !utf8.ValidString(s[n:i]) {
				return dst, n
			}
			dst = append(append(dst, s[n:i]...), eol...)
			n, high = i+1, false
		case classHigh:
			if r.ASCII || s[i] == 0xc2 && i+1 < len(s) && s[i+1] < 0xa0 {
				return dst, n
			}
			high = true
		default:
			return dst, n
		}
	}
	if len(s)-n > max || high && !utf8.ValidString(s[n:]) {
		return dst, n
	}
	return append(dst, s[n:]...), len(s)
}

// Classes of bytes for AppendPlainLines.
const (
	classText    = iota // renders as itself
	classNewline        // "\n"
	classHigh           // part of a multi-byte UTF-8 character
	classSpecial        // "{", or a control character: rendering changes it
)

var byteClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c == '\n':
			t[c] = classNewline
		case c == '{', c < 0x20, c == 0x7f:
			t[c] = classSpecial
		case c >= 0x80:
			t[c] = classHigh
		}
	}
	return t
}()

// Append appends s rendered (see Render) to dst and returns the result.
func (r Renderer) Append(dst []byte, s string) []byte {
	var cur, shown style
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '{':
			kind, n, o := scan(s[i:])
			i += n
			if kind == tokTag {
				cur = o.apply(cur)
				continue
			}
			dst = r.sgr(dst, &shown, cur)
			dst = append(dst, '{')
		case c == '\n':
			if shown != (style{}) {
				dst = append(dst, "\x1b[0m"...)
			}
			cur, shown = style{}, style{}
			dst = append(dst, '\n')
			i++
		case c == '\t':
			dst = r.sgr(dst, &shown, cur)
			dst = append(dst, ' ')
			i++
		case c < 0x20 || c == 0x7f:
			i++
		case c < 0x80:
			j := i + 1
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '{' {
				j++
			}
			dst = r.sgr(dst, &shown, cur)
			dst = append(dst, s[i:j]...)
			i = j
		default:
			ru, n := utf8.DecodeRuneInString(s[i:])
			i += n
			if ru >= 0x80 && ru <= 0x9f {
				continue
			}
			dst = r.sgr(dst, &shown, cur)
			if r.ASCII {
				dst = append(dst, ascii(ru)...)
			} else {
				dst = utf8.AppendRune(dst, ru) // an invalid byte decoded as U+FFFD
			}
		}
	}
	if shown != (style{}) {
		dst = append(dst, "\x1b[0m"...)
	}
	return dst
}

// sgr brings the terminal from style *shown to want, before visible text.
func (r Renderer) sgr(dst []byte, shown *style, want style) []byte {
	if r.Level == None || *shown == want {
		return dst
	}
	*shown = want
	dst = append(dst, "\x1b[0"...)
	if want.bold {
		dst = append(dst, ";1"...)
	}
	if want.und {
		dst = append(dst, ";4"...)
	}
	dst = r.colorCode(dst, want.fg, 30)
	dst = r.colorCode(dst, want.bg, 40)
	return append(dst, 'm')
}

// colorCode appends the SGR parameters of c for r.Level; base is 30 for the foreground and
// 40 for the background.
func (r Renderer) colorCode(dst []byte, c color, base int) []byte {
	if c.kind == colorDefault {
		return dst
	}
	switch {
	case c.kind == colorRGB && r.Level == TrueColor:
		dst = append(dst, ';')
		dst = strconv.AppendInt(dst, int64(base+8), 10)
		dst = append(dst, ";2;"...)
		dst = strconv.AppendInt(dst, int64(c.v>>16), 10)
		dst = append(dst, ';')
		dst = strconv.AppendInt(dst, int64(c.v>>8&0xff), 10)
		dst = append(dst, ';')
		return strconv.AppendInt(dst, int64(c.v&0xff), 10)
	case c.kind == colorRGB && r.Level == Xterm256:
		c = color{colorIndex, uint32(nearest256(c.v))}
	case c.kind == colorRGB:
		c = color{colorBasic, uint32(nearest16(c.v))}
	case c.kind == colorIndex && r.Level == ANSI16:
		c = color{colorBasic, uint32(nearest16(rgbOf(int(c.v))))}
	}
	if c.kind == colorIndex {
		dst = append(dst, ';')
		dst = strconv.AppendInt(dst, int64(base+8), 10)
		dst = append(dst, ";5;"...)
		return strconv.AppendInt(dst, int64(c.v), 10)
	}
	n := int(c.v)
	switch {
	case n < 8:
		n += base
	case r.Level == ANSI16 && base == 30:
		dst = append(dst, ";1"...) // bold is bright in 16-colour clients; 90-97 is not universal
		n += base - 8
	case r.Level == ANSI16:
		n += base - 8 // no bright backgrounds in 16-colour clients
	default:
		n += base + 60 - 8
	}
	dst = append(dst, ';')
	return strconv.AppendInt(dst, int64(n), 10)
}

// palette16 is xterm's default palette for the 16 basic colours.
var palette16 = [16]uint32{
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
	0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
}

// cubeLevels are the channel values of the xterm-256 colour cube (indexes 16-231).
var cubeLevels = [6]int{0, 95, 135, 175, 215, 255}

// rgbOf returns the colour of xterm-256 index n.
func rgbOf(n int) uint32 {
	switch {
	case n < 16:
		return palette16[n]
	case n < 232:
		n -= 16
		return uint32(cubeLevels[n/36]<<16 | cubeLevels[n/6%6]<<8 | cubeLevels[n%6])
	}
	g := uint32(8 + 10*(n-232))
	return g<<16 | g<<8 | g
}

// dist is a squared distance between colours, weighted for the eye.
func dist(a, b uint32) int {
	dr := int(a>>16) - int(b>>16)
	dg := int(a>>8&0xff) - int(b>>8&0xff)
	db := int(a&0xff) - int(b&0xff)
	return 3*dr*dr + 4*dg*dg + 2*db*db
}

// nearest16 returns the basic colour (0-15) nearest to rgb.
func nearest16(rgb uint32) int {
	best := 0
	for i, p := range palette16 {
		if dist(rgb, p) < dist(rgb, palette16[best]) {
			best = i
		}
	}
	return best
}

// nearest256 returns the entry of the xterm-256 colour cube or grey ramp (16-255) nearest
// to rgb. The 16 basic colours are left out: clients let users change them.
func nearest256(rgb uint32) int {
	q := func(v int) int {
		switch {
		case v < 48:
			return 0
		case v < 115:
			return 1
		}
		return (v - 35) / 40
	}
	r, g, b := int(rgb>>16), int(rgb>>8&0xff), int(rgb&0xff)
	cube := 16 + 36*q(r) + 6*q(g) + q(b)
	grey := 232 + min(max((r+g+b)/3-3, 0)/10, 23)
	if dist(rgb, rgbOf(grey)) < dist(rgb, rgbOf(cube)) {
		return grey
	}
	return cube
}

// RenderedWidth returns the number of columns of rendered text: its characters, not
// counting the SGR escape sequences the renderer writes (ESC "[" ... "m").
func RenderedWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == 0x1b:
			j := strings.IndexByte(s[i:], 'm')
			if j < 0 {
				return n
			}
			i += j + 1
		case c == '\n':
			i++
		case c < 0x80:
			n++
			i++
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			n++
			i += size
		}
	}
	return n
}
