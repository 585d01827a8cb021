package script

import (
	"fmt"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// charge counts n bytes against Limits.MaxAlloc for the current call and
// raises an error once the call has allocated too much.
func (vm *VM) charge(L *lua.LState, n int, fname string) {
	vm.alloc += n
	if vm.alloc > vm.limits.MaxAlloc {
		L.RaiseError("%s: call allocated more than %s", fname, byteSize(vm.limits.MaxAlloc))
	}
}

// checkString raises an error if a string of n bytes would be too long.
func (vm *VM) checkString(L *lua.LState, n int, fname string) {
	if n > vm.limits.MaxString {
		L.RaiseError("%s: result longer than %s", fname, byteSize(vm.limits.MaxString))
	}
}

// appendString appends s to b, raising an error if b would grow longer than
// Limits.MaxString.
func (vm *VM) appendString(L *lua.LState, b *strings.Builder, s, fname string) {
	vm.checkString(L, b.Len()+len(s), fname)
	b.WriteString(s)
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// strRep is string.rep with a bounded result.
func (vm *VM) strRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > vm.limits.MaxString/len(s) {
		L.RaiseError("string.rep: result longer than %s", byteSize(vm.limits.MaxString))
	}
	vm.charge(L, n*len(s), "string.rep")
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}

// strFormat is string.format, built one conversion at a time with a bounded
// result. Each conversion goes to Go's fmt, as in gopher-lua, after checking
// it as Lua 5.1 does (flags, width and precision of at most two digits, a
// conversion in "cdiouxXeEfgGqs"), which keeps out fmt's '*' widths and
// argument indexes.
func (vm *VM) strFormat(L *lua.LState) int {
	f := L.CheckString(1)
	var b strings.Builder
	arg := 1
	for {
		i := strings.IndexByte(f, '%')
		if i < 0 {
			vm.appendString(L, &b, f, "string.format")
			break
		}
		vm.appendString(L, &b, f[:i], "string.format")
		f = f[i:]
		if strings.HasPrefix(f, "%%") {
			vm.appendString(L, &b, "%", "string.format")
			f = f[2:]
			continue
		}
		spec, err := formatSpec(f)
		if err != nil {
			L.RaiseError("string.format: %v", err)
		}
		if arg++; arg > L.GetTop() {
			L.ArgError(arg, "no value")
		}
		if conv := spec[len(spec)-1]; conv == 'u' {
			spec = spec[:len(spec)-1] + "d" // Go's fmt has no %u
		}
		vm.appendString(L, &b, fmt.Sprintf(spec, L.Get(arg)), "string.format")
		f = f[len(spec):]
	}
	vm.charge(L, b.Len(), "string.format")
	L.Push(lua.LString(b.String()))
	return 1
}

// formatSpec returns the conversion specification at the start of f, such
// as "%-5.2f".
func formatSpec(f string) (string, error) {
	i := skipAny(f, 1, "-+ #0")
	if i-1 > 5 {
		return "", fmt.Errorf("invalid format %q (repeated flags)", f[:i])
	}
	w := i
	i = skipAny(f, i, "0123456789")
	long := i-w > 2
	if i < len(f) && f[i] == '.' {
		p := i + 1
		i = skipAny(f, p, "0123456789")
		long = long || i-p > 2
	}
	switch {
	case long:
		return "", fmt.Errorf("invalid format %q (width or precision too long)", f[:min(i+1, len(f))])
	case i == len(f) || !strings.ContainsRune("cdiouxXeEfgGqs", rune(f[i])):
		return "", fmt.Errorf("invalid conversion %q", f[:min(i+1, len(f))])
	}
	return f[:i+1], nil
}

func skipAny(s string, i int, chars string) int {
	for i < len(s) && strings.IndexByte(chars, s[i]) >= 0 {
		i++
	}
	return i
}

// tableConcat is table.concat with a bounded result. It builds the string
// directly rather than on the Lua stack, which would overflow for long lists.
func (vm *VM) tableConcat(L *lua.LState) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	i := L.OptInt(3, 1)
	j := L.OptInt(4, t.Len())
	var b strings.Builder
	for k := i; k <= j; k++ {
		v := t.RawGetInt(k)
		if !lua.LVCanConvToString(v) {
			L.RaiseError("table.concat: invalid value (a %s) at index %d", v.Type(), k)
		}
		if k > i {
			vm.appendString(L, &b, sep, "table.concat")
		}
		vm.appendString(L, &b, lua.LVAsString(v), "table.concat")
	}
	vm.charge(L, b.Len(), "table.concat")
	L.Push(lua.LString(b.String()))
	return 1
}

// unpack is unpack with a bounded number of results.
func (vm *VM) unpack(L *lua.LState) int {
	t := L.CheckTable(1)
	i := L.OptInt(2, 1)
	j := L.OptInt(3, t.Len())
	if i > j {
		return 0
	}
	if float64(j)-float64(i) >= float64(vm.limits.MaxUnpack) {
		L.RaiseError("unpack: too many results (limit %d)", vm.limits.MaxUnpack)
	}
	for k := i; k <= j; k++ {
		L.Push(t.RawGetInt(k))
	}
	return j - i + 1
}

// strByte wraps string.byte with a bounded number of results.
func (vm *VM) strByte(inner lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		n := len(L.CheckString(1))
		i := max(relPos(L.OptInt(2, 1), n), 1)
		j := min(relPos(L.OptInt(3, i), n), n)
		if float64(j)-float64(i) >= float64(vm.limits.MaxUnpack) {
			L.RaiseError("string.byte: too many results (limit %d)", vm.limits.MaxUnpack)
		}
		return inner(L)
	}
}

// tableSort is table.sort checking the time budget between comparisons, so
// that sorting a huge table without a Lua comparator is also bounded.
func (vm *VM) tableSort(L *lua.LState) int {
	t := L.CheckTable(1)
	s := &sorter{vm: vm, L: L, vals: make([]lua.LValue, t.Len())}
	if !lua.LVIsFalse(L.Get(2)) {
		s.less = L.CheckFunction(2)
	}
	for i := range s.vals {
		s.vals[i] = t.RawGetInt(i + 1)
	}
	sort.Sort(s)
	for i, v := range s.vals {
		t.RawSetInt(i+1, v)
	}
	return 0
}

type sorter struct {
	vm    *VM
	L     *lua.LState
	vals  []lua.LValue
	less  *lua.LFunction // nil: the < operator
	steps int
}

func (s *sorter) Len() int      { return len(s.vals) }
func (s *sorter) Swap(i, j int) { s.vals[i], s.vals[j] = s.vals[j], s.vals[i] }

func (s *sorter) Less(i, j int) bool {
	if s.steps++; s.steps%1024 == 0 {
		s.vm.checkBudget(s.L)
	}
	if s.less == nil {
		return s.L.LessThan(s.vals[i], s.vals[j])
	}
	s.L.Push(s.less)
	s.L.Push(s.vals[i])
	s.L.Push(s.vals[j])
	s.L.Call(2, 1)
	r := s.L.Get(-1)
	s.L.Pop(1)
	return lua.LVAsBool(r)
}
