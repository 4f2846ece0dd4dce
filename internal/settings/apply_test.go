package settings_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/settings"
)

func TestApplyDueOnce(t *testing.T) {
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})

	// The steps run in order, and wantTotal counts the changes recorded so
	// far.
	steps := []struct {
		name      string
		now       time.Time
		want      int
		wantTotal int
	}{
		{"nothing due", t0.Add(14 * time.Minute), 0, 0},
		{"token due", t0.Add(16 * time.Minute), 1, 1},
		{"same time again", t0.Add(16 * time.Minute), 0, 1},
		{"url 1s before", t0.Add(urlDelay - time.Second), 0, 1},
		{"url due", t0.Add(5 * time.Hour), 1, 2},
		{"later round", t0.Add(6 * time.Hour), 0, 2},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if got := f.applyDue(t, s.now); got != s.want {
				t.Errorf("ApplyDue: got %d, want %d", got, s.want)
			}
			if got := len(f.journalRows(t, settings.ActionApplied)); got != s.wantTotal {
				t.Errorf("journal %s: got %d entries, want %d", settings.ActionApplied, got, s.wantTotal)
			}
			if got := len(f.mails(t, settings.ActionApplied)); got != 2*s.wantTotal {
				t.Errorf("outbox %s: got %d mails, want %d", settings.ActionApplied, got, 2*s.wantTotal)
			}
		})
	}

	tokenRow, urlRow := f.lastChange(t, tokenKey), f.lastChange(t, urlKey)
	if !tokenRow.AppliedAt.Valid || !tokenRow.AppliedAt.Time.Equal(t0.Add(16*time.Minute)) {
		t.Errorf("token applied_at: got %v, want %s", tokenRow.AppliedAt, t0.Add(16*time.Minute))
	}
	if !urlRow.AppliedAt.Valid || !urlRow.AppliedAt.Time.Equal(t0.Add(5*time.Hour)) {
		t.Errorf("url applied_at: got %v, want %s", urlRow.AppliedAt, t0.Add(5*time.Hour))
	}

	// The journal dates each entry at the effective time, which is 11:15
	// and 15:00 in Paris.
	entries := f.journalRows(t, settings.ActionApplied)
	want := []journalRow{
		{
			At: t0.Add(tokenDelay), ActorName: "Système", AccountIdentifier: siegeIdentifier, SIRET: siegeSIRET, APICode: deltaCode,
			Summary: "Paramètre «\u00a0" + tokenLabel + "\u00a0» de DELTAH7 pris en compte par la douane.",
			After:   map[string]string{tokenLabel: masked(token1)},
		},
		{
			At: t0.Add(urlDelay), ActorName: "Système", AccountIdentifier: siegeIdentifier, SIRET: siegeSIRET, APICode: deltaCode,
			Summary: "Paramètre «\u00a0" + urlLabel + "\u00a0» de DELTAH7 pris en compte par la douane.",
			After:   map[string]string{urlLabel: url1},
		},
	}
	if len(entries) != len(want) {
		t.Fatalf("journal %s: got %d entries, want %d", settings.ActionApplied, len(entries), len(want))
	}
	for i := range want {
		want[i].AccountID.Int64, want[i].AccountID.Valid = f.siege, true
		checkJournal(t, want[i].Summary, entries[i], want[i])
	}

	mails := f.mails(t, settings.ActionApplied)
	wantMails := []struct {
		createdAt time.Time
		lines     []string
	}{
		{t0.Add(16 * time.Minute), []string{"Valeur en vigueur\u00a0: " + masked(token1), "Depuis le\u00a0: 04/12/2026 à 11:15"}},
		{t0.Add(16 * time.Minute), []string{"Valeur en vigueur\u00a0: " + masked(token1), "Depuis le\u00a0: 04/12/2026 à 11:15"}},
		{t0.Add(5 * time.Hour), []string{"Valeur en vigueur\u00a0: " + url1, "Depuis le\u00a0: 04/12/2026 à 15:00"}},
		{t0.Add(5 * time.Hour), []string{"Valeur en vigueur\u00a0: " + url1, "Depuis le\u00a0: 04/12/2026 à 15:00"}},
	}
	for i, m := range mails {
		if !m.CreatedAt.Equal(wantMails[i].createdAt) {
			t.Errorf("mail %d: created_at: got %s, want %s", i, m.CreatedAt, wantMails[i].createdAt)
		}
		if want := "Paramètre pris en compte pour le compte API boreal-siege"; m.Subject != want {
			t.Errorf("mail %d: subject: got %q, want %q", i, m.Subject, want)
		}
		for _, line := range wantMails[i].lines {
			if !strings.Contains(m.Body, line) {
				t.Errorf("mail %d: body lacks %q:\n%s", i, line, m.Body)
			}
		}
	}
	if got, want := recipients(mails[:2]), []string{siegeEmail, "correspondant@demo.test"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("recipients of the token notice: got %v, want %v", got, want)
	}

	before := f.rowCounts(t)

	t.Run("new store", func(t *testing.T) {
		store := settings.NewStore(f.pool, f.box)
		n, err := store.ApplyDue(f.ctx, t0.Add(24*time.Hour))
		if err != nil {
			t.Fatalf("ApplyDue: %v", err)
		}
		if n != 0 {
			t.Errorf("ApplyDue: got %d, want 0", n)
		}
		if got := f.rowCounts(t); got != before {
			t.Errorf("row counts: got %+v, want %+v", got, before)
		}
	})

	t.Run("reopened database", func(t *testing.T) {
		if err := f.pool.Close(); err != nil {
			t.Fatalf("close pool: %v", err)
		}
		pool, err := db.Open(f.ctx, f.path)
		if err != nil {
			t.Fatalf("db.Open: %v", err)
		}
		t.Cleanup(func() { pool.Close() })
		f.pool = pool
		f.store = settings.NewStore(pool, f.box)

		if got := f.applyDue(t, t0.Add(48*time.Hour)); got != 0 {
			t.Errorf("ApplyDue: got %d, want 0", got)
		}
		if got := f.rowCounts(t); got != before {
			t.Errorf("row counts: got %+v, want %+v", got, before)
		}
	})
}

