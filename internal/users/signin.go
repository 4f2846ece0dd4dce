package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/password"
)

// Sign-in throttling: after MaxFailures consecutive failures on a login, the
// login is locked for LockoutDuration, whether or not a user has it.
const (
	MaxFailures     = 5
	LockoutDuration = 15 * time.Minute
)

// ErrInvalidCredentials is returned for an unknown login and for a wrong
// password alike, so a caller cannot tell them apart.
var ErrInvalidCredentials = errors.New("users: invalid login or password")

// LockedError is returned while a login is locked out.
type LockedError struct {
	Until time.Time // UTC instant at which sign-in attempts are accepted again
}

func (e *LockedError) Error() string {
	return "users: login locked until " + e.Until.Format(time.RFC3339)
}

// SignInResult is the outcome of an attempt, for the caller's logs.
type SignInResult struct {
	Failures  int  // consecutive failures recorded for the login, 0 after a success
	NowLocked bool // this attempt started a lockout
}

// Authenticate checks a login and password. It returns the user on success,
// ErrInvalidCredentials for an unknown login or a wrong password, and a
// *LockedError while the login is locked out, without checking the
// password. An unknown login is verified against a dummy hash, so that both
// failures take the same time, and counts toward the lockout like a known
// one, so that the lockout does not reveal which logins exist.
func (s *Store) Authenticate(ctx context.Context, login, pw string) (User, SignInResult, error) {
	key := strings.ToLower(strings.TrimSpace(login))
	now := s.Now().UTC()

	var lockedUntil sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT locked_until FROM login_failures WHERE login = ?`, key).Scan(&lockedUntil)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, SignInResult{}, fmt.Errorf("users: read sign-in failures: %w", err)
	}
	if lockedUntil.Valid && now.Before(lockedUntil.Time) {
		return User{}, SignInResult{}, &LockedError{Until: lockedUntil.Time.UTC()}
	}

	var id int64
	var hash string
	err = s.db.QueryRowContext(ctx, `SELECT id, password_hash FROM users WHERE login = ?`, key).Scan(&id, &hash)
	known := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, SignInResult{}, fmt.Errorf("users: read user: %w", err)
	}
	if !known {
		hash = password.DummyHash()
	}

	match, _, verifyErr := password.Verify(pw, hash)
	if known && match && verifyErr == nil {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE login = ?`, key); err != nil {
			return User{}, SignInResult{}, fmt.Errorf("users: clear sign-in failures: %w", err)
		}
		u, err := s.Get(ctx, id)
		return u, SignInResult{}, err
	}

	result, err := s.recordFailure(ctx, key, now)
	if err != nil {
		return User{}, SignInResult{}, err
	}
	if verifyErr != nil && known {
		// A stored hash that cannot be decoded is a data problem the
		// operator must see; the user still gets the generic message.
		return User{}, result, fmt.Errorf("%w: stored hash of user %d: %v", ErrInvalidCredentials, id, verifyErr)
	}
	return User{}, result, ErrInvalidCredentials
}

// recordFailure counts one more failure on the login and locks it when the
// count reaches MaxFailures. The count restarts after a lockout.
func (s *Store) recordFailure(ctx context.Context, key string, now time.Time) (SignInResult, error) {
	var result SignInResult
	err := db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO login_failures (login, failures, last_failure_at) VALUES (?, 1, ?)
			ON CONFLICT (login) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at
			RETURNING failures`, key, now).Scan(&result.Failures)
		if err != nil {
			return fmt.Errorf("users: record sign-in failure: %w", err)
		}
		if result.Failures < MaxFailures {
			return nil
		}

		result.NowLocked = true
		_, err = tx.ExecContext(ctx,
			`UPDATE login_failures SET failures = 0, locked_until = ? WHERE login = ?`,
			now.Add(LockoutDuration), key)
		if err != nil {
			return fmt.Errorf("users: lock login: %w", err)
		}
		return nil
	})
	return result, err
}

// Unlock clears the failures and any lockout of a login, known or not, so
// a trainer need not wait out a lockout. It reports whether there was
// anything to clear.
func (s *Store) Unlock(ctx context.Context, login string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE login = ?`, strings.ToLower(strings.TrimSpace(login)))
	if err != nil {
		return false, fmt.Errorf("users: unlock %s: %w", login, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
