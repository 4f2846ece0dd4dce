// Package accounts stores the API accounts of establishments and enforces
// the customs rules on them: one account per SIRET, identifier, e-mail and
// password rules, and the perimeter of the user who acts.
package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/siret"
)

// ErrNotFound is returned for an account that does not exist or lies outside
// the caller's scope, so that existence does not leak.
var ErrNotFound = errors.New("accounts: not found")

// Status is the derived readiness of an account, the Hab. column.
type Status string

// The account statuses, named as in the list filter.
const (
	// StatusRed: no live habilitation.
	StatusRed Status = "rouge"
	// StatusYellow: habilitated, but a required settings field of a
	// habilitated API has no saved value.
	StatusYellow Status = "jaune"
	// StatusGreen: habilitated and every required field has a saved value,
	// in force or pending.
	StatusGreen Status = "vert"
)

// ParseStatus returns the status named s ("rouge", "jaune" or "vert"), or
// false.
func ParseStatus(s string) (Status, bool) {
	switch st := Status(s); st {
	case StatusRed, StatusYellow, StatusGreen:
		return st, true
	}
	return "", false
}

// Label returns the status's French text label, which always accompanies
// its colour.
func (s Status) Label() string {
	switch s {
	case StatusRed:
		return "Aucune habilitation"
	case StatusYellow:
		return "Données manquantes"
	case StatusGreen:
		return "Prêt"
	}
	return string(s)
}

// Account is an API account with the names of its establishment and
// company.
type Account struct {
	ID                 int64
	Identifier         string
	Email              string
	SIRET              string
	EstablishmentLabel string
	CompanyName        string
	Status             Status
	Pending            bool  // a settings value waits to take effect; set by List only
	Version            int64 // incremented by every change, for optimistic locking
	PasswordChangedAt  time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Scope is the set of establishments a caller may see and act on. A
// correspondant's scope is the perimeter of their user; the customs and
// admin roles see every establishment.
type Scope struct {
	UserID int64
	All    bool
}

// PerimeterOf returns the scope limited to the user's perimeter.
func PerimeterOf(userID int64) Scope {
	return Scope{UserID: userID}
}

// Store reads and writes API accounts.
type Store struct {
	db *sql.DB
}

// NewStore returns a Store on the database pool.
func NewStore(pool *sql.DB) *Store {
	return &Store{db: pool}
}

// accountColumns and accountJoins select an Account; scopeJoin limits the
// rows to the caller's perimeter unless the scope is All.
const accountColumns = `a.id, a.identifier, a.email, a.siret, e.label, c.name, s.status,
	a.version, a.password_changed_at, a.created_at, a.updated_at`

const accountJoins = `
	JOIN establishments e ON e.siret = a.siret
	JOIN companies c ON c.siren = e.siren
	JOIN account_status s ON s.account_id = a.id`

func scopeJoin(scope Scope) (string, []any) {
	if scope.All {
		return "", nil
	}
	return ` JOIN perimeters p ON p.siret = a.siret AND p.user_id = ?`, []any{scope.UserID}
}

// scanAccount reads the accountColumns of a row into a, then extra
// columns into extra.
func scanAccount(row interface{ Scan(...any) error }, extra ...any) (Account, error) {
	var a Account
	var status string
	dest := []any{&a.ID, &a.Identifier, &a.Email, &a.SIRET, &a.EstablishmentLabel, &a.CompanyName,
		&status, &a.Version, &a.PasswordChangedAt, &a.CreatedAt, &a.UpdatedAt}
	err := row.Scan(append(dest, extra...)...)
	a.Status = Status(status)
	return a, err
}

// Get returns the live account with the id if it lies in the scope, and
// ErrNotFound otherwise.
func (s *Store) Get(ctx context.Context, scope Scope, id int64) (Account, error) {
	join, args := scopeJoin(scope)
	query := `SELECT ` + accountColumns + ` FROM api_accounts a` + join + accountJoins +
		` WHERE a.id = ? AND a.deleted_at IS NULL`

	a, err := scanAccount(s.db.QueryRowContext(ctx, query, append(args, id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("accounts: get %d: %w", id, err)
	}
	return a, nil
}

// PageSize is the number of accounts on a list page.
const PageSize = 50

// ListFilter selects the accounts of a list page.
type ListFilter struct {
	Status Status // empty for every status
	Query  string // matched against the identifier, the e-mail, the SIRET and the company name
	Page   int    // 1-based; values below 1 mean 1
	// Now is the business time at which Account.Pending is judged; the
	// zero time leaves Pending false.
	Now time.Time
}

// ListPage is one page of accounts.
type ListPage struct {
	Accounts []Account
	Page     int
	HasNext  bool
}

// List returns a page of live accounts in the scope, ordered by identifier
// without case and then by id, so the order is stable across pages. The
// status of every row comes from the same query.
func (s *Store) List(ctx context.Context, scope Scope, f ListFilter) (ListPage, error) {
	page := max(f.Page, 1)

	// The pending mark is a column, so its argument comes first.
	pending := `0`
	var args []any
	if !f.Now.IsZero() {
		pending = `EXISTS (SELECT 1 FROM settings_changes c
			WHERE c.account_id = a.id AND c.cancelled_at IS NULL AND c.effective_at > ?)`
		args = append(args, f.Now.UTC())
	}
	join, joinArgs := scopeJoin(scope)
	args = append(args, joinArgs...)
	var where strings.Builder
	where.WriteString(` WHERE a.deleted_at IS NULL`)
	if f.Status != "" {
		where.WriteString(` AND s.status = ?`)
		args = append(args, string(f.Status))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pattern := "%" + db.EscapeLike(db.Fold(q)) + "%"
		where.WriteString(` AND (fold(a.identifier) LIKE ? ESCAPE '\' OR fold(a.email) LIKE ? ESCAPE '\' OR fold(c.name) LIKE ? ESCAPE '\'`)
		args = append(args, pattern, pattern, pattern)
		if digits, ok := siret.Digits(q); ok {
			where.WriteString(` OR a.siret LIKE ?`)
			args = append(args, "%"+digits+"%")
		}
		where.WriteString(`)`)
	}

	query := `SELECT ` + accountColumns + `, ` + pending + ` FROM api_accounts a` + join + accountJoins + where.String() +
		` ORDER BY a.identifier COLLATE NOCASE, a.id LIMIT ? OFFSET ?`
	args = append(args, PageSize+1, (page-1)*PageSize)

	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return ListPage{}, fmt.Errorf("accounts: list: %w", err)
	}
	defer rows.Close()

	result := ListPage{Page: page}
	for rows.Next() {
		var pending bool
		a, err := scanAccount(rows, &pending)
		if err != nil {
			return ListPage{}, fmt.Errorf("accounts: list: %w", err)
		}
		a.Pending = pending
		result.Accounts = append(result.Accounts, a)
	}
	if err := rows.Err(); err != nil {
		return ListPage{}, fmt.Errorf("accounts: list: %w", err)
	}

	if len(result.Accounts) > PageSize {
		result.Accounts = result.Accounts[:PageSize]
		result.HasNext = true
	}
	return result, nil
}
