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
	"github.com/correspondant-entreprise/console/internal/password"
	"github.com/correspondant-entreprise/console/internal/siret"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// Messages for the rules that need the database or the perimeter.
const (
	msgSIRETNotChosen        = "Sélectionnez l’établissement du compte dans la liste."
	msgSIRETOutsidePerimeter = "Vous n’êtes pas habilité sur cet établissement\u00a0: choisissez un SIRET de votre périmètre."
	msgSIRETTaken            = "Cet établissement a déjà le compte API «\u00a0%s\u00a0»\u00a0: un établissement ne peut en avoir qu’un."
	msgSIRETJustTaken        = "Un compte API vient d’être créé sur cet établissement\u00a0: un établissement ne peut en avoir qu’un."
	msgPasswordEmpty         = "Saisissez le mot de passe."
	msgPasswordMismatch      = "Les deux mots de passe saisis ne sont pas identiques."
	msgPasswordConfirmEmpty  = "Confirmez le mot de passe."
)

// NewAccount is the input of Store.Create, as the user typed it.
type NewAccount struct {
	Identifier           string
	Email                string
	SIRET                string
	Password             string
	PasswordConfirmation string
}

// Create checks every rule on the input and stores the account. Invalid
// input returns a validation.Errors that names every faulty field: the
// identifier (format, uniqueness without case), the e-mail, the SIRET (valid,
// in the scope, without an account yet) and the password (policy and
// confirmation). The password is stored only as an argon2id hash. The
// unique indexes decide between concurrent creations, so at most one
// account per SIRET exists whatever the timing. The journal entry of the
// creation is written in the same transaction. createdBy is the console
// user who acts; now is the business time of the creation.
func (s *Store) Create(ctx context.Context, scope Scope, createdBy int64, now time.Time, in NewAccount) (Account, error) {
	verr := validation.Errors{}

	identifier, err := ParseIdentifier(in.Identifier)
	if err != nil {
		verr.Add("identifier", err.Error())
	}
	address, err := email.Normalize(in.Email)
	if err != nil {
		verr.Add("email", err.Error())
	}
	// The form offers the SIRETs as a list, so an empty one was not chosen
	// rather than not typed.
	number, err := siret.Parse(in.SIRET)
	switch {
	case errors.Is(err, siret.ErrEmpty):
		verr.Add("siret", msgSIRETNotChosen)
	case err != nil:
		verr.Add("siret", err.Error())
	}
	checkNewPassword(verr, in.Password, in.PasswordConfirmation)

	// The database checks run even when the format checks failed, so that
	// the user sees every problem at once.
	if err := s.checkAvailability(ctx, scope, identifier, number, verr); err != nil {
		return Account{}, err
	}
	if len(verr) > 0 {
		return Account{}, verr
	}

	// Hash before the transaction: argon2id is deliberately slow and must
	// not hold the write lock.
	hash, err := password.Hash(in.Password)
	if err != nil {
		return Account{}, fmt.Errorf("accounts: hash password: %w", err)
	}

	now = now.UTC().Truncate(time.Second)
	var id int64
	err = db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := checkAvailabilityTx(ctx, tx, scope, identifier, number, verr); err != nil {
			return err
		}
		if len(verr) > 0 {
			return verr
		}

		res, err := tx.ExecContext(ctx, `
			INSERT INTO api_accounts (identifier, email, siret, password_hash, password_changed_at,
				created_at, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			identifier, address, number, hash, now, now, createdBy, now)
		if err != nil {
			return s.uniqueViolation(ctx, err, number, verr)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}

		_, err = journal.Record(ctx, tx, journal.Entry{
			At: now, ActorID: createdBy,
			Action: journal.ActionAccountCreated, AccountID: id, AccountIdentifier: identifier, SIRET: number,
			Summary: "Compte API «\u00a0" + identifier + "\u00a0» créé.",
			After:   map[string]string{"Identifiant": identifier, "Adresse électronique": address, "SIRET": number, "Mot de passe": "défini"},
		})
		return err
	})
	if err != nil {
		var v validation.Errors
		if errors.As(err, &v) {
			return Account{}, v
		}
		return Account{}, fmt.Errorf("accounts: create %s: %w", identifier, err)
	}

	return s.Get(ctx, scope, id)
}

// checkNewPassword adds the errors of a new password and its
// confirmation: policy, emptiness and equality after NFC normalisation.
func checkNewPassword(verr validation.Errors, pw, confirmation string) {
	if pw == "" {
		verr.Add("password", msgPasswordEmpty)
	} else if check := password.Check(pw); !check.OK() {
		verr.Add("password", check.Message())
	}
	switch {
	case confirmation == "":
		verr.Add("password_confirmation", msgPasswordConfirmEmpty)
	case password.Normalize(confirmation) != password.Normalize(pw):
		verr.Add("password_confirmation", msgPasswordMismatch)
	}
}

// checkAvailability runs the database checks outside a transaction, so the
// user sees them with the format errors before any password is hashed.
func (s *Store) checkAvailability(ctx context.Context, scope Scope, identifier, number string, verr validation.Errors) error {
	return checkAvailabilityTx(ctx, s.db, scope, identifier, number, verr)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkAvailabilityTx adds a field error when the identifier is taken, the
// SIRET lies outside the scope or already has a live account. Empty values
// were rejected by the format checks and are skipped.
func checkAvailabilityTx(ctx context.Context, q querier, scope Scope, identifier, number string, verr validation.Errors) error {
	if identifier != "" {
		var taken bool
		err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM api_accounts WHERE identifier = ?)`, identifier).Scan(&taken)
		if err != nil {
			return fmt.Errorf("accounts: check identifier: %w", err)
		}
		if taken {
			verr.Add("identifier", ErrIdentifierTaken.Error())
		}
	}

	if number == "" {
		return nil
	}
	inScope := scope.All
	if !inScope {
		err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM perimeters WHERE user_id = ? AND siret = ?)`,
			scope.UserID, number).Scan(&inScope)
		if err != nil {
			return fmt.Errorf("accounts: check perimeter: %w", err)
		}
	} else {
		err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM establishments WHERE siret = ?)`, number).Scan(&inScope)
		if err != nil {
			return fmt.Errorf("accounts: check establishment: %w", err)
		}
	}
	if !inScope {
		verr.Add("siret", msgSIRETOutsidePerimeter)
		return nil
	}

	var holder string
	err := q.QueryRowContext(ctx, `SELECT identifier FROM api_accounts WHERE siret = ? AND deleted_at IS NULL`, number).Scan(&holder)
	if err == nil {
		verr.Add("siret", fmt.Errorf(msgSIRETTaken, holder).Error())
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("accounts: check SIRET: %w", err)
	}
	return nil
}

