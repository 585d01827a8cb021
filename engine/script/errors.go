package script

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Error is a Lua syntax or runtime error, or a call aborted by the time
// budget. The traceback shows at most the 16 innermost stack levels.
type Error struct {
	File      string // chunk name, such as "world/town/rooms.lua"; empty if unknown
	Line      int    // line in File; 0 if unknown
	Msg       string // the message without its position
	Traceback string // Lua stack traceback at the error, if any
	Timeout   bool   // the call ran past its time budget
	Syntax    bool   // the source did not compile
}

// Error returns "file:line: msg", or msg alone if the position is unknown.
func (e *Error) Error() string {
	if e.File == "" {
		return e.Msg
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// newError converts the error of a protected call.
func newError(err error, timeout bool) *Error {
	var e *Error
	var api *lua.ApiError
	if errors.As(err, &api) {
		e = parseMessage(errorText(api.Object))
		e.Traceback = api.StackTrace
	} else {
		e = parseMessage(err.Error())
	}
	e.Timeout = timeout
	return e
}

// errorText is the text of a Lua error value.
func errorText(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return v.String()
	case nil:
		return "(error object is nil)"
	default:
		return fmt.Sprintf("(error object is a %s value)", v.Type())
	}
}

// parseMessage splits a gopher-lua message of the form "file:line: msg".
// The position ends at the first ": " and holds no newline, so a message
// without one is kept whole.
func parseMessage(s string) *Error {
	s = strings.TrimLeft(s, " ")
	end := strings.Index(s, ": ")
	if end < 0 || strings.Contains(s[:end], "\n") {
		return &Error{Msg: s}
	}
	colon := strings.LastIndexByte(s[:end], ':')
	if colon <= 0 {
		return &Error{Msg: s}
	}
	line, err := strconv.ParseUint(s[colon+1:end], 10, 31)
	if err != nil {
		return &Error{Msg: s}
	}
	return &Error{File: s[:colon], Line: int(line), Msg: s[end+2:]}
}

// syntaxError converts an error of parse.Parse or lua.Compile. lines is the
// number of lines of the source, the position of an error at its end.
func syntaxError(name string, lines int, err error) *Error {
	e := compileError(name, lines, err)
	e.Syntax = true
	return e
}

func compileError(name string, lines int, err error) *Error {
	var perr *parse.Error
	var cerr *lua.CompileError
	switch {
	case errors.As(err, &perr):
		if perr.Pos.Line == parse.EOF {
			return &Error{File: name, Line: lines, Msg: perr.Message + " near <eof>"}
		}
		return &Error{File: name, Line: perr.Pos.Line, Msg: fmt.Sprintf("%s near '%s'", perr.Message, perr.Token)}
	case errors.As(err, &cerr):
		return &Error{File: name, Line: cerr.Line, Msg: cerr.Message}
	default:
		return &Error{File: name, Msg: strings.TrimSpace(err.Error())}
	}
}

// maxTraceback is the number of stack levels a traceback shows.
const maxTraceback = 16

// traceback describes the innermost levels of the call stack of L. Levels
// inside a run of tail calls all resolve to one frame, shown once; unlike
// gopher-lua's traceback, the cost does not grow with the number of tail
// calls.
func (vm *VM) traceback(L *lua.LState) string {
	var b strings.Builder
	b.WriteString("stack traceback:")
	var prev lua.Debug
	for level := 0; level < maxTraceback; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			return b.String()
		}
		if level > 0 && *dbg == prev {
			continue
		}
		prev = *dbg
		fn, err := L.GetInfo("fSln", dbg, lua.LNil)
		if err != nil || fn == vm.enterFn || fn == vm.enterQuietFn {
			continue
		}
		b.WriteString("\n\t")
		b.WriteString(frameText(dbg))
	}
	if _, ok := L.GetStack(maxTraceback); ok {
		b.WriteString("\n\t...")
	}
	return b.String()
}

// frameText describes one stack frame filled in by GetInfo.
func frameText(dbg *lua.Debug) string {
	switch {
	case dbg.What == "G" && strings.HasPrefix(dbg.Name, "("):
		return "[G]: ?"
	case dbg.What == "G":
		return fmt.Sprintf("[G]: in function '%s'", dbg.Name)
	case dbg.LineDefined == 0:
		return fmt.Sprintf("%s:%d: in main chunk", dbg.Source, dbg.CurrentLine)
	case dbg.What == "main" || strings.HasPrefix(dbg.Name, "<"): // "main": a coroutine's body
		return fmt.Sprintf("%s:%d: in function <%s:%d>", dbg.Source, dbg.CurrentLine, dbg.Source, dbg.LineDefined)
	default:
		return fmt.Sprintf("%s:%d: in function '%s'", dbg.Source, dbg.CurrentLine, dbg.Name)
	}
}
