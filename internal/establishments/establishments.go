// Package establishments stores the companies (by SIREN) and their
// establishments (by SIRET) that console users act for.
package establishments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/correspondant-entreprise/console/internal/siret"
)

// ErrNotFound is returned when no establishment has the SIRET.
var ErrNotFound = errors.New("establishments: not found")

// Establishment is one site of a company.
type Establishment struct {
	SIRET       string
	SIREN       string
	Label       string // the site's own name, such as "Entrepôt de Roissy"; may be empty
	CompanyName string
}

// Store reads and writes establishments and their companies.
type Store struct {
	db *sql.DB
}

// NewStore returns a Store on the database pool.
func NewStore(db *sql.DB) *Store {
	return &Store{db: db}
}

// Add records an establishment and its company, creating the company when
// its SIREN is new and renaming it otherwise. The SIRET is parsed and
// checked first, so any accepted input form is stored canonically.
func (s *Store) Add(ctx context.Context, companyName, siretInput, label string) (Establishment, error) {
	number, err := siret.Parse(siretInput)
	if err != nil {
		return Establishment{}, fmt.Errorf("establishments: SIRET %q: %w", siretInput, err)
	}
	companyName = strings.TrimSpace(companyName)
	if companyName == "" {
		return Establishment{}, errors.New("establishments: empty company name")
	}

	e := Establishment{
		SIRET:       number,
		SIREN:       siret.SIREN(number),
		Label:       strings.TrimSpace(label),
		CompanyName: companyName,
	}
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO companies (siren, name) VALUES (?, ?)
		ON CONFLICT (siren) DO UPDATE SET name = excluded.name`,
		e.SIREN, e.CompanyName)
	if err != nil {
		return Establishment{}, fmt.Errorf("establishments: save company %s: %w", e.SIREN, err)
	}
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO establishments (siret, siren, label) VALUES (?, ?, ?)
		ON CONFLICT (siret) DO UPDATE SET label = excluded.label`,
		e.SIRET, e.SIREN, e.Label)
	if err != nil {
		return Establishment{}, fmt.Errorf("establishments: save establishment %s: %w", e.SIRET, err)
	}
	return e, nil
}

// Get returns the establishment with the canonical SIRET, or ErrNotFound.
func (s *Store) Get(ctx context.Context, number string) (Establishment, error) {
	var e Establishment
	err := s.db.QueryRowContext(ctx, `
		SELECT e.siret, e.siren, e.label, c.name
		FROM establishments e JOIN companies c ON c.siren = e.siren
		WHERE e.siret = ?`, number).Scan(&e.SIRET, &e.SIREN, &e.Label, &e.CompanyName)
	if errors.Is(err, sql.ErrNoRows) {
		return Establishment{}, ErrNotFound
	}
	if err != nil {
		return Establishment{}, fmt.Errorf("establishments: get %s: %w", number, err)
	}
	return e, nil
}
