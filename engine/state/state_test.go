package state

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sample() Character {
	return Character{
		Name: "Alice",
		Room: "town:square",
		Items: []Item{
			{Proto: "town:bag", Contents: []Item{
				{Proto: "town:coin", Data: map[string]any{"value": 5.0}},
				{Proto: "town:pouch", Contents: []Item{{Proto: "town:gem"}}},
			}},
			{Proto: "town:sword", Data: map[string]any{"sharp": true, "runes": []any{"fire", 2.5}}},
		},
		Stats: map[string]int{"hp": 20, "str": 12},
		Data: map[string]any{
			"title": "the Brave",
			"quest": map[string]any{"step": 3.0, "done": false, "log": []any{"met guard", map[string]any{"at": 1.5}}},
			"none":  nil,
		},
		Color:   "256",
		Charset: "ascii",
		Played:  90 * time.Minute,
		Version: 7,
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, c := range []Character{sample(), {Name: "Bob"}} {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var got Character
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("round trip of %s:\n got %#v\nwant %#v", b, got, c)
		}
	}
}

func TestCloneIndependent(t *testing.T) {
	orig := sample()
	want := sample()
	c := orig.Clone()
	if !reflect.DeepEqual(c, orig) {
		t.Fatalf("clone differs:\n got %#v\nwant %#v", c, orig)
	}

	c.Name = "Mallory"
	c.Items[0].Contents[1].Contents[0].Proto = "x:y"
	c.Items[0].Contents[0].Data["value"] = 99.0
	c.Items[1].Data["runes"].([]any)[0] = "ice"
	c.Items = append(c.Items, Item{Proto: "x:z"})
	c.Stats["hp"] = 1
	c.Data["title"] = "the Thief"
	quest := c.Data["quest"].(map[string]any)
	quest["step"] = 4.0
	quest["log"].([]any)[1].(map[string]any)["at"] = 9.0

	if !reflect.DeepEqual(orig, want) {
		t.Errorf("changing the clone changed the original:\n got %#v\nwant %#v", orig, want)
	}
}

func TestCloneNil(t *testing.T) {
	c := Character{Name: "Bob"}.Clone()
	if c.Items != nil || c.Stats != nil || c.Data != nil {
		t.Errorf("Clone of empty character allocated: %#v", c)
	}
}

func TestKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Alice", "alice"}, {"ALICE", "alice"}, {"alice", "alice"}, {"", ""},
	} {
		if got := Key(tc.in); got != tc.want {
			t.Errorf("Key(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	deep := any("leaf")
	for range MaxDepth + 2 {
		deep = []any{deep}
	}
	var deepItems []Item
	for range MaxDepth + 2 {
		deepItems = []Item{{Proto: "a:b", Contents: deepItems}}
	}
	for _, tc := range []struct {
		name string
		c    Character
		want string // substring of the error; "" means valid
	}{
		{"sample", sample(), ""},
		{"minimal", Character{Name: "Bob"}, ""},
		{"no name", Character{}, "no name"},
		{"item without proto", Character{Name: "Bob", Items: []Item{{Proto: "a:b", Contents: []Item{{}}}}}, "items[0].contents[0]: item has no prototype"},
		{"NaN", Character{Name: "Bob", Data: map[string]any{"x": math.NaN()}}, "data.x: number NaN"},
		{"Inf in item", Character{Name: "Bob", Items: []Item{{Proto: "a:b", Data: map[string]any{"y": []any{1.0, math.Inf(1)}}}}}, "items[0].data.y[1]: number +Inf"},
		{"int", Character{Name: "Bob", Data: map[string]any{"n": 3}}, "data.n: unsupported value type int"},
		{"struct", Character{Name: "Bob", Data: map[string]any{"t": map[string]any{"u": struct{}{}}}}, "data.t.u: unsupported value type struct {}"},
		{"deep data", Character{Name: "Bob", Data: map[string]any{"d": deep}}, "nested more than"},
		{"deep items", Character{Name: "Bob", Items: deepItems}, "nested more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate() = %v, want error containing %q", err, tc.want)
			}
		})
	}
}
