// Package script hosts a game's Lua scripts in a sandboxed gopher-lua state.
//
// # Sandbox
//
// A VM opens only the base, table, string, math and coroutine libraries. It
// removes the base functions that reach files or the compiler or change
// environments (dofile, loadfile, load, loadstring, module, getfenv, setfenv,
// collectgarbage, newproxy). os holds only os.time and os.clock. print writes
// to the VM's logger at debug level, with the caller's position. require
// loads modules only from scripts/ in the game directory, each once:
// require("a.b") runs scripts/a/b.lua.
//
// # Time budget
//
// Every call from Go into Lua through [VM.Call], [VM.CallN], [VM.RunFile] and
// [VM.RunString] runs under a time budget, 50ms by default. gopher-lua checks
// it before every Lua instruction, so loops, recursion, coroutines and Lua
// callbacks of table.sort or string.gsub stop when it runs out, and pcall and
// xpcall cannot catch that. Calls that Go functions make while a call runs
// share its deadline, unless they go through [VM.Nested], which gives them
// budgets of their own. After an abort the VM is ready for the next call.
//
// # Limits
//
// Builtins that run in Go, where gopher-lua does not check the budget, are
// replaced by bounded versions (see [Limits]): string.rep, string.format,
// string.gsub and table.concat build at most Limits.MaxString bytes; unpack
// and string.byte return at most Limits.MaxUnpack values; string.find,
// match, gmatch and gsub use a pattern matcher that checks the budget as it
// goes, and table.sort checks it between comparisons. The strings these
// builtins build and the coroutines a call creates count against
// Limits.MaxAlloc, and coroutines resume one another at most 200 deep.
//
// # What is not bounded
//
// gopher-lua has no memory limit per state. The concatenation operator and
// table stores are single instructions, so a runaway script allocates as fast
// as the machine allows until its budget ends: with 50ms, copying a 1 MB
// string with .. in a loop reached about 100 MiB, filling a table about
// 40 MiB, and doubling a string with s = s .. s ended after 65-80ms because
// the instruction under way when the budget runs out finishes first. The call
// then fails, but what the script stored in globals stays. Go functions the
// engine registers also run to completion: the budget cannot stop them.
//
// Importing this package lowers gopher-lua's process-wide lua.MaxArrayIndex
// from 2^26 to 2^20. With the default, the single store t[60000000] = true
// appends sixty million nils to the table's array part, uninterruptibly
// (14s and 4.7 GB allocated, measured); larger keys now go to the hash part.
//
// A VM is not safe for concurrent use: it belongs to the goroutine that runs
// the game loop.
package script

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// DefaultBudget is the time budget of a call when Config.Budget is zero.
const DefaultBudget = 50 * time.Millisecond

// Sizes of the Lua state. A coroutine is a state of its own with the same
// sizes, so they also bound what each coroutine costs.
const (
	callStackSize    = 256       // Lua call frames (about 80 bytes each)
	registrySize     = 1024      // initial value stack (16 bytes a slot)
	registryMaxSize  = 64 * 1024 // enough for callStackSize frames of 250 registers
	registryGrowStep = 1024
	// threadCost is what coroutine.create counts against Limits.MaxAlloc.
	threadCost = callStackSize*80 + registrySize*16 + 4096
	// maxResumeDepth bounds coroutines resuming coroutines, like Lua's
	// LUAI_MAXCCALLS.
	maxResumeDepth = 200
)

// maxArrayIndex is the largest integer key gopher-lua stores in a table's
// array part; larger keys go to the hash part.
const maxArrayIndex = 1 << 20

// init lowers lua.MaxArrayIndex; see the package documentation.
func init() {
	if lua.MaxArrayIndex > maxArrayIndex {
		lua.MaxArrayIndex = maxArrayIndex
	}
}

// Config configures a VM.
type Config struct {
	Game   fs.FS         // the game directory, holding scripts/ and world/
	Budget time.Duration // time budget of each call; DefaultBudget if zero
	Limits Limits        // zero fields take their defaults
	Log    *slog.Logger  // receives print output at debug level; none if nil
	// Cache, if set, keeps the compiled files of this VM for later VMs: a file whose source
	// has not changed is not compiled again. A reload of the game uses it.
	Cache *Cache
}

// Cache holds compiled chunks by name and source. A compiled chunk (a
// lua.FunctionProto) is immutable, so VMs share it: each makes its own
// closure from it. Only the latest source of each name is kept. A Cache is
// not safe for concurrent use; it belongs to the goroutine of its VMs.
type Cache struct {
	chunks map[string]cached
}

