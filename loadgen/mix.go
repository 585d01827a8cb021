package loadgen

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// A Command is one entry of a Mix: a line to send, how often, and how to recognise its answer.
type Command struct {
	Line   string // sent as is, followed by CR LF
	Weight int
	// Answers lists texts of which at least one is in the answer batch; other batches are
	// output that came meanwhile. With none, the first batch after the line is taken as its
	// answer, which is wrong when other output comes first.
	Answers []string
	// Back is the direction that undoes a move, or "" if the command is not a move. A bot that
	// moved goes back with its next move, so bots stay next to the start room.
	Back string
}

// answers reports whether batch is the answer to c.
func (c *Command) answers(batch []byte) bool {
	if len(c.Answers) == 0 {
		return true
	}
	for _, a := range c.Answers {
		if bytes.Contains(batch, []byte(a)) {
			return true
		}
	}
	return false
}

// A Mix is the commands bots choose from, each with its weight.
type Mix []Command

// DefaultMix is the workload: every bot looks, and stays where it is.
const DefaultMix = "look=1"

// What the engine answers to the well-known commands.
var (
	lookAnswers = []string{"Exits:", "no obvious exits", "You are nowhere"}
	moveAnswers = append([]string{"can't go", "is closed", "is blocked", "can't move"}, lookAnswers...)
)

var moves = map[string]string{
	"n": "s", "s": "n", "e": "w", "w": "e", "ne": "sw", "sw": "ne", "nw": "se", "se": "nw", "u": "d", "d": "u",
	"north": "south", "south": "north", "east": "west", "west": "east", "up": "down", "down": "up",
	"northeast": "southwest", "southwest": "northeast", "northwest": "southeast", "southeast": "northwest",
}

// known maps a mix key to its line and answers. Keys not listed are sent as typed.
var known = map[string]Command{
	"look": {Line: "look", Answers: lookAnswers},
	"l":    {Line: "look", Answers: lookAnswers},
	"say":  {Line: "say Hello from the load generator.", Answers: []string{"You say,", "Say what?"}},
	"get": {Line: "get all", Answers: []string{"You pick up", "You take", "You can't", "nothing there",
		"You see no", "Get what?"}},
	"drop": {Line: "drop all", Answers: []string{"You drop", "You aren't carrying", "Drop what?"}},
}

// ParseMix reads a mix such as "look=8,n=1,s=1,say=1": comma-separated command=weight pairs.
// look, say, get, drop and the directions (n, s, …, north, …) are known: say sends a fixed
// sentence, get and drop take and leave everything, moves are undone by the next move, and
// their answers are recognised. Any other command is sent as typed, and "~text" after it names
// a text its answer contains: "score~Time played=1", "emote waves~waves=1".
func ParseMix(spec string) (Mix, error) {
	var mix Mix
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, weight := part, 1
		if i := strings.LastIndexByte(part, '='); i >= 0 {
			w, err := strconv.Atoi(strings.TrimSpace(part[i+1:]))
			if err != nil || w < 0 {
				return nil, fmt.Errorf("mix %q: weight of %q is not a whole number ≥ 0", spec, part[:i])
			}
			key, weight = strings.TrimSpace(part[:i]), w
		}
		if key == "" || strings.ContainsAny(key, "\r\n") {
			return nil, fmt.Errorf("mix %q: bad command %q", spec, key)
		}
		if weight == 0 {
			continue
		}
		key, answer, marked := strings.Cut(key, "~")
		cmd, ok := known[strings.ToLower(key)]
		switch back, move := moves[strings.ToLower(key)]; {
		case marked:
			if answer == "" {
				return nil, fmt.Errorf("mix %q: empty answer after ~ in %q", spec, part)
			}
			cmd = Command{Line: key, Answers: []string{answer}}
		case ok:
		case move:
			cmd = Command{Line: strings.ToLower(key), Answers: moveAnswers, Back: back}
		default:
			cmd = Command{Line: key}
		}
		cmd.Weight = weight
		mix = append(mix, cmd)
	}
	if len(mix) == 0 {
		return nil, fmt.Errorf("mix %q has no command with a weight above 0", spec)
	}
	return mix, nil
}

// String lists the lines sent and their weights.
func (m Mix) String() string {
	parts := make([]string, len(m))
	for i, c := range m {
		parts[i] = fmt.Sprintf("%s=%d", c.Line, c.Weight)
		if _, ok := known[c.Line]; !ok && c.Back == "" && len(c.Answers) == 1 {
			parts[i] = fmt.Sprintf("%s~%s=%d", c.Line, c.Answers[0], c.Weight)
		}
	}
	return strings.Join(parts, ",")
}

// chooser picks commands from a mix for one bot, and brings the bot back after a move.
type chooser struct {
	mix   Mix
	total int
	rng   *rand.Rand
	back  *Command // the move that undoes the last one
}

func newChooser(mix Mix, seed uint64) *chooser {
	c := &chooser{mix: mix, rng: rand.New(rand.NewPCG(seed, 0x6d756464))}
	for _, cmd := range mix {
		c.total += cmd.Weight
	}
	return c
}

// next returns the command to send. After a move, the next move chosen goes back instead.
func (c *chooser) next() *Command {
	n := c.rng.IntN(c.total)
	i := 0
	for ; n >= c.mix[i].Weight; i++ {
		n -= c.mix[i].Weight
	}
	cmd := &c.mix[i]
	if cmd.Back == "" {
		return cmd
	}
	if b := c.back; b != nil {
		c.back = nil
		return b
	}
	c.back = &Command{Line: cmd.Back, Answers: moveAnswers, Back: cmd.Line}
	return cmd
}

// answered tells the chooser the answer to cmd, the last command it chose: after a move that
// failed, there is no way back to take. Open-loop bots, whose answers come while the next
// commands are chosen, do not call it.
func (c *chooser) answered(cmd *Command, batch []byte) {
	if c.back != nil && c.back.Back == cmd.Line && !moved(batch) {
		c.back = nil
	}
}

// moved reports whether a move's answer shows the new room.
func moved(batch []byte) bool {
	return bytes.Contains(batch, []byte("Exits:")) || bytes.Contains(batch, []byte("no obvious exits"))
}

// ParseRate reads a rate such as "1/s", "10/s", "0.5/s", "30/m" or "1/100ms" and returns the
// interval between two events. "" and "0" mean no rate (0).
func ParseRate(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	count, per, ok := strings.Cut(s, "/")
	if !ok {
		per = "s"
	}
	n, err := strconv.ParseFloat(count, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("rate %q: want a count above 0, such as 1/s", s)
	}
	if per != "" && (per[0] < '0' || per[0] > '9') {
		per = "1" + per
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("rate %q: want a period such as /s, /m or /100ms", s)
	}
	iv := time.Duration(float64(d) / n)
	if iv <= 0 {
		return 0, errors.New("rate " + s + " is too high")
	}
	return iv, nil
}
