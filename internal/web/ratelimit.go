package web

import (
	"hash/maphash"
	"math"
	"sync"
	"time"
)

// DefaultMaxKeys bounds the keys a Limiter remembers, and so its memory:
// about 100 bytes a key, 26 MiB when full. Buckets are forgotten once they
// have refilled (seconds for the default limits), so the table fills only
// under a flood of distinct keys.
const DefaultMaxKeys = 1 << 18

// limiterShards splits a Limiter's table so that concurrent requests
// rarely wait for one another.
const limiterShards = 64

// evictionSample is how many buckets a full shard looks at to choose the
// one to forget.
const evictionSample = 8

// Limiter is a set of token buckets keyed by a string (a client key from
// ClientKey, or "key|username"). It bounds request rates per key in one
// process; lockout that must hold across instances lives in the database
// (pool.User.FailedLogins).
//
// Memory is bounded: a Limiter remembers at most DefaultMaxKeys keys. A
// bucket that has been idle long enough to refill completely is forgotten
// at no cost, since a new bucket would be the same. When the table is
// full of busier buckets, a new key evicts the least recently seen of a
// random sample of buckets, which gives that key a fresh budget. A flood
// of distinct keys therefore never refuses a client because of other
// clients; it can only reset the budgets of the least active ones.
type Limiter struct {
	perNano  float64 // tokens added per nanosecond
	burst    float64
	fill     int64 // nanoseconds an empty bucket takes to fill
	epoch    time.Time
	seed     maphash.Seed
	perShard int
	shards   [limiterShards]limiterShard
}

type limiterShard struct {
	mu      sync.Mutex
	buckets map[string]bucket
	lastGC  int64
}

// bucket is a token bucket as of seen, in nanoseconds since the
// Limiter's epoch (monotonic).
type bucket struct {
	tokens float64
	seen   int64
}

// NewLimiter allows perMinute events per key per minute with the given
// burst.
func NewLimiter(perMinute float64, burst int) *Limiter {
	return newLimiter(perMinute, burst, DefaultMaxKeys)
}

func newLimiter(perMinute float64, burst, maxKeys int) *Limiter {
	l := &Limiter{
		perNano:  perMinute / 60 / float64(time.Second),
		burst:    float64(burst),
		fill:     math.MaxInt64,
		epoch:    time.Now(),
		seed:     maphash.MakeSeed(),
		perShard: max(1, maxKeys/limiterShards),
	}
	if l.perNano > 0 && float64(burst)/l.perNano < math.MaxInt64/2 {
		l.fill = int64(math.Ceil(float64(burst) / l.perNano))
	}
	for i := range l.shards {
		l.shards[i].buckets = map[string]bucket{}
	}
	return l
}

// Allow reports whether one more event for key is allowed now.
func (l *Limiter) Allow(key string) bool {
	if l == nil {
		return true
	}
	s := l.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Read the clock under the lock: a time read before waiting for it
	// would move the bucket's seen backwards past later calls, and a busy
	// key would look idle to evict.
	now := int64(time.Since(l.epoch))
	if now-s.lastGC > int64(time.Minute) {
		s.forgetIdle(now, l.fill)
	}
	b, ok := s.buckets[key]
	if ok {
		b.tokens = min(l.burst, b.tokens+float64(now-b.seen)*l.perNano)
	} else {
		if len(s.buckets) >= l.perShard {
			s.evict(now, l.fill)
		}
		b.tokens = l.burst
	}
	b.seen = now
	allowed := b.tokens >= 1
	if allowed {
		b.tokens--
	}
	s.buckets[key] = b
	return allowed
}

// Refund gives back the event that the last Allow for key took, as for
// an event that turned out not to count (a successful sign-in, where
// only failures are limited). Taking the event first and refunding it
// afterwards bounds concurrent attempts, which checking first and taking
// after a failure would not. A key the Limiter no longer remembers has a
// full bucket already.
func (l *Limiter) Refund(key string) {
	if l == nil {
		return
	}
	s := l.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := int64(time.Since(l.epoch))
	b, ok := s.buckets[key]
	if !ok {
		return
	}
	b.tokens = min(l.burst, b.tokens+float64(now-b.seen)*l.perNano+1)
	b.seen = now
	s.buckets[key] = b
}

// Len returns the number of keys the Limiter remembers.
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.buckets)
		s.mu.Unlock()
	}
	return n
}

// shard returns the shard that holds key.
func (l *Limiter) shard(key string) *limiterShard {
	return &l.shards[maphash.String(l.seed, key)%limiterShards]
}

// forgetIdle drops the buckets that have refilled completely.
func (s *limiterShard) forgetIdle(now, fill int64) {
	for k, b := range s.buckets {
		if now-b.seen >= fill {
			delete(s.buckets, k)
		}
	}
	s.lastGC = now
}

// evict makes room for one key: it drops the first refilled bucket of a
// random sample, or else the least recently seen one of the sample. Map
// iteration starts at a random position, which makes the sample.
func (s *limiterShard) evict(now, fill int64) {
	var victim string
	oldest := int64(math.MaxInt64)
	n := 0
	for k, b := range s.buckets {
		if now-b.seen >= fill {
			victim = k
			break
		}
		if b.seen < oldest {
			victim, oldest = k, b.seen
		}
		if n++; n == evictionSample {
			break
		}
	}
	delete(s.buckets, victim)
}
