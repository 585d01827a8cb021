package engine

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/script"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/markup"
)

// errNoDatabase is the answer of commands that need the database in a game run without one
// (the headless game of mudd test).
var errNoDatabase = errors.New("this game runs without a database")

// storeTimeout bounds the database work a staff command waits for.
const storeTimeout = 10 * time.Second

// offLoop runs fn on a worker goroutine with a context, and then done with its result on
// the loop. finish, if not nil, is the command's Later function: the worker calls it with
// fn's result at once, so the audit log records what fn changed even if the loop stops
// before done runs (a shutdown typed just after a ban).
func (e *Engine) offLoop(finish func(error), fn func(ctx context.Context) error, done func(e *Engine, err error)) {
	if finish == nil {
		finish = func(error) {}
	}
	if e.store == nil {
		finish(errNoDatabase)
		done(e, errNoDatabase)
		return
	}
	e.work(func() {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		err := fn(ctx)
		cancel()
		finish(err)
		e.post(funcEvent(func(e *Engine) { done(e, err) }))
	})
}

func cmdBan(c *Context) {
	e, p, role := c.Engine, c.Player, c.Role
	b, err := parseBan(c.Args, p.Name, e.now())
	if err != nil {
		c.Fail("Not banned: %v. Usage: ban <name|ip|cidr> [duration] [reason]", err)
		return
	}
	if strings.EqualFold(b.Value, p.Name) {
		c.Fail("You can't ban yourself.")
		return
	}
	if b.Kind != banName {
		if err := c.mayBanAddr(b); err != nil {
			c.Fail("Not banned: %v.", err)
			return
		}
	}
	e.offLoop(c.Later(), func(ctx context.Context) error {
		if err := e.banAllowed(ctx, b, role); err != nil {
			return err
		}
		return e.store.AddBan(ctx, b)
	}, func(e *Engine, err error) {
		if err != nil {
			p.Sendf("Not banned: %v.", err)
			return
		}
		e.bans.Store(e.bans.Load().with(b))
		p.Sendf("Banned %s %s%s.", b.Kind, b.Value, banUntil(b))
		e.log.Info("ban", "kind", b.Kind, "value", b.Value, "by", b.By, "until", b.Until, "reason", b.Reason)
		if b.Kind == banName {
			e.router.Act(b.Value, Action{Kind: ActKick, By: p.Name, ByRole: role, Reason: "banned. " + b.Reason})
		}
	})
}

// Widest blocks a wizard may ban; wider ones need an admin.
const (
	wizardBlock4 = 16
	wizardBlock6 = 48
)

// mayBanAddr refuses an address or block ban that would shut out the caller, a block wider
// than a wizard may ban, or one that covers the address of a player online whose role is as
// high as the caller's.
func (c *Context) mayBanAddr(b store.Ban) error {
	e, now := c.Engine, c.Engine.now()
	one := &banList{bans: []store.Ban{b}}
	if pfx, err := netip.ParsePrefix(b.Value); err == nil && b.Kind == banCIDR && c.Role < RoleAdmin {
		if widest := map[bool]int{true: wizardBlock4, false: wizardBlock6}[pfx.Addr().Is4()]; pfx.Bits() < widest {
			return fmt.Errorf("blocks wider than /%d need an admin", widest)
		}
	}
	if addr := c.Player.Addr(); addr != "" {
		if _, self := one.addr(addr, now); self {
			return fmt.Errorf("that would ban your own address (%s)", addr)
		}
	}
	for _, w := range e.router.Who() {
		if _, hit := one.addr(w.Addr, now); hit && w.Role >= c.Role {
			return fmt.Errorf("%s (%s) plays from there, and their role is as high as yours", w.Name, w.Role)
		}
	}
	return nil
}

// banAllowed checks b against the accounts in the database, off the loop: a name ban of an
// account, or an address ban of an account's last login address, is refused when the
// account's role is as high as role.
func (e *Engine) banAllowed(ctx context.Context, b store.Ban, role Role) error {
	if b.Kind == banName {
		acct, err := e.store.Account(ctx, b.Value)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if r, _ := ParseRole(acct.Role); r >= role {
			return fmt.Errorf("%s is %s %s, as high as you or higher", acct.Name, article(acct.Role), acct.Role)
		}
		return nil
	}
	staff, err := e.store.Staff(ctx)
	if err != nil {
		return err
	}
	one := &banList{bans: []store.Ban{b}}
	for _, a := range staff {
		r, _ := ParseRole(a.Role)
		if _, hit := one.addr(a.LastAddr, b.At); hit && r >= role {
			return fmt.Errorf("%s (%s) last logged in from there, and their role is as high as yours", a.Name, a.Role)
		}
	}
	return nil
}

func banUntil(b store.Ban) string {
	if b.Until.IsZero() {
		return " permanently"
	}
	return " until " + b.Until.UTC().Format("2006-01-02 15:04 UTC")
}

