package settings_test

import (
	"context"
	"crypto/rand"
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
	"github.com/correspondant-entreprise/console/internal/secrets"
	"github.com/correspondant-entreprise/console/internal/settings"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// t0 is the business time at which the demo data set is loaded and the
// first values are saved.
var t0 = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// The DELTAH7 catalog entry and the demo data used below. boreal-siege has
// live DELTAH7 and PNTS habilitations and no settings value, so its status
// is jaune. martel-beaune lies in the perimeter of Louise Bernard only.
const (
	deltaCode    = "DELTAH7"
	deltaLabel   = "DeltaH7"
	deltaContact = "deltah7@douane-emulation.test"
	pntsCode     = "PNTS"

	urlKey     = "url"
	urlLabel   = "Adresse de base des services de rappel"
	urlDelay   = 4 * time.Hour
	tokenKey   = "token"
	tokenLabel = "Jeton d’authentification présenté par la douane"
	tokenDelay = 15 * time.Minute

	siegeIdentifier  = "boreal-siege"
	siegeEmail       = "api-siege@atelier-boreal.example"
	siegeSIRET       = "81234567600017"
	borealSIREN      = "812345676"
	borealName       = "Atelier Boréal"
	beauneIdentifier = "martel-beaune"

	camilleName = "Camille Martin"
	louiseName  = "Louise Bernard"
)

// Valid settings values.
const (
	url1   = "https://api.atelier-boreal.example/rappel/v1"
	url2   = "https://api.atelier-boreal.example/rappel/v2"
	token1 = "Jeton-Alpha-2026-0001"
	token2 = "Jeton-Bravo-2026-0002"
)

// fixture is a database file holding the demo data set, with a Store and
// the ids the tests use.
type fixture struct {
	ctx   context.Context
	path  string
	pool  *sql.DB
	box   *secrets.Box
	store *settings.Store

	siege  int64 // boreal-siege
	beaune int64 // martel-beaune

	camille settings.Actor // correspondant of Atelier Boréal
	louise  settings.Actor // correspondant of Vignobles Martel
	douane  settings.Actor // customs desk
	scope   accounts.Scope // perimeter of camille
	other   accounts.Scope // perimeter of louise
}

// newFixture opens a new database file, loads the demo data set at t0 and
// builds a Store with a random key.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "console.db")
	pool, err := db.Open(ctx, path)
	if err != nil {
		t.Fatalf("db.Open: %v", err)
	}
	t.Cleanup(func() { pool.Close() })

	loaded, err := demo.LoadIfEmpty(ctx, pool, t0)
	if err != nil {
		t.Fatalf("demo.LoadIfEmpty: %v", err)
	}
	if !loaded {
		t.Fatal("demo.LoadIfEmpty: got loaded false on an empty database, want true")
	}

	f := &fixture{ctx: ctx, path: path, pool: pool}
	f.box = newBox(t)
	f.store = settings.NewStore(pool, f.box)
	f.siege = f.accountID(t, siegeIdentifier)
	f.beaune = f.accountID(t, beauneIdentifier)
	f.camille = settings.Actor{ID: f.userID(t, demo.CorrespondantLogin), Name: camilleName}
	f.louise = settings.Actor{ID: f.userID(t, demo.OtherCorrespondantLogin), Name: louiseName}
	f.douane = settings.Actor{ID: f.userID(t, demo.DouaneLogin), Name: "Paul Durand"}
	f.scope = accounts.PerimeterOf(f.camille.ID)
	f.other = accounts.PerimeterOf(f.louise.ID)
	return f
}

// newBox returns a Box with a random key.
func newBox(t *testing.T) *secrets.Box {
	t.Helper()
	key := make([]byte, secrets.KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatalf("generate key: %v", err)
	}
	box, err := secrets.New(key)
	if err != nil {
		t.Fatalf("secrets.New: %v", err)
	}
	return box
}

func (f *fixture) userID(t *testing.T, login string) int64 {
	t.Helper()
	var id int64
	if err := f.pool.QueryRowContext(f.ctx, `SELECT id FROM users WHERE login = ?`, login).Scan(&id); err != nil {
		t.Fatalf("read id of user %s: %v", login, err)
	}
	return id
}

