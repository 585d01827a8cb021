package telnet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of out-of-band input.
const (
	// DefaultMaxOOB is the subnegotiation limit for GMCP and MSDP when Config.MaxOOB is 0.
	DefaultMaxOOB = 64 << 10
	// MaxOOBDepth is how deeply MSDP tables and arrays, or GMCP JSON, may nest.
	MaxOOBDepth = 16
	maxPackage  = 128 // bytes of a GMCP package name
	maxSupports = 64  // GMCP packages one client may subscribe to
)

// A Message is one out-of-band message from the client: GMCP or MSDP.
type Message struct {
	Option byte // OptGMCP or OptMSDP
	// GMCP: Package is the package and message name as sent ("Core.Hello"), Data its JSON
	// (nil when the message has none). Data is valid JSON no deeper than MaxOOBDepth.
	Package string
	Data    json.RawMessage
	// MSDP: the variables in order. A value is a string, a []any of values (an array, or
	// several VALs for one VAR) or a map[string]any (a table).
	Vars []Var
}

// A Var is one MSDP (or MSSP) variable.
type Var struct {
	Name  string
	Value any // string, []any or map[string]any
}

// ParseGMCP splits a GMCP payload into its package name and JSON data. The name ends at the
// first space or newline; data, if any, must be valid JSON nested at most MaxOOBDepth deep.
func ParseGMCP(p []byte) (Message, error) {
	name, data := p, []byte(nil)
	if i := bytes.IndexAny(p, " \n\r\t"); i >= 0 {
		name, data = p[:i], bytes.TrimSpace(p[i+1:])
	}
	if len(name) == 0 || len(name) > maxPackage || !printable(name) {
		return Message{}, fmt.Errorf("gmcp: bad package name %.40q", name)
	}
	m := Message{Option: OptGMCP, Package: string(name)}
	if len(data) > 0 {
		if !json.Valid(data) {
			return Message{}, fmt.Errorf("gmcp %s: invalid JSON", name)
		}
		if jsonDepth(data) > MaxOOBDepth {
			return Message{}, fmt.Errorf("gmcp %s: JSON nested too deeply", name)
		}
		m.Data = json.RawMessage(bytes.Clone(data))
	}
	return m, nil
}

// printable reports whether p is printable ASCII without spaces.
func printable(p []byte) bool {
	for _, b := range p {
		if b <= ' ' || b >= 0x7f {
			return false
		}
	}
	return true
}

// jsonDepth returns the deepest nesting of arrays and objects in valid JSON.
func jsonDepth(p []byte) int {
	depth, deepest, inStr, esc := 0, 0, false, false
	for _, b := range p {
		switch {
		case esc:
			esc = false
		case inStr && b == '\\':
			esc = true
		case b == '"':
			inStr = !inStr
		case inStr:
		case b == '[' || b == '{':
			depth++
			deepest = max(deepest, depth)
		case b == ']' || b == '}':
			depth--
		}
	}
	return deepest
}

// AppendGMCP appends a GMCP subnegotiation carrying pkg and data (JSON, or nil for none)
// to dst, with IAC doubled.
func AppendGMCP(dst []byte, pkg string, data []byte) []byte {
	dst = append(dst, IAC, SB, OptGMCP)
	dst = appendEscaped(dst, pkg)
	if len(data) > 0 {
		dst = append(dst, ' ')
		dst = appendEscaped(dst, string(data))
	}
	return append(dst, IAC, SE)
}

// appendEscaped appends s with every IAC doubled.
func appendEscaped(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, IAC)
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, IAC)
		s = s[i+1:]
	}
}

// ParseMSDP parses an MSDP payload: VAR name VAL value ..., where a value is a string, a
// table (TABLE_OPEN VAR VAL ... TABLE_CLOSE) or an array (ARRAY_OPEN VAL ... ARRAY_CLOSE).
// Several VALs after one VAR make an array. Nesting is limited to MaxOOBDepth.
func ParseMSDP(p []byte) ([]Var, error) {
	r := msdpReader{p: p}
	var vars []Var
	for r.i < len(r.p) {
		if r.p[r.i] != msdpVar {
			return nil, fmt.Errorf("msdp: byte %d: expected VAR, got %#x", r.i, r.p[r.i])
		}
		v, err := r.variable(0)
		if err != nil {
			return nil, err
		}
		vars = append(vars, v)
	}
	return vars, nil
}

type msdpReader struct {
	p []byte
	i int
}

// variable reads VAR name followed by its values.
func (r *msdpReader) variable(depth int) (Var, error) {
	r.i++ // VAR
	v := Var{Name: r.text()}
	var vals []any
	for r.i < len(r.p) && r.p[r.i] == msdpVal {
		r.i++
		val, err := r.value(depth)
		if err != nil {
			return Var{}, fmt.Errorf("msdp %s: %w", v.Name, err)
		}
		vals = append(vals, val)
	}
	switch len(vals) {
	case 0:
		v.Value = ""
	case 1:
		v.Value = vals[0]
	default:
		v.Value = vals
	}
	return v, nil
}

