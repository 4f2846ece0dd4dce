package db

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
)

func openTemp(t *testing.T) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nested", "console.db")
	pool, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool, path
}

func TestOpenAppliesPragmas(t *testing.T) {
	pool, _ := openTemp(t)
	ctx := context.Background()

	cases := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"},
	}
	for _, c := range cases {
		t.Run(c.pragma, func(t *testing.T) {
			var got string
			if err := pool.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", c.pragma, err)
			}
			if got != c.want {
				t.Errorf("PRAGMA %s: got %q, want %q", c.pragma, got, c.want)
			}
		})
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	pool, path := openTemp(t)
	ctx := context.Background()

	list, err := loadMigrations()
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	if err := Migrate(ctx, pool); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	pool.Close()

	reopened, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer reopened.Close()

	var count, latest int
	err = reopened.QueryRowContext(ctx, `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&count, &latest)
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	if count != len(list) {
		t.Errorf("recorded migrations: got %d, want %d", count, len(list))
	}
	if latest != list[len(list)-1].version {
		t.Errorf("latest version: got %d, want %d", latest, list[len(list)-1].version)
	}
}

func TestMigrateRejectsNewerSchema(t *testing.T) {
	pool, _ := openTemp(t)
	ctx := context.Background()

	_, err := pool.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future.sql', CURRENT_TIMESTAMP)`)
	if err != nil {
		t.Fatalf("insert future version: %v", err)
	}
	if err := Migrate(ctx, pool); err == nil {
		t.Fatal("Migrate accepted a schema newer than the binary")
	}
}

func TestSchemaRejectsMalformedSIRET(t *testing.T) {
	pool, _ := openTemp(t)
	ctx := context.Background()

	if _, err := pool.ExecContext(ctx, `INSERT INTO companies (siren, name) VALUES ('732829320', 'Exemple')`); err != nil {
		t.Fatalf("insert company: %v", err)
	}
	cases := []struct {
		name  string
		siret string
	}{
		{"thirteen digits", "7328293200007"},
		{"letter", "7328293200007A"},
		{"other company", "12345678900000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := pool.ExecContext(ctx, `INSERT INTO establishments (siret, siren) VALUES (?, '732829320')`, c.siret)
			if err == nil {
				t.Errorf("establishment %q was accepted", c.siret)
			}
		})
	}
}

func TestInTxRollsBackOnError(t *testing.T) {
	pool, _ := openTemp(t)
	ctx := context.Background()
	failure := errors.New("stop here")

	err := InTx(ctx, pool, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO companies (siren, name) VALUES ('732829320', 'Exemple')`); err != nil {
			return err
		}
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("InTx error: got %v, want %v", err, failure)
	}

	var count int
	if err := pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM companies`).Scan(&count); err != nil {
		t.Fatalf("count companies: %v", err)
	}
	if count != 0 {
		t.Errorf("companies after rollback: got %d, want 0", count)
	}
}

// TestInTxSerializesReadThenWrite checks that concurrent read-then-write
// transactions queue instead of failing with SQLITE_BUSY.
func TestInTxSerializesReadThenWrite(t *testing.T) {
	pool, _ := openTemp(t)
	ctx := context.Background()

	if _, err := pool.ExecContext(ctx, `CREATE TABLE counter (n INTEGER NOT NULL)`); err != nil {
		t.Fatalf("create counter: %v", err)
	}
	if _, err := pool.ExecContext(ctx, `INSERT INTO counter (n) VALUES (0)`); err != nil {
		t.Fatalf("insert counter: %v", err)
	}

	const workers = 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- InTx(ctx, pool, func(tx *sql.Tx) error {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `UPDATE counter SET n = ?`, n+1)
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("transaction failed: %v", err)
		}
	}

	var n int
	if err := pool.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil {
		t.Fatalf("read counter: %v", err)
	}
	if n != workers {
		t.Errorf("counter: got %d, want %d", n, workers)
	}
}

func TestEscapeLike(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"50%", `50\%`},
		{"a_b", `a\_b`},
		{`c:\d`, `c:\\d`},
	}
	for _, c := range cases {
		if got := EscapeLike(c.in); got != c.want {
			t.Errorf("EscapeLike(%q): got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNullID(t *testing.T) {
	if got := NullID(0); got.Valid {
		t.Errorf("NullID(0): got valid %v, want NULL", got)
	}
	if got := NullID(7); !got.Valid || got.Int64 != 7 {
		t.Errorf("NullID(7): got %v, want 7", got)
	}
}

func TestFoldInSQL(t *testing.T) {
	pool, _ := openTemp(t)
	ctx := context.Background()

	cases := []struct{ text, query string }{
		{"Comptoir des Épices Océanes", "épices"},
		{"Comptoir des Épices Océanes", "EPICES"},
		{"ATELIER BORÉAL", "atelier boréal"},
		{"Élodie", "elodie"},
	}
	for _, c := range cases {
		var match bool
		err := pool.QueryRowContext(ctx, `SELECT fold(?) LIKE '%' || ? || '%'`, c.text, Fold(c.query)).Scan(&match)
		if err != nil {
			t.Fatalf("fold(%q): %v", c.text, err)
		}
		if !match {
			t.Errorf("%q does not find %q", c.query, c.text)
		}
	}

	var null sql.NullString
	if err := pool.QueryRowContext(ctx, `SELECT fold(NULL)`).Scan(&null); err != nil || null.Valid {
		t.Errorf("fold(NULL): got %v (%v), want NULL", null, err)
	}
}
