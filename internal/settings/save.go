package settings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/outbox"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// Saved is a field whose new value was recorded by Save.
type Saved struct {
	Key         string
	Label       string
	EffectiveAt time.Time
}

// Save records the values typed for the API's settings fields, keyed by
// field key. A field left empty keeps its value; a token is never shown
// again, so its field is always left empty unless it changes. A value equal
// to the latest saved one is not saved again. Each new value takes effect
// at now plus the field's delay; a pending value of the field is replaced
// and never takes effect. Invalid values, and required fields without any
// value, return validation.Errors keyed by field key and save nothing.
// Every saved field is journaled, with tokens masked, and a notice of when
// it takes effect goes to the account's e-mail and the correspondants of
// its SIRET.
func (s *Store) Save(ctx context.Context, scope accounts.Scope, actor Actor, now time.Time, accountID int64, apiCode string, values map[string]string) ([]Saved, error) {
	now = now.UTC().Truncate(time.Second)
	var saved []Saved

	err := db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		acc, err := scopedAccount(ctx, tx, scope, accountID, apiCode)
		if err != nil {
			return err
		}
		fields, err := s.fields(ctx, tx, accountID, apiCode, now)
		if err != nil {
			return err
		}

		type update struct {
			field Field
			value string
		}
		var updates []update
		verrs := validation.Errors{}
		for _, f := range fields {
			input := values[f.Key]
			current := f.Current()
			if input == "" {
				if f.Required && (current == nil || current.Unreadable) {
					verrs.Add(f.Key, "Renseignez le champ «\u00a0"+f.Label+"\u00a0».")
				}
				continue
			}
			value, err := NormalizeValue(f.Kind, f.Label, input)
			if err != nil {
				var invalid InvalidValue
				if !errors.As(err, &invalid) {
					return err
				}
				verrs.Add(f.Key, err.Error())
				continue
			}
			if current != nil && !current.Unreadable && current.value == value {
				continue
			}
			updates = append(updates, update{field: f, value: value})
		}
		if err := verrs.Err(); err != nil {
			return err
		}

		for _, u := range updates {
			effective, err := s.saveField(ctx, tx, acc, actor, now, apiCode, u.field, u.value)
			if err != nil {
				return err
			}
			saved = append(saved, Saved{Key: u.field.Key, Label: u.field.Label, EffectiveAt: effective})
		}
		return nil
	})
	return saved, err
}

// saveField replaces the pending value of the field, if any, records the
// new one, journals it and queues the notice. It returns the effective
// time.
func (s *Store) saveField(ctx context.Context, tx *sql.Tx, acc account, actor Actor, now time.Time, apiCode string, f Field, value string) (time.Time, error) {
	effective := now.Add(f.Delay)

	if _, err := tx.ExecContext(ctx, `
		UPDATE settings_changes SET cancelled_at = ?
		WHERE account_id = ? AND api_code = ? AND field_key = ? AND cancelled_at IS NULL AND effective_at > ?`,
		now, acc.ID, apiCode, f.Key, now); err != nil {
		return time.Time{}, fmt.Errorf("settings: replace pending %s/%s: %w", apiCode, f.Key, err)
	}

	stored, err := s.seal(f.Kind, acc.ID, apiCode, f.Key, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("settings: encrypt %s/%s: %w", apiCode, f.Key, err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO settings_changes (account_id, api_code, field_key, value, requested_at, requested_by, effective_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, acc.ID, apiCode, f.Key, stored, now, db.NullID(actor.ID), effective)
	if err != nil {
		return time.Time{}, fmt.Errorf("settings: insert %s/%s: %w", apiCode, f.Key, err)
	}

	before := map[string]string{}
	if current := f.Current(); current != nil {
		before[f.Label] = current.Display
	}
	_, err = journal.Record(ctx, tx, journal.Entry{
		At: now, ActorID: actor.ID, ActorName: actor.Name,
		Action: ActionChanged, AccountID: acc.ID, AccountIdentifier: acc.Identifier, SIRET: acc.SIRET, APICode: apiCode,
		Summary: fmt.Sprintf("Paramètre «\u00a0%s\u00a0» de %s modifié, prise en compte au plus tard le %s (heure de Paris).",
			f.Label, apiCode, clock.ParisTime(effective)),
		Before: before,
		After:  map[string]string{f.Label: display(f.Kind, value)},
	})
	if err != nil {
		return time.Time{}, err
	}

	recipients, err := outbox.AccountRecipients(ctx, tx, acc.ID)
	if err != nil {
		return time.Time{}, err
	}
	subject := fmt.Sprintf("Modification programmée d’un paramètre du compte API %s", acc.Identifier)
	body := fmt.Sprintf(mailChangeScheduled, acc.Identifier, f.Label, apiCode, display(f.Kind, value), clock.ParisTime(effective))
	if err := outbox.Enqueue(ctx, tx, now, ActionChanged, recipients, subject, body, acc.ID, acc.SIRET); err != nil {
		return time.Time{}, err
	}
	return effective, nil
}

// CancelPending cancels the pending change of a field: the value in force
// stays, and the account's e-mail and the correspondants of its SIRET
// receive a notice. It returns ErrNotFound when the field has no pending change at
// now or the account lies outside the scope.
func (s *Store) CancelPending(ctx context.Context, scope accounts.Scope, actor Actor, now time.Time, accountID int64, apiCode, key string) error {
	now = now.UTC().Truncate(time.Second)
	return db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		acc, err := scopedAccount(ctx, tx, scope, accountID, apiCode)
		if err != nil {
			return err
		}
		fields, err := s.fields(ctx, tx, accountID, apiCode, now)
		if err != nil {
			return err
		}
		var field *Field
		for i := range fields {
			if fields[i].Key == key {
				field = &fields[i]
			}
		}
		if field == nil || field.Pending == nil {
			return ErrNotFound
		}

		res, err := tx.ExecContext(ctx, `UPDATE settings_changes SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL`,
			now, field.Pending.ID)
		if err != nil {
			return fmt.Errorf("settings: cancel change %d: %w", field.Pending.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrNotFound
		}

		after := map[string]string{}
		if field.InForce != nil {
			after[field.Label] = field.InForce.Display
		}
		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: actor.ID, ActorName: actor.Name,
			Action: ActionCancelled, AccountID: acc.ID, AccountIdentifier: acc.Identifier, SIRET: acc.SIRET, APICode: apiCode,
			Summary: fmt.Sprintf("Modification en attente du paramètre «\u00a0%s\u00a0» de %s annulée.", field.Label, apiCode),
			Before:  map[string]string{field.Label: field.Pending.Display},
			After:   after,
		})
		if err != nil {
			return err
		}

		recipients, err := outbox.AccountRecipients(ctx, tx, acc.ID)
		if err != nil {
			return err
		}
		inForce := "aucune valeur"
		if field.InForce != nil {
			inForce = field.InForce.Display
		}
		subject := fmt.Sprintf("Modification annulée d’un paramètre du compte API %s", acc.Identifier)
		body := fmt.Sprintf(mailChangeCancelled, acc.Identifier, field.Label, apiCode, field.Pending.Display, inForce)
		return outbox.Enqueue(ctx, tx, now, ActionCancelled, recipients, subject, body, acc.ID, acc.SIRET)
	})
}
