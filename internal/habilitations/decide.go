package habilitations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// MaxReasonLength bounds a refusal or revocation reason, in characters.
const MaxReasonLength = 1000

// Decide records customs' decision on every API of a submitted request.
// decisions maps each API code of the request to its decision. A missing
// decision, or a refusal without a reason, returns validation.Errors on
// the fields "decision.CODE" and "reason.CODE". Each granted API becomes a
// live habilitation of the account. The request ends approved, partially
// approved or refused; the journal and the notification with the reasons
// are written in the same transaction.
func (s *Store) Decide(ctx context.Context, actor Actor, now time.Time, requestID int64, decisions map[string]Decision) error {
	now = now.UTC().Truncate(time.Second)

	return db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		req, err := getRequest(ctx, tx, requestID)
		if err != nil {
			return err
		}
		if req.State != StateSubmitted {
			return fmt.Errorf("%w: request %d is %s", ErrTransition, requestID, req.State)
		}

		verrs := validation.Errors{}
		ordered := make([]Decision, len(req.Items))
		for i, item := range req.Items {
			d, ok := decisions[item.APICode]
			d.Reason = strings.TrimSpace(d.Reason)
			switch {
			case !ok:
				verrs.Add("decision."+item.APICode, "Choisissez d’accorder ou de refuser "+item.APILabel+".")
			case !d.Grant && d.Reason == "":
				verrs.Add("reason."+item.APICode, "Indiquez le motif du refus de "+item.APILabel+".")
			case len([]rune(d.Reason)) > MaxReasonLength:
				verrs.Add("reason."+item.APICode, fmt.Sprintf("Le motif ne doit pas dépasser %d caractères.", MaxReasonLength))
			}
			ordered[i] = d
		}
		if err := verrs.Err(); err != nil {
			return err
		}

		next, err := decideRequest(req.State, ordered)
		if err != nil {
			return err
		}
		if err := closeRequest(ctx, tx, requestID, next, actor, now); err != nil {
			return err
		}

		var lines []string
		for i, item := range req.Items {
			d := ordered[i]
			decision, reason := "refused", d.Reason
			if d.Grant {
				decision, reason = "granted", ""
			}
			_, err := tx.ExecContext(ctx, `
				UPDATE habilitation_request_items SET decision = ?, reason = ? WHERE request_id = ? AND api_code = ?`,
				decision, reason, requestID, item.APICode)
			if err != nil {
				return fmt.Errorf("habilitations: record decision on %s: %w", item.APICode, err)
			}

			if d.Grant {
				if err := grant(ctx, tx, actor, now, req, item); err != nil {
					return err
				}
				lines = append(lines, "- "+item.APILabel+"\u00a0: accordée")
				continue
			}

			_, err = journal.Record(ctx, tx, journal.Entry{
				At: now, ActorID: actor.ID, ActorName: actor.Name,
				Action: journal.ActionHabilitationRefused, AccountID: req.AccountID, AccountIdentifier: req.AccountIdentifier,
				SIRET: req.SIRET, APICode: item.APICode,
				Summary: fmt.Sprintf("Habilitation à %s refusée (demande n°\u00a0%d). Motif\u00a0: %s", item.APILabel, req.ID, reason),
				After:   map[string]string{"Habilitation": "refusée", "Motif": reason},
			})
			if err != nil {
				return err
			}
			lines = append(lines, "- "+item.APILabel+"\u00a0: refusée. Motif\u00a0: "+reason)
		}

		after := map[string]string{"État": next.Label()}
		for i, item := range req.Items {
			if ordered[i].Grant {
				after[item.APILabel] = "accordée"
			} else {
				after[item.APILabel] = "refusée\u00a0: " + ordered[i].Reason
			}
		}
		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: actor.ID, ActorName: actor.Name,
			Action: journal.ActionRequestDecided, AccountID: req.AccountID, AccountIdentifier: req.AccountIdentifier,
			SIRET:   req.SIRET,
			Summary: fmt.Sprintf("Demande d’habilitation n°\u00a0%d\u00a0: %s.", requestID, strings.ToLower(next.Label())),
			Before:  map[string]string{"État": StateSubmitted.Label()},
			After:   after,
		})
		if err != nil {
			return err
		}

		account := requestAccount{ID: req.AccountID, Identifier: req.AccountIdentifier, SIRET: req.SIRET}
		subject := fmt.Sprintf("Décision sur la demande d’habilitation n°\u00a0%d (compte API %s)", requestID, req.AccountIdentifier)
		settingsNote := ""
		var needed bool
		err = tx.QueryRowContext(ctx, `
			SELECT EXISTS (SELECT 1 FROM habilitation_request_items i
				JOIN api_settings_fields f ON f.api_code = i.api_code AND f.required = 1
				WHERE i.request_id = ? AND i.decision = 'granted')`, requestID).Scan(&needed)
		if err != nil {
			return fmt.Errorf("habilitations: read settings of request %d: %w", requestID, err)
		}
		if needed {
			settingsNote = mailSettingsNeeded
		}
		body := fmt.Sprintf(mailRequestDecided, requestID, req.AccountIdentifier, next.Label(), strings.Join(lines, "\n")+"\n", settingsNote)
		return notifyAccount(ctx, tx, now, journal.ActionRequestDecided, account, subject, body)
	})
}