func cmdUnban(c *Context) {
	e, p := c.Engine, c.Player
	kind, value, err := parseBanTarget(strings.TrimSpace(c.Args))
	if err != nil {
		c.Fail("Unban what? %v.", err)
		return
	}
	_, had := e.bans.Load().without(kind, value)
	e.offLoop(c.Later(), func(ctx context.Context) error {
		err := e.store.RemoveBan(ctx, kind, value)
		switch {
		case errors.Is(err, store.ErrNotFound) && had:
			return nil // gone from the database already: lift it here too
		case errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("%s is not banned", value)
		}
		return err
	}, func(e *Engine, err error) {
		if err != nil {
			p.Sendf("Not unbanned: %v.", err)
			return
		}
		list, _ := e.bans.Load().without(kind, value)
		e.bans.Store(list)
		p.Sendf("Lifted the ban of %s %s.", kind, value)
	})
}

func cmdBans(c *Context) {
	now := c.Engine.now()
	list := c.Engine.bans.Load().active(now)
	if len(list) == 0 {
		c.Send("Nobody is banned.")
		return
	}
	var b strings.Builder
	for _, x := range list {
		fmt.Fprintf(&b, "%-4s %-20s by %s on %s,%s", x.Kind, x.Value, x.By, x.At.UTC().Format("2006-01-02"), banUntil(x))
		if x.Reason != "" {
			fmt.Fprintf(&b, ": %s", x.Reason)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%d ban(s).", len(list))
	c.Send(b.String())
}

// roleCmd is promote (up) or demote. Nobody is raised to or above the caller's role, and
// nobody of the caller's role or above is changed. The account is updated off the loop, so
// offline characters can be changed too; an online one gets the new role at once.
func roleCmd(up bool) func(*Context) {
	verb := map[bool]string{true: "promote", false: "demote"}[up]
	return func(c *Context) {
		e, p, role := c.Engine, c.Player, c.Role
		name, roleName := firstWord(c.Args)
		to, err := ParseRole(roleName)
		if name == "" || roleName == "" || err != nil {
			c.Fail("Usage: %s <name> <role>. %v", verb, err)
			return
		}
		if to >= role {
			c.Fail("You can't make anyone %s: that is not below your own role.", to)
			return
		}
		if strings.EqualFold(name, p.Name) {
			c.Fail("You can't change your own role.")
			return
		}
		var display string
		e.offLoop(c.Later(), func(ctx context.Context) error {
			// The check and the change are one locked step: another process changing the
			// same account meanwhile cannot slip between them.
			acct, err := e.store.UpdateRole(ctx, name, func(acct store.Account) (string, error) {
				cur, _ := ParseRole(acct.Role)
				switch {
				case cur >= role:
					return "", fmt.Errorf("%s is %s %s, as high as you or higher", acct.Name, article(cur.String()), cur)
				case up && to <= cur:
					return "", fmt.Errorf("%s is %s %s already; promote raises", acct.Name, article(cur.String()), cur)
				case !up && to >= cur:
					return "", fmt.Errorf("%s is %s %s; demote lowers", acct.Name, article(cur.String()), cur)
				}
				return to.String(), nil
			})
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("there is no character called %q", name)
			}
			display = acct.Name
			return err
		}, func(e *Engine, err error) {
			if err != nil {
				p.Sendf("Not changed: %v.", err)
				return
			}
			e.router.Act(display, Action{Kind: ActSetRole, By: p.Name, ByRole: role, Role: to})
			p.Sendf("%s is now %s %s.", display, article(to.String()), to)
			e.log.Info(verb, "name", display, "role", to, "by", p.Name)
		})
	}
}

// auditLimit is the most entries audit shows.
const auditLimit = 200

func cmdAudit(c *Context) {
	e, p := c.Engine, c.Player
	who, n := "", 20
	for _, w := range strings.Fields(c.Args) {
		if k, err := strconv.Atoi(w); err == nil {
			n = min(max(k, 1), auditLimit)
		} else {
			who = w
		}
	}
	var rows []store.AuditEntry
	// Later: this command's own entry is written after the read, so it is not in its output.
	e.offLoop(c.Later(), func(ctx context.Context) error {
		if err := e.audit.Flush(ctx); err != nil {
			return err
		}
		var err error
		rows, err = e.store.Audit(ctx, who, n)
		return err
	}, func(e *Engine, err error) {
		if err != nil {
			p.Sendf("The audit log cannot be read: %v.", err)
			return
		}
		p.Send(markup.Escape(renderAudit(rows))) // lines as typed, tags and all
	})
}

func renderAudit(rows []store.AuditEntry) string {
	if len(rows) == 0 {
		return "The audit log has no entries."
	}
	var b strings.Builder
	for i := len(rows) - 1; i >= 0; i-- { // oldest first, the latest next to the prompt
		a := rows[i]
		who := a.Who
		if a.By != "" {
			who += " (forced by " + a.By + ")"
		}
		fmt.Fprintf(&b, "%s %s [%s] at %s: %s => %s\n", a.At.UTC().Format("2006-01-02 15:04:05"), who, a.Role,
			orDash(a.Room), a.Line, a.Result)
	}
	return strings.TrimRight(b.String(), "\n")
}

// maxCountdown is the longest shutdown countdown, in seconds: a day.
const maxCountdown = 24 * 60 * 60

// cmdShutdown counts down, telling everyone, then stops the loop: Serve saves everyone and
// returns nil, and `mudd serve` exits 0, as after SIGTERM.
func cmdShutdown(c *Context) {
	e := c.Engine
	first, reason := firstWord(c.Args)
	if first == "cancel" {
		if e.countdown == nil {
			c.Fail("No shutdown is pending.")
			return
		}
		e.countdown.cancelled = true
		e.countdown = nil
		e.router.Broadcast(RolePlayer, "", "", fmt.Sprintf("[%s] The shutdown is cancelled.", e.game.Name))
		return
	}
	secs := 0
	if n, err := strconv.Atoi(first); err == nil {
		if n < 0 || n > maxCountdown {
			c.Fail("The countdown is 0 to %d seconds.", maxCountdown)
			return
		}
		secs = n
	} else {
		reason = strings.TrimSpace(first + " " + reason)
	}
	if e.countdown != nil {
		e.countdown.cancelled = true
	}
	if reason == "" {
		reason = "by " + c.Player.Name
	}
	e.log.Info("shutdown ordered", "by", c.Player.Name, "in", secs, "reason", reason)
	e.shutdownStep(time.Duration(secs)*time.Second, reason)
}

// shutdownStep announces the shutdown left from now and schedules the next announcement,
// or stops the loop when no time is left.
func (e *Engine) shutdownStep(left time.Duration, reason string) {
	if left <= 0 {
		e.countdown = nil
		e.router.Broadcast(RolePlayer, "", "", fmt.Sprintf("[%s] Shutting down now (%s).", e.game.Name, reason))
		if e.stopLoop != nil { // nil in a game that is not served (mudd test)
			e.stopLoop()
		}
		return
	}
	e.router.Broadcast(RolePlayer, "", "", fmt.Sprintf("[%s] The game shuts down in %s (%s).", e.game.Name, left, reason))
	next := left - nextAnnouncement(left)
	t := &timer{due: e.now().Add(left - next), index: -1}
	t.fire = func() { e.shutdownStep(next, reason) }
	e.countdown = t
	e.timers.schedule(t)
}

// nextAnnouncement is how long until the countdown is announced again.
func nextAnnouncement(left time.Duration) time.Duration {
	for _, mark := range []time.Duration{10 * time.Minute, 5 * time.Minute, time.Minute, 30 * time.Second, 10 * time.Second} {
		if left > mark {
			return left - mark
		}
	}
	return left
}

// cmdLua evaluates code in the live world, with me (the caller) and here (its room), under
// the script time budget, and shows the results or the error.
func cmdLua(c *Context) {
	e := c.Engine
	code := strings.TrimSpace(c.Args)
	if code == "" {
		c.Fail("Usage: lua <code>, e.g. lua return #mud.players()")
		return
	}
	b := e.lua
	args := []lua.LValue{b.thingUD(c.Actor()), b.roomUD(c.Actor().Room)}
	rets, err := e.vm.Eval("local me, here = ... return "+code, "lua", args...)
	if se := (*script.Error)(nil); errors.As(err, &se) && se.Syntax {
		rets, err = e.vm.Eval("local me, here = ... "+code, "lua", args...)
	}
	if err != nil {
		c.Send("Lua error: " + markup.Escape(err.Error())) // code quoted in it is not markup
		c.err = err
		return
	}
	if len(rets) == 0 {
		c.Send("(no result)")
		return
	}
	out := make([]string, len(rets))
	for i, v := range rets {
		out[i] = luaShow(v)
	}
	c.Send(markup.Escape(strings.Join(out, ", ")))
}

// luaShow formats a Lua value for a person: strings quoted, things and rooms by name, tables
// by their first entries.
func luaShow(v lua.LValue) string { return luaShowDepth(v, 0) }

// luaShowEntries is how many entries of a table luaShow lists.
const luaShowEntries = 20

func luaShowDepth(v lua.LValue, depth int) string {
	switch v := v.(type) {
	case lua.LString:
		return strconv.Quote(string(v))
	case *lua.LUserData:
		switch x := v.Value.(type) {
		case *world.Thing:
			return fmt.Sprintf("<%s #%d %s>", x.Kind, x.ID, x.Name)
		case *world.Room:
			return fmt.Sprintf("<room %s>", x.Key)
		}
	case *lua.LTable:
		if depth > 1 {
			return "{…}"
		}
		var parts []string
		n := 0
		v.ForEach(func(k, x lua.LValue) {
			if n++; n > luaShowEntries {
				return
			}
			if k == lua.LNumber(n) {
				parts = append(parts, luaShowDepth(x, depth+1))
			} else {
				parts = append(parts, lua.LVAsString(k)+" = "+luaShowDepth(x, depth+1))
			}
		})
		if n > luaShowEntries {
			parts = append(parts, fmt.Sprintf("… %d more", n-luaShowEntries))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return v.String()
}
