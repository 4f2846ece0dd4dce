// Package outbox queues e-mail notifications in the database and delivers
// them over SMTP in the background.
//
// Enqueue writes the messages inside the transaction of the change they
// report, so a message exists exactly when the change was committed. A
// Sender then delivers the pending messages, retries failures with a
// growing delay and never deletes a message. Every attempt is recorded.
//
// Two clocks are involved. The creation time of a message is business
// time, which the console may emulate. Delivery times (next attempt, sent
// time, attempts) are real time, because they pace a real SMTP server.
package outbox

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
)

// ErrNotFound is returned for an account or a message that does not exist
// or, for a message, lies outside the caller's scope.
var ErrNotFound = errors.New("outbox: not found")

// Message is one e-mail to one recipient.
type Message struct {
	ID int64
	// CreatedAt is the business time of the change the message reports.
	CreatedAt time.Time
	// Kind names the event, such as "request.submitted".
	Kind      string
	Recipient string
	Subject   string
	Body      string
	AccountID int64  // 0 when the message concerns no account
	SIRET     string // establishment whose correspondants may see the message, or ""
	// SentAt is the real time the SMTP server accepted the message, or nil
	// while it is pending.
	SentAt *time.Time
	// Attempts counts the delivery attempts, failed or not.
	Attempts int
	// NextAttemptAt is the real time from which the sender tries again.
	NextAttemptAt time.Time
	// LastError is the error of the latest failed attempt, cleared once
	// the message is sent.
	LastError string
}

// Enqueue writes, in tx, one message per distinct recipient. Recipients
// are trimmed of surrounding white space and compared without case. Empty
// ones are skipped, so a list with no address writes nothing. Each
// recipient must be a bare e-mail address such as "nom@entreprise.fr".
//
// createdAt is business time and must not be zero. kind must not be empty.
// The subject must not be empty and must not contain a control character
// other than a tab, which keeps line breaks out of the e-mail headers.
// subject and body are sent as given, in UTF-8.
//
// The next attempt is set to the real time now, so a running Sender
// delivers the messages at its next round. Call Sender.Wake after the
// commit to start that round at once.
func Enqueue(ctx context.Context, tx *sql.Tx, createdAt time.Time, kind string, recipients []string,
	subject, body string, accountID int64, siret string) error {
	if createdAt.IsZero() {
		return fmt.Errorf("outbox: missing creation time for a %s message", kind)
	}
	if kind == "" {
		return errors.New("outbox: missing message kind")
	}
	if subject == "" {
		return fmt.Errorf("outbox: missing subject for a %s message", kind)
	}
	if containsControl(subject, true) {
		return fmt.Errorf("outbox: invalid subject %q: it contains a line break or another control character", subject)
	}

	addresses, err := distinctRecipients(recipients)
	if err != nil {
		return err
	}

	now := time.Now().UTC()
	for _, address := range addresses {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO outbox (created_at, kind, recipient, subject, body, account_id, siret, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			createdAt.UTC(), kind, address, subject, body, db.NullID(accountID), siret, now)
		if err != nil {
			return fmt.Errorf("outbox: insert %s message for %s: %w", kind, address, err)
		}
	}
	return nil
}

// distinctRecipients returns the valid, non-empty recipients, trimmed, in
// their first spelling and order, without duplicates that differ only in
// case.
func distinctRecipients(recipients []string) ([]string, error) {
	seen := make(map[string]bool, len(recipients))
	var list []string
	for _, r := range recipients {
		address := strings.TrimSpace(r)
		if address == "" {
			continue
		}
		if err := checkAddress(address); err != nil {
			return nil, err
		}

		key := strings.ToLower(address)
		if seen[key] {
			continue
		}
		seen[key] = true
		list = append(list, address)
	}
	return list, nil
}

// checkAddress rejects anything but a bare e-mail address, so that no
// display name, list or line break reaches the SMTP envelope or headers.
func checkAddress(address string) error {
	if containsControl(address, false) {
		return fmt.Errorf("outbox: invalid recipient %q: it contains a line break or another control character", address)
	}
	parsed, err := mail.ParseAddress(address)
	if err != nil || parsed.Name != "" || parsed.Address != address {
		return fmt.Errorf("outbox: invalid recipient %q: want a bare e-mail address such as nom@entreprise.fr", address)
	}
	return nil
}

// containsControl reports whether s contains an ASCII control character
// or DEL. A tab is allowed when allowTab is true.
func containsControl(s string, allowTab bool) bool {
	for _, r := range s {
		if r == '\t' && allowTab {
			continue
		}
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// AccountRecipients returns, read in tx, the addresses to notify about the
// account: its own e-mail and the logins of the users with the
// correspondant role whose perimeter contains the account's SIRET. The
// list is sorted without case and has no duplicates that differ only in
// case. A deleted account is still found, so its deletion can be notified.
// It returns ErrNotFound when no account has the id.
func AccountRecipients(ctx context.Context, tx *sql.Tx, accountID int64) ([]string, error) {
	var accountEmail string
	err := tx.QueryRowContext(ctx, `SELECT email FROM api_accounts WHERE id = ?`, accountID).Scan(&accountEmail)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("outbox: recipients of account %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: read e-mail of account %d: %w", accountID, err)
	}

	rows, err := tx.QueryContext(ctx, `
		SELECT u.login
		FROM api_accounts a
		JOIN perimeters p ON p.siret = a.siret
		JOIN user_roles r ON r.user_id = p.user_id AND r.role = 'correspondant'
		JOIN users u ON u.id = p.user_id
		WHERE a.id = ?`, accountID)
	if err != nil {
		return nil, fmt.Errorf("outbox: read correspondants of account %d: %w", accountID, err)
	}
	defer rows.Close()

	addresses := []string{accountEmail}
	for rows.Next() {
		var login string
		if err := rows.Scan(&login); err != nil {
			return nil, fmt.Errorf("outbox: read correspondants of account %d: %w", accountID, err)
		}
		addresses = append(addresses, login)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: read correspondants of account %d: %w", accountID, err)
	}

	return sortDistinct(addresses), nil
}

// sortDistinct returns the non-empty addresses sorted without case, with
// one entry per address compared without case.
func sortDistinct(addresses []string) []string {
	slices.SortFunc(addresses, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
	})

	list := []string{}
	for _, address := range addresses {
		if address == "" {
			continue
		}
		if n := len(list); n > 0 && strings.EqualFold(list[n-1], address) {
			continue
		}
		list = append(list, address)
	}
	return list
}
