package settings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/outbox"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// Domain opening states.
const (
	DomainRequested = "requested"
	DomainOpened    = "opened"
	DomainRefused   = "refused"
)

// ErrDomainOpen is returned when an opening is asked for a domain that is
// already opened or already requested.
var ErrDomainOpen = errors.New("settings: domain already opened or requested")

// DomainStatus is the opening state of the domain of an API's url value
// that is not opened yet.
type DomainStatus struct {
	Host        string
	State       string // "" when never requested, DomainRequested or DomainRefused
	RequestedAt time.Time
	Reason      string // the reason of the latest refusal
}

// domainStatus returns the state of the domain of the API's url value, or
// nil when the API has no url value or its domain is opened.
func domainStatus(ctx context.Context, q queryer, siren string, api API) (*DomainStatus, error) {
	host := ""
	for _, f := range api.Fields {
		if f.Kind == KindURL && f.Current() != nil {
			host = URLHost(f.Current().value)
		}
	}
	if host == "" {
		return nil, nil
	}

	st := &DomainStatus{Host: host}
	var requestedAt sql.NullTime
	err := q.QueryRowContext(ctx, `
		SELECT state, requested_at, reason FROM domain_openings
		WHERE siren = ? AND api_code = ? AND domain = ?
		ORDER BY CASE state WHEN 'opened' THEN 0 WHEN 'requested' THEN 1 ELSE 2 END, id DESC LIMIT 1`,
		siren, api.Code, host).Scan(&st.State, &requestedAt, &st.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("settings: read opening of %s: %w", host, err)
	}
	if st.State == DomainOpened {
		return nil, nil
	}
	if requestedAt.Valid {
		st.RequestedAt = requestedAt.Time
	}
	return st, nil
}