func (f *fixture) accountID(t *testing.T, identifier string) int64 {
	t.Helper()
	var id int64
	if err := f.pool.QueryRowContext(f.ctx, `SELECT id FROM api_accounts WHERE identifier = ?`, identifier).Scan(&id); err != nil {
		t.Fatalf("read id of account %s: %v", identifier, err)
	}
	return id
}

// exec runs a setup statement and fails the test on error.
func (f *fixture) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := f.pool.ExecContext(f.ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// count runs the query, a SELECT COUNT(*), and returns its result.
func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRowContext(f.ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// save saves the DELTAH7 values of boreal-siege as Camille Martin and
// fails the test on error.
func (f *fixture) save(t *testing.T, now time.Time, values map[string]string) []settings.Saved {
	t.Helper()
	saved, err := f.store.Save(f.ctx, f.scope, f.camille, now, f.siege, deltaCode, values)
	if err != nil {
		t.Fatalf("Save(%v) at %s: %v", keysOf(values), now, err)
	}
	return saved
}

// applyDue runs ApplyDue and fails the test on error.
func (f *fixture) applyDue(t *testing.T, now time.Time) int {
	t.Helper()
	n, err := f.store.ApplyDue(f.ctx, now)
	if err != nil {
		t.Fatalf("ApplyDue(%s): %v", now, err)
	}
	return n
}

// deltaAPI returns the DELTAH7 settings of boreal-siege at now.
func (f *fixture) deltaAPI(t *testing.T, now time.Time) settings.API {
	t.Helper()
	apis, err := f.store.ForAccount(f.ctx, f.siege, now)
	if err != nil {
		t.Fatalf("ForAccount(%s): %v", now, err)
	}
	return apiByCode(t, apis, deltaCode)
}

// deltaField returns one DELTAH7 field of boreal-siege at now.
func (f *fixture) deltaField(t *testing.T, now time.Time, key string) settings.Field {
	t.Helper()
	return fieldByKey(t, f.deltaAPI(t, now), key)
}

func apiByCode(t *testing.T, apis []settings.API, code string) settings.API {
	t.Helper()
	for _, a := range apis {
		if a.Code == code {
			return a
		}
	}
	t.Fatalf("ForAccount: no API %s among %d APIs", code, len(apis))
	return settings.API{}
}

func fieldByKey(t *testing.T, api settings.API, key string) settings.Field {
	t.Helper()
	for _, field := range api.Fields {
		if field.Key == key {
			return field
		}
	}
	t.Fatalf("API %s: no field %q", api.Code, key)
	return settings.Field{}
}

// status returns the account status, the Hab. column.
func (f *fixture) status(t *testing.T, accountID int64) accounts.Status {
	t.Helper()
	a, err := accounts.NewStore(f.pool).Get(f.ctx, accounts.Scope{All: true}, accountID)
	if err != nil {
		t.Fatalf("accounts.Get(%d): %v", accountID, err)
	}
	return a.Status
}

// storedChange is a settings_changes row.
type storedChange struct {
	ID          int64
	Value       string
	RequestedAt time.Time
	RequestedBy sql.NullInt64
	EffectiveAt time.Time
	CancelledAt sql.NullTime
	AppliedAt   sql.NullTime
}

// changes returns the rows of the boreal-siege DELTAH7 field, oldest first.
func (f *fixture) changes(t *testing.T, key string) []storedChange {
	t.Helper()
	rows, err := f.pool.QueryContext(f.ctx, `
		SELECT id, value, requested_at, requested_by, effective_at, cancelled_at, applied_at
		FROM settings_changes WHERE account_id = ? AND api_code = ? AND field_key = ? ORDER BY id`,
		f.siege, deltaCode, key)
	if err != nil {
		t.Fatalf("read changes of %s: %v", key, err)
	}
	defer rows.Close()
	var list []storedChange
	for rows.Next() {
		var c storedChange
		if err := rows.Scan(&c.ID, &c.Value, &c.RequestedAt, &c.RequestedBy, &c.EffectiveAt, &c.CancelledAt, &c.AppliedAt); err != nil {
			t.Fatalf("read changes of %s: %v", key, err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read changes of %s: %v", key, err)
	}
	return list
}

// lastChange returns the latest row of the boreal-siege DELTAH7 field.
func (f *fixture) lastChange(t *testing.T, key string) storedChange {
	t.Helper()
	list := f.changes(t, key)
	if len(list) == 0 {
		t.Fatalf("no settings_changes row for %s", key)
	}
	return list[len(list)-1]
}

// journalRow is a journal row.
type journalRow struct {
	At                time.Time
	ActorID           sql.NullInt64
	ActorName         string
	AccountID         sql.NullInt64
	AccountIdentifier string
	SIRET             string
	APICode           string
	Summary           string
	Before, After     map[string]string
}

// journalRows returns the journal rows of the action, oldest first.
func (f *fixture) journalRows(t *testing.T, action string) []journalRow {
	t.Helper()
	rows, err := f.pool.QueryContext(f.ctx, `
		SELECT at, actor_id, actor_name, account_id, account_identifier, siret, api_code, summary, before_json, after_json
		FROM journal WHERE action = ? ORDER BY id`, action)
	if err != nil {
		t.Fatalf("read journal %s: %v", action, err)
	}
	defer rows.Close()
	var list []journalRow
	for rows.Next() {
		var j journalRow
		var before, after string
		if err := rows.Scan(&j.At, &j.ActorID, &j.ActorName, &j.AccountID, &j.AccountIdentifier, &j.SIRET,
			&j.APICode, &j.Summary, &before, &after); err != nil {
			t.Fatalf("read journal %s: %v", action, err)
		}
		if err := json.Unmarshal([]byte(before), &j.Before); err != nil {
			t.Fatalf("journal %s: before_json %q: %v", action, before, err)
		}
		if err := json.Unmarshal([]byte(after), &j.After); err != nil {
			t.Fatalf("journal %s: after_json %q: %v", action, after, err)
		}
		list = append(list, j)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read journal %s: %v", action, err)
	}
	return list
}

// checkJournal compares a journal row with the expected one, field by
// field. A nil Before or After in want is an empty object.
func checkJournal(t *testing.T, name string, got, want journalRow) {
	t.Helper()
	if !got.At.Equal(want.At) {
		t.Errorf("%s: at: got %s, want %s", name, got.At, want.At)
	}
	if got.ActorID != want.ActorID {
		t.Errorf("%s: actor_id: got %v, want %v", name, got.ActorID, want.ActorID)
	}
	if got.ActorName != want.ActorName {
		t.Errorf("%s: actor_name: got %q, want %q", name, got.ActorName, want.ActorName)
	}
	if got.AccountID != want.AccountID {
		t.Errorf("%s: account_id: got %v, want %v", name, got.AccountID, want.AccountID)
	}
	if got.AccountIdentifier != want.AccountIdentifier {
		t.Errorf("%s: account_identifier: got %q, want %q", name, got.AccountIdentifier, want.AccountIdentifier)
	}
	if got.SIRET != want.SIRET {
		t.Errorf("%s: siret: got %q, want %q", name, got.SIRET, want.SIRET)
	}
	if got.APICode != want.APICode {
		t.Errorf("%s: api_code: got %q, want %q", name, got.APICode, want.APICode)
	}
	if got.Summary != want.Summary {
		t.Errorf("%s: summary: got %q, want %q", name, got.Summary, want.Summary)
	}
	if !equalValues(got.Before, want.Before) {
		t.Errorf("%s: before: got %v, want %v", name, got.Before, want.Before)
	}
	if !equalValues(got.After, want.After) {
		t.Errorf("%s: after: got %v, want %v", name, got.After, want.After)
	}
}

// equalValues compares two journal value maps, a nil map being empty.
func equalValues(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// mailRow is an outbox row.
type mailRow struct {
	CreatedAt time.Time
	Recipient string
	Subject   string
	Body      string
	AccountID sql.NullInt64
	SIRET     string
}

// mails returns the outbox rows of the kind, in insertion order.
func (f *fixture) mails(t *testing.T, kind string) []mailRow {
	t.Helper()
	rows, err := f.pool.QueryContext(f.ctx, `
		SELECT created_at, recipient, subject, body, account_id, siret FROM outbox WHERE kind = ? ORDER BY id`, kind)
	if err != nil {
		t.Fatalf("read outbox %s: %v", kind, err)
	}
	defer rows.Close()
	var list []mailRow
	for rows.Next() {
		var m mailRow
		if err := rows.Scan(&m.CreatedAt, &m.Recipient, &m.Subject, &m.Body, &m.AccountID, &m.SIRET); err != nil {
			t.Fatalf("read outbox %s: %v", kind, err)
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read outbox %s: %v", kind, err)
	}
	return list
}

// recipients returns the recipients of the mails, sorted.
func recipients(list []mailRow) []string {
	addresses := []string{}
	for _, m := range list {
		addresses = append(addresses, m.Recipient)
	}
	slices.Sort(addresses)
	return addresses
}

// rowCounts counts the rows that a settings or domain action writes.
type rowCounts struct {
	Changes, Openings, Journal, Outbox int
}

func (f *fixture) rowCounts(t *testing.T) rowCounts {
	t.Helper()
	return rowCounts{
		Changes:  f.count(t, `SELECT COUNT(*) FROM settings_changes`),
		Openings: f.count(t, `SELECT COUNT(*) FROM domain_openings`),
		Journal:  f.count(t, `SELECT COUNT(*) FROM journal`),
		Outbox:   f.count(t, `SELECT COUNT(*) FROM outbox`),
	}
}

// checkChange compares a Change returned by ForAccount with the expected
// one. A nil want means no change.
func checkChange(t *testing.T, name string, got, want *settings.Change) {
	t.Helper()
	if want == nil || got == nil {
		if got != want {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
		return
	}
	if got.ID != want.ID {
		t.Errorf("%s: ID: got %d, want %d", name, got.ID, want.ID)
	}
	if got.Display != want.Display {
		t.Errorf("%s: Display: got %q, want %q", name, got.Display, want.Display)
	}
	if !got.RequestedAt.Equal(want.RequestedAt) {
		t.Errorf("%s: RequestedAt: got %s, want %s", name, got.RequestedAt, want.RequestedAt)
	}
	if !got.EffectiveAt.Equal(want.EffectiveAt) {
		t.Errorf("%s: EffectiveAt: got %s, want %s", name, got.EffectiveAt, want.EffectiveAt)
	}
	if got.RequestedBy != want.RequestedBy {
		t.Errorf("%s: RequestedBy: got %q, want %q", name, got.RequestedBy, want.RequestedBy)
	}
}

// checkSaved compares the result of Save with the expected one.
func checkSaved(t *testing.T, got, want []settings.Saved) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("Save: got %d saved fields %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i].Key != want[i].Key {
			t.Errorf("Saved[%d].Key: got %q, want %q", i, got[i].Key, want[i].Key)
		}
		if got[i].Label != want[i].Label {
			t.Errorf("Saved[%d].Label: got %q, want %q", i, got[i].Label, want[i].Label)
		}
		if !got[i].EffectiveAt.Equal(want[i].EffectiveAt) {
			t.Errorf("Saved[%d].EffectiveAt: got %s, want %s", i, got[i].EffectiveAt, want[i].EffectiveAt)
		}
	}
}

// validationKeys returns the sorted field keys of err, which must be a
// validation.Errors, with its messages.
func validationKeys(t *testing.T, err error) ([]string, validation.Errors) {
	t.Helper()
	var verrs validation.Errors
	if !errors.As(err, &verrs) {
		t.Fatalf("error: got %v (%T), want validation.Errors", err, err)
	}
	return keysOf(verrs), verrs
}

// keysOf returns the sorted keys of m.
func keysOf[M ~map[string]string](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// masked returns a token as the console shows it: four bullets and its
// last four characters.
func masked(token string) string {
	return "••••" + token[len(token)-4:]
}
