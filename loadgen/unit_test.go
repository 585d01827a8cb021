package loadgen

import (
	"bytes"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseMix(t *testing.T) {
	tests := []struct {
		spec    string
		lines   []string
		weights []int
		bad     bool
	}{
		{spec: "look=8,n=1,s=1,say=1", lines: []string{"look", "n", "s", "say Hello from the load generator."}, weights: []int{8, 1, 1, 1}},
		{spec: "look", lines: []string{"look"}, weights: []int{1}},
		{spec: " l = 3 , drop=0, get=2", lines: []string{"look", "get all"}, weights: []int{3, 2}},
		{spec: "emote waves~waves=2", lines: []string{"emote waves"}, weights: []int{2}},
		{spec: "", bad: true},
		{spec: "look=0", bad: true},
		{spec: "look=x", bad: true},
		{spec: "look=-1", bad: true},
		{spec: "=3", bad: true},
		{spec: "score~=1", bad: true},
	}
	for _, tt := range tests {
		m, err := ParseMix(tt.spec)
		if (err != nil) != tt.bad {
			t.Errorf("ParseMix(%q) error %v", tt.spec, err)
			continue
		}
		var lines []string
		var weights []int
		for _, c := range m {
			lines, weights = append(lines, c.Line), append(weights, c.Weight)
		}
		if !slices.Equal(lines, tt.lines) || !slices.Equal(weights, tt.weights) {
			t.Errorf("ParseMix(%q) = %q %v, want %q %v", tt.spec, lines, weights, tt.lines, tt.weights)
		}
	}
}

func TestCommandAnswers(t *testing.T) {
	m, _ := ParseMix("look,n,say,score")
	tests := []struct {
		cmd   int
		batch string
		want  bool
	}{
		{0, "Millbrook Square\r\nExits: north\r\n> ", true},
		{0, "\r\nThe dog arrives from the west.\r\n> ", false},
		{1, "You can't go that way.\r\n> ", true},
		{1, "Temple Walk\r\nExits: south\r\n> ", true},
		{2, "Bota says, \"Hello\"\r\n> ", false},
		{2, "You say, \"Hello\"\r\n> ", true},
		{3, "\r\nAnything at all\r\n> ", true},
	}
	for _, tt := range tests {
		if got := m[tt.cmd].answers([]byte(tt.batch)); got != tt.want {
			t.Errorf("%q answers %q: %v", m[tt.cmd].Line, tt.batch, got)
		}
	}
}

// TestChooserGoesBack: after a move the next move goes back, unless the move failed.
func TestChooserGoesBack(t *testing.T) {
	m, _ := ParseMix("n=1,e=1")
	c := newChooser(m, 1)
	for range 50 {
		out := c.next()
		back := c.next()
		if back.Line != out.Back {
			t.Fatalf("after %q came %q", out.Line, back.Line)
		}
	}
	out := c.next()
	c.answered(out, []byte("You can't go that way.\r\n> "))
	if c.back != nil {
		t.Fatalf("a failed move %q left the way back %q", out.Line, c.back.Line)
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "1/s", want: time.Second},
		{in: "10/s", want: 100 * time.Millisecond},
		{in: "0.5/s", want: 2 * time.Second},
		{in: "30/m", want: 2 * time.Second},
		{in: "1/100ms", want: 100 * time.Millisecond},
		{in: "4", want: 250 * time.Millisecond},
		{in: "", want: 0},
		{in: "0", want: 0},
		{in: "x/s", bad: true},
		{in: "-1/s", bad: true},
		{in: "1/fortnight", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestBotName(t *testing.T) {
	tests := []struct {
		i    int
		want string
	}{{0, "Bota"}, {1, "Botb"}, {25, "Botz"}, {26, "Botaa"}, {27, "Botab"}, {26 + 26*26, "Botaaa"}}
	for _, tt := range tests {
		if got := BotName("Bot", tt.i); got != tt.want {
			t.Errorf("BotName(%d) = %q, want %q", tt.i, got, tt.want)
		}
	}
}

func TestHistogram(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.9, 900 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, time.Second}}
	for _, tt := range tests {
		got := h.Quantile(tt.q)
		if got < tt.want || float64(got) > 1.04*float64(tt.want) {
			t.Errorf("Quantile(%v) = %v, want %v within 4%%", tt.q, got, tt.want)
		}
	}
	if h.Max() != time.Second || h.Count() != 1000 || h.Mean() != 500500*time.Microsecond {
		t.Errorf("max %v count %d mean %v", h.Max(), h.Count(), h.Mean())
	}
	for v := uint64(0); v < 1<<20; v += 997 {
		if i := bucketOf(v); bucketHigh(i) < v || i > 0 && bucketHigh(i-1) >= v {
			t.Fatalf("value %d in bucket %d of top %d", v, i, bucketHigh(i))
		}
	}
	if bucketOf(maxMicro) != nBuckets-1 {
		t.Fatalf("largest value in bucket %d of %d", bucketOf(maxMicro), nBuckets)
	}
}

// scripted is a net.Conn that returns its chunks, one per Read, and records what is written.
type scripted struct {
	net.Conn
	chunks [][]byte
	out    bytes.Buffer
}

func (s *scripted) Read(p []byte) (int, error) {
	if len(s.chunks) == 0 {
		return 0, net.ErrClosed
	}
	n := copy(p, s.chunks[0])
	if s.chunks[0] = s.chunks[0][n:]; len(s.chunks[0]) == 0 {
		s.chunks = s.chunks[1:]
	}
	return n, nil
}

func (s *scripted) Write(p []byte) (int, error) { return s.out.Write(p) }

func (s *scripted) SetDeadline(time.Time) error { return nil }

// splits cuts in at every position into two chunks, and into single bytes.
func splits(in string) [][][]byte {
	var all [][][]byte
	for i := 0; i <= len(in); i++ {
		all = append(all, [][]byte{[]byte(in[:i]), []byte(in[i:])})
	}
	var bytesOf [][]byte
	for i := range len(in) {
		bytesOf = append(bytesOf, []byte{in[i]})
	}
	return append(all, bytesOf)
}

func TestClientBatches(t *testing.T) {
	tests := []struct {
		name    string
		telnet  bool
		in      string
		batches []string
		replies string
	}{
		{"tcp", false, "Room\r\nExits: north\r\n> A dog arrives.\r\n> > x>y\r\n> ",
			[]string{"Room\r\nExits: north\r\n> ", "A dog arrives.\r\n> ", "> ", "x>y\r\n> "}, ""},
		{"tcp prompt-like text", false, ">< \r\n>x\r\n> ", []string{">< \r\n>x\r\n> "}, ""},
		{"telnet GA and EOR", true, "\xff\xfd\x18\xff\xfb\x19Room\r\n> \xff\xf9\r\nDog.\r\n> \xff\xef",
			[]string{"Room\r\n> ", "\r\nDog.\r\n> "}, "\xff\xfc\x18\xff\xfe\x19"},
		{"telnet escaped IAC and subnegotiation", true, "a\xff\xffb\xff\xfa\x18\x01\xff\xf0c\xff\xf9",
			[]string{"a\xffbc"}, ""},
	}
	for _, tt := range tests {
		for _, chunks := range splits(tt.in) {
			sc := &scripted{chunks: chunks}
			c := newClient(sc, tt.telnet, 16)
			var got []string
			for {
				b, _, err := c.next()
				if err != nil {
					break
				}
				got = append(got, string(b))
			}
			c.writeLine("")
			if !slices.Equal(got, tt.batches) || sc.out.String() != tt.replies+"\r\n" {
				t.Fatalf("%s, chunks %q: batches %q, wrote %q", tt.name, chunks, got, sc.out.String())
			}
		}
	}
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name, in, wrote string
		bad             bool
	}{
		{"new character over tcp", "Welcome!\r\n\r\nBy what name do you wish to be known? |" +
			"Create a new character named Bota? (yes/no) |Choose a password (8 or more characters): |\r\n|" +
			"Type it again: |\r\nMOTD\r\nRoom\r\n> ", "Bota\r\nyes\r\npassword\r\npassword\r\n", false},
		{"existing character over telnet", "\xff\xfd\x18Welcome!\r\n\r\nBy what name do you wish to be known? \xff\xf9|" +
			"Password: \xff\xf9\xff\xfb\x01|\xff\xfc\x01\r\nReconnected.\r\n> \xff\xf9", "\xff\xfc\x18Bota\r\npassword\r\n\xff\xfe\x01", false},
		{"wrong password", "By what name do you wish to be known? |Password: |\r\nWrong password.\r\nPassword: ",
			"Bota\r\npassword\r\n", true},
		{"closed", "By what name do you wish to be known? ", "Bota\r\n", true},
		{"tcp read ending like a question", "By what name do you wish to be known? |Password: |\r\nRoom\r\nExits: |north\r\n> ",
			"Bota\r\npassword\r\n", false},
		{"telnet unknown question", "\xff\xf9Who goes there? \xff\xf9", "", true},
	}
	for _, tt := range tests {
		var chunks [][]byte
		for c := range strings.SplitSeq(tt.in, "|") {
			chunks = append(chunks, []byte(c))
		}
		sc := &scripted{chunks: chunks}
		err := newClient(sc, strings.Contains(tt.in, "\xff"), 4096).login("Bota", "password", time.Now().Add(time.Minute))
		if (err != nil) != tt.bad || sc.out.String() != tt.wrote {
			t.Errorf("%s: err %v, wrote %q", tt.name, err, sc.out.String())
		}
	}
}

func TestParseStats(t *testing.T) {
	text := "Uptime 21s, 210 pulses, 51234 commands.\r\n" +
		"Pulse:   n=210 p50≤20µs p90≤50µs p99≤200µs max=1.234ms\r\n" +
		"Command: n=51234 p50≤500µs p90≤1ms p99≤5ms max=20.5ms\r\n" +
		"Players: 201 online, 0 link-dead. Things: 300. Timers: 20.\r\n" +
		"Memory: 25 MiB heap, 60 MiB from the OS, 40 GCs. Goroutines: 410.\r\n" +
		"Saves: 0 pending, 5 batches written, last took 3ms, 0 errors.\r\n> "
	got, err := ParseStats(text)
	if err != nil {
		t.Fatal(err)
	}
	want := ServerStats{Pulses: 210, Commands: 51234, PulseP99: 0.2, PulseMax: 1.234, CommandP99: 5,
		HeapMiB: 25, SysMiB: 60, Goroutines: 410}
	got.Text = ""
	if got != want {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if _, err := ParseStats("Huh?"); err == nil {
		t.Fatal("no error for an answer without figures")
	}
}
