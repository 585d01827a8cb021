package telnet

import "testing"

func TestInfoWantsGMCP(t *testing.T) {
	subscribed := Info{GMCP: true, GMCPSupports: []string{"char 1", "room.info 1", "comm 0"}}
	tests := []struct {
		info Info
		pkg  string
		want bool
	}{
		{subscribed, "Char.Vitals", true},
		{subscribed, "Char", true},
		{subscribed, "Room.Info", true},
		{subscribed, "Room.Exits", false},
		{subscribed, "Comm.Channel.Text", false}, // version 0: not subscribed
		{subscribed, "Core.Ping", true},
		{subscribed, "Charm", false},
		{Info{GMCPSupports: []string{"char 1"}}, "Char.Vitals", false}, // no GMCP
	}
	for _, tt := range tests {
		if got := tt.info.WantsGMCP(tt.pkg); got != tt.want {
			t.Errorf("%+v.WantsGMCP(%q) = %v, want %v", tt.info, tt.pkg, got, tt.want)
		}
	}
}

// TestInfoWantsGMCPAgreesWithConn: an Info taken from a Conn answers as the Conn does.
func TestInfoWantsGMCPAgreesWithConn(t *testing.T) {
	c := &Conn{subs: map[string]int{"char": 1, "room.info": 2}}
	c.opts.us[OptGMCP].state = qYes
	info := c.Info()
	for _, pkg := range []string{"Char.Vitals", "Room.Info", "Room", "Core.Hello", "Comm.Channel"} {
		if got, want := info.WantsGMCP(pkg), c.wants(pkg); got != want {
			t.Errorf("WantsGMCP(%q): Info %v, Conn %v", pkg, got, want)
		}
	}
}