// RequestOpening records a request that customs open the domain of the API's url value
// for the account's company. It writes the request, its journal entry and
// an e-mail to the API's customs contact in one transaction. It returns
// ErrNotFound when the account lies outside the scope or has no url value
// for the API, and ErrDomainOpen when the domain is opened or already
// requested.
func (s *Store) RequestOpening(ctx context.Context, scope accounts.Scope, actor Actor, now time.Time, accountID int64, apiCode string) (string, error) {
	now = now.UTC().Truncate(time.Second)
	var host string

	err := db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		acc, err := scopedAccount(ctx, tx, scope, accountID, apiCode)
		if err != nil {
			return err
		}
		fields, err := s.fields(ctx, tx, accountID, apiCode, now)
		if err != nil {
			return err
		}
		var label, contact, company string
		if err := tx.QueryRowContext(ctx, `SELECT label, contact_email FROM apis WHERE code = ?`, apiCode).Scan(&label, &contact); err != nil {
			return fmt.Errorf("settings: read API %s: %w", apiCode, err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM companies WHERE siren = ?`, acc.SIREN).Scan(&company); err != nil {
			return fmt.Errorf("settings: read company %s: %w", acc.SIREN, err)
		}

		st, err := domainStatus(ctx, tx, acc.SIREN, API{Code: apiCode, Fields: fields})
		switch {
		case err != nil:
			return err
		case st == nil:
			// No url value, or its domain is opened already.
			for _, f := range fields {
				if f.Kind == KindURL && f.Current() != nil {
					return ErrDomainOpen
				}
			}
			return ErrNotFound
		case st.State == DomainRequested:
			return ErrDomainOpen
		}
		host = st.Host

		_, err = tx.ExecContext(ctx, `
			INSERT INTO domain_openings (siren, api_code, domain, state, account_id, requested_at, requested_by)
			VALUES (?, ?, ?, 'requested', ?, ?, ?)`, acc.SIREN, apiCode, host, acc.ID, now, db.NullID(actor.ID))
		if err != nil {
			return fmt.Errorf("settings: insert opening of %s: %w", host, err)
		}

		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: actor.ID, ActorName: actor.Name,
			Action: ActionDomainAsked, AccountID: acc.ID, AccountIdentifier: acc.Identifier, SIRET: acc.SIRET, APICode: apiCode,
			Summary: fmt.Sprintf("Ouverture du domaine %s demandée pour %s.", host, label),
			After:   map[string]string{"Domaine": host, "État": "ouverture demandée"},
		})
		if err != nil {
			return err
		}

		recipients, err := outbox.AccountRecipients(ctx, tx, acc.ID)
		if err != nil {
			return err
		}
		subject := fmt.Sprintf("Demande d’ouverture du domaine %s pour l’API %s", host, label)
		body := fmt.Sprintf(mailDomainRequested, host, label, company, acc.SIREN, acc.Identifier)
		return outbox.Enqueue(ctx, tx, now, ActionDomainAsked, append([]string{contact}, recipients...), subject, body, acc.ID, acc.SIRET)
	})
	return host, err
}

// Opening is a domain-opening request as the customs desk reviews it.
type Opening struct {
	ID                int64
	SIREN             string
	CompanyName       string
	APICode           string
	APILabel          string
	Domain            string
	State             string
	AccountID         int64
	AccountIdentifier string
	RequestedAt       time.Time
	DecidedAt         time.Time
	Reason            string
}

// Openings returns the domain-opening requests in the state ("" for all),
// oldest first, at most limit.
func (s *Store) Openings(ctx context.Context, state string, limit int) ([]Opening, error) {
	query := `
		SELECT o.id, o.siren, c.name, o.api_code, p.label, o.domain, o.state, COALESCE(o.account_id, 0),
		       COALESCE(a.identifier, ''), o.requested_at, o.decided_at, o.reason
		FROM domain_openings o
		JOIN companies c ON c.siren = o.siren
		JOIN apis p ON p.code = o.api_code
		LEFT JOIN api_accounts a ON a.id = o.account_id`
	var args []any
	if state != "" {
		query += ` WHERE o.state = ?`
		args = append(args, state)
	}
	query += ` ORDER BY o.requested_at, o.id LIMIT ?`
	args = append(args, limit)

	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("settings: list openings: %w", err)
	}
	defer rows.Close()

	var list []Opening
	for rows.Next() {
		var o Opening
		var decided sql.NullTime
		if err := rows.Scan(&o.ID, &o.SIREN, &o.CompanyName, &o.APICode, &o.APILabel, &o.Domain, &o.State,
			&o.AccountID, &o.AccountIdentifier, &o.RequestedAt, &decided, &o.Reason); err != nil {
			return nil, fmt.Errorf("settings: list openings: %w", err)
		}
		if decided.Valid {
			o.DecidedAt = decided.Time
		}
		list = append(list, o)
	}
	return list, rows.Err()
}

// DecideOpening opens or refuses a requested domain. A refusal needs a
// reason (validation.Errors on "reason"). It returns ErrNotFound for an
// unknown id and ErrDomainOpen when the request was already decided. The
// account's e-mail and the correspondants of its SIRET receive a notice.
func (s *Store) DecideOpening(ctx context.Context, actor Actor, now time.Time, id int64, open bool, reason string) error {
	reason = strings.TrimSpace(reason)
	if !open && reason == "" {
		return validation.Errors{"reason": "Indiquez le motif du refus d’ouverture."}
	}
	now = now.UTC().Truncate(time.Second)

	return db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		var o Opening
		var siret string
		err := tx.QueryRowContext(ctx, `
			SELECT o.api_code, p.label, o.domain, o.state, COALESCE(o.account_id, 0), COALESCE(a.identifier, ''), COALESCE(a.siret, '')
			FROM domain_openings o JOIN apis p ON p.code = o.api_code LEFT JOIN api_accounts a ON a.id = o.account_id
			WHERE o.id = ?`, id).Scan(&o.APICode, &o.APILabel, &o.Domain, &o.State, &o.AccountID, &o.AccountIdentifier, &siret)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("settings: read opening %d: %w", id, err)
		}
		if o.State != DomainRequested {
			return ErrDomainOpen
		}

		state, action, sentence := DomainOpened, ActionDomainOpened,
			"Le domaine est ouvert\u00a0: la douane peut désormais appeler les services de l’entreprise hébergés sur ce domaine."
		if !open {
			state, action, sentence = DomainRefused, ActionDomainRefused, "L’ouverture est refusée. Motif\u00a0: "+reason
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE domain_openings SET state = ?, decided_at = ?, decided_by = ?, reason = ?
			WHERE id = ? AND state = 'requested'`, state, now, db.NullID(actor.ID), reason, id)
		if err != nil {
			return fmt.Errorf("settings: decide opening %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrDomainOpen
		}

		after := map[string]string{"Domaine": o.Domain, "État": map[bool]string{true: "ouvert", false: "refusé"}[open]}
		if !open {
			after["Motif"] = reason
		}
		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: actor.ID, ActorName: actor.Name,
			Action: action, AccountID: o.AccountID, AccountIdentifier: o.AccountIdentifier, SIRET: siret, APICode: o.APICode,
			Summary: fmt.Sprintf("Domaine %s pour %s\u00a0: %s.", o.Domain, o.APILabel, after["État"]),
			Before:  map[string]string{"État": "ouverture demandée"},
			After:   after,
		})
		if err != nil || o.AccountID == 0 {
			return err
		}

		recipients, err := outbox.AccountRecipients(ctx, tx, o.AccountID)
		if err != nil {
			return err
		}
		subject := fmt.Sprintf("Décision sur l’ouverture du domaine %s", o.Domain)
		body := fmt.Sprintf(mailDomainDecided, o.Domain, o.APILabel, sentence)
		return outbox.Enqueue(ctx, tx, now, action, recipients, subject, body, o.AccountID, siret)
	})
}
