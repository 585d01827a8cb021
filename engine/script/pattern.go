package script

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Lua's patterns, as in Lua 5.1's lstrlib.c, for string.find, match, gmatch
// and gsub. gopher-lua's own matcher cannot be interrupted, and its gsub
// copies the whole subject for every replacement; this one checks the time
// budget as it works and builds results in one pass.

const (
	maxCaptures   = 32
	maxMatchDepth = 200 // nested pattern items; Lua 5.2's MAXCCALLS
	checkEvery    = 4096
	capUnfinished = -1
	capPosition   = -2
	esc           = '%'
	specials      = "^$*+?.([%-"
)

type capture struct{ init, len int }

// matcher holds the state of matching one pattern against one subject.
// Positions are byte offsets; -1 means no match.
type matcher struct {
	vm      *VM
	L       *lua.LState
	src     string
	pat     string
	level   int // captures started
	capture [maxCaptures]capture
	depth   int
	steps   int
}

func (vm *VM) newMatcher(L *lua.LState, src, pat string) matcher {
	return matcher{vm: vm, L: L, src: src, pat: pat}
}

// fail raises a pattern error at the position of the Lua caller.
func (m *matcher) fail(msg string) { m.L.RaiseError("%s", msg) }

// tick counts n steps of work and checks the budget every checkEvery steps.
func (m *matcher) tick(n int) {
	if m.steps += n; m.steps >= checkEvery {
		m.steps = 0
		m.vm.checkBudget(m.L)
	}
}

func (m *matcher) match(s, p int) int {
	if m.depth++; m.depth > maxMatchDepth {
		m.fail("pattern too complex")
	}
	r := m.doMatch(s, p)
	m.depth--
	return r
}

func (m *matcher) doMatch(s, p int) int {
	src, pat := m.src, m.pat
	for {
		m.tick(1)
		if p == len(pat) {
			return s
		}
		switch pat[p] {
		case '(':
			if p+1 < len(pat) && pat[p+1] == ')' {
				return m.startCapture(s, p+2, capPosition)
			}
			return m.startCapture(s, p+1, capUnfinished)
		case ')':
			return m.endCapture(s, p+1)
		case '$':
			if p+1 == len(pat) {
				if s == len(src) {
					return s
				}
				return -1
			}
		case esc:
			if p+1 == len(pat) {
				break // malformed; classEnd reports it
			}
			switch c := pat[p+1]; {
			case c == 'b':
				if s = m.matchBalance(s, p+2); s == -1 {
					return -1
				}
				p += 4
				continue
			case c == 'f':
				if p = m.frontier(s, p+2); p == -1 {
					return -1
				}
				continue
			case isDigit(c):
				if s = m.matchCapture(s, c); s == -1 {
					return -1
				}
				p += 2
				continue
			}
		}
		// A single character class, maybe followed by a repetition.
		ep := m.classEnd(p)
		ok := s < len(src) && m.singleMatch(src[s], p, ep)
		if ep < len(pat) {
			switch pat[ep] {
			case '?':
				if ok {
					if r := m.match(s+1, ep+1); r != -1 {
						return r
					}
				}
				p = ep + 1
				continue
			case '*':
				return m.maxExpand(s, p, ep)
			case '+':
				if !ok {
					return -1
				}
				return m.maxExpand(s+1, p, ep)
			case '-':
				return m.minExpand(s, p, ep)
			}
		}
		if !ok {
			return -1
		}
		s, p = s+1, ep
	}
}

// classEnd returns the end of the character class that starts at p.
func (m *matcher) classEnd(p int) int {
	pat := m.pat
	c := pat[p]
	p++
	switch c {
	case esc:
		if p >= len(pat) {
			m.fail("malformed pattern (ends with '%')")
		}
		return p + 1
	case '[':
		if p < len(pat) && pat[p] == '^' {
			p++
		}
		for { // the first character is part of the set, even if it is ']'
			if p >= len(pat) {
				m.fail("malformed pattern (missing ']')")
			}
			c := pat[p]
			p++
			if c == esc && p < len(pat) {
				p++
			}
			if p < len(pat) && pat[p] == ']' {
				return p + 1
			}
		}
	}
	return p
}

