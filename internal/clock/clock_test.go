package clock_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/internal/db"
)

func TestEmulatedAdvanceResetAndRestart(t *testing.T) {
	ctx := context.Background()
	pool, err := db.Open(ctx, filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer pool.Close()
	real := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return real }

	c, err := clock.NewEmulated(ctx, pool, now)
	if err != nil {
		t.Fatalf("NewEmulated: %v", err)
	}
	if got := c.Now(); !got.Equal(real) {
		t.Errorf("Now before any move: got %v, want %v", got, real)
	}

	if err := c.Advance(ctx, 15*time.Minute); err != nil {
		t.Fatalf("Advance 15m: %v", err)
	}
	if err := c.Advance(ctx, 4*time.Hour); err != nil {
		t.Fatalf("Advance 4h: %v", err)
	}
	if got, want := c.Now(), real.Add(4*time.Hour+15*time.Minute); !got.Equal(want) {
		t.Errorf("Now after two moves: got %v, want %v", got, want)
	}

	restarted, err := clock.NewEmulated(ctx, pool, now)
	if err != nil {
		t.Fatalf("NewEmulated after restart: %v", err)
	}
	if got, want := restarted.Offset(), 4*time.Hour+15*time.Minute; got != want {
		t.Errorf("offset after restart: got %v, want %v", got, want)
	}

	for _, d := range []time.Duration{0, -time.Hour, clock.MaxAdvance + time.Second} {
		if err := c.Advance(ctx, d); !errors.Is(err, clock.ErrAdvance) {
			t.Errorf("Advance(%v): got %v, want %v", d, err, clock.ErrAdvance)
		}
	}

	if err := c.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if got := c.Offset(); got != 0 {
		t.Errorf("offset after reset: got %v, want 0", got)
	}
}

func TestParisTime(t *testing.T) {
	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"winter", time.Date(2026, 12, 4, 22, 32, 0, 0, time.UTC), "04/12/2026 à 23:32"},
		{"summer", time.Date(2027, 7, 14, 8, 0, 0, 0, time.UTC), "14/07/2027 à 10:00"},
		// 00:30 in Paris on the night clocks go forward, plus 4 hours.
		{"across the spring switch", time.Date(2027, 3, 27, 23, 30, 0, 0, time.UTC).Add(4 * time.Hour), "28/03/2027 à 05:30"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := clock.ParisTime(tc.at); got != tc.want {
				t.Errorf("ParisTime(%v): got %q, want %q", tc.at, got, tc.want)
			}
		})
	}
}
