package settings_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/settings"
)

// movableClock is a clock that the test moves while a worker reads it.
type movableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *movableClock) set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
}

// wakeCounter is a fake e-mail sender that counts its Wake calls.
type wakeCounter struct {
	n atomic.Int64
}

func (w *wakeCounter) Wake() { w.n.Add(1) }

// lockedBuffer is a log destination safe for concurrent writes and reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond every 10 ms and fails the test when it is still
// false after 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 5s waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startWorker runs the worker until the returned stop function cancels it,
// and fails the test when Run does not return within 5 s of the cancel.
func startWorker(t *testing.T, w *settings.Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()

	stopped := false
	stop = func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5s of the cancel")
		}
	}
	t.Cleanup(stop)
	return stop
}

// applied reports whether the latest row of the field has applied_at.
func (f *fixture) applied(t *testing.T, key string) bool {
	t.Helper()
	return f.lastChange(t, key).AppliedAt.Valid
}

func TestWorker(t *testing.T) {
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})

	t.Run("failed round logged", func(t *testing.T) {
		var logs lockedBuffer
		// A store on a closed database fails every round.
		closed, err := db.Open(f.ctx, filepath.Join(t.TempDir(), "closed.db"))
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		closed.Close()
		broken := settings.NewStore(closed, newBox(t))
		w := settings.NewWorker(broken, clock.Fixed(t0.Add(16*time.Minute)), slog.New(slog.NewTextHandler(&logs, nil)), nil)
		w.Interval = time.Hour
		stop := startWorker(t, w)
		waitFor(t, "an error in the log", func() bool { return strings.Contains(logs.String(), "level=ERROR") })
		stop()

		if f.applied(t, tokenKey) {
			t.Error("token applied_at: got set by a failing store, want NULL")
		}
		if strings.Contains(logs.String(), token1) {
			t.Errorf("log contains the plain token:\n%s", logs.String())
		}
	})

	t.Run("fixed clock", func(t *testing.T) {
		var logs lockedBuffer
		mailer := &wakeCounter{}
		w := settings.NewWorker(f.store, clock.Fixed(t0.Add(16*time.Minute)), slog.New(slog.NewTextHandler(&logs, nil)), mailer)
		w.Interval = time.Hour
		stop := startWorker(t, w)

		// Run starts with a round, so no Wake is needed here.
		waitFor(t, "token applied_at", func() bool { return f.applied(t, tokenKey) })
		waitFor(t, "the mailer woken", func() bool { return mailer.n.Load() == 1 })
		stop()

		if f.applied(t, urlKey) {
			t.Error("url applied_at: got set at t0+16m, want NULL until t0+4h")
		}
		if !strings.Contains(logs.String(), "settings took effect") {
			t.Errorf("log: got %q, want a line about the change taking effect", logs.String())
		}
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("log: got %q, want no error", logs.String())
		}
	})

	t.Run("wake after clock move", func(t *testing.T) {
		c := &movableClock{now: t0.Add(urlDelay)}
		mailer := &wakeCounter{}
		w := settings.NewWorker(f.store, c, slog.New(slog.DiscardHandler), mailer)
		w.Interval = time.Hour
		stop := startWorker(t, w)

		// The first round records url1, which shows that it has read the
		// clock. A later change can then only be recorded by a round that
		// Wake starts, because Interval is an hour.
		waitFor(t, "url applied_at", func() bool { return f.applied(t, urlKey) })

		at := t0.Add(urlDelay + time.Minute)
		f.save(t, at, map[string]string{tokenKey: token2})
		c.set(at.Add(tokenDelay))
		w.Wake()
		waitFor(t, "new token applied_at", func() bool { return f.applied(t, tokenKey) })
		waitFor(t, "the mailer woken twice", func() bool { return mailer.n.Load() == 2 })
		stop()

		if got := len(f.journalRows(t, settings.ActionApplied)); got != 3 {
			t.Errorf("journal %s: got %d entries, want 3", settings.ActionApplied, got)
		}
	})
}