// grant creates the live habilitation of the request's account on the
// item's API and journals it.
func grant(ctx context.Context, tx *sql.Tx, actor Actor, now time.Time, req Request, item Item) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO habilitations (account_id, api_code, granted_at, granted_by) VALUES (?, ?, ?, ?)`,
		req.AccountID, item.APICode, now, db.NullID(actor.ID))
	if err != nil {
		return fmt.Errorf("habilitations: grant %s to account %d: %w", item.APICode, req.AccountID, err)
	}
	_, err = journal.Record(ctx, tx, journal.Entry{
		At: now, ActorID: actor.ID, ActorName: actor.Name,
		Action: journal.ActionHabilitationGranted, AccountID: req.AccountID, AccountIdentifier: req.AccountIdentifier,
		SIRET: req.SIRET, APICode: item.APICode,
		Summary: fmt.Sprintf("Habilitation à %s accordée (demande n°\u00a0%d).", item.APILabel, req.ID),
		After:   map[string]string{"Habilitation": item.APILabel},
	})
	return err
}

// Revoke withdraws a live habilitation for the reason given and returns
// the id of its account. It returns ErrNotFound when no live habilitation
// has the id, and validation.Errors on "reason" when the reason is empty or
// too long. The account's status follows at once because it is derived
// from the live habilitations.
func (s *Store) Revoke(ctx context.Context, actor Actor, now time.Time, habilitationID int64, reason string) (int64, error) {
	reason = strings.TrimSpace(reason)
	now = now.UTC().Truncate(time.Second)

	var account requestAccount
	err := db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		var code, label string
		err := tx.QueryRowContext(ctx, `
			SELECT h.account_id, a.identifier, a.siret, h.api_code, p.label
			FROM habilitations h
			JOIN api_accounts a ON a.id = h.account_id
			JOIN apis p ON p.code = h.api_code
			WHERE h.id = ? AND h.revoked_at IS NULL AND a.deleted_at IS NULL`, habilitationID,
		).Scan(&account.ID, &account.Identifier, &account.SIRET, &code, &label)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("habilitations: read habilitation %d: %w", habilitationID, err)
		}

		switch {
		case reason == "":
			return validation.Errors{"reason": "Indiquez le motif du retrait de l’habilitation à " + label + "."}
		case len([]rune(reason)) > MaxReasonLength:
			return validation.Errors{"reason": fmt.Sprintf("Le motif ne doit pas dépasser %d caractères.", MaxReasonLength)}
		}

		_, err = tx.ExecContext(ctx, `
			UPDATE habilitations SET revoked_at = ?, revoked_by = ?, revoke_reason = ?
			WHERE id = ? AND revoked_at IS NULL`, now, db.NullID(actor.ID), reason, habilitationID)
		if err != nil {
			return fmt.Errorf("habilitations: revoke %d: %w", habilitationID, err)
		}

		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: actor.ID, ActorName: actor.Name,
			Action: journal.ActionHabilitationRevoked, AccountID: account.ID, AccountIdentifier: account.Identifier,
			SIRET: account.SIRET, APICode: code,
			Summary: fmt.Sprintf("Habilitation à %s retirée. Motif\u00a0: %s", label, reason),
			Before:  map[string]string{"Habilitation": label},
			After:   map[string]string{"Habilitation": "retirée", "Motif": reason},
		})
		if err != nil {
			return err
		}

		subject := fmt.Sprintf("Retrait de l’habilitation à %s du compte API %s", label, account.Identifier)
		body := fmt.Sprintf(mailHabilitationRevoked, label, account.Identifier, reason)
		return notifyAccount(ctx, tx, now, journal.ActionHabilitationRevoked, account, subject, body)
	})
	return account.ID, err
}
