// Package settings stores the values an API account fills for each API it
// is habilitated on, with the delay the customs systems take to apply a
// change. It also keeps the domains opened on the customs network and runs
// the worker that records each change taking effect.
package settings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/secrets"
)

// Errors returned by the Store.
var (
	// ErrNotFound: the account lies outside the scope, or is not
	// habilitated on the API, or the field or pending change does not
	// exist.
	ErrNotFound = errors.New("settings: not found")
)

// Change is one saved value of a field.
type Change struct {
	ID          int64
	Display     string // the value as shown: a token is masked to its last 4 characters
	Unreadable  bool   // a token sealed with another key, which must be entered again
	value       string // the plain value; never leaves the package for tokens
	RequestedAt time.Time
	EffectiveAt time.Time // the latest time the customs systems apply it
	RequestedBy string
}

// Field is a settings field of an API with its value in force and its
// pending value.
type Field struct {
	Key      string
	Label    string
	Kind     string // KindURL, KindToken or KindText
	Required bool
	Delay    time.Duration
	InForce  *Change // nil when no value has taken effect yet
	Pending  *Change // nil when no change is waiting to take effect
}

// Current returns the latest saved value: the pending one, else the one
// in force, else nil.
func (f Field) Current() *Change {
	if f.Pending != nil {
		return f.Pending
	}
	return f.InForce
}

// API is the settings of one habilitated API of an account.
type API struct {
	Code         string
	Label        string
	ContactEmail string
	Fields       []Field
	Domain       *DomainStatus // the domain of the url value, when it is not opened; nil otherwise
}

// Missing reports whether a required field has no saved value.
func (a API) Missing() bool {
	for _, f := range a.Fields {
		if f.Required && f.Current() == nil {
			return true
		}
	}
	return false
}

// HasPending reports whether a value of the API is waiting to take effect.
func (a API) HasPending() bool {
	for _, f := range a.Fields {
		if f.Pending != nil {
			return true
		}
	}
	return false
}

// UnreadableDisplay stands for a token that the current key cannot
// decrypt.
const UnreadableDisplay = "illisible avec la clé actuelle, à saisir de nouveau"

// Store reads and writes settings values.
type Store struct {
	db  *sql.DB
	box *secrets.Box
}

// NewStore returns a Store; box encrypts and decrypts token values.
func NewStore(pool *sql.DB, box *secrets.Box) *Store {
	return &Store{db: pool, box: box}
}

// Actor is the console user who acts, as the journal names them.
type Actor struct {
	ID   int64
	Name string
}

// additionalData binds a sealed value to its account, API and field, so a
// ciphertext copied to another row does not decrypt.
func additionalData(accountID int64, apiCode, key string) string {
	return fmt.Sprintf("account:%d/api:%s/field:%s", accountID, apiCode, key)
}

// seal returns the value to store for a field of the kind.
func (s *Store) seal(kind string, accountID int64, apiCode, key, value string) (string, error) {
	if kind != KindToken {
		return value, nil
	}
	return s.box.Seal(value, additionalData(accountID, apiCode, key))
}

// open returns the plain value of a stored one.
func (s *Store) open(kind string, accountID int64, apiCode, key, stored string) (string, error) {
	if kind != KindToken {
		return stored, nil
	}
	return s.box.Open(stored, additionalData(accountID, apiCode, key))
}

// display returns the value as the screens, the journal and the e-mails
// show it.
func display(kind, value string) string {
	if kind == KindToken {
		return journal.MaskSecret(value)
	}
	return value
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// account is the live account a change is made for.
type account struct {
	ID         int64
	Identifier string
	SIRET      string
	SIREN      string
}

// scopedAccount returns the live account if it lies in the scope and holds
// a live habilitation on the API, and ErrNotFound otherwise.
func scopedAccount(ctx context.Context, q queryer, scope accounts.Scope, id int64, apiCode string) (account, error) {
	a := account{ID: id}
	err := q.QueryRowContext(ctx, `
		SELECT a.identifier, a.siret, e.siren FROM api_accounts a
		JOIN establishments e ON e.siret = a.siret
		WHERE a.id = ? AND a.deleted_at IS NULL
		  AND (? OR EXISTS (SELECT 1 FROM perimeters p WHERE p.siret = a.siret AND p.user_id = ?))
		  AND EXISTS (SELECT 1 FROM habilitations h WHERE h.account_id = a.id AND h.api_code = ? AND h.revoked_at IS NULL)`,
		id, scope.All, scope.UserID, apiCode).Scan(&a.Identifier, &a.SIRET, &a.SIREN)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("settings: read account %d: %w", id, err)
	}
	return a, nil
}

