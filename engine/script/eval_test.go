package script

import (
	"strings"
	"testing"
	"time"
)

func TestEvalLine(t *testing.T) {
	vm := New(Config{Budget: 50 * time.Millisecond})
	defer vm.Close()
	tests := []struct {
		src, want, err string
	}{
		{"1 + 1", "2", ""},
		{"x = 41", "", ""},
		{"x + 1", "42", ""},
		{"'a', 'b'", "a b", ""},
		{"while true do end", "", "budget"},
		{"this is not lua", "", "parse error"},
	}
	for _, tt := range tests {
		vals, err := vm.EvalLine(tt.src, "console")
		var got []string
		for _, v := range vals {
			got = append(got, v.String())
		}
		if tt.err != "" {
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), tt.err) {
				t.Errorf("EvalLine(%q) error %v, want one about %q", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("EvalLine(%q) = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
}
