package settings_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/settings"
	"github.com/correspondant-entreprise/console/internal/validation"
)

func TestTokenEncryptedAtRest(t *testing.T) {
	const secret = "Jeton-Tres-Secret-2026-XYZ"
	const shown = "••••-XYZ"
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: secret})

	sealed := f.lastChange(t, tokenKey).Value
	if !strings.HasPrefix(sealed, "v1:") {
		t.Errorf("stored token: got %q, want the \"v1:\" prefix", sealed)
	}
	if strings.Contains(sealed, secret) {
		t.Errorf("stored token: got %q, which contains the plain token", sealed)
	}

	t.Run("wrong key shows the token unreadable", func(t *testing.T) {
		other := settings.NewStore(f.pool, newBox(t))
		ok, err := other.KeyMatches(f.ctx)
		if err != nil || ok {
			t.Errorf("KeyMatches with another key: got (%v, %v), want (false, nil)", ok, err)
		}
		if ok, err := f.store.KeyMatches(f.ctx); err != nil || !ok {
			t.Errorf("KeyMatches with the key: got (%v, %v), want (true, nil)", ok, err)
		}

		apis, err := other.ForAccount(f.ctx, f.siege, t0)
		if err != nil {
			t.Fatalf("ForAccount: %v", err)
		}
		pending := fieldByKey(t, apiByCode(t, apis, deltaCode), tokenKey).Pending
		if pending == nil || !pending.Unreadable || pending.Display != settings.UnreadableDisplay {
			t.Errorf("token with another key: got %+v, want unreadable", pending)
		}
	})

	if got := f.applyDue(t, t0.Add(16*time.Minute)); got != 1 {
		t.Fatalf("ApplyDue: got %d, want 1", got)
	}

	t.Run("journal masked", func(t *testing.T) {
		for _, action := range []string{settings.ActionChanged, settings.ActionApplied} {
			found := false
			for _, e := range f.journalRows(t, action) {
				if v, ok := e.After[tokenLabel]; ok {
					found = true
					if v != shown {
						t.Errorf("journal %s: after: got %q, want %q", action, v, shown)
					}
				}
			}
			if !found {
				t.Errorf("journal %s: no entry for the token", action)
			}
		}
		if n := f.count(t, `SELECT COUNT(*) FROM journal WHERE instr(summary || before_json || after_json, ?) > 0`, secret); n != 0 {
			t.Errorf("journal rows containing the plain token: got %d, want 0", n)
		}
	})

	t.Run("mails masked", func(t *testing.T) {
		for _, kind := range []string{settings.ActionChanged, settings.ActionApplied} {
			found := false
			for _, m := range f.mails(t, kind) {
				if strings.Contains(m.Body, tokenLabel) {
					found = true
					if !strings.Contains(m.Body, ": "+shown+"\n") {
						t.Errorf("outbox %s to %s: body lacks the masked token %q:\n%s", kind, m.Recipient, shown, m.Body)
					}
				}
			}
			if !found {
				t.Errorf("outbox %s: no mail for the token", kind)
			}
		}
		if n := f.count(t, `SELECT COUNT(*) FROM outbox WHERE instr(subject || body, ?) > 0`, secret); n != 0 {
			t.Errorf("outbox rows containing the plain token: got %d, want 0", n)
		}
	})

	t.Run("copied ciphertext", func(t *testing.T) {
		// The sealed value is bound to its account, so a copy in another
		// account's row does not decrypt.
		havre := f.accountID(t, "epices-havre")
		f.grantDelta(t, havre)
		f.exec(t, `INSERT INTO settings_changes (account_id, api_code, field_key, value, requested_at, requested_by, effective_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, havre, deltaCode, tokenKey, sealed, t0, f.camille.ID, t0)
		apis, err := f.store.ForAccount(f.ctx, havre, t0.Add(time.Hour))
		if err != nil {
			t.Fatalf("ForAccount of the copy: %v", err)
		}
		copied := fieldByKey(t, apiByCode(t, apis, deltaCode), tokenKey).InForce
		if copied == nil || !copied.Unreadable || strings.Contains(copied.Display, secret) {
			t.Errorf("copied token: got %+v, want unreadable", copied)
		}
		f.exec(t, `DELETE FROM settings_changes WHERE account_id = ?`, havre)
	})

	t.Run("database files", func(t *testing.T) {
		var busy, logFrames, checkpointed int
		if err := f.pool.QueryRowContext(f.ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed); err != nil {
			t.Fatalf("wal_checkpoint: %v", err)
		}
		if busy != 0 {
			t.Fatalf("wal_checkpoint: got busy %d, want 0", busy)
		}
		if err := f.pool.Close(); err != nil {
			t.Fatalf("close pool: %v", err)
		}

		files, err := filepath.Glob(f.path + "*")
		if err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatalf("read %s: %v", name, err)
			}
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s contains the plain token", filepath.Base(name))
			}
			all = append(all, data...)
		}
		// The sealed value is on disk, which shows that the search above read
		// the stored rows.
		if !bytes.Contains(all, []byte(sealed)) {
			t.Errorf("files %v: the sealed token is not on disk, so the search proves nothing", files)
		}
	})

	pool, err := db.Open(f.ctx, f.path)
	if err != nil {
		t.Fatalf("db.Open: %v", err)
	}
	t.Cleanup(func() { pool.Close() })
	f.pool = pool

	t.Run("other key", func(t *testing.T) {
		other := settings.NewStore(pool, newBox(t))
		apis, err := other.ForAccount(f.ctx, f.siege, t0.Add(time.Hour))
		if err != nil {
			t.Fatalf("ForAccount: %v", err)
		}
		token := fieldByKey(t, apiByCode(t, apis, deltaCode), tokenKey)
		if token.InForce == nil || !token.InForce.Unreadable {
			t.Errorf("token in force with another key: got %+v, want unreadable", token.InForce)
		}
		if strings.Contains(token.InForce.Display, secret) {
			t.Errorf("the unreadable token shows %q", token.InForce.Display)
		}

		// A required token that cannot be read must be entered again.
		_, err = other.Save(f.ctx, f.scope, f.camille, t0.Add(time.Hour), f.siege, deltaCode, map[string]string{urlKey: url2})
		var invalid validation.Errors
		if !errors.As(err, &invalid) || invalid[tokenKey] == "" {
			t.Errorf("Save without the token: got %v, want a validation error on %s", err, tokenKey)
		}
		saved, err := other.Save(f.ctx, f.scope, f.camille, t0.Add(time.Hour), f.siege, deltaCode, map[string]string{tokenKey: token2})
		if err != nil || len(saved) != 1 {
			t.Errorf("Save of a new token: got (%v, %v), want one field saved", saved, err)
		}
	})

	t.Run("same key after reopen", func(t *testing.T) {
		store := settings.NewStore(pool, f.box)
		apis, err := store.ForAccount(f.ctx, f.siege, t0.Add(time.Hour))
		if err != nil {
			t.Fatalf("ForAccount: %v", err)
		}
		token := fieldByKey(t, apiByCode(t, apis, deltaCode), tokenKey)
		if token.InForce == nil || token.InForce.Display != shown {
			t.Errorf("token in force: got %+v, want Display %q", token.InForce, shown)
		}
	})
}
