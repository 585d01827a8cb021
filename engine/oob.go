package engine

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/markup"
	"github.com/mudd/mudd/telnet"
)

// OOB is one out-of-band message in an Output: GMCP (Package and Data, JSON) or MSDP (Vars).
// It is written just before Text[At:], so it keeps its place among the lines. The writer
// drops it if the client did not agree to the protocol or, for GMCP, subscribe to the
// package.
type OOB struct {
	At      int
	Package string
	Data    []byte
	Vars    []telnet.Var
}

// Out-of-band limits per player.
const (
	maxEarlyOOB  = 32 // messages kept while the character loads
	maxReported  = 64 // MSDP variables one client may REPORT
	maxOOBQueued = 64 // messages queued in one output batch
)

// A client may send oobBurst GMCP/MSDP messages at once, and oobRate a second after that;
// past the budget it is disconnected, as for a flood of lines. Clients send a few at login
// and then one now and then (a ping, a request for the inventory).
const (
	oobBurst = 200
	oobRate  = 20
)

// oobBudget is a session's token bucket of incoming out-of-band messages. Its reader
// goroutine owns it.
type oobBudget struct {
	tokens  float64
	at      time.Time // when tokens was last topped up; zero before the first message
	flooded bool
}

// take spends one message of the budget at now, and reports whether there was one.
func (b *oobBudget) take(now time.Time) bool {
	if b.at.IsZero() {
		b.tokens = oobBurst
	} else if d := now.Sub(b.at); d > 0 {
		b.tokens = min(oobBurst, b.tokens+d.Seconds()*oobRate)
	}
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// oobState is a player's out-of-band data: the last value of each GMCP state package and
// the MSDP variables derived from them, in one place. The engine and Lua update it through
// Player.GMCP; each client gets GMCP, MSDP or both, as it asked.
type oobState struct {
	pkgs     map[string]any // lower-case package -> last value (merged for Char.Vitals/Status)
	names    map[string]string
	vars     map[string]any // MSDP variables
	reported map[string]bool
	queue    []OOB // to go out with the player's next output batch
}

// stateful packages are remembered (and sent again when a client subscribes late); keyed
// ones are merged, so a script may send only the fields that changed.
var (
	statePackages  = map[string]bool{"char.name": true, "char.vitals": true, "char.status": true, "room.info": true}
	mergedPackages = map[string]bool{"char.vitals": true, "char.status": true}
)

// GMCP sends a GMCP message to the player, if the client subscribed to its package, and
// records it: Char.Name, Char.Vitals, Char.Status and Room.Info also feed the MSDP
// variables (see docs/protocols.md). data is any value encoding/json accepts; for Char.Vitals
// and Char.Status it is an object and may hold only the fields that changed.
func (p *Player) GMCP(pkg string, data any) {
	key := strings.ToLower(pkg)
	value := data
	if statePackages[key] {
		value = p.oob.remember(key, pkg, data)
	}
	p.sendGMCP(pkg, data)
	p.deriveMSDP(key, value)
}

// remember stores a state package's value (merging objects for merged packages) and returns
// the value now held.
func (o *oobState) remember(key, pkg string, data any) any {
	if o.pkgs == nil {
		o.pkgs, o.names = make(map[string]any), make(map[string]string)
	}
	o.names[key] = pkg
	if m, ok := data.(map[string]any); ok && mergedPackages[key] {
		old, _ := o.pkgs[key].(map[string]any)
		merged := make(map[string]any, len(old)+len(m))
		for k, v := range old {
			merged[k] = v
		}
		for k, v := range m {
			merged[k] = v
		}
		o.pkgs[key] = merged
		return merged
	}
	o.pkgs[key] = data
	return data
}

// sendGMCP queues a GMCP message if the client wants the package.
func (p *Player) sendGMCP(pkg string, data any) {
	if p.sess == nil || !p.sess.wantsGMCP(pkg) {
		return
	}
	var js []byte
	if data != nil {
		var err error
		if js, err = json.Marshal(data); err != nil {
			p.e.log.Warn("gmcp: data cannot be encoded", "package", pkg, "err", err)
			return
		}
	}
	p.queueOOB(OOB{Package: pkg, Data: js})
}

// queueOOB adds a message to the player's next output batch, at the current end of its text.
func (p *Player) queueOOB(m OOB) {
	if len(p.oob.queue) >= maxOOBQueued {
		return // a script flooding one batch: the latest state is kept in oobState anyway
	}
	m.At = p.out.Len()
	p.oob.queue = append(p.oob.queue, m)
	p.markFlush()
}

// resendGMCP sends the remembered state packages again, for a client that just subscribed.
func (p *Player) resendGMCP() {
	for _, key := range sortedKeys(p.oob.pkgs) {
		p.sendGMCP(p.oob.names[key], p.oob.pkgs[key])
	}
}

// msdpVariables are the MSDP variables the engine reports, fed from GMCP state packages.
var msdpVariables = []string{"CHARACTER_NAME", "SERVER_ID", "HEALTH", "HEALTH_MAX", "MANA", "MANA_MAX",
	"MOVEMENT", "MOVEMENT_MAX", "LEVEL", "EXPERIENCE", "EXPERIENCE_TNL", "MONEY",
	"ROOM", "ROOM_VNUM", "ROOM_NAME", "AREA_NAME", "ROOM_EXITS"}

// msdpFields maps fields of GMCP state packages to MSDP variables.
var msdpFields = map[string]map[string]string{
	"char.name": {"name": "CHARACTER_NAME"},
	"char.vitals": {"hp": "HEALTH", "maxhp": "HEALTH_MAX", "mp": "MANA", "maxmp": "MANA_MAX",
		"mv": "MOVEMENT", "maxmv": "MOVEMENT_MAX"},
	"char.status": {"name": "CHARACTER_NAME", "level": "LEVEL", "xp": "EXPERIENCE", "tnl": "EXPERIENCE_TNL",
		"gold": "MONEY"},
}

// deriveMSDP updates the MSDP variables fed by a GMCP package.
func (p *Player) deriveMSDP(key string, value any) {
	m, ok := value.(map[string]any)
	if !ok {
		return
	}
	if key == "room.info" {
		room := map[string]any{"VNUM": m["num"], "NAME": m["name"], "AREA": m["area"],
			"TERRAIN": m["environment"], "EXITS": m["exits"]}
		p.setMSDP("ROOM", room)
		p.setMSDP("ROOM_VNUM", m["num"])
		p.setMSDP("ROOM_NAME", m["name"])
		p.setMSDP("AREA_NAME", m["area"])
		p.setMSDP("ROOM_EXITS", m["exits"])
		return
	}
	for field, name := range msdpFields[key] {
		if v, ok := m[field]; ok {
			p.setMSDP(name, v)
		}
	}
}

// setMSDP sets an MSDP variable and sends it to a client that reports it, if it changed.
func (p *Player) setMSDP(name string, value any) {
	value = msdpValue(value)
	if p.oob.vars == nil {
		p.oob.vars = make(map[string]any)
	}
	if old, ok := p.oob.vars[name]; ok && reflect.DeepEqual(old, value) {
		return
	}
	p.oob.vars[name] = value
	if p.oob.reported[name] {
		p.sendMSDP(telnet.Var{Name: name, Value: value})
	}
}

// msdpValue turns a JSON-like value into MSDP form: numbers as text, maps of values.
func msdpValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = msdpValue(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = msdpValue(x)
		}
		return s
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// sendMSDP queues MSDP variables if the client agreed to MSDP.
func (p *Player) sendMSDP(vars ...telnet.Var) {
	if p.sess == nil || !p.sess.wantsMSDP() {
		return
	}
	p.queueOOB(OOB{Vars: vars})
}

// oobEvent carries a GMCP or MSDP message from a session's reader to the loop.
type oobEvent struct {
	s   *session
	msg telnet.Message
}

func (ev oobEvent) run(e *Engine) {
	p := e.bySess[ev.s]
	if p == nil {
		if _, loading := e.loading[ev.s]; loading && len(e.earlyOOB[ev.s]) < maxEarlyOOB {
			e.earlyOOB[ev.s] = append(e.earlyOOB[ev.s], ev.msg)
		}
		return
	}
	e.handleOOB(p, ev.msg)
}

// handleOOB acts on a client's out-of-band message.
func (e *Engine) handleOOB(p *Player, m telnet.Message) {
	if m.Option == telnet.OptMSDP {
		p.msdpCommands(m.Vars)
		return
	}
	switch strings.ToLower(m.Package) {
	case "core.supports.set", "core.supports.add":
		p.resendGMCP()
	case "char.items.inv":
		p.sendItemList("inv", p.Thing.Contents)
	case "char.items.room":
		if r := p.Thing.Room; r != nil {
			p.sendItemList("room", r.Things)
		}
	}
	if len(e.lua.handlers["gmcp"]) == 0 {
		return
	}
	var data any
	if len(m.Data) > 0 && json.Unmarshal(m.Data, &data) != nil {
		return
	}
	e.lua.emit("gmcp", e.lua.thingUD(p.Thing), lua.LString(m.Package), e.lua.luaValue(data, 0))
}

// msdpCommands answers MSDP LIST, REPORT, UNREPORT, SEND and RESET.
func (p *Player) msdpCommands(vars []telnet.Var) {
	for _, v := range vars {
		args := msdpArgs(v.Value)
		switch strings.ToUpper(v.Name) {
		case "LIST":
			for _, a := range args {
				if list, ok := p.msdpList(strings.ToUpper(a)); ok {
					p.sendMSDP(telnet.Var{Name: strings.ToUpper(a), Value: list})
				}
			}
		case "REPORT":
			for _, a := range args {
				p.report(strings.ToUpper(a))
			}
		case "UNREPORT":
			for _, a := range args {
				delete(p.oob.reported, strings.ToUpper(a))
			}
		case "SEND":
			for _, a := range args {
				if val, ok := p.msdpVar(strings.ToUpper(a)); ok {
					p.sendMSDP(telnet.Var{Name: strings.ToUpper(a), Value: val})
				}
			}
		case "RESET":
			p.oob.reported = nil
		}
	}
}

// msdpArgs flattens a command's value into its arguments.
func msdpArgs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// msdpList returns an MSDP list by name.
func (p *Player) msdpList(name string) ([]string, bool) {
	switch name {
	case "COMMANDS":
		return []string{"LIST", "REPORT", "RESET", "SEND", "UNREPORT"}, true
	case "LISTS":
		return []string{"COMMANDS", "LISTS", "CONFIGURABLE_VARIABLES", "REPORTABLE_VARIABLES",
			"REPORTED_VARIABLES", "SENDABLE_VARIABLES"}, true
	case "REPORTABLE_VARIABLES", "SENDABLE_VARIABLES":
		return msdpVariables, true
	case "REPORTED_VARIABLES":
		list := make([]string, 0, len(p.oob.reported))
		for name := range p.oob.reported {
			list = append(list, name)
		}
		slices.Sort(list)
		return list, true
	case "CONFIGURABLE_VARIABLES":
		return []string{}, true
	}
	return nil, false
}

// msdpVar returns a variable's current value.
func (p *Player) msdpVar(name string) (any, bool) {
	if name == "SERVER_ID" {
		return p.e.game.Name, true
	}
	if !slices.Contains(msdpVariables, name) {
		return nil, false
	}
	v, ok := p.oob.vars[name]
	if !ok {
		return "", true
	}
	return v, true
}

// report starts reporting a variable and sends its current value.
func (p *Player) report(name string) {
	val, ok := p.msdpVar(name)
	if !ok || len(p.oob.reported) >= maxReported {
		return
	}
	if p.oob.reported == nil {
		p.oob.reported = make(map[string]bool)
	}
	p.oob.reported[name] = true
	p.sendMSDP(telnet.Var{Name: name, Value: val})
}

// RoomNum is the stable number of a room for GMCP Room.Info and MSDP ROOM_VNUM: the 32-bit
// FNV-1a hash of its key, folded into 1..2^31-1. The same key gives the same number in every
// run and process, so a client's map stays valid.
func RoomNum(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	n := int(h.Sum32() & 0x7fffffff)
	if n == 0 {
		n = 1
	}
	return n
}

// checkRoomNums logs rooms whose keys hash to the same RoomNum: a client's map would merge
// them. Renaming one of them fixes it.
func (e *Engine) checkRoomNums() {
	seen := make(map[int]string, len(e.world.Rooms))
	for _, key := range sortedKeys(e.world.Rooms) {
		n := RoomNum(key)
		if other, ok := seen[n]; ok {
			e.log.Warn("two rooms share a GMCP/MSDP room number; rename one", "room", key, "other", other, "num", n)
		}
		seen[n] = key
	}
}

// shortDirs are the direction names Mudlet's mapper reads in Room.Info exits.
var shortDirs = map[string]string{"north": "n", "south": "s", "east": "e", "west": "w",
	"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw", "up": "u", "down": "d"}

// roomInfo is the GMCP Room.Info of r: {num, name, area, environment, exits}.
func roomInfo(r *world.Room) map[string]any {
	exits := make(map[string]any, len(r.Exits))
	for _, ex := range r.Exits {
		dir := ex.Dir
		if s, ok := shortDirs[dir]; ok {
			dir = s
		}
		exits[dir] = RoomNum(ex.To)
	}
	info := map[string]any{"num": RoomNum(r.Key), "name": r.Name, "exits": exits, "environment": ""}
	if r.Zone != nil {
		info["area"] = r.Zone.Name
	}
	if def, ok := r.Script.(*lua.LTable); ok {
		if env, ok := def.RawGetString("environment").(lua.LString); ok {
			info["environment"] = string(env)
		}
	}
	return info
}

// wantsOOB reports whether p's client takes GMCP package pkg or MSDP: whether it is worth
// building the data.
func (p *Player) wantsOOB(pkg string) bool {
	return p.sess != nil && (p.sess.wantsGMCP(pkg) || p.sess.wantsMSDP())
}

// sendRoomInfo sends Room.Info and the room's item list after a look.
func (p *Player) sendRoomInfo(r *world.Room) {
	if p.wantsOOB("Room.Info") {
		p.GMCP("Room.Info", roomInfo(r))
	}
	if p.sess != nil && p.sess.wantsGMCP("Char.Items.List") {
		p.sendItemList("room", r.Things)
	}
}

// itemJSON is one entry of Char.Items: id, name and IRE attribute letters (w worn,
// c container, m monster, t takeable).
func itemJSON(t *world.Thing) map[string]any {
	attrib := ""
	switch {
	case t.Kind == world.NPC:
		attrib = "m"
	case !t.Fixed():
		attrib = "t"
	}
	if t.Slot != "" {
		attrib += "w"
	}
	if t.IsContainer() {
		attrib += "c"
	}
	return map[string]any{"id": strconv.FormatUint(t.ID, 10), "name": t.Name, "attrib": attrib}
}

// sendItemList sends Char.Items.List for location "inv" or "room": items and NPCs, not players.
func (p *Player) sendItemList(location string, things []*world.Thing) {
	if p.sess == nil || !p.sess.wantsGMCP("Char.Items.List") {
		return
	}
	items := []any{}
	for _, t := range things {
		if t.Kind != world.Player {
			items = append(items, itemJSON(t))
		}
	}
	p.sendGMCP("Char.Items.List", map[string]any{"location": location, "items": items})
}

// sendItem sends Char.Items.Add or Char.Items.Remove for one thing.
func (p *Player) sendItem(op, location string, t *world.Thing) {
	if t.Kind == world.Player || p.sess == nil {
		return
	}
	pkg := "Char.Items." + op
	if p.sess.wantsGMCP(pkg) {
		p.sendGMCP(pkg, map[string]any{"location": location, "item": itemJSON(t)})
	}
}

// roomItem tells the players in r but except that t was added to or removed from the room.
func (e *Engine) roomItem(r *world.Room, op string, t, except *world.Thing) {
	if r == nil || t.Kind == world.Player {
		return
	}
	for _, x := range r.Things {
		if p := playerOf(x); p != nil && x != except && x != t {
			p.sendItem(op, "room", t)
		}
	}
}

// channelText sends Comm.Channel.Text: the line as shown (without colour), who said it, on
// which channel.
func (p *Player) channelText(channel, talker, line string) {
	if p.sess != nil && p.sess.wantsGMCP("Comm.Channel.Text") {
		p.sendGMCP("Comm.Channel.Text", map[string]any{"channel": channel, "talker": talker,
			"text": markup.Plain(line)})
	}
}

// loginOOB sends what a client learns at login: Char.Name and the inventory.
func (p *Player) loginOOB() {
	if p.wantsOOB("Char.Name") {
		p.GMCP("Char.Name", map[string]any{"name": p.Name, "fullname": p.Name})
	}
	p.sendItemList("inv", p.Thing.Contents)
}

// wantsGMCP reports whether the client takes GMCP package pkg.
func (s *session) wantsGMCP(pkg string) bool {
	if s.conn == nil {
		return s.remoteInfo.WantsGMCP(pkg)
	}
	return s.conn.WantsGMCP(pkg)
}

// wantsMSDP reports whether the client agreed to MSDP.
func (s *session) wantsMSDP() bool {
	if s.conn == nil {
		return s.remoteInfo.MSDP
	}
	return s.conn.WantsMSDP()
}

// info is what the client negotiated: what a remote client reported when it logged in, and
// nothing for a headless player (a Sim's), which has no connection.
func (s *session) info() telnet.Info {
	if s.conn == nil {
		return s.remoteInfo
	}
	return s.conn.Info()
}

// cmdProtocols shows what the player's client negotiated.
func cmdProtocols(c *Context) {
	if c.Player.sess == nil || c.Player.sess.conn == nil {
		c.Send("You have no network connection.")
		return
	}
	i := c.Player.sess.conn.Info()
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	mark := "GA"
	switch {
	case i.EOR:
		mark = "EOR"
	case i.SGA:
		mark = "none"
	}
	var b strings.Builder
	// Names and packages are the client's words: shown as sent, never read as markup.
	fmt.Fprintf(&b, "Client: %s (terminal types: %s; MTTS %d)\n", markup.Escape(orNone(i.ClientName)),
		markup.Escape(orNone(strings.Join(i.TerminalTypes, ", "))), i.MTTS)
	fmt.Fprintf(&b, "Window: %dx%d. Prompt mark: %s.\n", i.Width, i.Height, mark)
	fmt.Fprintf(&b, "GMCP: %s (client %s; packages: %s).\n", onOff(i.GMCP), markup.Escape(orNone(i.GMCPClient)),
		markup.Escape(orNone(strings.Join(i.GMCPSupports, ", "))))
	fmt.Fprintf(&b, "MSDP: %s. MSSP: %s. MCCP2: %s. MCCP3: %s.", onOff(i.MSDP), onOff(i.MSSP),
		onOff(i.MCCP2), onOff(i.MCCP3))
	c.Send(b.String())
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
