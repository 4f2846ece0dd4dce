// Package demo loads the demo data set: fictitious companies, their
// establishments, console users of every role and API accounts covering
// every status.
package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/password"
	"github.com/correspondant-entreprise/console/internal/siret"
)

// Password is the password of every demo console user.
const Password = "Demo-Console-2026!"

// The demo logins, one per role, and the correspondant of the second
// company, whose accounts lie outside the first correspondant's perimeter.
const (
	CorrespondantLogin      = "correspondant@demo.test"
	DouaneLogin             = "douane@demo.test"
	AdminLogin              = "admin@demo.test"
	OtherCorrespondantLogin = "correspondant.martel@demo.test"
)

// LaPosteSIRET is the La Poste establishment of the demo perimeter. It is
// valid only through the La Poste exception to the Luhn check and has no
// account yet.
const LaPosteSIRET = "35600000009075"

type company struct {
	siren string
	name  string
}

type establishment struct {
	siret string
	label string
}

var companies = []struct {
	company
	establishments []establishment
}{
	{company{"812345676", "Atelier Boréal"}, []establishment{
		{"81234567600017", "Siège, Lyon"},
		{"81234567600025", "Entrepôt, Roissy-en-France"},
		{"81234567600033", "Atelier, Grenoble"},
	}},
	{company{"051234565", "Comptoir des Épices Océanes"}, []establishment{
		{"05123456500011", "Entrepôt portuaire, Le Havre"},
	}},
	{company{"356000000", "La Poste"}, []establishment{
		{LaPosteSIRET, "Plateforme colis de démonstration"},
	}},
	{company{"823456785", "Vignobles Martel et Associés"}, []establishment{
		{"82345678500018", "Chai, Beaune"},
		{"82345678500026", "Entrepôt sous douane, Dijon"},
	}},
}

var users = []struct {
	login  string
	name   string
	roles  []string
	sirets []string
}{
	{CorrespondantLogin, "Camille Martin", []string{"correspondant"},
		[]string{"81234567600017", "81234567600025", "81234567600033", "05123456500011", LaPosteSIRET}},
	{DouaneLogin, "Paul Durand", []string{"douane"}, nil},
	{AdminLogin, "Sophie Lambert", []string{"admin"}, nil},
	{OtherCorrespondantLogin, "Louise Bernard", []string{"correspondant"},
		[]string{"82345678500018", "82345678500026"}},
}

// accounts cover the three statuses: no habilitation (red), a habilitation
// whose settings are missing (yellow), and one that needs none (green).
var accounts = []struct {
	identifier string
	email      string
	siret      string
	apis       []string
}{
	{"boreal-siege", "api-siege@atelier-boreal.example", "81234567600017", []string{"DELTAH7", "PNTS"}},
	{"boreal-roissy", "api-roissy@atelier-boreal.example", "81234567600025", nil},
	{"epices-havre", "douane-api@epices-oceanes.example", "05123456500011", []string{"PNTS"}},
	{"martel-beaune", "api@vignobles-martel.example", "82345678500018", []string{"PNTS"}},
	{"martel-dijon", "api-dijon@vignobles-martel.example", "82345678500026", nil},
}

