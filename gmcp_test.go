package mudd_test

import (
	"encoding/json"
	"testing"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
	"github.com/mudd/mudd/telnet"
)

// TestGMCPFollowsThePlayer plays the default game on a client that speaks GMCP: Room.Info
// changes with every step (with the same number for the same room), and Char.Vitals follows
// the fight with the wolf, the death and the respawn.
func TestGMCPFollowsThePlayer(t *testing.T) {
	s := start(t, testGame(t), t.TempDir())
	c := mudtest.DialTelnet(t, s.Eng.TelnetAddr())
	c.Negotiated("WILL 201")
	c.Write("\xff\xfd\xc9" + mudtest.GMCPFrame("Core.Hello", `{"client":"GoTest","version":"1"}`) +
		mudtest.GMCPFrame("Core.Supports.Set", `["Char 1","Room 1"]`))
	c.Expect("name")
	c.Send("Mapper")
	c.Expect("(yes/no)")
	c.Send("yes")
	c.Expect("password")
	c.Send("password123")
	c.Expect("again")
	c.Send("password123")
	start := gmcpData(t, c.GMCP("Room.Info"))
	if v := gmcpData(t, c.GMCP("Char.Vitals")); v["hp"] != float64(20) || v["maxhp"] != float64(20) {
		t.Fatalf("Char.Vitals at login: %v", v)
	}
	if st := gmcpData(t, c.GMCP("Char.Status")); st["level"] != float64(1) || st["name"] != "Mapper" {
		t.Fatalf("Char.Status at login: %v", st)
	}
	c.Expect("> ")

	seen := map[float64]string{start["num"].(float64): start["name"].(string)}
	prev := start
	for range 4 {
		c.Send("west")
		info := gmcpData(t, c.GMCP("Room.Info"))
		exits := info["exits"].(map[string]any)
		if info["num"] == prev["num"] || exits["e"] != prev["num"] {
			t.Fatalf("west from %v to %v (exits %v)", prev["name"], info, exits)
		}
		seen[info["num"].(float64)] = info["name"].(string)
		prev = info
		c.Expect("> ")
	}
	c.Send("west") // into the deepwood, where a wolf waits
	c.GMCP("Room.Info")
	hp := 20.0
	for hp > 0 {
		v := gmcpData(t, c.GMCP("Char.Vitals"))
		if v["hp"].(float64) >= hp {
			t.Fatalf("hp went from %v to %v in the fight", hp, v["hp"])
		}
		hp = v["hp"].(float64)
	}
	if v := gmcpData(t, c.GMCP("Char.Vitals")); v["hp"] != float64(10) {
		t.Fatalf("Char.Vitals after respawn: %v", v)
	}
	temple := gmcpData(t, c.GMCP("Room.Info"))
	c.Expect("The Temple of the Lamp")
	if temple["num"] != float64(engine.RoomNum("millbrook:temple")) || temple["name"] != "The Temple of the Lamp" {
		t.Fatalf("Room.Info after respawn: %v", temple)
	}
	c.Expect("> ")
	c.Send("look")
	if again := gmcpData(t, c.GMCP("Room.Info")); again["num"] != temple["num"] {
		t.Fatalf("look: %v, then %v", temple, again)
	}
	if len(seen) != 5 {
		t.Errorf("rooms seen: %v", seen)
	}
}

func gmcpData(t *testing.T, m telnet.Message) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(m.Data, &v); err != nil {
		t.Fatalf("%s %s: %v", m.Package, m.Data, err)
	}
	return v
}
