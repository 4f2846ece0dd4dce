package habilitations_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/habilitations"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// demoNow is the business time at which the demo data set is loaded, and
// so the grant time of the demo habilitations.
var demoNow = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// Identifiers, e-mails and SIRETs of the demo accounts used below.
// boreal-siege has live DELTAH7 and PNTS habilitations (jaune),
// boreal-roissy has none (rouge) and epices-havre has PNTS (vert). The
// martel accounts lie in the perimeter of the other correspondant only.
const (
	siegeIdentifier  = "boreal-siege"
	roissyIdentifier = "boreal-roissy"
	havreIdentifier  = "epices-havre"
	beauneIdentifier = "martel-beaune"

	roissyEmail = "api-roissy@atelier-boreal.example"
	havreEmail  = "douane-api@epices-oceanes.example"

	roissySIRET = "81234567600025"
	havreSIRET  = "05123456500011"
)

// fixture is a demo database with the ids the tests use.
type fixture struct {
	pool  *sql.DB
	store *habilitations.Store
	ctx   context.Context

	// Ids of the demo accounts.
	siege  int64
	roissy int64
	havre  int64
	beaune int64

	correspondant      habilitations.Actor // Camille Martin, perimeter of Atelier Boréal and Épices
	douane             habilitations.Actor // Paul Durand, customs
	otherCorrespondant habilitations.Actor // Louise Bernard, perimeter of Martel
	scope              accounts.Scope      // perimeter of correspondant
	otherScope         accounts.Scope      // perimeter of otherCorrespondant
}

// newFixture opens a database file holding the demo data set, removed
// after the test.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool, err := db.Open(ctx, filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatalf("db.Open: %v", err)
	}
	t.Cleanup(func() { pool.Close() })

	loaded, err := demo.LoadIfEmpty(ctx, pool, demoNow)
	if err != nil {
		t.Fatalf("demo.LoadIfEmpty: %v", err)
	}
	if !loaded {
		t.Fatal("demo.LoadIfEmpty: got loaded false on an empty database, want true")
	}

	f := &fixture{pool: pool, store: habilitations.NewStore(pool), ctx: ctx}
	f.siege = accountID(t, pool, siegeIdentifier)
	f.roissy = accountID(t, pool, roissyIdentifier)
	f.havre = accountID(t, pool, havreIdentifier)
	f.beaune = accountID(t, pool, beauneIdentifier)

	f.correspondant = habilitations.Actor{ID: userID(t, pool, demo.CorrespondantLogin), Name: "Camille Martin"}
	f.douane = habilitations.Actor{ID: userID(t, pool, demo.DouaneLogin), Name: "Paul Durand"}
	f.otherCorrespondant = habilitations.Actor{ID: userID(t, pool, demo.OtherCorrespondantLogin), Name: "Louise Bernard"}
	f.scope = accounts.PerimeterOf(f.correspondant.ID)
	f.otherScope = accounts.PerimeterOf(f.otherCorrespondant.ID)
	return f
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

