package engine

import (
	"math"
	"sort"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/world"
)

// maxDataDepth bounds how deeply nested builder data may be saved.
const maxDataDepth = 16

// dataTable returns t's builder data table, creating it on first use. A script that reads a
// player's data may change it, so the player is marked for saving.
func (b *luaBindings) dataTable(t *world.Thing) *lua.LTable {
	if p := playerOf(t); p != nil {
		p.touch()
	}
	b.thingUD(t)
	d := t.Data.(*thingData)
	if d.data == nil {
		d.data = b.L.NewTable()
	}
	return d.data
}

// dataOf converts t's builder data to plain values (strings, float64, bools, maps and slices);
// anything else (functions, things) is left out.
func (b *luaBindings) dataOf(t *world.Thing) map[string]any {
	d, _ := t.Data.(*thingData)
	if d == nil || d.data == nil {
		return nil
	}
	m, _ := plainTable(d.data, 0).(map[string]any)
	if len(m) == 0 {
		return nil
	}
	return m
}

// setData gives t the builder data m.
func (b *luaBindings) setData(t *world.Thing, m map[string]any) {
	if len(m) == 0 {
		return
	}
	tbl := b.dataTable(t)
	for _, k := range sortedKeys(m) {
		tbl.RawSetString(k, b.luaValue(m[k], 0))
	}
}

func plainValue(v lua.LValue, depth int) (any, bool) {
	switch v := v.(type) {
	case lua.LString:
		return string(v), true
	case lua.LNumber:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, false // not plain data: it would make the whole snapshot unsavable
		}
		return f, true
	case lua.LBool:
		return bool(v), true
	case *lua.LTable:
		if depth >= maxDataDepth {
			return nil, false
		}
		return plainTable(v, depth+1), true
	}
	return nil, false
}

// plainTable converts a table: a sequence 1..n becomes a slice, anything else a map with
// string keys (number keys are written as strings).
func plainTable(t *lua.LTable, depth int) any {
	if n := t.Len(); n > 0 && countKeys(t) == n {
		s := make([]any, 0, n)
		for i := 1; i <= n; i++ {
			if v, ok := plainValue(t.RawGetInt(i), depth); ok {
				s = append(s, v)
			}
		}
		return s
	}
	m := make(map[string]any)
	t.ForEach(func(k, v lua.LValue) {
		if k.Type() != lua.LTString && k.Type() != lua.LTNumber {
			return
		}
		if pv, ok := plainValue(v, depth); ok {
			m[lua.LVAsString(k)] = pv
		}
	})
	return m
}

func countKeys(t *lua.LTable) int {
	n := 0
	t.ForEach(func(lua.LValue, lua.LValue) { n++ })
	return n
}

func (b *luaBindings) luaValue(v any, depth int) lua.LValue {
	if depth > maxDataDepth {
		return lua.LNil
	}
	switch v := v.(type) {
	case string:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case int:
		return lua.LNumber(v)
	case bool:
		return lua.LBool(v)
	case []any:
		t := b.L.CreateTable(len(v), 0)
		for _, x := range v {
			t.Append(b.luaValue(x, depth+1))
		}
		return t
	case map[string]any:
		t := b.L.NewTable()
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.RawSet(dataKey(k), b.luaValue(v[k], depth+1))
		}
		return t
	}
	return lua.LNil
}

// dataKey turns a saved map key back into the Lua key it came from: integer keys were
// written as strings.
func dataKey(k string) lua.LValue {
	if n, err := strconv.Atoi(k); err == nil && strconv.Itoa(n) == k {
		return lua.LNumber(n)
	}
	return lua.LString(k)
}