// singleMatch reports whether c matches the class pat[p:ep].
func (m *matcher) singleMatch(c byte, p, ep int) bool {
	switch m.pat[p] {
	case '.':
		return true
	case esc:
		return matchClass(c, m.pat[p+1])
	case '[':
		return m.matchBracket(c, p, ep-1)
	default:
		return m.pat[p] == c
	}
}

// matchBracket matches c against the set pat[p:ec+1], "[...]".
func (m *matcher) matchBracket(c byte, p, ec int) bool {
	pat := m.pat
	found := true
	if pat[p+1] == '^' {
		found = false
		p++
	}
	for p++; p < ec; p++ {
		switch {
		case pat[p] == esc:
			p++
			if matchClass(c, pat[p]) {
				return found
			}
		case pat[p+1] == '-' && p+2 < ec:
			p += 2
			if pat[p-2] <= c && c <= pat[p] {
				return found
			}
		case pat[p] == c:
			return found
		}
	}
	return !found
}

// matchClass matches c against a class letter such as 'a' or 'S' (the
// complement), or a literal character after '%'.
func matchClass(c, class byte) bool {
	lower := class
	if 'A' <= class && class <= 'Z' {
		lower += 'a' - 'A'
	}
	var res bool
	switch lower {
	case 'a':
		res = isAlpha(c)
	case 'c':
		res = c < ' ' || c == 0x7f
	case 'd':
		res = isDigit(c)
	case 'l':
		res = 'a' <= c && c <= 'z'
	case 'p':
		res = '!' <= c && c <= '~' && !isAlpha(c) && !isDigit(c)
	case 's':
		res = c == ' ' || '\t' <= c && c <= '\r'
	case 'u':
		res = 'A' <= c && c <= 'Z'
	case 'w':
		res = isAlpha(c) || isDigit(c)
	case 'x':
		res = isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f'
	case 'z':
		res = c == 0
	default:
		return class == c
	}
	if lower != class {
		return !res
	}
	return res
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// matchBalance matches %bxy, with x and y at pat[p] and pat[p+1].
func (m *matcher) matchBalance(s, p int) int {
	if p+1 >= len(m.pat) {
		m.fail("malformed pattern (missing arguments to '%b')")
	}
	if s >= len(m.src) || m.src[s] != m.pat[p] {
		return -1
	}
	open, closing, depth := m.pat[p], m.pat[p+1], 1
	for i := s + 1; i < len(m.src); i++ {
		switch m.src[i] {
		case closing:
			if depth--; depth == 0 {
				m.tick(i - s)
				return i + 1
			}
		case open:
			depth++
		}
	}
	m.tick(len(m.src) - s)
	return -1
}

// frontier matches %f[set], with the set at pat[p]; it returns the pattern
// position after the set, or -1.
func (m *matcher) frontier(s, p int) int {
	if p >= len(m.pat) || m.pat[p] != '[' {
		m.fail("missing '[' after '%f' in pattern")
	}
	ep := m.classEnd(p)
	var prev, cur byte // '\0' before the start and after the end
	if s > 0 {
		prev = m.src[s-1]
	}
	if s < len(m.src) {
		cur = m.src[s]
	}
	if m.matchBracket(prev, p, ep-1) || !m.matchBracket(cur, p, ep-1) {
		return -1
	}
	return ep
}

// maxExpand matches the class pat[p:ep] as often as possible, then the rest.
func (m *matcher) maxExpand(s, p, ep int) int {
	i := 0
	for s+i < len(m.src) && m.singleMatch(m.src[s+i], p, ep) {
		i++
	}
	m.tick(i)
	for ; i >= 0; i-- {
		if r := m.match(s+i, ep+1); r != -1 {
			return r
		}
	}
	return -1
}

// minExpand matches the class pat[p:ep] as rarely as possible.
func (m *matcher) minExpand(s, p, ep int) int {
	for {
		if r := m.match(s, ep+1); r != -1 {
			return r
		}
		if s >= len(m.src) || !m.singleMatch(m.src[s], p, ep) {
			return -1
		}
		s++
	}
}

func (m *matcher) startCapture(s, p, what int) int {
	if m.level >= maxCaptures {
		m.fail("too many captures")
	}
	m.capture[m.level] = capture{s, what}
	m.level++
	r := m.match(s, p)
	if r == -1 {
		m.level--
	}
	return r
}

func (m *matcher) endCapture(s, p int) int {
	l := -1
	for i := m.level - 1; i >= 0; i-- {
		if m.capture[i].len == capUnfinished {
			l = i
			break
		}
	}
	if l < 0 {
		m.fail("invalid pattern capture")
	}
	m.capture[l].len = s - m.capture[l].init
	r := m.match(s, p)
	if r == -1 {
		m.capture[l].len = capUnfinished
	}
	return r
}

// matchCapture matches the text of capture %d, d a digit.
func (m *matcher) matchCapture(s int, d byte) int {
	l := int(d - '1')
	if l < 0 || l >= m.level || m.capture[l].len == capUnfinished {
		m.fail("invalid capture index")
	}
	c := m.capture[l]
	if c.len < 0 || len(m.src)-s < c.len || m.src[c.init:c.init+c.len] != m.src[s:s+c.len] {
		return -1
	}
	m.tick(c.len)
	return s + c.len
}

// captureValue returns capture i of a match of src[s:e]; capture 0 of a
// pattern without captures is the whole match.
func (m *matcher) captureValue(i, s, e int) lua.LValue {
	if i >= m.level {
		if i != 0 {
			m.fail("invalid capture index")
		}
		return lua.LString(m.src[s:e])
	}
	switch c := m.capture[i]; c.len {
	case capUnfinished:
		m.fail("unfinished capture")
		return lua.LNil
	case capPosition:
		return lua.LNumber(c.init + 1)
	default:
		return lua.LString(m.src[c.init : c.init+c.len])
	}
}

// pushCaptures pushes the captures of a match of src[s:e], or the whole
// match if the pattern has none and whole is set.
func (m *matcher) pushCaptures(s, e int, whole bool) int {
	n := m.level
	if n == 0 && whole {
		n = 1
	}
	for i := range n {
		m.L.Push(m.captureValue(i, s, e))
	}
	return n
}

func (vm *VM) strFind(L *lua.LState) int  { return vm.find(L, true) }
func (vm *VM) strMatch(L *lua.LState) int { return vm.find(L, false) }

// find is string.find (positions, then captures) or string.match (captures).
func (vm *VM) find(L *lua.LState, positions bool) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	init := min(max(relPos(L.OptInt(3, 1), len(src))-1, 0), len(src))
	if positions && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(pat, specials)) {
		if i := strings.Index(src[init:], pat); i >= 0 {
			L.Push(lua.LNumber(init + i + 1))
			L.Push(lua.LNumber(init + i + len(pat)))
			return 2
		}
		L.Push(lua.LNil)
		return 1
	}
	m := vm.newMatcher(L, src, pat)
	p, anchor := 0, strings.HasPrefix(pat, "^")
	if anchor {
		p = 1
	}
	for s := init; ; s++ {
		m.level = 0
		if e := m.match(s, p); e != -1 {
			if positions {
				L.Push(lua.LNumber(s + 1))
				L.Push(lua.LNumber(e))
				return 2 + m.pushCaptures(s, e, false)
			}
			return m.pushCaptures(s, e, true)
		}
		if s >= len(src) || anchor {
			break
		}
	}
	L.Push(lua.LNil)
	return 1
}