// value reads one value after VAL.
func (r *msdpReader) value(depth int) (any, error) {
	if r.i >= len(r.p) {
		return "", nil
	}
	switch r.p[r.i] {
	case msdpTableOpen, msdpArrayOpen:
		if depth+1 > MaxOOBDepth {
			return nil, fmt.Errorf("nested too deeply")
		}
	}
	switch r.p[r.i] {
	case msdpTableOpen:
		r.i++
		t := map[string]any{}
		for r.i < len(r.p) && r.p[r.i] == msdpVar {
			v, err := r.variable(depth + 1)
			if err != nil {
				return nil, err
			}
			t[v.Name] = v.Value
		}
		return t, r.close(msdpTableClose)
	case msdpArrayOpen:
		r.i++
		a := []any{}
		for r.i < len(r.p) && r.p[r.i] == msdpVal {
			r.i++
			val, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, val)
		}
		return a, r.close(msdpArrayClose)
	}
	return r.text(), nil
}

// close consumes the closing byte b or fails.
func (r *msdpReader) close(b byte) error {
	if r.i >= len(r.p) || r.p[r.i] != b {
		return fmt.Errorf("byte %d: unbalanced table or array", r.i)
	}
	r.i++
	return nil
}

// text reads bytes up to the next structure byte, as valid UTF-8.
func (r *msdpReader) text() string {
	start := r.i
	for r.i < len(r.p) && r.p[r.i] > msdpArrayClose {
		r.i++
	}
	return strings.ToValidUTF8(string(r.p[start:r.i]), "\uFFFD")
}

// AppendMSDP appends one MSDP subnegotiation with vars to dst. Values are strings, numbers,
// booleans, []any, []string or map[string]any (tables are written in key order); other
// values are written with fmt's %v. Structure bytes and NUL in text are dropped.
func AppendMSDP(dst []byte, vars ...Var) []byte {
	dst = append(dst, IAC, SB, OptMSDP)
	for _, v := range vars {
		dst = appendMSDPVar(dst, v.Name, v.Value)
	}
	return append(dst, IAC, SE)
}

func appendMSDPVar(dst []byte, name string, value any) []byte {
	dst = append(dst, msdpVar)
	dst = appendMSDPText(dst, name)
	dst = append(dst, msdpVal)
	switch v := value.(type) {
	case map[string]any:
		dst = append(dst, msdpTableOpen)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			dst = appendMSDPVar(dst, k, v[k])
		}
		return append(dst, msdpTableClose)
	case []any:
		dst = append(dst, msdpArrayOpen)
		for _, e := range v {
			dst = appendMSDPValue(dst, e)
		}
		return append(dst, msdpArrayClose)
	case []string:
		dst = append(dst, msdpArrayOpen)
		for _, e := range v {
			dst = append(dst, msdpVal)
			dst = appendMSDPText(dst, e)
		}
		return append(dst, msdpArrayClose)
	}
	return appendMSDPText(dst, scalarText(value))
}

// appendMSDPValue appends VAL and one array element: a nameless variable without its VAR.
func appendMSDPValue(dst []byte, value any) []byte {
	start := len(dst)
	dst = appendMSDPVar(dst, "", value) // VAR VAL value
	return append(dst[:start], dst[start+1:]...)
}

// scalarText formats a string, number or boolean as MSDP text.
func scalarText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "1"
		}
		return "0"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// appendMSDPText appends s as valid UTF-8 without NUL or structure bytes. Valid UTF-8 has no
// 0xFF, so nothing needs doubling.
func appendMSDPText(dst []byte, s string) []byte {
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if r > rune(msdpArrayClose) {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// AppendMSSP appends an MSSP subnegotiation with vars to dst. A []string value repeats
// MSSP_VAL (an array); other values are written as text with NUL, VAR, VAL and IAC removed.
func AppendMSSP(dst []byte, vars []Var) []byte {
	dst = append(dst, IAC, SB, OptMSSP)
	for _, v := range vars {
		dst = append(dst, msdpVar)
		dst = appendMSSPText(dst, v.Name)
		vals, ok := v.Value.([]string)
		if !ok {
			vals = []string{scalarText(v.Value)}
		}
		for _, s := range vals {
			dst = append(dst, msdpVal)
			dst = appendMSSPText(dst, s)
		}
	}
	return append(dst, IAC, SE)
}

func appendMSSPText(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b != 0 && b != msdpVar && b != msdpVal && b != IAC {
			dst = append(dst, b)
		}
	}
	return dst
}