// LoadIfEmpty loads the demo data set when the database has no console
// user, and reports whether it did. Everything is written in one
// transaction, so a failure leaves the database empty and the next start
// tries again.
func LoadIfEmpty(ctx context.Context, pool *sql.DB, now time.Time) (bool, error) {
	// Hash before the transaction: argon2id is slow on purpose.
	userHashes := make([]string, len(users))
	for i := range users {
		hash, err := password.Hash(Password)
		if err != nil {
			return false, fmt.Errorf("demo: hash password: %w", err)
		}
		userHashes[i] = hash
	}
	accountHashes := make([]string, len(accounts))
	for i := range accounts {
		pw, err := password.Generate()
		if err != nil {
			return false, fmt.Errorf("demo: generate account password: %w", err)
		}
		if accountHashes[i], err = password.Hash(pw); err != nil {
			return false, fmt.Errorf("demo: hash account password: %w", err)
		}
	}

	now = now.UTC().Truncate(time.Second)
	loaded := false
	err := db.InTx(ctx, pool, func(tx *sql.Tx) error {
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&count); err != nil {
			return fmt.Errorf("demo: count users: %w", err)
		}
		if count > 0 {
			return nil
		}

		if err := insertEstablishments(ctx, tx); err != nil {
			return err
		}
		userIDs, err := insertUsers(ctx, tx, userHashes, now)
		if err != nil {
			return err
		}
		if err := insertAccounts(ctx, tx, accountHashes, userIDs, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('demo_data', '1')
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`); err != nil {
			return fmt.Errorf("demo: mark database: %w", err)
		}
		loaded = true
		return nil
	})
	return loaded, err
}

func insertEstablishments(ctx context.Context, tx *sql.Tx) error {
	for _, c := range companies {
		if _, err := tx.ExecContext(ctx, `INSERT INTO companies (siren, name) VALUES (?, ?)`, c.siren, c.name); err != nil {
			return fmt.Errorf("demo: insert company %s: %w", c.siren, err)
		}
		for _, e := range c.establishments {
			if !siret.Valid(e.siret) {
				return fmt.Errorf("demo: SIRET %s fails the checksum", e.siret)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO establishments (siret, siren, label) VALUES (?, ?, ?)`,
				e.siret, c.siren, e.label)
			if err != nil {
				return fmt.Errorf("demo: insert establishment %s: %w", e.siret, err)
			}
		}
	}
	return nil
}

// insertUsers returns the new user ids by login.
func insertUsers(ctx context.Context, tx *sql.Tx, hashes []string, now time.Time) (map[string]int64, error) {
	ids := make(map[string]int64, len(users))
	for i, u := range users {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO users (login, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)`,
			u.login, u.name, hashes[i], now)
		if err != nil {
			return nil, fmt.Errorf("demo: insert user %s: %w", u.login, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("demo: insert user %s: %w", u.login, err)
		}
		ids[u.login] = id

		for _, role := range u.roles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, id, role); err != nil {
				return nil, fmt.Errorf("demo: add role %s to %s: %w", role, u.login, err)
			}
		}
		for _, number := range u.sirets {
			if _, err := tx.ExecContext(ctx, `INSERT INTO perimeters (user_id, siret) VALUES (?, ?)`, id, number); err != nil {
				return nil, fmt.Errorf("demo: add %s to the perimeter of %s: %w", number, u.login, err)
			}
		}
	}
	return ids, nil
}

func insertAccounts(ctx context.Context, tx *sql.Tx, hashes []string, userIDs map[string]int64, now time.Time) error {
	douane := userIDs[DouaneLogin]
	for i, a := range accounts {
		var creator int64
		for _, u := range users {
			for _, number := range u.sirets {
				if number == a.siret && creator == 0 {
					creator = userIDs[u.login]
				}
			}
		}

		res, err := tx.ExecContext(ctx, `
			INSERT INTO api_accounts (identifier, email, siret, password_hash, password_changed_at,
				created_at, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			a.identifier, a.email, a.siret, hashes[i], now, now, creator, now)
		if err != nil {
			return fmt.Errorf("demo: insert account %s: %w", a.identifier, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("demo: insert account %s: %w", a.identifier, err)
		}

		for _, code := range a.apis {
			_, err := tx.ExecContext(ctx,
				`INSERT INTO habilitations (account_id, api_code, granted_at, granted_by) VALUES (?, ?, ?, ?)`,
				id, code, now, douane)
			if err != nil {
				return fmt.Errorf("demo: grant %s to %s: %w", code, a.identifier, err)
			}
		}
	}
	return nil
}
