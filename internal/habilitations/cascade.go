package habilitations

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/journal"
)

// reasonAccountDeleted is the revocation reason recorded when an account is
// deleted.
const reasonAccountDeleted = "Suppression du compte API."

// CloseForDeletedAccount revokes the live habilitations of an account being
// deleted, cancels its open requests and its settings changes not yet in
// force, inside the deletion's transaction tx. Each revocation and
// cancellation is journaled; the deletion itself sends the e-mail. Its
// signature matches accounts.Cascade.
func CloseForDeletedAccount(ctx context.Context, tx *sql.Tx, accountID, actorID int64, now time.Time) error {
	var identifier, siret string
	err := tx.QueryRowContext(ctx, `SELECT identifier, siret FROM api_accounts WHERE id = ?`, accountID).Scan(&identifier, &siret)
	if err != nil {
		return fmt.Errorf("habilitations: read deleted account %d: %w", accountID, err)
	}
	entry := func(action, code, summary string) journal.Entry {
		return journal.Entry{
			At: now, ActorID: actorID, Action: action,
			AccountID: accountID, AccountIdentifier: identifier, SIRET: siret, APICode: code, Summary: summary,
		}
	}

	rows, err := tx.QueryContext(ctx, `
		SELECT h.id, h.api_code, p.label FROM habilitations h JOIN apis p ON p.code = h.api_code
		WHERE h.account_id = ? AND h.revoked_at IS NULL ORDER BY p.position`, accountID)
	if err != nil {
		return fmt.Errorf("habilitations: read habilitations of %d: %w", accountID, err)
	}
	type live struct {
		id          int64
		code, label string
	}
	var habs []live
	for rows.Next() {
		var h live
		if err := rows.Scan(&h.id, &h.code, &h.label); err != nil {
			rows.Close()
			return fmt.Errorf("habilitations: read habilitations of %d: %w", accountID, err)
		}
		habs = append(habs, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("habilitations: read habilitations of %d: %w", accountID, err)
	}

	for _, h := range habs {
		_, err := tx.ExecContext(ctx, `
			UPDATE habilitations SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?`,
			now, db.NullID(actorID), reasonAccountDeleted, h.id)
		if err != nil {
			return fmt.Errorf("habilitations: revoke %d: %w", h.id, err)
		}
		e := entry(journal.ActionHabilitationRevoked, h.code, "Habilitation à "+h.label+" retirée. Motif\u00a0: "+reasonAccountDeleted)
		e.Before = map[string]string{"Habilitation": h.label}
		e.After = map[string]string{"Habilitation": "retirée", "Motif": reasonAccountDeleted}
		if _, err := journal.Record(ctx, tx, e); err != nil {
			return err
		}
	}

	var open []int64
	rows, err = tx.QueryContext(ctx, `SELECT id FROM habilitation_requests WHERE account_id = ? AND state = 'submitted'`, accountID)
	if err != nil {
		return fmt.Errorf("habilitations: read open requests of %d: %w", accountID, err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("habilitations: read open requests of %d: %w", accountID, err)
		}
		open = append(open, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("habilitations: read open requests of %d: %w", accountID, err)
	}

	for _, id := range open {
		if err := closeRequest(ctx, tx, id, StateCancelled, Actor{ID: actorID}, now); err != nil {
			return err
		}
		e := entry(journal.ActionRequestCancelled, "", fmt.Sprintf("Demande d’habilitation n°\u00a0%d annulée par la suppression du compte.", id))
		e.Before = map[string]string{"État": StateSubmitted.Label()}
		e.After = map[string]string{"État": StateCancelled.Label()}
		if _, err := journal.Record(ctx, tx, e); err != nil {
			return err
		}
	}

	_, err = tx.ExecContext(ctx, `
		UPDATE settings_changes SET cancelled_at = ?
		WHERE account_id = ? AND cancelled_at IS NULL AND effective_at > ?`, now, accountID, now)
	if err != nil {
		return fmt.Errorf("habilitations: cancel pending settings of %d: %w", accountID, err)
	}
	return nil
}
