// Package metrics keeps cheap fixed-bucket latency histograms for the game loop.
//
// A Histogram is written by one goroutine (the loop) and read by the same goroutine
// (the `stats` command), so it has no locking.
package metrics

import (
	"fmt"
	"math"
	"time"
)

// numBounds is the number of bucket bounds: seven decades of 1-2-5 steps.
const numBounds = 21

// bounds are the upper edges of the buckets: 1-2-5 steps from 10 µs to 50 s.
var bounds = func() []time.Duration {
	b := make([]time.Duration, 0, numBounds)
	for d := 10 * time.Microsecond; d <= 10*time.Second; d *= 10 {
		b = append(b, d, 2*d, 5*d)
	}
	return b
}()

// Histogram counts durations in exponential buckets and keeps the maximum.
type Histogram struct {
	counts [numBounds + 1]uint64 // the last bucket is everything above the top bound
	n      uint64
	sum    time.Duration
	max    time.Duration
}

// Observe records one duration.
func (h *Histogram) Observe(d time.Duration) {
	i := 0
	for i < len(bounds) && d > bounds[i] {
		i++
	}
	h.counts[i]++
	h.n++
	h.sum += d
	if d > h.max {
		h.max = d
	}
}

// Count is the number of observations.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest observation.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean is the average observation.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Quantile returns an upper bound of the q-quantile (0 < q ≤ 1): the top edge of the bucket
// that holds it, capped at the maximum seen.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			if i < len(bounds) && bounds[i] < h.max {
				return bounds[i]
			}
			return h.max
		}
	}
	return h.max
}

// Summary formats count, p50, p90, p99 and max on one line.
func (h *Histogram) Summary() string {
	return fmt.Sprintf("n=%d p50≤%v p90≤%v p99≤%v max=%v", h.n,
		h.Quantile(0.5), h.Quantile(0.9), h.Quantile(0.99), h.max.Round(time.Microsecond))
}

// Bucket is one bucket of a histogram: the observations at most Le (and above the previous
// bucket's Le). The last bucket has Le 0: everything above the top bound.
type Bucket struct {
	Le    time.Duration
	Count uint64
}

// Buckets returns the non-empty buckets in increasing order.
func (h *Histogram) Buckets() []Bucket {
	var out []Bucket
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		b := Bucket{Count: c}
		if i < len(bounds) {
			b.Le = bounds[i]
		}
		out = append(out, b)
	}
	return out
}
