package habilitations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/outbox"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// ErrNotFound is returned for a request or habilitation that does not exist
// or lies outside the caller's scope.
var ErrNotFound = errors.New("habilitations: not found")

// Item is one API of a request and customs' decision on it.
type Item struct {
	APICode  string
	APILabel string
	Decision string // "" while open, then "granted" or "refused"
	Reason   string // the reason of a refusal
}

// Request is a habilitation request with its account and establishment.
type Request struct {
	ID                 int64
	AccountID          int64
	AccountIdentifier  string
	AccountEmail       string
	SIRET              string
	CompanyName        string
	EstablishmentLabel string
	State              State
	RequestedAt        time.Time
	RequestedBy        string // display name of the requester
	ClosedAt           time.Time
	ClosedBy           string
	Items              []Item
}

// APILabels returns the labels of the APIs asked, joined for display.
func (r Request) APILabels() string {
	labels := make([]string, len(r.Items))
	for i, it := range r.Items {
		labels[i] = it.APILabel
	}
	return strings.Join(labels, ", ")
}

// requestAccount is the account a request is made for, read inside the
// transaction.
type requestAccount struct {
	ID         int64
	Identifier string
	SIRET      string
}

// scopedAccount returns the live account with the id if it lies in the
// scope, and accounts.ErrNotFound otherwise.
func scopedAccount(ctx context.Context, tx *sql.Tx, scope accounts.Scope, id int64) (requestAccount, error) {
	a := requestAccount{ID: id}
	err := tx.QueryRowContext(ctx, `
		SELECT a.identifier, a.siret FROM api_accounts a
		WHERE a.id = ? AND a.deleted_at IS NULL
		  AND (? OR EXISTS (SELECT 1 FROM perimeters p WHERE p.siret = a.siret AND p.user_id = ?))`,
		id, scope.All, scope.UserID).Scan(&a.Identifier, &a.SIRET)
	if errors.Is(err, sql.ErrNoRows) {
		return a, accounts.ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("habilitations: read account %d: %w", id, err)
	}
	return a, nil
}

