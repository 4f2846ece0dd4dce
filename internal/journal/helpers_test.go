package journal_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/journal"
)

// demoNow is the business time at which the demo data set is loaded.
var demoNow = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// SIRETs of the demo data set: two in the perimeter of the demo
// correspondant and one in the perimeter of the other correspondant.
const (
	siegeSIRET  = "81234567600017"
	roissySIRET = "81234567600025"
	beauneSIRET = "82345678500018"
)

// openDB opens an empty database with every migration applied, in a file
// removed after the test.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	pool, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatalf("db.Open: %v", err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

// openDemo opens a database holding the demo data set.
func openDemo(t *testing.T) *sql.DB {
	t.Helper()
	pool := openDB(t)
	loaded, err := demo.LoadIfEmpty(context.Background(), pool, demoNow)
	if err != nil {
		t.Fatalf("demo.LoadIfEmpty: %v", err)
	}
	if !loaded {
		t.Fatal("demo.LoadIfEmpty: got loaded false on an empty database, want true")
	}
	return pool
}

// userID returns the id of the user with the login.
func userID(t *testing.T, pool *sql.DB, login string) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRowContext(context.Background(), `SELECT id FROM users WHERE login = ?`, login).Scan(&id)
	if err != nil {
		t.Fatalf("read id of user %s: %v", login, err)
	}
	return id
}

// record records the entry in its own committed transaction and returns
// its id.
func record(t *testing.T, pool *sql.DB, e journal.Entry) int64 {
	t.Helper()
	var id int64
	err := db.InTx(context.Background(), pool, func(tx *sql.Tx) error {
		var err error
		id, err = journal.Record(context.Background(), tx, e)
		return err
	})
	if err != nil {
		t.Fatalf("Record(%s): %v", e.Action, err)
	}
	return id
}

// countRows runs the query, a SELECT COUNT(*), and returns its result.
func countRows(t *testing.T, pool *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// list runs List and fails the test on error.
func list(t *testing.T, store *journal.Store, scope journal.Scope, f journal.Filter) journal.Page {
	t.Helper()
	page, err := store.List(context.Background(), scope, f)
	if err != nil {
		t.Fatalf("List(%+v, %+v): %v", scope, f, err)
	}
	return page
}

// summaries returns the summaries of the entries, in order.
func summaries(entries []journal.Entry) []string {
	list := []string{}
	for _, e := range entries {
		list = append(list, e.Summary)
	}
	return list
}
