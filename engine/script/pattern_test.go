package script

import (
	"strings"
	"testing"
)

// show joins the results of an expression with commas.
const showLua = `
local function show(...)
	local t = {}
	for i = 1, select("#", ...) do t[i] = tostring((select(i, ...))) end
	return table.concat(t, ",")
end
`

func TestPatterns(t *testing.T) {
	tests := []struct{ expr, want string }{
		// string.find
		{`string.find("hello", "l+")`, "3,4"},
		{`string.find("hello", "l")`, "3,3"},
		{`string.find("a.b", ".", 1, true)`, "2,2"},
		{`string.find("a+b", "+", 1)`, "2,2"},
		{`string.find("hello", "xyz")`, "nil"},
		{`string.find("hello", "")`, "1,0"},
		{`string.find("hello", "", 10)`, "6,5"},
		{`string.find("hello", "l", -2)`, "4,4"},
		{`string.find("hello", "h", -100)`, "1,1"},
		{`string.find("key=value", "(%w+)=(%w+)")`, "1,9,key,value"},
		{`string.find("hello", "()ll()")`, "3,4,3,5"},
		{`string.find("abc", "^b")`, "nil"},
		{`string.find("abc", "^a")`, "1,1"},
		{`string.find("a)", "a)")`, "1,2"},
		// string.match
		{`string.match("hello world", "^(%w+)")`, "hello"},
		{`string.match("  trim me  ", "^%s*(.-)%s*$")`, "trim me"},
		{`string.match("hello", ".-")`, ""},
		{`string.match("hello", "x")`, "nil"},
		{`string.match("THE (quick) fox", "%((%a+)%)")`, "quick"},
		{`string.match("f(a(b)c)d", "%b()")`, "(a(b)c)"},
		{`string.match("f(a(b", "%b()")`, "nil"},
		{`string.match("THE (quick) fox", "%f[%a]%a+", 5)`, "quick"},
		{`string.match("hello", "(h)(e)")`, "h,e"},
		{`string.match("aaa", "^(a-)a$")`, "aa"},
		{`string.match("abcabc", "(abc)%1")`, "abc"},
		{`string.match("x = 10", "(%w+)%s*=%s*(%d+)")`, "x,10"},
		{`string.match("2024-01-05", "(%d+)-(%d+)-(%d+)")`, "2024,01,05"},
		{`string.match("[test]", "^%[(.*)%]$")`, "test"},
		{`string.match("a]b", "[]]")`, "]"},
		{`string.match("a-b", "[a%-]+")`, "a-"},
		{`string.match("hello", "[^aeiou]+")`, "h"},
		{`string.match("  x", "%S")`, "x"},
		{`string.match("A1_b", "[%w_]+")`, "A1_b"},
		{`string.match("x9Z", "[a-z]%d[A-Z]")`, "x9Z"},
		{`string.match("abc", "c$")`, "c"},
		{`string.match("a$c", "$c")`, "$c"},
		{`string.match("ab", "a?b?c?")`, "ab"},
		{`string.match("tab\there", "%c")`, "\t"},
		{`string.match("a.b", "%p")`, "."},
		{`string.match("0x1F", "%x+$")`, "1F"},
		{`string.match("hello", "()")`, "1"},
		{`string.match("hello", "l*", 3)`, "ll"},
		{`string.match("THE END", "%u+ %U*")`, "THE "},
		{`string.match("end", "%f[%w]%w+%f[%W]")`, "end"},
		{`("key: val"):match("(%w+):%s*(%w+)")`, "key,val"},
		// string.gmatch
		{`(function() local t = {} for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do t[#t+1] = k .. v end return table.concat(t, ";") end)()`, "a1;b2"},
		{`(function() local t = {} for w in ("one two  three"):gmatch("%a+") do t[#t+1] = w end return table.concat(t, ";") end)()`, "one;two;three"},
		{`(function() local n = 0 for w in string.gmatch("abc", "") do n = n + 1 end return n end)()`, "4"},
		{`(function() local t = {} for p in string.gmatch("abc", "()") do t[#t+1] = p end return table.concat(t) end)()`, "1234"},
		{`(function() local it = string.gmatch("ab", "%a") return it(), it(), it(), it() end)()`, "a,b,nil"},
		// string.gsub
		{`string.gsub("hello world", "o", "0")`, "hell0 w0rld,2"},
		{`string.gsub("hello", "", "-")`, "-h-e-l-l-o-,6"},
		{`string.gsub("hello world", "(%w+)", "<%1>")`, "<hello> <world>,2"},
		{`string.gsub("abc", "%w", "%0%0")`, "aabbcc,3"},
		{`string.gsub("hello world", "%w+", "%%")`, "% %,2"},
		{`string.gsub("$name is $age", "%$(%w+)", {name = "bob", age = 3})`, "bob is 3,2"},
		{`string.gsub("abc", "b", function(x) return x:upper() end)`, "aBc,1"},
		{`string.gsub("abc", "%w", function() return nil end)`, "abc,3"},
		{`string.gsub("abc", "%w", {})`, "abc,3"},
		{`string.gsub("abc", "%w", "x", 2)`, "xxc,2"},
		{`string.gsub("abc", "^a", "x")`, "xbc,1"},
		{`string.gsub("aaa", "^a", "x")`, "xaa,1"},
		{`string.gsub("abc", "()", "%1")`, "1a2b3c4,4"},
		{`string.gsub("abc", "b", 5)`, "a5c,1"},
		{`string.gsub("a,b,,c", ",", ";")`, "a;b;;c,3"},
		{`string.gsub("hello", "(l)(l)", "%2%1")`, "hello,1"},
		{`string.gsub("abc", ".", {a = 1, b = false})`, "1bc,3"},
		{`("x y"):gsub(" ", "")`, "xy,1"},
		{`string.gsub("abc", "", "")`, "abc,4"},
	}
	vm := newVM(t, Config{})
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got := eval(t, vm, showLua+"return show("+tt.expr+")")
			if got.String() != tt.want {
				t.Errorf("%s = %q, want %q", tt.expr, got.String(), tt.want)
			}
		})
	}
}