// accountID returns the id of the account with the identifier.
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
func (f *fixture) countRows(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRowContext(f.ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// mustExec runs a setup statement and fails the test on error.
func (f *fixture) mustExec(t *testing.T, query string, args ...any) sql.Result {
	t.Helper()
	res, err := f.pool.ExecContext(f.ctx, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return res
}

// status returns the derived status of the account.
func (f *fixture) status(t *testing.T, id int64) accounts.Status {
	t.Helper()
	a, err := accounts.NewStore(f.pool).Get(f.ctx, accounts.Scope{All: true}, id)
	if err != nil {
		t.Fatalf("accounts Get(%d): %v", id, err)
	}
	return a.Status
}

// submit submits a request as the demo correspondant and fails the test on
// error.
func (f *fixture) submit(t *testing.T, now time.Time, account int64, codes ...string) int64 {
	t.Helper()
	id, err := f.store.Submit(f.ctx, f.scope, f.correspondant, now, account, codes)
	if err != nil {
		t.Fatalf("Submit(account %d, %v): %v", account, codes, err)
	}
	return id
}

// decide decides a request as customs and fails the test on error.
func (f *fixture) decide(t *testing.T, now time.Time, request int64, decisions map[string]habilitations.Decision) {
	t.Helper()
	if err := f.store.Decide(f.ctx, f.douane, now, request, decisions); err != nil {
		t.Fatalf("Decide(request %d): %v", request, err)
	}
}

// get reads a request and fails the test on error.
func (f *fixture) get(t *testing.T, request int64) habilitations.Request {
	t.Helper()
	r, err := f.store.Get(f.ctx, request)
	if err != nil {
		t.Fatalf("Get(%d): %v", request, err)
	}
	return r
}

// liveHabilitation returns the id of the live habilitation of the account
// on the API.
func (f *fixture) liveHabilitation(t *testing.T, account int64, code string) int64 {
	t.Helper()
	var id int64
	err := f.pool.QueryRowContext(f.ctx,
		`SELECT id FROM habilitations WHERE account_id = ? AND api_code = ? AND revoked_at IS NULL`,
		account, code).Scan(&id)
	if err != nil {
		t.Fatalf("read live habilitation of account %d on %s: %v", account, code, err)
	}
	return id
}

// liveCodes returns the API codes of the live habilitations of the
// account, sorted.
func (f *fixture) liveCodes(t *testing.T, account int64) []string {
	t.Helper()
	rows, err := f.pool.QueryContext(f.ctx,
		`SELECT api_code FROM habilitations WHERE account_id = ? AND revoked_at IS NULL ORDER BY api_code`, account)
	if err != nil {
		t.Fatalf("read habilitations of account %d: %v", account, err)
	}
	defer rows.Close()

	codes := []string{}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			t.Fatalf("read habilitations of account %d: %v", account, err)
		}
		codes = append(codes, code)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read habilitations of account %d: %v", account, err)
	}
	return codes
}

// rowCounts is the number of journal and outbox rows at one moment.
type rowCounts struct {
	journal, outbox int
}

func (f *fixture) rowCounts(t *testing.T) rowCounts {
	t.Helper()
	return rowCounts{
		journal: f.countRows(t, `SELECT COUNT(*) FROM journal`),
		outbox:  f.countRows(t, `SELECT COUNT(*) FROM outbox`),
	}
}

// checkNoRowsAdded fails the test when the journal or the outbox grew
// since before.
func (f *fixture) checkNoRowsAdded(t *testing.T, before rowCounts) {
	t.Helper()
	after := f.rowCounts(t)
	if after.journal != before.journal {
		t.Errorf("journal rows: got %d, want %d", after.journal, before.journal)
	}
	if after.outbox != before.outbox {
		t.Errorf("outbox rows: got %d, want %d", after.outbox, before.outbox)
	}
}

// journalRow is the part of a journal row that the tests check.
type journalRow struct {
	Action            string
	ActorID           int64
	ActorName         string
	AccountID         int64
	AccountIdentifier string
	SIRET             string
	APICode           string
	Summary           string
	At                time.Time
	Before, After     map[string]string
}

// journalSince returns the journal rows with an id above afterID, in
// order.
func (f *fixture) journalSince(t *testing.T, afterID int64) []journalRow {
	t.Helper()
	rows, err := f.pool.QueryContext(f.ctx, `
		SELECT action, COALESCE(actor_id, 0), actor_name, COALESCE(account_id, 0), account_identifier,
		       siret, api_code, summary, at, before_json, after_json
		FROM journal WHERE id > ? ORDER BY id`, afterID)
	if err != nil {
		t.Fatalf("read journal: %v", err)
	}
	defer rows.Close()

	var list []journalRow
	for rows.Next() {
		var r journalRow
		var before, after string
		if err := rows.Scan(&r.Action, &r.ActorID, &r.ActorName, &r.AccountID, &r.AccountIdentifier,
			&r.SIRET, &r.APICode, &r.Summary, &r.At, &before, &after); err != nil {
			t.Fatalf("read journal: %v", err)
		}
		if err := json.Unmarshal([]byte(before), &r.Before); err != nil {
			t.Fatalf("decode before_json %s: %v", before, err)
		}
		if err := json.Unmarshal([]byte(after), &r.After); err != nil {
			t.Fatalf("decode after_json %s: %v", after, err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read journal: %v", err)
	}
	return list
}

// outboxRow is the part of an outbox row that the tests check.
type outboxRow struct {
	Kind      string
	Recipient string
	Subject   string
	Body      string
	AccountID int64
	SIRET     string
	CreatedAt time.Time
}

// outboxSince returns the outbox rows with an id above afterID, ordered
// by id.
func (f *fixture) outboxSince(t *testing.T, afterID int64) []outboxRow {
	t.Helper()
	rows, err := f.pool.QueryContext(f.ctx, `
		SELECT kind, recipient, subject, body, COALESCE(account_id, 0), siret, created_at
		FROM outbox WHERE id > ? ORDER BY id`, afterID)
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	defer rows.Close()

	var list []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.Kind, &r.Recipient, &r.Subject, &r.Body, &r.AccountID, &r.SIRET, &r.CreatedAt); err != nil {
			t.Fatalf("read outbox: %v", err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	return list
}

// maxID returns the highest id of the table, 0 when it is empty.
func (f *fixture) maxID(t *testing.T, table string) int64 {
	t.Helper()
	var id int64
	if err := f.pool.QueryRowContext(f.ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&id); err != nil {
		t.Fatalf("read max id of %s: %v", table, err)
	}
	return id
}

// validationFields returns the field messages of err, which must be a
// validation.Errors.
func validationFields(t *testing.T, err error) validation.Errors {
	t.Helper()
	var verr validation.Errors
	if !errors.As(err, &verr) {
		t.Fatalf("error: got %v (%T), want validation.Errors", err, err)
	}
	return verr
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

// itemCodes returns the API codes of the items, in order.
func itemCodes(items []habilitations.Item) []string {
	codes := []string{}
	for _, it := range items {
		codes = append(codes, it.APICode)
	}
	return codes
}

// requestIDs returns the ids of the requests, in order.
func requestIDs(list []habilitations.Request) []int64 {
	ids := []int64{}
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	return ids
}

// apiCodes returns the codes of the APIs, in order.
func apiCodes(list []habilitations.API) []string {
	codes := []string{}
	for _, a := range list {
		codes = append(codes, a.Code)
	}
	return codes
}

// grantAll returns decisions that grant every code.
func grantAll(codes ...string) map[string]habilitations.Decision {
	decisions := map[string]habilitations.Decision{}
	for _, c := range codes {
		decisions[c] = habilitations.Decision{Grant: true}
	}
	return decisions
}
