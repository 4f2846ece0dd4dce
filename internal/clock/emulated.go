package clock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// MaxAdvance bounds one move of the emulation clock, so a typing slip
// cannot throw a training session years ahead.
const MaxAdvance = 30 * 24 * time.Hour

// ErrAdvance is returned for a move that is not positive or exceeds
// MaxAdvance.
var ErrAdvance = errors.New("clock: advance must be positive and at most 30 days")

// Emulated is the business clock of the console: real time plus an offset
// that the admin role moves forward, kept in the database so it survives
// a restart. The zero offset is real time. Safe for concurrent use.
type Emulated struct {
	db  *sql.DB
	now func() time.Time // the real clock; time.Now in production

	mu     sync.RWMutex
	offset time.Duration
}

// NewEmulated loads the stored offset. real is the real clock; nil means
// time.Now.
func NewEmulated(ctx context.Context, pool *sql.DB, real func() time.Time) (*Emulated, error) {
	if real == nil {
		real = time.Now
	}
	c := &Emulated{db: pool, now: real}

	var seconds int64
	if err := pool.QueryRowContext(ctx, `SELECT offset_seconds FROM emulation_clock WHERE id = 1`).Scan(&seconds); err != nil {
		return nil, fmt.Errorf("clock: read offset: %w", err)
	}
	c.offset = time.Duration(seconds) * time.Second
	return c, nil
}

// Now returns the business time in UTC.
func (c *Emulated) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.now().UTC().Add(c.offset)
}

// Offset returns how far ahead of real time the clock is; 0 is real time.
func (c *Emulated) Offset() time.Duration {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.offset
}

// Advance moves the clock forward by d, rounded down to the second.
func (c *Emulated) Advance(ctx context.Context, d time.Duration) error {
	d = d.Truncate(time.Second)
	if d <= 0 || d > MaxAdvance {
		return ErrAdvance
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	return c.store(ctx, c.offset+d)
}

// Reset brings the clock back to real time. Changes whose effective time
// is then in the future show as pending again; those already recorded as
// in force are not recorded twice.
func (c *Emulated) Reset(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.store(ctx, 0)
}

// store saves the offset; the caller holds the lock.
func (c *Emulated) store(ctx context.Context, offset time.Duration) error {
	_, err := c.db.ExecContext(ctx, `UPDATE emulation_clock SET offset_seconds = ?, changed_at = ? WHERE id = 1`,
		int64(offset/time.Second), c.now().UTC())
	if err != nil {
		return fmt.Errorf("clock: save offset: %w", err)
	}
	c.offset = offset
	return nil
}
