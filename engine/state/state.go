// Package state holds the plain, serialisable state of a player character: what the store
// saves and what crosses process boundaries.
//
// The values here are plain data with JSON tags and no pointers into the world. A Character
// is a snapshot: the game loop builds one from a live player and hands it over, and from then
// on nobody modifies it (take a Clone to get a copy that may be changed).
package state

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"
)

// Character is the saved state of one player character.
type Character struct {
	Name  string         `json:"name"`            // display form, e.g. "Alice"
	Room  string         `json:"room"`            // room key "zone:room"; "" means the start room
	Items []Item         `json:"items,omitempty"` // carried and worn items
	Stats map[string]int `json:"stats,omitempty"`

	// Data is builder data set from Lua: strings, float64 numbers, bools, nil and nested
	// map[string]any / []any values (see Validate).
	Data map[string]any `json:"data,omitempty"`

	// Color is the colour level the player chose: "off", "16", "256" or "true"; "" lets
	// the client decide.
	Color string `json:"color,omitempty"`
	// Charset is the character set the player chose: "utf-8" or "ascii"; "" lets the client
	// decide.
	Charset string `json:"charset,omitempty"`

	Frozen  bool          `json:"frozen,omitempty"` // staff froze the character: it cannot run commands
	Played  time.Duration `json:"played"`           // total time played
	Version uint64        `json:"version"`          // increases with every snapshot the engine takes
}

// Item is an item instance: the prototype it was made from, what it contains and its
// builder data (same value rules as Character.Data).
type Item struct {
	Proto    string         `json:"proto"`
	Slot     string         `json:"slot,omitempty"` // where it is worn or wielded, if it is
	Contents []Item         `json:"contents,omitempty"`
	Data     map[string]any `json:"data,omitempty"`
}

// Key returns the canonical lookup key for a character name. Names are unique
// case-insensitively; stores and maps of players are keyed by Key(name).
func Key(name string) string { return strings.ToLower(name) }

// Clone returns a deep copy of c: items, stats and data share nothing with c.
func (c Character) Clone() Character {
	c.Items = cloneItems(c.Items)
	c.Stats = maps.Clone(c.Stats)
	c.Data = cloneData(c.Data)
	return c
}

// Clone returns a deep copy of it, including its contents and data.
func (it Item) Clone() Item {
	it.Contents = cloneItems(it.Contents)
	it.Data = cloneData(it.Data)
	return it
}

func cloneItems(items []Item) []Item {
	if items == nil {
		return nil
	}
	out := make([]Item, len(items))
	for i, it := range items {
		out[i] = it.Clone()
	}
	return out
}

func cloneData(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneData(v)
	case []any:
		if v == nil {
			return v
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v
	}
}

// MaxDepth is how deeply items may be nested in containers and data values in tables.
const MaxDepth = 64

// Validate reports whether c can be saved and loaded back unchanged: it has a name, every item
// has a prototype, items and data nest at most MaxDepth levels, and every data value is a
// string, a finite float64, a bool, nil, a map[string]any or a []any of such values.
func (c Character) Validate() error {
	if c.Name == "" {
		return errors.New("state: character has no name")
	}
	if err := validateItems(c.Items, "items", 0); err != nil {
		return fmt.Errorf("state: character %q: %w", c.Name, err)
	}
	if err := validateData(c.Data, "data", 0); err != nil {
		return fmt.Errorf("state: character %q: %w", c.Name, err)
	}
	return nil
}

func validateItems(items []Item, path string, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%s: nested more than %d levels", path, MaxDepth)
	}
	for i, it := range items {
		p := path + "[" + strconv.Itoa(i) + "]"
		if it.Proto == "" {
			return fmt.Errorf("%s: item has no prototype", p)
		}
		if err := validateItems(it.Contents, p+".contents", depth+1); err != nil {
			return err
		}
		if err := validateData(it.Data, p+".data", 0); err != nil {
			return err
		}
	}
	return nil
}

func validateData(m map[string]any, path string, depth int) error {
	for k, v := range m {
		if err := validateValue(v, path+"."+k, depth); err != nil {
			return err
		}
	}
	return nil
}

func validateValue(v any, path string, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%s: nested more than %d levels", path, MaxDepth)
	}
	switch v := v.(type) {
	case nil, string, bool:
		return nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: number %v cannot be saved", path, v)
		}
		return nil
	case map[string]any:
		return validateData(v, path, depth+1)
	case []any:
		for i, e := range v {
			if err := validateValue(e, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("%s: unsupported value type %T", path, v)
	}
}