// uniqueViolation turns a unique-index failure of the insert into the field
// error the user can act on. The checks inside the transaction make this
// path rare; it remains the last guard.
func (s *Store) uniqueViolation(ctx context.Context, err error, number string, verr validation.Errors) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE") && strings.Contains(msg, "api_accounts.siret"):
		verr.Add("siret", msgSIRETJustTaken)
		return verr
	case strings.Contains(msg, "UNIQUE") && strings.Contains(msg, "api_accounts.identifier"):
		verr.Add("identifier", ErrIdentifierTaken.Error())
		return verr
	}
	return err
}

// SIRETChoice is an establishment of the scope offered in the creation form.
type SIRETChoice struct {
	SIRET             string
	CompanyName       string
	Label             string
	AccountIdentifier string // the live account of the SIRET, or empty when it has none
}

// Available reports whether a new account can be created on the SIRET.
func (c SIRETChoice) Available() bool { return c.AccountIdentifier == "" }

// SIRETChoices returns the establishments of the scope, ordered by company
// and SIRET, each with the identifier of its live account if it has one.
func (s *Store) SIRETChoices(ctx context.Context, scope Scope) ([]SIRETChoice, error) {
	query := `
		SELECT e.siret, c.name, e.label, COALESCE(a.identifier, '')
		FROM establishments e
		JOIN companies c ON c.siren = e.siren
		LEFT JOIN api_accounts a ON a.siret = e.siret AND a.deleted_at IS NULL`
	var args []any
	if !scope.All {
		query += ` JOIN perimeters p ON p.siret = e.siret AND p.user_id = ?`
		args = append(args, scope.UserID)
	}
	query += ` ORDER BY c.name, e.siret`

	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("accounts: SIRET choices: %w", err)
	}
	defer rows.Close()

	var choices []SIRETChoice
	for rows.Next() {
		var c SIRETChoice
		if err := rows.Scan(&c.SIRET, &c.CompanyName, &c.Label, &c.AccountIdentifier); err != nil {
			return nil, fmt.Errorf("accounts: SIRET choices: %w", err)
		}
		choices = append(choices, c)
	}
	return choices, rows.Err()
}