// ForAccount returns the settings of every API the account is habilitated
// on, in catalog order, with the values in force and pending at now. The
// caller has checked that the account lies in the user's scope.
func (s *Store) ForAccount(ctx context.Context, accountID int64, now time.Time) ([]API, error) {
	var siren string
	if err := s.db.QueryRowContext(ctx, `
		SELECT e.siren FROM api_accounts a JOIN establishments e ON e.siret = a.siret WHERE a.id = ?`,
		accountID).Scan(&siren); err != nil {
		return nil, fmt.Errorf("settings: read account %d: %w", accountID, err)
	}

	rows, err := s.db.QueryContext(ctx, `
		SELECT p.code, p.label, p.contact_email FROM habilitations h JOIN apis p ON p.code = h.api_code
		WHERE h.account_id = ? AND h.revoked_at IS NULL ORDER BY p.position`, accountID)
	if err != nil {
		return nil, fmt.Errorf("settings: read habilitations of %d: %w", accountID, err)
	}
	var apis []API
	for rows.Next() {
		var a API
		if err := rows.Scan(&a.Code, &a.Label, &a.ContactEmail); err != nil {
			rows.Close()
			return nil, fmt.Errorf("settings: read habilitations of %d: %w", accountID, err)
		}
		apis = append(apis, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("settings: read habilitations of %d: %w", accountID, err)
	}

	for i := range apis {
		if apis[i].Fields, err = s.fields(ctx, s.db, accountID, apis[i].Code, now); err != nil {
			return nil, err
		}
		if apis[i].Domain, err = domainStatus(ctx, s.db, siren, apis[i]); err != nil {
			return nil, err
		}
	}
	return apis, nil
}

// fields returns the settings fields of the API with the account's values
// at now.
func (s *Store) fields(ctx context.Context, q queryer, accountID int64, apiCode string, now time.Time) ([]Field, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT key, label, kind, required, propagation_delay_seconds
		FROM api_settings_fields WHERE api_code = ? ORDER BY position, key`, apiCode)
	if err != nil {
		return nil, fmt.Errorf("settings: read fields of %s: %w", apiCode, err)
	}
	var fields []Field
	for rows.Next() {
		var f Field
		var seconds int64
		if err := rows.Scan(&f.Key, &f.Label, &f.Kind, &f.Required, &seconds); err != nil {
			rows.Close()
			return nil, fmt.Errorf("settings: read fields of %s: %w", apiCode, err)
		}
		f.Delay = time.Duration(seconds) * time.Second
		fields = append(fields, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("settings: read fields of %s: %w", apiCode, err)
	}

	for i := range fields {
		f := &fields[i]
		if f.InForce, err = s.change(ctx, q, f.Kind, accountID, apiCode, f.Key, `effective_at <= ?`, now); err != nil {
			return nil, err
		}
		if f.Pending, err = s.change(ctx, q, f.Kind, accountID, apiCode, f.Key, `effective_at > ?`, now); err != nil {
			return nil, err
		}
	}
	return fields, nil
}

// change returns the latest live change of the field matching the
// condition on effective_at, or nil.
func (s *Store) change(ctx context.Context, q queryer, kind string, accountID int64, apiCode, key, condition string, now time.Time) (*Change, error) {
	var c Change
	var stored string
	err := q.QueryRowContext(ctx, `
		SELECT c.id, c.value, c.requested_at, c.effective_at, COALESCE(u.display_name, 'Système')
		FROM settings_changes c LEFT JOIN users u ON u.id = c.requested_by
		WHERE c.account_id = ? AND c.api_code = ? AND c.field_key = ? AND c.cancelled_at IS NULL AND c.`+condition+`
		ORDER BY c.effective_at DESC, c.id DESC LIMIT 1`,
		accountID, apiCode, key, now.UTC()).Scan(&c.ID, &stored, &c.RequestedAt, &c.EffectiveAt, &c.RequestedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("settings: read %s/%s of account %d: %w", apiCode, key, accountID, err)
	}

	c.value, err = s.open(kind, accountID, apiCode, key, stored)
	if errors.Is(err, secrets.ErrCiphertext) {
		// Sealed with another key: the value is lost, but the page must
		// still open so that the correspondant can enter it again.
		c.Unreadable = true
		c.Display = UnreadableDisplay
		return &c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("settings: decrypt %s/%s of account %d: %w", apiCode, key, accountID, err)
	}
	c.Display = display(kind, c.value)
	return &c, nil
}

// KeyMatches reports whether the key opens the latest stored token, or
// true when no token is stored. The console checks it at start-up, so a
// wrong or lost key is reported at once rather than page by page.
func (s *Store) KeyMatches(ctx context.Context) (bool, error) {
	var accountID int64
	var apiCode, key, stored string
	err := s.db.QueryRowContext(ctx, `
		SELECT c.account_id, c.api_code, c.field_key, c.value
		FROM settings_changes c JOIN api_settings_fields f ON f.api_code = c.api_code AND f.key = c.field_key
		WHERE f.kind = 'token' ORDER BY c.id DESC LIMIT 1`).Scan(&accountID, &apiCode, &key, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("settings: read latest token: %w", err)
	}
	_, err = s.open(KindToken, accountID, apiCode, key, stored)
	if errors.Is(err, secrets.ErrCiphertext) {
		return false, nil
	}
	return err == nil, err
}
