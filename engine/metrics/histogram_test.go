package metrics

import (
	"testing"
	"time"
)

func TestBoundsMatchBuckets(t *testing.T) {
	if len(bounds) != numBounds {
		t.Fatalf("len(bounds) = %d, want %d", len(bounds), numBounds)
	}
}

func TestQuantile(t *testing.T) {
	tests := []struct {
		name string
		obs  []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"single", []time.Duration{3 * time.Millisecond}, 0.99, 3 * time.Millisecond},
		{"median bucket edge", []time.Duration{time.Millisecond, time.Millisecond, 40 * time.Millisecond}, 0.5, time.Millisecond},
		{"p99 is max", []time.Duration{time.Millisecond, 40 * time.Millisecond}, 0.99, 40 * time.Millisecond},
		{"above top bound", []time.Duration{time.Minute}, 0.5, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, d := range tt.obs {
				h.Observe(d)
			}
			if got := h.Quantile(tt.q); got != tt.want {
				t.Errorf("Quantile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestBuckets(t *testing.T) {
	var h Histogram
	for _, d := range []time.Duration{5 * time.Microsecond, 15 * time.Microsecond, 18 * time.Microsecond, time.Minute} {
		h.Observe(d)
	}
	got := h.Buckets()
	want := []Bucket{{10 * time.Microsecond, 1}, {20 * time.Microsecond, 2}, {0, 1}}
	if len(got) != len(want) {
		t.Fatalf("Buckets() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("bucket %d = %v, want %v", i, got[i], want[i])
		}
	}
}
