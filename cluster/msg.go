// Package cluster runs a mudd game across processes: a gateway holds the players'
// connections and scenes run the world's zones, talking over NATS. See docs/cluster.md.
//
// Every message is a Msg encoded as JSON, with the protocol version in V. Subjects:
//
//	mudd.scene.<id>      gateway → scene: a player attaches, types a line, leaves
//	mudd.gateway.<id>    scene → gateway: output for a player, a player moved to another scene
//	mudd.registry        scene → gateways: announce (request, answered), heartbeat, bye
//
// A gateway publishes every message for one scene from one NATS connection, and a scene reads
// them with one subscription, so a player's lines arrive in the order typed; the same holds
// for output going back.
package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/telnet"
)

// Version is the protocol version. A process refuses messages of another version.
const Version = 2

// Kinds of message.
const (
	KindAttach    = "attach"    // gateway → scene: play Client's character here (Attach: its id)
	KindAttached  = "attached"  // scene → gateway: the attach Attach is taken (repeated for a repeated attach)
	KindLine      = "line"      // gateway → scene: the player typed Text
	KindLeave     = "leave"     // gateway → scene: the client left (Idle: idle timeout)
	KindOOB       = "oob"       // gateway → scene: the client sent GMCP or MSDP OOB; Info is its state after
	KindOutput    = "output"    // scene → gateway: Out for the player's client
	KindAnnounce  = "announce"  // scene → registry (request): Scene claims its zones
	KindHeartbeat = "heartbeat" // scene → registry: Scene is alive, with its load
	KindBye       = "bye"       // scene → registry: Scene is stopping; hold its players
	KindFence     = "fence"     // gateway → scene: the process of Scene.Run was replaced; it must stop
	// KindGatewayBeat: gateway → scenes: Gateway is alive. A scene takes the clients of a gateway
	// silent for DeadAfter as dropped: their characters go link-dead.
	KindGatewayBeat = "gateway-heartbeat"
	// KindGatewayRestart: gateway → scenes (request, on the registry): Gateway is rebooting;
	// hold everything for its clients (output, answers, hand-overs) until its heartbeat
	// without Restarting, from the same or the new process. Each scene answers once it holds.
	KindGatewayRestart = "gateway-restart"
	// KindMark: gateway → itself: everything the scenes sent before it has been handled.
	KindMark = "mark"

	// A hand-over: the player walked into a zone another scene runs. The source scene has
	// saved the character in its new room and taken it out of its world.
	KindMoving   = "moving"   // source → gateway (request): the player of Session goes to zone Text
	KindRelease  = "release"  // gateway → source (request): stop taking lines for Session
	KindReleased = "released" // source → gateway (reply): the lines that came meanwhile, in Lines

	// KindLost: scene → gateway: the character of Session was claimed by another process
	// (its save was refused) and dropped here; the gateway attaches the client where the
	// database says the character is.
	KindLost = "lost"

	KindTell      = "tell"      // scene → scene: By tells Name Text
	KindAct       = "act"       // scene → scene: Action on the player Name
	KindNotice    = "notice"    // scene → scene: show Text to the player Name (an action of theirs failed there)
	KindBroadcast = "broadcast" // scene → every scene: Text to players of at least Role (By on Channel)
	KindReload    = "reload"    // scene → every scene: reload zone Text ("" for the whole game)
)

// Msg is one message of the protocol. Which fields are set depends on Kind.
type Msg struct {
	V       int        `json:"v"`
	Kind    string     `json:"k"`
	Gateway string     `json:"gw,omitempty"`
	From    string     `json:"from,omitempty"` // the scene that sent it
	Run     string     `json:"run,omitempty"`  // and the run (process) of that scene
	To      string     `json:"to,omitempty"`   // the run of the scene it is for: another process with its id ignores it
	Session uint64     `json:"s,omitempty"`    // the client's id on its gateway
	Text    string     `json:"t,omitempty"`
	Idle    bool       `json:"idle,omitempty"`
	Client  *Client    `json:"client,omitempty"`
	Out     *Output    `json:"out,omitempty"`
	Scene   *SceneInfo `json:"scene,omitempty"`

	Handover string          `json:"hid,omitempty"`   // the hand-over's id: every step is idempotent
	Attach   string          `json:"aid,omitempty"`   // the attach's id: a repeated attach is answered, not played twice
	Lines    []string        `json:"lines,omitempty"` // lines typed during a hand-over
	Name     string          `json:"name,omitempty"`  // the player a tell or action is for
	By       string          `json:"by,omitempty"`    // who tells, or talks on Channel
	Channel  string          `json:"channel,omitempty"`
	Role     engine.Role     `json:"role,omitempty"` // the least role a broadcast is for
	Action   *engine.Action  `json:"action,omitempty"`
	OOB      *telnet.Message `json:"oob,omitempty"`
	Info     *telnet.Info    `json:"info,omitempty"`
	// Restarting: a gateway's heartbeat while it reboots (KindGatewayRestart).
	Restarting bool `json:"restarting,omitempty"`
}

