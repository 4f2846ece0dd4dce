package journal

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/correspondant-entreprise/console/internal/db"
)

// PageSize is the number of entries on a list page.
const PageSize = 50

// Scope is the set of entries a caller may read. The customs and admin
// roles set All and read every entry. Otherwise the caller reads the
// entries whose SIRET is in the perimeter of UserID, so entries without a
// SIRET are visible only with All.
type Scope struct {
	UserID int64
	All    bool
}

// Filter selects the entries of a list page. Zero fields select every
// entry.
type Filter struct {
	AccountID int64
	Action    string
	SIRET     string
	// Query is matched as a substring of the summary, the account
	// identifier and the actor name. SQLite's LIKE ignores case for ASCII
	// letters only, so "é" does not match "É".
	Query string
	Page  int // 1-based, and values below 1 mean 1
}

// Page is one page of entries, newest first.
type Page struct {
	Entries []Entry
	Page    int
	HasNext bool
}

// Store reads the journal.
type Store struct {
	db *sql.DB
}

// NewStore returns a Store on the database pool.
func NewStore(pool *sql.DB) *Store {
	return &Store{db: pool}
}

// List returns a page of the entries in the scope that match the filter,
// newest first (by id, which follows the order of recording).
func (s *Store) List(ctx context.Context, scope Scope, f Filter) (Page, error) {
	page := max(f.Page, 1)

	var where []string
	var args []any
	if !scope.All {
		where = append(where, `siret IN (SELECT siret FROM perimeters WHERE user_id = ?)`)
		args = append(args, scope.UserID)
	}
	if f.AccountID != 0 {
		where = append(where, `account_id = ?`)
		args = append(args, f.AccountID)
	}
	if f.Action != "" {
		where = append(where, `action = ?`)
		args = append(args, f.Action)
	}
	if f.SIRET != "" {
		where = append(where, `siret = ?`)
		args = append(args, f.SIRET)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pattern := "%" + db.EscapeLike(db.Fold(q)) + "%"
		where = append(where, `(fold(summary) LIKE ? ESCAPE '\' OR fold(account_identifier) LIKE ? ESCAPE '\' OR fold(actor_name) LIKE ? ESCAPE '\')`)
		args = append(args, pattern, pattern, pattern)
	}

	query := `SELECT id, at, COALESCE(actor_id, 0), actor_name, action, COALESCE(account_id, 0),
		account_identifier, siret, api_code, summary, before_json, after_json FROM journal`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY id DESC LIMIT ? OFFSET ?`
	args = append(args, PageSize+1, (page-1)*PageSize)

	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return Page{}, fmt.Errorf("journal: list: %w", err)
	}
	defer rows.Close()

	result := Page{Page: page}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return Page{}, fmt.Errorf("journal: list: %w", err)
		}
		result.Entries = append(result.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("journal: list: %w", err)
	}

	if len(result.Entries) > PageSize {
		result.Entries = result.Entries[:PageSize]
		result.HasNext = true
	}
	return result, nil
}

func scanEntry(rows *sql.Rows) (Entry, error) {
	var e Entry
	var before, after string
	err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.AccountID,
		&e.AccountIdentifier, &e.SIRET, &e.APICode, &e.Summary, &before, &after)
	if err != nil {
		return Entry{}, err
	}
	e.At = e.At.UTC()

	if e.Before, err = decodeValues(before); err != nil {
		return Entry{}, fmt.Errorf("entry %d: decode before values: %w", e.ID, err)
	}
	if e.After, err = decodeValues(after); err != nil {
		return Entry{}, fmt.Errorf("entry %d: decode after values: %w", e.ID, err)
	}
	return e, nil
}

// Actions returns the distinct actions present in the journal, sorted, for
// the action filter. It is not limited to a scope because action names
// reveal nothing about an establishment.
func (s *Store) Actions(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT action FROM journal ORDER BY action`)
	if err != nil {
		return nil, fmt.Errorf("journal: list actions: %w", err)
	}
	defer rows.Close()

	actions := []string{}
	for rows.Next() {
		var action string
		if err := rows.Scan(&action); err != nil {
			return nil, fmt.Errorf("journal: list actions: %w", err)
		}
		actions = append(actions, action)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: list actions: %w", err)
	}
	return actions, nil
}
