package habilitations

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

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const requestColumns = `r.id, r.account_id, a.identifier, a.email, r.siret, c.name, e.label, r.state,
	r.requested_at, COALESCE(ru.display_name, 'Système'), r.closed_at, COALESCE(cu.display_name, '')`

const requestJoins = `
	FROM habilitation_requests r
	JOIN api_accounts a ON a.id = r.account_id
	JOIN establishments e ON e.siret = r.siret
	JOIN companies c ON c.siren = e.siren
	LEFT JOIN users ru ON ru.id = r.requested_by
	LEFT JOIN users cu ON cu.id = r.closed_by`

func scanRequest(row interface{ Scan(...any) error }) (Request, error) {
	var r Request
	var state string
	var closedAt sql.NullTime
	err := row.Scan(&r.ID, &r.AccountID, &r.AccountIdentifier, &r.AccountEmail, &r.SIRET, &r.CompanyName,
		&r.EstablishmentLabel, &state, &r.RequestedAt, &r.RequestedBy, &closedAt, &r.ClosedBy)
	r.State = State(state)
	if closedAt.Valid {
		r.ClosedAt = closedAt.Time
	}
	return r, err
}

// getRequest returns the request with its items, or ErrNotFound.
func getRequest(ctx context.Context, q queryer, id int64) (Request, error) {
	r, err := scanRequest(q.QueryRowContext(ctx, `SELECT `+requestColumns+requestJoins+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, ErrNotFound
	}
	if err != nil {
		return Request{}, fmt.Errorf("habilitations: read request %d: %w", id, err)
	}

	items, err := requestItems(ctx, q, []int64{id})
	if err != nil {
		return Request{}, err
	}
	r.Items = items[id]
	return r, nil
}

// requestItems returns the items of the requests, by request id, in
// catalog order.
func requestItems(ctx context.Context, q queryer, ids []int64) (map[int64][]Item, error) {
	items := make(map[int64][]Item, len(ids))
	if len(ids) == 0 {
		return items, nil
	}

	placeholders := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `
		SELECT i.request_id, i.api_code, p.label, COALESCE(i.decision, ''), i.reason
		FROM habilitation_request_items i JOIN apis p ON p.code = i.api_code
		WHERE i.request_id IN (`+placeholders+`)
		ORDER BY i.request_id, p.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("habilitations: read request items: %w", err)
	}
	defer rows.Close()

	for rows.Next() {
		var id int64
		var it Item
		if err := rows.Scan(&id, &it.APICode, &it.APILabel, &it.Decision, &it.Reason); err != nil {
			return nil, fmt.Errorf("habilitations: read request items: %w", err)
		}
		items[id] = append(items[id], it)
	}
	return items, rows.Err()
}

// Get returns the request with the id and its items, or ErrNotFound. It is
// not scoped: only the customs role reads requests by id.
func (s *Store) Get(ctx context.Context, id int64) (Request, error) {
	return getRequest(ctx, s.db, id)
}

// QueuePageSize is the number of requests on a page of the customs queue.
const QueuePageSize = 50

// QueueFilter selects the requests of the customs queue.
type QueueFilter struct {
	State   State  // empty for every state
	APICode string // requests that ask this API; empty for any
	SIRET   string // full or partial SIRET, separators ignored
	Query   string // matched against the account identifier, its e-mail and the company name
	Page    int    // 1-based
}

// QueuePage is one page of the customs queue.
type QueuePage struct {
	Requests []Request
	Page     int
	HasNext  bool
}

// Queue returns a page of requests, oldest first, so the desk handles them
// in the order they came.
func (s *Store) Queue(ctx context.Context, f QueueFilter) (QueuePage, error) {
	page := max(f.Page, 1)

	var where []string
	var args []any
	if f.State != "" {
		where = append(where, `r.state = ?`)
		args = append(args, string(f.State))
	}
	if f.APICode != "" {
		where = append(where, `EXISTS (SELECT 1 FROM habilitation_request_items i WHERE i.request_id = r.id AND i.api_code = ?)`)
		args = append(args, strings.ToUpper(f.APICode))
	}
	if digits, ok := siret.Digits(f.SIRET); ok {
		where = append(where, `r.siret LIKE ?`)
		args = append(args, digits+"%")
	} else if strings.TrimSpace(f.SIRET) != "" {
		where = append(where, `0`)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pattern := "%" + db.EscapeLike(db.Fold(q)) + "%"
		where = append(where, `(fold(a.identifier) LIKE ? ESCAPE '\' OR fold(a.email) LIKE ? ESCAPE '\' OR fold(c.name) LIKE ? ESCAPE '\')`)
		args = append(args, pattern, pattern, pattern)
	}

	query := `SELECT ` + requestColumns + requestJoins
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY r.requested_at, r.id LIMIT ? OFFSET ?`
	args = append(args, QueuePageSize+1, (page-1)*QueuePageSize)

	requests, err := s.listRequests(ctx, query, args)
	if err != nil {
		return QueuePage{}, err
	}

	result := QueuePage{Requests: requests, Page: page}
	if len(result.Requests) > QueuePageSize {
		result.Requests = result.Requests[:QueuePageSize]
		result.HasNext = true
	}
	return result, nil
}

func (s *Store) listRequests(ctx context.Context, query string, args []any) ([]Request, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("habilitations: list requests: %w", err)
	}
	defer rows.Close()

	var requests []Request
	var ids []int64
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("habilitations: list requests: %w", err)
		}
		requests = append(requests, r)
		ids = append(ids, r.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("habilitations: list requests: %w", err)
	}
	rows.Close()

	items, err := requestItems(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	for i := range requests {
		requests[i].Items = items[requests[i].ID]
	}
	return requests, nil
}

// Habilitation is a live right of an account to use an API.
type Habilitation struct {
	ID        int64
	APICode   string
	APILabel  string
	GrantedAt time.Time
}

// AccountHabilitations holds the habilitation data of the account page.
type AccountHabilitations struct {
	Live        []Habilitation
	Requests    []Request // every request of the account, newest first
	Requestable []API     // catalog APIs neither held nor in an open request
}

// ForAccount returns the live habilitations, the requests and the APIs
// still requestable of an account. The caller has checked that the
// account lies in the user's scope.
func (s *Store) ForAccount(ctx context.Context, accountID int64) (AccountHabilitations, error) {
	var view AccountHabilitations

	rows, err := s.db.QueryContext(ctx, `
		SELECT h.id, h.api_code, p.label, h.granted_at
		FROM habilitations h JOIN apis p ON p.code = h.api_code
		WHERE h.account_id = ? AND h.revoked_at IS NULL
		ORDER BY p.position`, accountID)
	if err != nil {
		return view, fmt.Errorf("habilitations: read habilitations of account %d: %w", accountID, err)
	}
	for rows.Next() {
		var h Habilitation
		if err := rows.Scan(&h.ID, &h.APICode, &h.APILabel, &h.GrantedAt); err != nil {
			rows.Close()
			return view, fmt.Errorf("habilitations: read habilitations of account %d: %w", accountID, err)
		}
		view.Live = append(view.Live, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return view, fmt.Errorf("habilitations: read habilitations of account %d: %w", accountID, err)
	}

	view.Requests, err = s.listRequests(ctx,
		`SELECT `+requestColumns+requestJoins+` WHERE r.account_id = ? ORDER BY r.id DESC`, []any{accountID})
	if err != nil {
		return view, err
	}

	catalog, err := s.Catalog(ctx)
	if err != nil {
		return view, err
	}
	taken := map[string]bool{}
	for _, h := range view.Live {
		taken[h.APICode] = true
	}
	for _, r := range view.Requests {
		if r.State == StateSubmitted {
			for _, it := range r.Items {
				taken[it.APICode] = true
			}
		}
	}
	for _, api := range catalog {
		if !taken[api.Code] {
			view.Requestable = append(view.Requestable, api)
		}
	}
	return view, nil
}
