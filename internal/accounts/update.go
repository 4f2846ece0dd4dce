package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/email"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/outbox"
	"github.com/correspondant-entreprise/console/internal/password"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// ErrConflict is returned when a change is based on an older version of
// the account than the stored one: someone changed it since the form was
// built, and overwriting that change silently would lose it.
var ErrConflict = errors.New("accounts: the account changed since the form was loaded")

// Messages of the change forms.
const (
	msgEmailUnchanged       = "Cette adresse est déjà celle du compte\u00a0: saisissez la nouvelle adresse."
	msgAcknowledgeMissing   = "Cochez la case pour confirmer que tous les systèmes qui utilisent ce compte seront mis à jour au moment du changement."
	msgConfirmationMismatch = "Saisissez exactement l’identifiant du compte pour confirmer sa suppression."
)

// lockForChange reads the live account with the id inside tx and checks
// that it lies in the scope and still has the expected version. It returns
// ErrNotFound or ErrConflict otherwise.
func lockForChange(ctx context.Context, tx *sql.Tx, scope Scope, id, version int64) (Account, error) {
	join, args := scopeJoin(scope)
	query := `SELECT ` + accountColumns + ` FROM api_accounts a` + join + accountJoins +
		` WHERE a.id = ? AND a.deleted_at IS NULL`
	a, err := scanAccount(tx.QueryRowContext(ctx, query, append(args, id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("accounts: read %d: %w", id, err)
	}
	if a.Version != version {
		return a, ErrConflict
	}
	return a, nil
}

// bumpVersion records a change of the account: new version and update
// time. The version condition makes a concurrent change fail.
func bumpVersion(ctx context.Context, tx *sql.Tx, id, version int64, now time.Time) error {
	res, err := tx.ExecContext(ctx,
		`UPDATE api_accounts SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, now, id, version)
	if err != nil {
		return fmt.Errorf("accounts: update %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return ErrConflict
	}
	return nil
}

// notify queues a message to the account's e-mail, the correspondants of
// its SIRET and the extra addresses.
func notify(ctx context.Context, tx *sql.Tx, now time.Time, kind string, a Account, extra []string, subject, body string) error {
	recipients, err := outbox.AccountRecipients(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	return outbox.Enqueue(ctx, tx, now, kind, append(recipients, extra...), subject, body, a.ID, a.SIRET)
}

// UpdateEmail replaces the account's e-mail. version is the version the
// form was built from: an older one returns ErrConflict and changes
// nothing. An invalid or unchanged address returns validation.Errors on
// "email". A notice goes to the old and the new address and to the
// correspondants of the SIRET, and the journal records both addresses.
func (s *Store) UpdateEmail(ctx context.Context, scope Scope, actorID int64, now time.Time, id, version int64, input string) (Account, error) {
	address, err := email.Normalize(input)
	if err != nil {
		return Account{}, validation.Errors{"email": err.Error()}
	}
	now = now.UTC().Truncate(time.Second)

	err = db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		a, err := lockForChange(ctx, tx, scope, id, version)
		if err != nil {
			return err
		}
		if a.Email == address {
			return validation.Errors{"email": msgEmailUnchanged}
		}

		if err := bumpVersion(ctx, tx, id, version, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_accounts SET email = ? WHERE id = ?`, address, id); err != nil {
			return fmt.Errorf("accounts: update e-mail of %d: %w", id, err)
		}

		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: actorID,
			Action: journal.ActionAccountEmailChanged, AccountID: id, AccountIdentifier: a.Identifier, SIRET: a.SIRET,
			Summary: "Adresse électronique du compte modifiée.",
			Before:  map[string]string{"Adresse électronique": a.Email},
			After:   map[string]string{"Adresse électronique": address},
		})
		if err != nil {
			return err
		}

		subject := "Changement de l’adresse électronique du compte API " + a.Identifier
		body := fmt.Sprintf(mailEmailChanged, a.Identifier, a.Email, address)
		return notify(ctx, tx, now, journal.ActionAccountEmailChanged, a, []string{a.Email}, subject, body)
	})
	if err != nil {
		return Account{}, err
	}
	return s.Get(ctx, scope, id)
}

// PasswordChange is the input of Store.ChangePassword, as the user typed
// it.
type PasswordChange struct {
	Password     string
	Confirmation string
	// Acknowledged is the user's confirmation that every system using the
	// account is ready: the change takes effect at once.
	Acknowledged bool
}

