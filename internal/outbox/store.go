package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
)

// PageSize is the number of messages on a list page.
const PageSize = 50

// The values of Filter.Status.
const (
	StatusSent    = "sent"
	StatusPending = "pending"
)

// Scope is the set of messages a caller may read. The customs and admin
// roles set All and read every message. Otherwise the caller reads the
// messages whose SIRET is in the perimeter of UserID, so messages without a
// SIRET are visible only with All.
type Scope struct {
	UserID int64
	All    bool
}

// Filter selects the messages of a list page. Zero fields select every
// message.
type Filter struct {
	// Status is StatusSent, StatusPending or "" for both.
	Status string
	// Query is matched as a substring of the recipient and the subject.
	// Case and accents are ignored (see db.Fold).
	Query string
	Page  int // 1-based, and values below 1 mean 1
}

// Page is one page of messages, newest first.
type Page struct {
	Messages []Message
	Page     int
	HasNext  bool
}

// Attempt is one delivery attempt of a message.
type Attempt struct {
	ID        int64
	MessageID int64
	At        time.Time // real time, UTC
	Error     string    // empty when the SMTP server accepted the message
}

// Store reads the outbox.
type Store struct {
	db *sql.DB
}

// NewStore returns a Store on the database pool.
func NewStore(pool *sql.DB) *Store {
	return &Store{db: pool}
}

const messageColumns = `id, created_at, kind, recipient, subject, body, COALESCE(account_id, 0), siret,
	sent_at, attempts, next_attempt_at, last_error`

func scanMessage(row interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var sentAt sql.NullTime
	err := row.Scan(&m.ID, &m.CreatedAt, &m.Kind, &m.Recipient, &m.Subject, &m.Body, &m.AccountID, &m.SIRET,
		&sentAt, &m.Attempts, &m.NextAttemptAt, &m.LastError)
	if err != nil {
		return Message{}, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	m.NextAttemptAt = m.NextAttemptAt.UTC()
	if sentAt.Valid {
		t := sentAt.Time.UTC()
		m.SentAt = &t
	}
	return m, nil
}

// scopeCondition returns the WHERE condition that limits messages to the
// scope, or "" for All.
func scopeCondition(scope Scope) (string, []any) {
	if scope.All {
		return "", nil
	}
	return `siret IN (SELECT siret FROM perimeters WHERE user_id = ?)`, []any{scope.UserID}
}

// List returns a page of the messages in the scope that match the filter,
// newest first (by id, which follows the order of enqueueing). It returns
// an error for an unknown Status.
func (s *Store) List(ctx context.Context, scope Scope, f Filter) (Page, error) {
	page := max(f.Page, 1)

	var where []string
	var args []any
	if cond, condArgs := scopeCondition(scope); cond != "" {
		where = append(where, cond)
		args = append(args, condArgs...)
	}
	switch f.Status {
	case "":
	case StatusSent:
		where = append(where, `sent_at IS NOT NULL`)
	case StatusPending:
		where = append(where, `sent_at IS NULL`)
	default:
		return Page{}, fmt.Errorf("outbox: invalid status filter %q: want %q, %q or empty", f.Status, StatusSent, StatusPending)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pattern := "%" + db.EscapeLike(db.Fold(q)) + "%"
		where = append(where, `(fold(recipient) LIKE ? ESCAPE '\' OR fold(subject) LIKE ? ESCAPE '\')`)
		args = append(args, pattern, pattern)
	}

	query := `SELECT ` + messageColumns + ` FROM outbox`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY id DESC LIMIT ? OFFSET ?`
	args = append(args, PageSize+1, (page-1)*PageSize)

	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return Page{}, fmt.Errorf("outbox: list: %w", err)
	}
	defer rows.Close()

	result := Page{Page: page}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return Page{}, fmt.Errorf("outbox: list: %w", err)
		}
		result.Messages = append(result.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("outbox: list: %w", err)
	}

	if len(result.Messages) > PageSize {
		result.Messages = result.Messages[:PageSize]
		result.HasNext = true
	}
	return result, nil
}

// Get returns the message with the id if it lies in the scope, and
// ErrNotFound otherwise.
func (s *Store) Get(ctx context.Context, scope Scope, id int64) (Message, error) {
	query := `SELECT ` + messageColumns + ` FROM outbox WHERE id = ?`
	args := []any{id}
	if cond, condArgs := scopeCondition(scope); cond != "" {
		query += ` AND ` + cond
		args = append(args, condArgs...)
	}

	m, err := scanMessage(s.db.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, fmt.Errorf("outbox: message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Message{}, fmt.Errorf("outbox: get message %d: %w", id, err)
	}
	return m, nil
}

// Attempts returns the delivery attempts of the message, oldest first, and
// an empty list for a message never tried or unknown. It does not check a
// scope, so the caller first reads the message with Get.
func (s *Store) Attempts(ctx context.Context, messageID int64) ([]Attempt, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, message_id, at, error FROM outbox_attempts WHERE message_id = ? ORDER BY id`, messageID)
	if err != nil {
		return nil, fmt.Errorf("outbox: attempts of message %d: %w", messageID, err)
	}
	defer rows.Close()

	attempts := []Attempt{}
	for rows.Next() {
		var a Attempt
		if err := rows.Scan(&a.ID, &a.MessageID, &a.At, &a.Error); err != nil {
			return nil, fmt.Errorf("outbox: attempts of message %d: %w", messageID, err)
		}
		a.At = a.At.UTC()
		attempts = append(attempts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: attempts of message %d: %w", messageID, err)
	}
	return attempts, nil
}
