package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded file named NNNN_description.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the embedded migrations sorted by version. It fails
// on a file name without a number or on two files with the same number, so a
// bad file is caught by the first test run rather than in production.
func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("db: list migrations: %w", err)
	}

	seen := make(map[int]string)
	var list []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		number, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(number)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("db: migration %s: name must start with a positive number and an underscore", base)
		}
		if other, dup := seen[version]; dup {
			return nil, fmt.Errorf("db: migrations %s and %s share version %d", other, base, version)
		}
		seen[version] = base

		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("db: read migration %s: %w", base, err)
		}
		list = append(list, migration{version: version, name: base, sql: string(body)})
	}

	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	return list, nil
}

// Migrate applies, in order and each in its own transaction, the embedded
// migrations that the database has not recorded yet. Migrations are forward
// only: a database that records a version this binary does not know is
// rejected, because an older binary cannot know what the newer schema needs.
func Migrate(ctx context.Context, pool *sql.DB) error {
	list, err := loadMigrations()
	if err != nil {
		return err
	}

	_, err = pool.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMP NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("db: create schema_migrations: %w", err)
	}

	var current int
	err = pool.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current)
	if err != nil {
		return fmt.Errorf("db: read schema version: %w", err)
	}
	if len(list) > 0 && current > list[len(list)-1].version {
		return fmt.Errorf("db: database schema version %d is newer than this binary's %d", current, list[len(list)-1].version)
	}

	for _, m := range list {
		if m.version <= current {
			continue
		}
		err := InTx(ctx, pool, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("db: apply migration %s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UTC())
			if err != nil {
				return fmt.Errorf("db: record migration %s: %w", m.name, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
