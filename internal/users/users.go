// Package users stores console users, their roles and their perimeters, and
// signs them in.
package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/email"
	"github.com/correspondant-entreprise/console/internal/password"
	"github.com/correspondant-entreprise/console/internal/siret"
)

// Role names a set of permissions of a console user.
type Role string

// The console roles.
const (
	// RoleCorrespondant manages the API accounts of the establishments in
	// the user's perimeter.
	RoleCorrespondant Role = "correspondant"
	// RoleDouane reviews habilitation and domain-opening requests of every
	// company, as the emulated customs service desk.
	RoleDouane Role = "douane"
	// RoleAdmin runs the emulation: users, clock and demo data.
	RoleAdmin Role = "admin"
)

// ParseRole returns the role named s, or an error naming the valid roles.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	switch r {
	case RoleCorrespondant, RoleDouane, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("users: unknown role %q (valid roles: correspondant, douane, admin)", s)
}

// Errors returned by the Store.
var (
	ErrNotFound  = errors.New("users: not found")
	ErrDuplicate = errors.New("users: login already taken")
)

// User is a console user.
type User struct {
	ID          int64
	Login       string
	DisplayName string
	Roles       []Role
	CreatedAt   time.Time
}

// Has reports whether the user holds the role.
func (u User) Has(r Role) bool {
	return slices.Contains(u.Roles, r)
}

// NewUser is the input of Store.Create.
type NewUser struct {
	Login       string // an e-mail address
	DisplayName string
	Password    string // checked against the password policy, then hashed
	Roles       []Role // at least one
	SIRETs      []string
}

// Store reads and writes console users.
type Store struct {
	db *sql.DB

	// Now returns the wall-clock time used for sign-in throttling. Sign-in
	// security follows real time, not the emulation clock, so that moving
	// the clock cannot lift a lockout.
	Now func() time.Time
}

// NewStore returns a Store on the database pool.
func NewStore(pool *sql.DB) *Store {
	return &Store{db: pool, Now: func() time.Time { return time.Now().UTC() }}
}

// Create checks the input, hashes the password and stores the user with its
// roles and perimeter in one transaction. Every SIRET must be valid and
// already known as an establishment. A login already in use, compared
// without case, returns ErrDuplicate.
func (s *Store) Create(ctx context.Context, in NewUser) (User, error) {
	login, err := email.Normalize(in.Login)
	if err != nil {
		return User{}, fmt.Errorf("users: login %q: %w", in.Login, err)
	}
	// Logins are stored in lower case, accented letters included, because
	// SQLite's NOCASE folds ASCII only and sign-in compares lower-cased.
	login = strings.ToLower(login)
	name := strings.TrimSpace(in.DisplayName)
	if name == "" {
		return User{}, errors.New("users: empty display name")
	}
	if len(in.Roles) == 0 {
		return User{}, errors.New("users: at least one role is required")
	}
	if check := password.Check(in.Password); !check.OK() {
		return User{}, fmt.Errorf("users: password does not meet the policy: %s", check.Message())
	}

	sirets := make([]string, 0, len(in.SIRETs))
	for _, input := range in.SIRETs {
		number, err := siret.Parse(input)
		if err != nil {
			return User{}, fmt.Errorf("users: SIRET %q: %w", input, err)
		}
		if !slices.Contains(sirets, number) {
			sirets = append(sirets, number)
		}
	}

	hash, err := password.Hash(in.Password)
	if err != nil {
		return User{}, fmt.Errorf("users: hash password: %w", err)
	}

	u := User{Login: login, DisplayName: name, CreatedAt: s.Now().UTC().Truncate(time.Second)}
	for _, r := range in.Roles {
		if !slices.Contains(u.Roles, r) {
			u.Roles = append(u.Roles, r)
		}
	}

	err = db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		var taken bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE login = ?)`, login).Scan(&taken)
		if err != nil {
			return fmt.Errorf("users: check login: %w", err)
		}
		if taken {
			return ErrDuplicate
		}

		res, err := tx.ExecContext(ctx,
			`INSERT INTO users (login, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)`,
			login, name, hash, u.CreatedAt)
		if err != nil {
			return fmt.Errorf("users: insert %s: %w", login, err)
		}
		if u.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("users: insert %s: %w", login, err)
		}

		for _, r := range u.Roles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, u.ID, string(r)); err != nil {
				return fmt.Errorf("users: add role %s: %w", r, err)
			}
		}
		for _, number := range sirets {
			var known bool
			err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM establishments WHERE siret = ?)`, number).Scan(&known)
			if err != nil {
				return fmt.Errorf("users: check establishment %s: %w", number, err)
			}
			if !known {
				return fmt.Errorf("users: establishment %s is unknown: add it first", number)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO perimeters (user_id, siret) VALUES (?, ?)`, u.ID, number); err != nil {
				return fmt.Errorf("users: add establishment %s to perimeter: %w", number, err)
			}
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// Get returns the user with the id and its roles, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.db.QueryRowContext(ctx,
		`SELECT id, login, display_name, created_at FROM users WHERE id = ?`, id,
	).Scan(&u.ID, &u.Login, &u.DisplayName, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("users: get %d: %w", id, err)
	}

	if u.Roles, err = s.roles(ctx, id); err != nil {
		return User{}, err
	}
	return u, nil
}

func (s *Store) roles(ctx context.Context, userID int64) ([]Role, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT role FROM user_roles WHERE user_id = ? ORDER BY role`, userID)
	if err != nil {
		return nil, fmt.Errorf("users: roles of %d: %w", userID, err)
	}
	defer rows.Close()

	var roles []Role
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("users: roles of %d: %w", userID, err)
		}
		roles = append(roles, Role(r))
	}
	return roles, rows.Err()
}

// Count returns the number of console users.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("users: count: %w", err)
	}
	return n, nil
}

// AddToPerimeter adds the establishments to the perimeter of the user with
// the login. Every SIRET must be valid and already known as an
// establishment; one already in the perimeter is skipped. It returns
// ErrNotFound for an unknown login and writes nothing on any error.
func (s *Store) AddToPerimeter(ctx context.Context, login string, sirets []string) error {
	numbers := make([]string, 0, len(sirets))
	for _, input := range sirets {
		number, err := siret.Parse(input)
		if err != nil {
			return fmt.Errorf("users: SIRET %q: %w", input, err)
		}
		numbers = append(numbers, number)
	}

	return db.InTx(ctx, s.db, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE login = ?`, strings.ToLower(strings.TrimSpace(login))).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("users: find %s: %w", login, err)
		}

		for _, number := range numbers {
			var known bool
			err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM establishments WHERE siret = ?)`, number).Scan(&known)
			if err != nil {
				return fmt.Errorf("users: check establishment %s: %w", number, err)
			}
			if !known {
				return fmt.Errorf("users: establishment %s is unknown: add it first", number)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO perimeters (user_id, siret) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, number)
			if err != nil {
				return fmt.Errorf("users: add establishment %s to perimeter: %w", number, err)
			}
		}
		return nil
	})
}