func TestApplyDueClockJump(t *testing.T) {
	cases := []struct {
		name   string
		saves  []map[string]string // saved at t0, t0+5h, … in turn
		now    time.Time
		want   int
		values []string // the journaled values, in order
	}{
		{
			name:   "url and token",
			saves:  []map[string]string{{urlKey: url1, tokenKey: token1}},
			now:    t0.Add(5 * time.Hour),
			want:   2,
			values: []string{masked(token1), url1},
		},
		{
			// url1 took effect at t0+4h before url2 replaced it, so both
			// are recorded, each at its own effective time.
			name:   "two url values in turn",
			saves:  []map[string]string{{urlKey: url1, tokenKey: token1}, {urlKey: url2}},
			now:    t0.Add(10 * time.Hour),
			want:   3,
			values: []string{masked(token1), url1, url2},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			for i, values := range c.saves {
				f.save(t, t0.Add(time.Duration(i)*5*time.Hour), values)
			}

			if got := f.applyDue(t, c.now); got != c.want {
				t.Errorf("ApplyDue: got %d, want %d", got, c.want)
			}
			var values []string
			var last time.Time
			for _, e := range f.journalRows(t, settings.ActionApplied) {
				for _, v := range e.After {
					values = append(values, v)
				}
				if e.At.Before(last) {
					t.Errorf("journal: entry at %s follows one at %s", e.At, last)
				}
				last = e.At
			}
			if strings.Join(values, " ") != strings.Join(c.values, " ") {
				t.Errorf("journaled values: got %v, want %v", values, c.values)
			}
			if got := len(f.mails(t, settings.ActionApplied)); got != 2*c.want {
				t.Errorf("outbox %s: got %d mails, want %d", settings.ActionApplied, got, 2*c.want)
			}
			if got := f.applyDue(t, c.now); got != 0 {
				t.Errorf("second ApplyDue: got %d, want 0", got)
			}
		})
	}
}

func TestApplyDueConcurrent(t *testing.T) {
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})

	// Each worker has its own pool on the same file, as two console
	// processes would.
	const workers = 4
	stores := make([]*settings.Store, workers)
	for i := range stores {
		pool, err := db.Open(f.ctx, f.path)
		if err != nil {
			t.Fatalf("db.Open: %v", err)
		}
		t.Cleanup(func() { pool.Close() })
		stores[i] = settings.NewStore(pool, f.box)
	}

	counts := make([]int, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i, store := range stores {
		wg.Go(func() {
			counts[i], errs[i] = store.ApplyDue(f.ctx, t0.Add(5*time.Hour))
		})
	}
	wg.Wait()

	total := 0
	for i := range stores {
		if errs[i] != nil {
			t.Errorf("ApplyDue %d: %v", i, errs[i])
		}
		total += counts[i]
	}
	if total != 2 {
		t.Errorf("changes recorded: got %d (%v), want 2", total, counts)
	}
	if got := len(f.journalRows(t, settings.ActionApplied)); got != 2 {
		t.Errorf("journal %s: got %d entries, want 2", settings.ActionApplied, got)
	}
	if got := len(f.mails(t, settings.ActionApplied)); got != 4 {
		t.Errorf("outbox %s: got %d mails, want 4", settings.ActionApplied, got)
	}
}

func TestApplyDueRecordsUnreadableToken(t *testing.T) {
	f := newFixture(t)
	havre := f.accountID(t, "epices-havre")
	f.grantDelta(t, havre)

	// epices-havre's token is sealed with another key, as after a restart
	// with a wrong key file, and falls due before boreal-siege's values.
	wrongKey := settings.NewStore(f.pool, newBox(t))
	_, err := wrongKey.Save(f.ctx, f.scope, f.camille, t0.Add(-time.Hour), havre, deltaCode,
		map[string]string{urlKey: havreURL, tokenKey: token2})
	if err != nil {
		t.Fatalf("Save havre: %v", err)
	}
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})

	// The havre token cannot be opened, yet it took effect in the
	// emulated customs system: it is recorded, shown as unreadable, and
	// holds back none of the others.
	n, err := f.store.ApplyDue(f.ctx, t0.Add(5*time.Hour))
	if err != nil {
		t.Errorf("ApplyDue: got error %v, want nil", err)
	}
	if n != 4 {
		t.Errorf("ApplyDue: got %d changes recorded, want 4", n)
	}
	if got := f.count(t, `SELECT COUNT(*) FROM journal WHERE action = ? AND instr(after_json, ?) > 0`,
		settings.ActionApplied, settings.UnreadableDisplay); got != 1 {
		t.Errorf("journal entries with the unreadable token: got %d, want 1", got)
	}
	cases := []struct {
		name    string
		account int64
		key     string
		want    bool
	}{
		{"havre token", havre, tokenKey, true},
		{"havre url", havre, urlKey, true},
		{"siege token", f.siege, tokenKey, true},
		{"siege url", f.siege, urlKey, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := f.count(t, `SELECT COUNT(*) FROM settings_changes
				WHERE account_id = ? AND api_code = ? AND field_key = ? AND applied_at IS NOT NULL`, c.account, deltaCode, c.key) == 1
			if got != c.want {
				t.Errorf("applied: got %t, want %t", got, c.want)
			}
		})
	}
}