func TestPatternErrors(t *testing.T) {
	tests := []struct{ expr, err string }{
		{`string.find("a", "%")`, "malformed pattern (ends with '%')"},
		{`string.find("a", "[a")`, "malformed pattern (missing ']')"},
		{`string.find("a", "[")`, "malformed pattern (missing ']')"},
		{`string.find("a", "(a")`, "unfinished capture"},
		{`string.match("a", "a)")`, "invalid pattern capture"},
		{`string.find("aa", "(a)%2")`, "invalid capture index"},
		{`string.find("a", "%0")`, "invalid capture index"},
		{`string.gsub("a", "a", "%2")`, "invalid capture index"},
		{`string.gsub("a", "a", "50%")`, "invalid use of '%' in replacement string"},
		{`string.gsub("a", "a", true)`, "bad argument #3 to gsub (string/function/table expected)"},
		{`string.gsub("abc", "%w", function() return {} end)`, "invalid replacement value (a table)"},
		{`string.gsub("abc", "%w", {a = true})`, "invalid replacement value (a boolean)"},
		{`string.find("a", "%f")`, "missing '[' after '%f' in pattern"},
		{`string.find("a", "%b")`, "missing arguments to '%b'"},
		{`string.find("a", string.rep("(", 33) .. "a" .. string.rep(")", 33))`, "too many captures"},
		{`string.find(string.rep("a", 300), string.rep("a?", 300))`, "pattern too complex"},
		{`string.find(nil, "a")`, "bad argument #1"},
	}
	vm := newVM(t, Config{})
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			err := vm.RunString(tt.expr, "p.lua")
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error = %v, want one containing %q", err, tt.err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "p.lua:1:") {
				t.Errorf("error %q does not point at p.lua:1", err)
			}
		})
	}
}
