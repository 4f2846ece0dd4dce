package accounts_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/siret"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// demoNow is the business time at which the demo data set is loaded, and
// so the creation time of every demo account.
var demoNow = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

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

// accountID returns the id of the account with the identifier, deleted or
// not.
func accountID(t *testing.T, pool *sql.DB, identifier string) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRowContext(context.Background(),
		`SELECT id FROM api_accounts WHERE identifier = ?`, identifier).Scan(&id)
	if err != nil {
		t.Fatalf("read id of account %s: %v", identifier, err)
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

// mustExec runs a setup statement and fails the test on error.
func mustExec(t *testing.T, pool *sql.DB, query string, args ...any) sql.Result {
	t.Helper()
	res, err := pool.ExecContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return res
}

// insertUser inserts a console user with no role and a placeholder password
// hash, for tests that never sign in, and returns its id.
func insertUser(t *testing.T, pool *sql.DB, login string) int64 {
	t.Helper()
	res := mustExec(t, pool, `INSERT INTO users (login, display_name, password_hash, created_at) VALUES (?, ?, 'unused', ?)`,
		login, login, demoNow)
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatalf("insert user %s: %v", login, err)
	}
	return id
}

// insertEstablishment inserts the establishment, and its company when the
// SIREN is new, and adds it to the user's perimeter when userID is not 0.
func insertEstablishment(t *testing.T, pool *sql.DB, companyName, number string, userID int64) {
	t.Helper()
	siren := siret.SIREN(number)
	mustExec(t, pool, `INSERT INTO companies (siren, name) VALUES (?, ?) ON CONFLICT (siren) DO NOTHING`, siren, companyName)
	mustExec(t, pool, `INSERT INTO establishments (siret, siren, label) VALUES (?, ?, ?)`, number, siren, "Site "+number)
	if userID != 0 {
		mustExec(t, pool, `INSERT INTO perimeters (user_id, siret) VALUES (?, ?)`, userID, number)
	}
}

// insertAccount inserts a live account with a placeholder password hash and
// returns its id.
func insertAccount(t *testing.T, pool *sql.DB, identifier, address, number string) int64 {
	t.Helper()
	res := mustExec(t, pool, `
		INSERT INTO api_accounts (identifier, email, siret, password_hash, password_changed_at, created_at, updated_at)
		VALUES (?, ?, ?, 'unused', ?, ?, ?)`,
		identifier, address, number, demoNow, demoNow, demoNow)
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatalf("insert account %s: %v", identifier, err)
	}
	return id
}

// testSIREN is the SIREN of the company that the tests without demo data
// create. It passes the Luhn check.
const testSIREN = "901234567"

// testSIRET returns a valid SIRET of testSIREN whose establishment number
// (the 4 digits before the check digit) is n.
func testSIRET(t *testing.T, n int) string {
	t.Helper()
	for check := range 10 {
		number := fmt.Sprintf("%s%04d%d", testSIREN, n, check)
		if siret.Valid(number) {
			return number
		}
	}
	t.Fatalf("no check digit makes establishment %d of SIREN %s valid", n, testSIREN)
	return ""
}

// identifiers returns the identifiers of the accounts, in order.
func identifiers(list []accounts.Account) []string {
	ids := []string{}
	for _, a := range list {
		ids = append(ids, a.Identifier)
	}
	return ids
}

// listIdentifiers runs List and returns the identifiers of the page.
func listIdentifiers(t *testing.T, store *accounts.Store, scope accounts.Scope, f accounts.ListFilter) []string {
	t.Helper()
	page, err := store.List(context.Background(), scope, f)
	if err != nil {
		t.Fatalf("List(%+v, %+v): %v", scope, f, err)
	}
	return identifiers(page.Accounts)
}

// validationFields returns the field messages of err, which must be a
// validation.Errors.
func validationFields(t *testing.T, err error) map[string]string {
	t.Helper()
	var verr validation.Errors
	if !errors.As(err, &verr) {
		t.Fatalf("error: got %v (%T), want validation.Errors", err, err)
	}
	return map[string]string(verr)
}

// sortedKeys returns the keys of m in lexical order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
