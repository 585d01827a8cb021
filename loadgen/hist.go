package loadgen

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram buckets: values below 2^subBits microseconds are exact; above, each power of two
// is cut into 2^(subBits-1) buckets, so a bucket is at most about 3 % wide.
const (
	subBits  = 6
	subCount = 1 << (subBits - 1) // buckets per power of two
	maxMicro = 1<<40 - 1          // about 12 days
	nBuckets = 1<<subBits + (40-subBits)*subCount
)

// Histogram counts durations in log-linear buckets of microseconds. It is safe for concurrent
// use: Record is a few atomic additions, so every bot can share one histogram.
type Histogram struct {
	counts [nBuckets]atomic.Uint64
	n      atomic.Uint64
	sum    atomic.Uint64 // microseconds
	max    atomic.Uint64 // microseconds
}

// Record adds one duration.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d.Microseconds(), 0))
	v = min(v, maxMicro)
	h.counts[bucketOf(v)].Add(1)
	h.n.Add(1)
	h.sum.Add(v)
	for m := h.max.Load(); v > m && !h.max.CompareAndSwap(m, v); m = h.max.Load() {
	}
}

func bucketOf(v uint64) int {
	if v < 1<<subBits {
		return int(v)
	}
	e := bits.Len64(v) - subBits // v>>e is in [subCount, 2*subCount)
	return 1<<subBits + (e-1)*subCount + int(v>>e) - subCount
}

// bucketHigh is the largest value that falls in bucket i.
func bucketHigh(i int) uint64 {
	if i < 1<<subBits {
		return uint64(i)
	}
	i -= 1 << subBits
	e := i/subCount + 1
	m := uint64(i%subCount + subCount)
	return (m+1)<<e - 1
}

// Count is the number of recorded durations.
func (h *Histogram) Count() uint64 { return h.n.Load() }

// Quantile returns the q-quantile (0 < q ≤ 1) as the top of the bucket that holds it, capped
// at the largest duration recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.counts {
		if seen += h.counts[i].Load(); seen >= rank {
			return time.Duration(min(bucketHigh(i), h.max.Load())) * time.Microsecond
		}
	}
	return h.Max()
}

// Max is the largest duration recorded.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) * time.Microsecond }

// Mean is the average duration.
func (h *Histogram) Mean() time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(h.sum.Load()/n) * time.Microsecond
}

// Latency summarises a Histogram in milliseconds.
type Latency struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

// Summary returns the count, quantiles, maximum and mean.
func (h *Histogram) Summary() Latency {
	return Latency{
		Count: h.Count(),
		P50:   ms(h.Quantile(0.50)),
		P90:   ms(h.Quantile(0.90)),
		P99:   ms(h.Quantile(0.99)),
		Max:   ms(h.Max()),
		Mean:  ms(h.Mean()),
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
