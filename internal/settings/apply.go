package settings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/outbox"
	"github.com/correspondant-entreprise/console/internal/secrets"
)

// ApplyDue records every change whose effective time has come by now and
// that is neither cancelled nor recorded yet. For each, in its own
// transaction, it sets applied_at, journals that the value is in force and
// queues a notice to the account's e-mail and the correspondants of its
// SIRET. The applied_at condition makes each notice exactly-once, also when
// the clock jumps over several effective times or the console restarts. It
// returns the number of changes recorded and the errors of those it could
// not record, which stay due.
func (s *Store) ApplyDue(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT id FROM settings_changes
		WHERE cancelled_at IS NULL AND applied_at IS NULL AND effective_at <= ?
		ORDER BY effective_at, id LIMIT 500`, now.UTC())
	if err != nil {
		return 0, fmt.Errorf("settings: list due changes: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("settings: list due changes: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("settings: list due changes: %w", err)
	}

	// A change that fails, such as a token sealed with another key, must
	// not hold back the others: its error is returned with theirs and it
	// is tried again next round.
	applied := 0
	var errs []error
	for _, id := range ids {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		done, err := s.applyOne(ctx, id, now.UTC().Truncate(time.Second))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if done {
			applied++
		}
	}
	return applied, errors.Join(errs...)
}

// applyOne records one due change; false when another round recorded it
// first.
func (s *Store) applyOne(ctx context.Context, id int64, now time.Time) (bool, error) {
	done := false
	err := db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		var accountID int64
		var apiCode, key, stored, kind, label, identifier, siret string
		var effective time.Time
		err := tx.QueryRowContext(ctx, `
			SELECT c.account_id, c.api_code, c.field_key, c.value, c.effective_at, f.kind, f.label, a.identifier, a.siret
			FROM settings_changes c
			JOIN api_settings_fields f ON f.api_code = c.api_code AND f.key = c.field_key
			JOIN api_accounts a ON a.id = c.account_id
			WHERE c.id = ? AND c.cancelled_at IS NULL AND c.applied_at IS NULL`, id,
		).Scan(&accountID, &apiCode, &key, &stored, &effective, &kind, &label, &identifier, &siret)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("settings: read change %d: %w", id, err)
		}

		res, err := tx.ExecContext(ctx, `UPDATE settings_changes SET applied_at = ? WHERE id = ? AND applied_at IS NULL`, now, id)
		if err != nil {
			return fmt.Errorf("settings: record change %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}

		value, err := s.open(kind, accountID, apiCode, key, stored)
		shown := display(kind, value)
		if errors.Is(err, secrets.ErrCiphertext) {
			shown = UnreadableDisplay
		} else if err != nil {
			return fmt.Errorf("settings: decrypt change %d: %w", id, err)
		}

		_, err = journal.Record(ctx, tx, journal.Entry{
			At: effective, Action: ActionApplied,
			AccountID: accountID, AccountIdentifier: identifier, SIRET: siret, APICode: apiCode,
			Summary: fmt.Sprintf("Paramètre «\u00a0%s\u00a0» de %s pris en compte par la douane.", label, apiCode),
			After:   map[string]string{label: shown},
		})
		if err != nil {
			return err
		}

		recipients, err := outbox.AccountRecipients(ctx, tx, accountID)
		if err != nil {
			return err
		}
		subject := fmt.Sprintf("Paramètre pris en compte pour le compte API %s", identifier)
		body := fmt.Sprintf(mailChangeApplied, identifier, label, apiCode, shown, clock.ParisTime(effective))
		if err := outbox.Enqueue(ctx, tx, now, ActionApplied, recipients, subject, body, accountID, siret); err != nil {
			return err
		}
		done = true
		return nil
	})
	return done, err
}

// Worker records the changes taking effect in the background.
type Worker struct {
	Store    *Store
	Clock    clock.Clock
	Interval time.Duration       // time between rounds; 15 s when zero
	Logger   *slog.Logger        // slog.Default() when nil
	Mailer   interface{ Wake() } // woken after a round that queued e-mails; may be nil

	wake chan struct{}
}

// NewWorker returns a worker ready to Run.
func NewWorker(store *Store, c clock.Clock, logger *slog.Logger, mailer interface{ Wake() }) *Worker {
	return &Worker{Store: store, Clock: c, Logger: logger, Mailer: mailer, wake: make(chan struct{}, 1)}
}

// Wake starts a round now, for example after the clock moved. It never
// blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run records due changes every Interval, and at each Wake, until ctx is
// done. A failed round is logged and the next one runs as usual.
func (w *Worker) Run(ctx context.Context) {
	logger := w.Logger
	if logger == nil {
		logger = slog.Default()
	}
	interval := w.Interval
	if interval <= 0 {
		interval = 15 * time.Second
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	for {
		n, err := w.Store.ApplyDue(ctx, w.Clock.Now())
		if err != nil && ctx.Err() == nil {
			logger.Error("record settings taking effect", slog.Any("err", err))
		}
		if n > 0 {
			logger.Info("settings took effect", slog.Int("changes", n))
			if w.Mailer != nil {
				w.Mailer.Wake()
			}
		}

		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-w.wake:
		}
	}
}