// Submit records a request for the account to be habilitated on the APIs
// with the codes. It returns validation.Errors on the "api" field when no
// API is chosen, or when one is unknown, already held by the account, or
// already in an open request. It returns accounts.ErrNotFound when the
// account lies outside the scope. The request, its journal entry and the
// notification to the account's e-mail and the correspondants of its SIRET
// are written in one transaction.
func (s *Store) Submit(ctx context.Context, scope accounts.Scope, actor Actor, now time.Time, accountID int64, codes []string) (int64, error) {
	codes = uniqueCodes(codes)
	if len(codes) == 0 {
		return 0, validation.Errors{"api": "Choisissez au moins une API."}
	}
	now = now.UTC().Truncate(time.Second)

	var requestID int64
	err := db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		account, err := scopedAccount(ctx, tx, scope, accountID)
		if err != nil {
			return err
		}

		codes, labels, err := checkRequestable(ctx, tx, accountID, codes)
		if err != nil {
			return err
		}

		res, err := tx.ExecContext(ctx, `
			INSERT INTO habilitation_requests (account_id, siret, state, requested_at, requested_by)
			VALUES (?, ?, 'submitted', ?, ?)`, accountID, account.SIRET, now, db.NullID(actor.ID))
		if err != nil {
			return fmt.Errorf("habilitations: insert request: %w", err)
		}
		if requestID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("habilitations: insert request: %w", err)
		}
		for _, code := range codes {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO habilitation_request_items (request_id, account_id, api_code) VALUES (?, ?, ?)`,
				requestID, accountID, code)
			if err != nil {
				return fmt.Errorf("habilitations: insert request item %s: %w", code, err)
			}
		}

		apis := strings.Join(labels, ", ")
		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: actor.ID, ActorName: actor.Name,
			Action: journal.ActionRequestSubmitted, AccountID: accountID, AccountIdentifier: account.Identifier,
			SIRET:   account.SIRET,
			Summary: fmt.Sprintf("Demande d’habilitation n°\u00a0%d déposée pour %s.", requestID, apis),
			After:   map[string]string{"Demande": fmt.Sprint(requestID), "API demandées": apis, "État": StateSubmitted.Label()},
		})
		if err != nil {
			return err
		}

		subject := fmt.Sprintf("Demande d’habilitation n°\u00a0%d reçue pour le compte API %s", requestID, account.Identifier)
		body := fmt.Sprintf(mailRequestSubmitted, account.Identifier, account.SIRET, apis, requestID)
		return notifyAccount(ctx, tx, now, journal.ActionRequestSubmitted, account, subject, body)
	})
	if err != nil {
		return 0, err
	}
	return requestID, nil
}

// uniqueCodes trims and upper-cases the codes and drops blanks and
// duplicates, keeping the first order.
func uniqueCodes(codes []string) []string {
	var out []string
	for _, c := range codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// checkRequestable returns the codes in catalog order with their labels,
// or validation.Errors on "api" when one is unknown, held or already asked.
func checkRequestable(ctx context.Context, tx *sql.Tx, accountID int64, codes []string) ([]string, []string, error) {
	type asked struct {
		code, label string
		position    int
	}
	var found []asked
	var problems []string
	for _, code := range codes {
		a := asked{code: code}
		var held, open bool
		err := tx.QueryRowContext(ctx, `
			SELECT label, position,
			       EXISTS (SELECT 1 FROM habilitations h WHERE h.account_id = ? AND h.api_code = apis.code AND h.revoked_at IS NULL),
			       EXISTS (SELECT 1 FROM habilitation_request_items i WHERE i.account_id = ? AND i.api_code = apis.code AND i.open = 1)
			FROM apis WHERE code = ?`, accountID, accountID, code).Scan(&a.label, &a.position, &held, &open)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			problems = append(problems, fmt.Sprintf("l’API «\u00a0%s\u00a0» n’existe pas dans le catalogue", code))
			continue
		case err != nil:
			return nil, nil, fmt.Errorf("habilitations: check API %s: %w", code, err)
		case held:
			problems = append(problems, fmt.Sprintf("le compte est déjà habilité à %s", a.label))
		case open:
			problems = append(problems, fmt.Sprintf("une demande est déjà en cours pour %s", a.label))
		}
		found = append(found, a)
	}
	if len(problems) > 0 {
		msg := "Demande impossible\u00a0: " + strings.Join(problems, "\u00a0; ") + "."
		return nil, nil, validation.Errors{"api": msg}
	}

	slices.SortFunc(found, func(x, y asked) int { return x.position - y.position })
	sorted := make([]string, len(found))
	labels := make([]string, len(found))
	for i, a := range found {
		sorted[i], labels[i] = a.code, a.label
	}
	return sorted, labels, nil
}

// Cancel withdraws a submitted request of an account in the scope.
// It returns ErrNotFound for a request that is not the account's or lies
// outside the scope, and ErrTransition when the request is no longer
// submitted.
func (s *Store) Cancel(ctx context.Context, scope accounts.Scope, actor Actor, now time.Time, accountID, requestID int64) error {
	now = now.UTC().Truncate(time.Second)
	return db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		account, err := scopedAccount(ctx, tx, scope, accountID)
		if errors.Is(err, accounts.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}

		var state State
		err = tx.QueryRowContext(ctx, `SELECT state FROM habilitation_requests WHERE id = ? AND account_id = ?`,
			requestID, accountID).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("habilitations: read request %d: %w", requestID, err)
		}
		next, err := cancelRequest(state)
		if err != nil {
			return err
		}

		if err := closeRequest(ctx, tx, requestID, next, actor, now); err != nil {
			return err
		}
		labels, err := requestLabels(ctx, tx, requestID)
		if err != nil {
			return err
		}
		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: actor.ID, ActorName: actor.Name,
			Action: journal.ActionRequestCancelled, AccountID: accountID, AccountIdentifier: account.Identifier,
			SIRET:   account.SIRET,
			Summary: fmt.Sprintf("Demande d’habilitation n°\u00a0%d annulée (%s).", requestID, labels),
			Before:  map[string]string{"État": state.Label()},
			After:   map[string]string{"État": next.Label()},
		})
		return err
	})
}

// closeRequest moves a submitted request to a final state and closes its
// open items. The WHERE clause on the state makes a second close fail.
func closeRequest(ctx context.Context, tx *sql.Tx, requestID int64, state State, actor Actor, now time.Time) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE habilitation_requests SET state = ?, closed_at = ?, closed_by = ?
		WHERE id = ? AND state = 'submitted'`, string(state), now, db.NullID(actor.ID), requestID)
	if err != nil {
		return fmt.Errorf("habilitations: close request %d: %w", requestID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("%w: request %d is no longer submitted", ErrTransition, requestID)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE habilitation_request_items SET open = 0 WHERE request_id = ?`, requestID); err != nil {
		return fmt.Errorf("habilitations: close items of request %d: %w", requestID, err)
	}
	return nil
}

func requestLabels(ctx context.Context, tx *sql.Tx, requestID int64) (string, error) {
	var labels string
	err := tx.QueryRowContext(ctx, `
		SELECT group_concat(label, ', ') FROM (
			SELECT a.label FROM habilitation_request_items i JOIN apis a ON a.code = i.api_code
			WHERE i.request_id = ? ORDER BY a.position)`, requestID).Scan(&labels)
	if err != nil {
		return "", fmt.Errorf("habilitations: read APIs of request %d: %w", requestID, err)
	}
	return labels, nil
}

// notifyAccount queues a message to the account's e-mail and to the
// correspondants of its SIRET.
func notifyAccount(ctx context.Context, tx *sql.Tx, now time.Time, kind string, account requestAccount, subject, body string) error {
	recipients, err := outbox.AccountRecipients(ctx, tx, account.ID)
	if err != nil {
		return err
	}
	return outbox.Enqueue(ctx, tx, now, kind, recipients, subject, body, account.ID, account.SIRET)
}