// relPos converts a Lua string position, negative from the end, to a
// position from the start; 0 if before the start.
func relPos(pos, n int) int {
	if pos < 0 {
		pos += n + 1
	}
	return max(pos, 0)
}

// strGmatch is string.gmatch. As in Lua 5.1, '^' is not an anchor here.
func (vm *VM) strGmatch(L *lua.LState) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	next := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		m := vm.newMatcher(L, src, pat)
		for s := next; s <= len(src); s++ {
			m.level = 0
			if e := m.match(s, 0); e != -1 {
				next = e
				if e == s {
					next++ // an empty match: go on at the next position
				}
				return m.pushCaptures(s, e, true)
			}
		}
		next = len(src) + 1
		return 0
	}))
	return 1
}

// strGsub is string.gsub with a bounded result.
func (vm *VM) strGsub(L *lua.LState) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	repl := L.Get(3)
	switch repl.Type() {
	case lua.LTString, lua.LTNumber, lua.LTTable, lua.LTFunction:
	default:
		L.ArgError(3, "string/function/table expected")
	}
	maxN := L.OptInt(4, len(src)+1)
	m := vm.newMatcher(L, src, pat)
	p, anchor := 0, strings.HasPrefix(pat, "^")
	if anchor {
		p = 1
	}
	var b strings.Builder
	s, n := 0, 0
	for n < maxN {
		m.level = 0
		e := m.match(s, p)
		if e != -1 {
			n++
			m.addValue(&b, s, e, repl)
		}
		if e != -1 && e > s {
			s = e
		} else if s < len(src) {
			vm.appendString(L, &b, src[s:s+1], "string.gsub")
			s++
		} else {
			break
		}
		if anchor {
			break
		}
	}
	vm.appendString(L, &b, src[s:], "string.gsub")
	vm.charge(L, b.Len(), "string.gsub")
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(n))
	return 2
}