type cached struct {
	src   string
	proto *lua.FunctionProto
}

// compile returns the compiled chunk of src named name, from the cache when
// the source is the same.
func (c *Cache) compile(src []byte, name string) (*lua.FunctionProto, error) {
	if c == nil {
		return compile(src, name)
	}
	if e, ok := c.chunks[name]; ok && e.src == string(src) {
		return e.proto, nil
	}
	proto, err := compile(src, name)
	if err != nil {
		return nil, err
	}
	if c.chunks == nil {
		c.chunks = make(map[string]cached)
	}
	c.chunks[name] = cached{string(src), proto}
	return proto, nil
}

// Limits bound the builtins that gopher-lua runs in Go, which the time budget
// cannot interrupt. A zero field takes its default.
type Limits struct {
	// MaxString is the longest string that string.rep, string.format,
	// string.gsub and table.concat may return. Default 1 MiB.
	MaxString int
	// MaxUnpack is the most values unpack and string.byte may return.
	// Default 10000.
	MaxUnpack int
	// MaxAlloc is the total size of the strings built by those builtins,
	// plus a fixed cost for each coroutine.create, in one top-level call.
	// Default 64 MiB.
	MaxAlloc int
}

func (l Limits) withDefaults() Limits {
	if l.MaxString <= 0 {
		l.MaxString = 1 << 20
	}
	if l.MaxUnpack <= 0 {
		l.MaxUnpack = 10000
	}
	if l.MaxAlloc <= 0 {
		l.MaxAlloc = 64 << 20
	}
	return l
}

// VM is a sandboxed Lua state. The engine registers its globals and types on
// L and calls Lua through the VM's methods, which apply the time budget. A Go
// function that calls back into Lua should use them too: calls made directly
// on L (L.PCall, L.CallByParam) are under a budget only while a VM call runs.
// When a nested call fails with a timeout, the Go function should return
// promptly; the caller's next Lua instruction then aborts as well.
//
// The VM owns L's context and panic handler: do not call L.SetContext,
// L.RemoveContext or L.NewThread (Lua's coroutine.create and coroutine.wrap
// are adapted to the budget).
type VM struct {
	L *lua.LState

	game   fs.FS
	log    *slog.Logger
	limits Limits
	budget *budget
	// Functions made once: calls go through enterFn (see enter).
	enterFn      *lua.LFunction
	enterQuietFn *lua.LFunction
	raiseTraced  func(*lua.LState)
	depth        int // nesting of VM calls; the outermost arms the budget
	resumes      int // nesting of coroutine resumes
	alloc        int // bytes charged against limits.MaxAlloc in this call
	loaded       map[string]lua.LValue
	loading      []string // modules being loaded, outermost first
	cache        *Cache
}

// New returns a VM with the sandboxed libraries open.
func New(cfg Config) *VM {
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultBudget
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	vm := &VM{
		L: lua.NewState(lua.Options{
			SkipOpenLibs:     true,
			CallStackSize:    callStackSize,
			RegistrySize:     registrySize,
			RegistryMaxSize:  registryMaxSize,
			RegistryGrowStep: registryGrowStep,
		}),
		game:   cfg.Game,
		log:    cfg.Log,
		limits: cfg.Limits.withDefaults(),
		budget: newBudget(cfg.Budget),
		loaded: make(map[string]lua.LValue),
		cache:  cfg.Cache,
	}
	vm.enterFn = vm.L.NewFunction(vm.enter)
	vm.enterQuietFn = vm.L.NewFunction(enterQuiet)
	vm.raiseTraced = vm.raise
	vm.openLibs()
	vm.L.SetContext(vm.budget)
	return vm
}

// Close releases the Lua state. The VM must not be used afterwards.
func (vm *VM) Close() {
	vm.budget.stop()
	vm.L.Close()
}

// Call calls fn with args in protected mode under the time budget and
// returns its first result. The error, if any, is an *Error.
func (vm *VM) Call(fn lua.LValue, args ...lua.LValue) (lua.LValue, error) {
	base := vm.L.GetTop()
	if err := vm.pcall(fn, 1, args); err != nil {
		return lua.LNil, err
	}
	v := vm.L.Get(-1)
	vm.L.SetTop(base)
	return v, nil
}

