// Package db opens the console's SQLite database, applies its embedded
// migrations and runs transactions.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver, pure Go
)

// dsnParams are applied by the driver to every pooled connection.
//
// busy_timeout makes a writer wait up to 5 s for the lock instead of failing
// at once. _txlock=immediate starts every transaction with BEGIN IMMEDIATE,
// so two read-then-write transactions queue on the write lock rather than
// both reading and one failing with SQLITE_BUSY when it tries to write.
// _time_format=sqlite writes time.Time values in a text form that sorts in
// time order as long as every value is UTC.
var dsnParams = url.Values{
	"_pragma": {
		"busy_timeout(5000)",
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"synchronous(NORMAL)",
	},
	"_txlock":      {"immediate"},
	"_time_format": {"sqlite"},
}

// maxOpenConns bounds the pool: SQLite has a single writer, and more
// connections than this only add lock waits.
const maxOpenConns = 8

// Open opens the database file at path, creating its directory (mode 0750)
// and the file when missing, and applies the pending migrations. The caller
// closes the returned pool.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("db: empty database path")
	}

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("db: create data directory %s: %w", dir, err)
	}

	if err := registerFoldFunction(); err != nil {
		return nil, fmt.Errorf("db: register fold(): %w", err)
	}

	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + dsnParams.Encode()
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	pool.SetMaxOpenConns(maxOpenConns)

	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}

	if err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// InTx runs fn in a transaction and commits it when fn returns nil. Any error
// from fn, or a panic, rolls the transaction back, so nothing is
// half-written.
func InTx(ctx context.Context, pool *sql.DB, fn func(tx *sql.Tx) error) (err error) {
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin transaction: %w", err)
	}

	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()

	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("db: commit transaction: %w", err)
	}
	return nil
}
