// Package habilitations handles the API catalog, the habilitation requests
// of API accounts, customs' decisions on them and the habilitations they
// grant or that customs later revokes.
package habilitations

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// API is an entry of the catalog of customs APIs.
type API struct {
	Code         string // DELTAH7, DELTAIE, GAMMA2, PNTS
	Label        string
	Description  string
	ContactEmail string
	Fields       []Field // the settings an account fills once habilitated
}

// Field is a settings field that an API requires from habilitated accounts.
type Field struct {
	Key      string
	Label    string
	Kind     string // "url", "token" or "text"
	Required bool
	Delay    time.Duration // maximum time the real system takes to apply a change
}

// Catalog returns the APIs in display order, each with its settings fields.
func (s *Store) Catalog(ctx context.Context) ([]API, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT code, label, description, contact_email FROM apis ORDER BY position, code`)
	if err != nil {
		return nil, fmt.Errorf("habilitations: read catalog: %w", err)
	}
	defer rows.Close()

	var apis []API
	index := map[string]int{}
	for rows.Next() {
		var a API
		if err := rows.Scan(&a.Code, &a.Label, &a.Description, &a.ContactEmail); err != nil {
			return nil, fmt.Errorf("habilitations: read catalog: %w", err)
		}
		index[a.Code] = len(apis)
		apis = append(apis, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("habilitations: read catalog: %w", err)
	}

	fields, err := s.db.QueryContext(ctx, `
		SELECT api_code, key, label, kind, required, propagation_delay_seconds
		FROM api_settings_fields ORDER BY api_code, position, key`)
	if err != nil {
		return nil, fmt.Errorf("habilitations: read settings fields: %w", err)
	}
	defer fields.Close()

	for fields.Next() {
		var code string
		var f Field
		var seconds int64
		if err := fields.Scan(&code, &f.Key, &f.Label, &f.Kind, &f.Required, &seconds); err != nil {
			return nil, fmt.Errorf("habilitations: read settings fields: %w", err)
		}
		f.Delay = time.Duration(seconds) * time.Second
		if i, ok := index[code]; ok {
			apis[i].Fields = append(apis[i].Fields, f)
		}
	}
	return apis, fields.Err()
}

// Store reads and writes habilitation requests and habilitations.
type Store struct {
	db *sql.DB
}

// NewStore returns a Store on the database pool.
func NewStore(pool *sql.DB) *Store {
	return &Store{db: pool}
}

// Actor is the console user who acts, as the journal names them.
type Actor struct {
	ID   int64
	Name string
}