// CallN is like Call but returns nret results, or all of them if nret is
// lua.MultRet.
func (vm *VM) CallN(fn lua.LValue, nret int, args ...lua.LValue) ([]lua.LValue, error) {
	base := vm.L.GetTop()
	if err := vm.pcall(fn, nret, args); err != nil {
		return nil, err
	}
	rets := make([]lua.LValue, vm.L.GetTop()-base)
	for i := range rets {
		rets[i] = vm.L.Get(base + 1 + i)
	}
	vm.L.SetTop(base)
	return rets, nil
}

// pcall runs fn with args, leaving nret results on the stack. Only the
// outermost call arms the budget: nested calls, made by Go functions that Lua
// called, run under the deadline of the call that contains them.
func (vm *VM) pcall(fn lua.LValue, nret int, args []lua.LValue) error {
	if vm.depth == 0 {
		vm.alloc = 0
		vm.budget.arm()
		defer vm.budget.disarm()
	}
	vm.depth++
	defer func() { vm.depth-- }()

	vm.L.Push(vm.enterFn)
	vm.L.Push(fn)
	for _, a := range args {
		vm.L.Push(a)
	}
	if err := vm.L.PCall(len(args)+1, nret, nil); err != nil {
		return newError(err, vm.budget.expired())
	}
	return nil
}

// SetBudget changes the time budget of the calls that start after it, for example a larger
// one while a game loads. It must not be called while a call runs.
func (vm *VM) SetBudget(d time.Duration) {
	if d <= 0 {
		d = DefaultBudget
	}
	vm.budget.limit, vm.budget.err = d, budgetError{d}
}

// Nested runs fn, which calls into Lua through the VM, as a sequence of top-level calls each
// under a budget of d, even when a call is running: a Go function that Lua called (a test
// harness driving the game, say) runs the game's work under the game's own budget, not under
// what is left of its caller's. The running call's clock stops while fn runs and starts again
// afterwards. When the running call has run out of time already, fn does not run and Nested
// reports false. Outside a call, Nested runs fn with d as the budget of its calls.
func (vm *VM) Nested(d time.Duration, fn func()) bool {
	if d <= 0 {
		d = DefaultBudget
	}
	b := vm.budget
	limit := b.limit
	if vm.depth == 0 {
		vm.SetBudget(d)
		defer vm.SetBudget(limit)
		fn()
		return true
	}
	left, ok := b.pause()
	if !ok {
		return false
	}
	depth, alloc := vm.depth, vm.alloc
	vm.depth = 0
	vm.SetBudget(d)
	defer func() {
		vm.depth, vm.alloc = depth, alloc
		b.resume(limit, left)
	}()
	fn()
	return true
}

// Budget is the current time budget of a call.
func (vm *VM) Budget() time.Duration { return vm.budget.limit }

// RunFile compiles and runs the named file of the game directory under the
// time budget. The chunk is named by its path, so errors read
// "world/town/rooms.lua:12: ...". A file that does not compile is not run.
func (vm *VM) RunFile(name string) error {
	proto, err := vm.Compile(name)
	if err != nil {
		return err
	}
	return vm.pcall(vm.L.NewFunctionFromProto(proto), 0, nil)
}

// RunString is like RunFile for Lua source held in a string.
func (vm *VM) RunString(src, chunkName string) error {
	proto, err := compile([]byte(src), chunkName)
	if err != nil {
		return err
	}
	return vm.pcall(vm.L.NewFunctionFromProto(proto), 0, nil)
}

// Eval compiles src as a chunk called chunkName and calls it with args under the time
// budget, returning every result. A syntax error or a runtime error is an *Error.
func (vm *VM) Eval(src, chunkName string, args ...lua.LValue) ([]lua.LValue, error) {
	proto, err := compile([]byte(src), chunkName)
	if err != nil {
		return nil, err
	}
	return vm.CallN(vm.L.NewFunctionFromProto(proto), lua.MultRet, args...)
}

// Compile parses and compiles the named file of the game directory without
// running it. A syntax error is an *Error; a file that cannot be read gives
// the file system's error.
func (vm *VM) Compile(name string) (*lua.FunctionProto, error) {
	if vm.game == nil {
		return nil, errors.New("script: no game directory")
	}
	src, err := fs.ReadFile(vm.game, name)
	if err != nil {
		return nil, fmt.Errorf("script: %w", err)
	}
	return vm.cache.compile(src, name)
}

func compile(src []byte, name string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err == nil {
		var proto *lua.FunctionProto
		if proto, err = lua.Compile(chunk, name); err == nil {
			return proto, nil
		}
	}
	return nil, syntaxError(name, bytes.Count(src, []byte("\n"))+1, err)
}