// Client is a connected player as a scene needs to know it.
type Client struct {
	Name string      `json:"name"`
	Role string      `json:"role"`
	Addr string      `json:"addr"`
	TCP  bool        `json:"tcp,omitempty"`
	Info telnet.Info `json:"info"`
	// Arrive: the character comes from another scene (a hand-over), it does not log in.
	Arrive bool `json:"arrive,omitempty"`
	// Early are the GMCP and MSDP messages the client sent while logging in.
	Early []telnet.Message `json:"early,omitempty"`
}

// Output is engine.Output made serialisable, with the player's rendering choices.
type Output struct {
	Text     string `json:"t,omitempty"`
	Prompt   string `json:"p,omitempty"`
	Hide     bool   `json:"hide,omitempty"`
	Show     bool   `json:"show,omitempty"`
	Close    bool   `json:"close,omitempty"`
	Verbatim bool   `json:"verbatim,omitempty"`
	OOB      []OOB  `json:"oob,omitempty"`
	Color    string `json:"color,omitempty"`
	Charset  string `json:"charset,omitempty"`
}

// OOB is engine.OOB made serialisable.
type OOB struct {
	At      int          `json:"at"`
	Package string       `json:"pkg,omitempty"`
	Data    []byte       `json:"data,omitempty"`
	Vars    []telnet.Var `json:"vars,omitempty"`
}

// SceneInfo is what a scene tells the registry about itself.
type SceneInfo struct {
	ID    string   `json:"id"`
	Zones []string `json:"zones"`
	PID   int      `json:"pid"`
	Host  string   `json:"host"`
	Build string   `json:"build"`
	Run   string   `json:"run"` // unique to each start of the scene's process
	Load  Load     `json:"load"`
	// Players are the scene's players, in heartbeats: the directory of who is where.
	Players []engine.WhoEntry `json:"players,omitempty"`
	// Refused, in the gateway's answer to an announce, says why the claim was refused. Busy
	// says the reason is another live process with the scene's id: the scene asks again, since
	// that process may be dying (it is declared dead after DeadAfter of silence).
	Refused string `json:"refused,omitempty"`
	Busy    bool   `json:"busy,omitempty"`
}

// Load is a scene's load, sent with every heartbeat.
type Load struct {
	Players     int           `json:"players"`
	PulseP99    time.Duration `json:"pulse_p99"`
	MemoryBytes uint64        `json:"mem"`
	Commands    uint64        `json:"commands"` // commands run since the scene started
}

// Subjects.
const registrySubject = "mudd.registry"

// broadcastSubject carries channel messages to every scene.
const broadcastSubject = "mudd.broadcast"

func sceneSubject(id string) string   { return "mudd.scene." + id }
func gatewaySubject(id string) string { return "mudd.gateway." + id }

// encode marshals m with the protocol version.
func encode(m Msg) []byte {
	m.V = Version
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("cluster: encode %s: %v", m.Kind, err)) // plain data always encodes
	}
	return b
}

// errVersion is returned for a message of another protocol version.
var errVersion = errors.New("protocol version mismatch")

// decode unmarshals a message and checks its version.
func decode(b []byte) (Msg, error) {
	var m Msg
	if err := json.Unmarshal(b, &m); err != nil {
		return Msg{}, fmt.Errorf("cluster: decode: %w", err)
	}
	if m.V != Version {
		return Msg{}, fmt.Errorf("cluster: message version %d, want %d: %w", m.V, Version, errVersion)
	}
	return m, nil
}

func outputFrom(o engine.RemoteOutput) *Output {
	out := &Output{Text: o.Text, Prompt: o.Prompt, Hide: o.Hide, Show: o.Show, Close: o.Close,
		Verbatim: o.Verbatim, Color: o.Color, Charset: o.Charset}
	for _, m := range o.OOB {
		out.OOB = append(out.OOB, OOB{At: m.At, Package: m.Package, Data: m.Data, Vars: m.Vars})
	}
	return out
}

func (o *Output) engine() engine.Output {
	out := engine.Output{Text: o.Text, Prompt: o.Prompt, Hide: o.Hide, Show: o.Show, Close: o.Close,
		Verbatim: o.Verbatim}
	for _, m := range o.OOB {
		out.OOB = append(out.OOB, engine.OOB{At: m.At, Package: m.Package, Data: m.Data, Vars: m.Vars})
	}
	return out
}

func clientFrom(c *engine.Client) *Client {
	a := c.Account()
	return &Client{Name: a.Name, Role: a.Role, Addr: c.Addr(), TCP: c.TCP(), Info: c.Info(), Early: c.Early()}
}

func (c *Client) remote() engine.RemoteClient {
	return engine.RemoteClient{Account: store.Account{Name: c.Name, Role: c.Role}, Addr: c.Addr,
		TCP: c.TCP, Info: c.Info, Arrive: c.Arrive, Early: c.Early}
}