// addValue appends the replacement for a match of src[s:e].
func (m *matcher) addValue(b *strings.Builder, s, e int, repl lua.LValue) {
	var v lua.LValue
	switch r := repl.(type) {
	case *lua.LFunction:
		m.L.Push(r)
		m.L.Call(m.pushCaptures(s, e, true), 1)
		v = m.L.Get(-1)
		m.L.Pop(1)
	case *lua.LTable:
		v = m.L.GetTable(r, m.captureValue(0, s, e))
	default:
		m.addString(b, s, e, lua.LVAsString(r))
		return
	}
	switch {
	case lua.LVIsFalse(v):
		v = lua.LString(m.src[s:e]) // keep the original text
	case !lua.LVCanConvToString(v):
		m.L.RaiseError("invalid replacement value (a %s)", v.Type())
	}
	m.vm.appendString(m.L, b, lua.LVAsString(v), "string.gsub")
}

// addString appends a replacement string, expanding %0-%9 and %%.
func (m *matcher) addString(b *strings.Builder, s, e int, repl string) {
	for {
		i := strings.IndexByte(repl, esc)
		if i < 0 || i+1 == len(repl) {
			if i >= 0 {
				m.fail("invalid use of '%' in replacement string")
			}
			m.vm.appendString(m.L, b, repl, "string.gsub")
			return
		}
		m.vm.appendString(m.L, b, repl[:i], "string.gsub")
		switch c := repl[i+1]; {
		case c == '0':
			m.vm.appendString(m.L, b, m.src[s:e], "string.gsub")
		case isDigit(c):
			m.vm.appendString(m.L, b, lua.LVAsString(m.captureValue(int(c-'1'), s, e)), "string.gsub")
		default:
			m.vm.appendString(m.L, b, repl[i+1:i+2], "string.gsub")
		}
		repl = repl[i+2:]
	}
}
