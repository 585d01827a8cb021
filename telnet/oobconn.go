package telnet

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// The methods below up to oobMessage run with c.mu held.

// offerOOB queues WILL GMCP and MSDP, WILL MSSP if Config.MSSP is set, and WILL MCCP2 and
// MCCP3 unless compression is off.
func (c *Conn) offerOOB() {
	for _, opt := range []byte{OptGMCP, OptMSDP, OptMSSP, OptMCCP2, OptMCCP3} {
		if c.oobSupported(opt) {
			c.askUs(opt, true)
		}
	}
}

// oobSupported reports whether we accept DO opt for one of the MUD protocols.
func (c *Conn) oobSupported(opt byte) bool {
	switch opt {
	case OptGMCP, OptMSDP:
		return true
	case OptMSSP:
		return c.cfg.MSSP != nil
	case OptMCCP2, OptMCCP3:
		return !c.cfg.NoCompress
	}
	return false
}

// usEnabled acts on an option of ours that just became enabled: MSSP sends the variables
// once, MCCP2 starts compressing after what is pending.
func (c *Conn) usEnabled(opt byte) {
	switch opt {
	case OptMSSP:
		if c.cfg.MSSP != nil {
			c.pending = AppendMSSP(c.pending, c.cfg.MSSP())
		}
	case OptMCCP2:
		c.markCompress(true)
	}
}

// usDisabled acts on an option of ours that the client just turned off.
func (c *Conn) usDisabled(opt byte) {
	switch opt {
	case OptMCCP2:
		c.markCompress(false)
	case OptGMCP:
		c.subs = nil
	}
}

// startInflate records the client's MCCP3 start if MCCP3 is agreed; ReadLine switches
// its input at once.
func (c *Conn) startInflate() {
	if c.opts.us[OptMCCP3].enabled() {
		c.inflate, c.inflated = true, true
	}
}

// oobMessage parses a GMCP or MSDP payload. GMCP Core messages that concern the
// connection (Hello, Supports, Ping) are acted on here; every valid message is returned.
func (c *Conn) oobMessage(opt byte, p []byte) (Message, bool) {
	if opt == OptMSDP {
		vars, err := ParseMSDP(p)
		if err != nil {
			c.warn("telnet: bad MSDP message", "err", err)
			return Message{}, false
		}
		return Message{Option: OptMSDP, Vars: vars}, true
	}
	m, err := ParseGMCP(p)
	if err != nil {
		c.warn("telnet: bad GMCP message", "err", err)
		return Message{}, false
	}
	switch strings.ToLower(m.Package) {
	case "core.hello":
		c.hello(m.Data)
	case "core.supports.set":
		c.subs = nil
		c.subscribe(m.Data, true)
	case "core.supports.add":
		c.subscribe(m.Data, true)
	case "core.supports.remove":
		c.subscribe(m.Data, false)
	case "core.ping":
		if c.opts.us[OptGMCP].enabled() {
			c.pending = AppendGMCP(c.pending, "Core.Ping", nil)
		}
	}
	return m, true
}

// hello records the client name and version from Core.Hello; keys may be capitalised.
func (c *Conn) hello(data []byte) {
	var h map[string]any
	if json.Unmarshal(data, &h) != nil {
		return
	}
	var name, version string
	for k, v := range h {
		s, _ := v.(string)
		switch strings.ToLower(k) {
		case "client":
			name = s
		case "version":
			version = s
		}
	}
	c.client = termName([]byte(strings.TrimSpace(name + " " + version)))
}

// subscribe adds (or removes) the packages of a Core.Supports list such as
// ["Char 1","Room 1"]. A version is optional; it defaults to 1.
func (c *Conn) subscribe(data []byte, add bool) {
	var list []string
	if json.Unmarshal(data, &list) != nil {
		return
	}
	if c.subs == nil {
		c.subs = make(map[string]int)
	}
	for _, item := range list {
		name, ver, _ := strings.Cut(strings.TrimSpace(item), " ")
		name = strings.ToLower(name)
		switch {
		case name == "" || len(name) > maxPackage:
		case !add:
			delete(c.subs, name)
		case len(c.subs) < maxSupports || c.subs[name] > 0:
			v, err := strconv.Atoi(strings.TrimSpace(ver))
			if err != nil || v < 1 {
				v = 1
			}
			c.subs[name] = v
		}
	}
}

// supports lists the subscribed packages as "name version", sorted.
func (c *Conn) supports() []string {
	var list []string
	for name, v := range c.subs {
		list = append(list, name+" "+strconv.Itoa(v))
	}
	slices.Sort(list)
	return list
}

// wants reports whether GMCP is on and the client subscribed to pkg: to the package itself
// or to one that contains it ("Char" covers "Char.Vitals", "Char.Items" covers
// "Char.Items.List"). Core messages need no subscription.
func (c *Conn) wants(pkg string) bool {
	if !c.opts.us[OptGMCP].enabled() {
		return false
	}
	p := strings.ToLower(pkg)
	if strings.HasPrefix(p, "core.") {
		return true
	}
	for {
		if c.subs[p] > 0 {
			return true
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return false
		}
		p = p[:i]
	}
}

// WantsGMCP reports whether the client agreed to GMCP and subscribed to pkg (Core
// messages need no subscription). Safe from any goroutine.
func (c *Conn) WantsGMCP(pkg string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wants(pkg)
}

// WantsMSDP reports whether the client agreed to MSDP. Safe from any goroutine.
func (c *Conn) WantsMSDP() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opts.us[OptMSDP].enabled()
}

// AppendGMCP appends a GMCP message to dst if the client wants pkg (see WantsGMCP);
// otherwise it returns dst unchanged. data is JSON, or nil for a message without data.
func (c *Conn) AppendGMCP(dst []byte, pkg string, data []byte) []byte {
	if c.cfg.Raw || !c.WantsGMCP(pkg) {
		return dst
	}
	return AppendGMCP(dst, pkg, data)
}

// AppendMSDP appends an MSDP message with vars to dst if the client agreed to MSDP;
// otherwise it returns dst unchanged.
func (c *Conn) AppendMSDP(dst []byte, vars ...Var) []byte {
	if c.cfg.Raw || !c.WantsMSDP() {
		return dst
	}
	return AppendMSDP(dst, vars...)
}