// ChangePassword replaces the account's password, effective at once.
// version is the version the form was built from: an older one returns
// ErrConflict. The policy, the confirmation and the acknowledgement are
// checked first, each failure named in validation.Errors ("password",
// "password_confirmation", "acknowledge"). Only the argon2id hash is
// stored. The journal entry and the e-mail record that the password
// changed and never contain it.
func (s *Store) ChangePassword(ctx context.Context, scope Scope, actorID int64, now time.Time, id, version int64, in PasswordChange) (Account, error) {
	verr := validation.Errors{}
	checkNewPassword(verr, in.Password, in.Confirmation)
	if !in.Acknowledged {
		verr.Add("acknowledge", msgAcknowledgeMissing)
	}
	if err := verr.Err(); err != nil {
		return Account{}, err
	}

	// Hash before the transaction: argon2id is deliberately slow and must
	// not hold the write lock.
	hash, err := password.Hash(in.Password)
	if err != nil {
		return Account{}, fmt.Errorf("accounts: hash password: %w", err)
	}
	now = now.UTC().Truncate(time.Second)

	err = db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		a, err := lockForChange(ctx, tx, scope, id, version)
		if err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, id, version, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE api_accounts SET password_hash = ?, password_changed_at = ? WHERE id = ?`, hash, now, id)
		if err != nil {
			return fmt.Errorf("accounts: update password of %d: %w", id, err)
		}

		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: actorID,
			Action: journal.ActionAccountPasswordChanged, AccountID: id, AccountIdentifier: a.Identifier, SIRET: a.SIRET,
			Summary: "Mot de passe du compte modifié, effectif immédiatement.",
			After:   map[string]string{"Mot de passe": "modifié"},
		})
		if err != nil {
			return err
		}

		subject := "Changement du mot de passe du compte API " + a.Identifier
		body := fmt.Sprintf(mailPasswordChanged, a.Identifier)
		return notify(ctx, tx, now, journal.ActionAccountPasswordChanged, a, nil, subject, body)
	})
	if err != nil {
		return Account{}, err
	}
	return s.Get(ctx, scope, id)
}

// Cascade closes what depends on an account being deleted, inside the
// deletion's transaction: habilitations, open requests, pending settings.
// It lives in the packages that own those tables.
type Cascade func(ctx context.Context, tx *sql.Tx, accountID int64, actorID int64, now time.Time) error

// Delete deletes the account once the user has typed its identifier as
// confirmation. version is the version the page was built from: an older
// one returns ErrConflict. cascade, when not nil, runs in the same
// transaction. The row is kept, marked deleted, so the journal keeps
// naming it, and the SIRET is free for a new account at once. The account
// e-mail and the correspondants of the SIRET receive a notice.
func (s *Store) Delete(ctx context.Context, scope Scope, actorID int64, now time.Time, id, version int64, confirmation string, cascade Cascade) (Account, error) {
	now = now.UTC().Truncate(time.Second)

	var deleted Account
	err := db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		a, err := lockForChange(ctx, tx, scope, id, version)
		if err != nil {
			return err
		}
		if strings.TrimSpace(confirmation) != a.Identifier {
			return validation.Errors{"confirmation": msgConfirmationMismatch}
		}

		if err := bumpVersion(ctx, tx, id, version, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_accounts SET deleted_at = ? WHERE id = ?`, now, id); err != nil {
			return fmt.Errorf("accounts: delete %d: %w", id, err)
		}
		if cascade != nil {
			if err := cascade(ctx, tx, id, actorID, now); err != nil {
				return err
			}
		}

		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: actorID,
			Action: journal.ActionAccountDeleted, AccountID: id, AccountIdentifier: a.Identifier, SIRET: a.SIRET,
			Summary: "Compte API «\u00a0" + a.Identifier + "\u00a0» supprimé.",
			Before:  map[string]string{"Identifiant": a.Identifier, "Adresse électronique": a.Email, "SIRET": a.SIRET},
			After:   map[string]string{"Compte": "supprimé"},
		})
		if err != nil {
			return err
		}

		subject := "Suppression du compte API " + a.Identifier
		body := fmt.Sprintf(mailAccountDeleted, a.Identifier, a.SIRET)
		if err := notify(ctx, tx, now, journal.ActionAccountDeleted, a, nil, subject, body); err != nil {
			return err
		}
		deleted = a
		return nil
	})
	return deleted, err
}
