package users_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/establishments"
	"github.com/correspondant-entreprise/console/internal/users"
)

// testPassword meets the password policy.
const testPassword = "Console-Test-2026!"

// createdAt is the creation time that Create stores, which is the time of
// the fake clock of newStore truncated to the second.
var createdAt = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// openDB opens an empty database with every migration applied, in a file
// removed after the test.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	pool, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatalf("db.Open: %v", err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

// newStore returns a Store whose clock is stopped at createdAt plus 700 ms,
// so that Create has a fraction of a second to truncate.
func newStore(pool *sql.DB) *users.Store {
	store := users.NewStore(pool)
	store.Now = func() time.Time { return createdAt.Add(700 * time.Millisecond) }
	return store
}

// addEstablishment records an establishment of Atelier Boréal.
func addEstablishment(t *testing.T, pool *sql.DB, number string) {
	t.Helper()
	if _, err := establishments.NewStore(pool).Add(context.Background(), "Atelier Boréal", number, ""); err != nil {
		t.Fatalf("add establishment %s: %v", number, err)
	}
}

// countRows returns the number of rows in the table.
func countRows(t *testing.T, pool *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count rows of %s: %v", table, err)
	}
	return n
}

func TestCreate(t *testing.T) {
	pool := openDB(t)
	store := newStore(pool)
	ctx := context.Background()
	addEstablishment(t, pool, "81234567600017")

	got, err := store.Create(ctx, users.NewUser{
		Login:       "  Alice.Martin@Demo.TEST ",
		DisplayName: "  Alice Martin ",
		Password:    testPassword,
		Roles:       []users.Role{users.RoleDouane, users.RoleCorrespondant, users.RoleDouane},
		SIRETs:      []string{"812 345 676 00017", "81234567600017"},
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}

	t.Run("returned user", func(t *testing.T) {
		if got.ID == 0 {
			t.Errorf("ID: got 0, want the new row id")
		}
		if got.Login != "alice.martin@demo.test" {
			t.Errorf("Login: got %q, want %q", got.Login, "alice.martin@demo.test")
		}
		if got.DisplayName != "Alice Martin" {
			t.Errorf("DisplayName: got %q, want %q", got.DisplayName, "Alice Martin")
		}
		wantRoles := []users.Role{users.RoleDouane, users.RoleCorrespondant}
		if !slices.Equal(got.Roles, wantRoles) {
			t.Errorf("Roles: got %v, want %v", got.Roles, wantRoles)
		}
		if !got.CreatedAt.Equal(createdAt) {
			t.Errorf("CreatedAt: got %v, want %v", got.CreatedAt, createdAt)
		}
	})

	t.Run("Get", func(t *testing.T) {
		stored, err := store.Get(ctx, got.ID)
		if err != nil {
			t.Fatalf("Get(%d): %v", got.ID, err)
		}
		if stored.ID != got.ID {
			t.Errorf("ID: got %d, want %d", stored.ID, got.ID)
		}
		if stored.Login != "alice.martin@demo.test" {
			t.Errorf("Login: got %q, want %q", stored.Login, "alice.martin@demo.test")
		}
		if stored.DisplayName != "Alice Martin" {
			t.Errorf("DisplayName: got %q, want %q", stored.DisplayName, "Alice Martin")
		}
		wantRoles := []users.Role{users.RoleCorrespondant, users.RoleDouane}
		if !slices.Equal(stored.Roles, wantRoles) {
			t.Errorf("Roles: got %v, want %v", stored.Roles, wantRoles)
		}
		if !stored.CreatedAt.Equal(createdAt) {
			t.Errorf("CreatedAt: got %v, want %v", stored.CreatedAt, createdAt)
		}
		if !stored.Has(users.RoleCorrespondant) {
			t.Errorf("Has(%s): got false, want true", users.RoleCorrespondant)
		}
		if stored.Has(users.RoleAdmin) {
			t.Errorf("Has(%s): got true, want false", users.RoleAdmin)
		}
	})

	t.Run("stored rows", func(t *testing.T) {
		var hash string
		err := pool.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, got.ID).Scan(&hash)
		if err != nil {
			t.Fatalf("read password_hash: %v", err)
		}
		if !strings.HasPrefix(hash, "$argon2id$") {
			t.Errorf("password_hash: got %q, want an argon2id hash starting with $argon2id$", hash)
		}
		if strings.Contains(hash, testPassword) {
			t.Errorf("password_hash: got %q, want it not to contain the password", hash)
		}

		var perimeter []string
		rows, err := pool.QueryContext(ctx, `SELECT siret FROM perimeters WHERE user_id = ? ORDER BY siret`, got.ID)
		if err != nil {
			t.Fatalf("read perimeter: %v", err)
		}
		defer rows.Close()
		for rows.Next() {
			var number string
			if err := rows.Scan(&number); err != nil {
				t.Fatalf("read perimeter: %v", err)
			}
			perimeter = append(perimeter, number)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read perimeter: %v", err)
		}
		if !slices.Equal(perimeter, []string{"81234567600017"}) {
			t.Errorf("perimeter: got %v, want [81234567600017]", perimeter)
		}

		n, err := store.Count(ctx)
		if err != nil {
			t.Fatalf("Count: %v", err)
		}
		if n != 1 {
			t.Errorf("Count: got %d, want 1", n)
		}
	})
}

func TestCreateDuplicateLogin(t *testing.T) {
	pool := openDB(t)
	store := newStore(pool)
	ctx := context.Background()
	first := users.NewUser{
		Login:       "Alice.Martin@demo.test",
		DisplayName: "Alice Martin",
		Password:    testPassword,
		Roles:       []users.Role{users.RoleAdmin},
	}
	if _, err := store.Create(ctx, first); err != nil {
		t.Fatalf("Create first user: %v", err)
	}

	logins := []struct {
		name  string
		login string
	}{
		{"same login", "Alice.Martin@demo.test"},
		{"lower case", "alice.martin@demo.test"},
		{"upper case", "ALICE.MARTIN@DEMO.TEST"},
		{"surrounding spaces", "  alice.martin@Demo.Test  "},
	}
	for _, tc := range logins {
		t.Run(tc.name, func(t *testing.T) {
			in := first
			in.Login = tc.login
			got, err := store.Create(ctx, in)
			if !errors.Is(err, users.ErrDuplicate) {
				t.Errorf("Create(%q) error: got %v, want %v", tc.login, err, users.ErrDuplicate)
			}
			if got.ID != 0 {
				t.Errorf("Create(%q) ID: got %d, want 0", tc.login, got.ID)
			}
			if n := countRows(t, pool, "users"); n != 1 {
				t.Errorf("users rows: got %d, want 1", n)
			}
			if n := countRows(t, pool, "user_roles"); n != 1 {
				t.Errorf("user_roles rows: got %d, want 1", n)
			}
		})
	}
}

func TestCreateRejectsInput(t *testing.T) {
	pool := openDB(t)
	store := newStore(pool)
	ctx := context.Background()
	addEstablishment(t, pool, "81234567600017")

	valid := users.NewUser{
		Login:       "alice.martin@demo.test",
		DisplayName: "Alice Martin",
		Password:    testPassword,
		Roles:       []users.Role{users.RoleCorrespondant},
		SIRETs:      []string{"81234567600017"},
	}

	// wantText is a part of the error message that names the faulty value.
	cases := []struct {
		name     string
		edit     func(in *users.NewUser)
		wantText string
	}{
		{"login not an address", func(in *users.NewUser) { in.Login = "alice.martin" }, `"alice.martin"`},
		{"empty login", func(in *users.NewUser) { in.Login = "" }, "login"},
		{"empty display name", func(in *users.NewUser) { in.DisplayName = "  " }, "display name"},
		{"no role", func(in *users.NewUser) { in.Roles = nil }, "role"},
		{"unknown role", func(in *users.NewUser) { in.Roles = []users.Role{"superviseur"} }, "superviseur"},
		{"weak password", func(in *users.NewUser) { in.Password = "court" }, "password"},
		{"SIRET of 13 digits", func(in *users.NewUser) { in.SIRETs = []string{"8123456760001"} }, `"8123456760001"`},
		{"SIRET checksum", func(in *users.NewUser) { in.SIRETs = []string{"81234567600018"} }, `"81234567600018"`},
		{"unknown SIRET", func(in *users.NewUser) { in.SIRETs = []string{"81234567600017", "90123456600171"} }, "90123456600171"},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := valid
			tc.edit(&in)

			got, err := store.Create(ctx, in)
			if err == nil {
				t.Fatalf("Create: got user %+v, want an error", got)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("Create error: got %q, want it to contain %q", err, tc.wantText)
			}
			if got.ID != 0 {
				t.Errorf("Create ID: got %d, want 0", got.ID)
			}
			for _, table := range []string{"users", "user_roles", "perimeters"} {
				if n := countRows(t, pool, table); n != 0 {
					t.Errorf("%s rows: got %d, want 0", table, n)
				}
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	store := newStore(openDB(t))

	got, err := store.Get(context.Background(), 42)
	if !errors.Is(err, users.ErrNotFound) {
		t.Errorf("Get(42) error: got %v, want %v", err, users.ErrNotFound)
	}
	if got.ID != 0 {
		t.Errorf("Get(42) ID: got %d, want 0", got.ID)
	}
}

func TestAddToPerimeter(t *testing.T) {
	ctx := context.Background()
	pool := openDB(t)
	addEstablishment(t, pool, "73282932000074")
	addEstablishment(t, pool, "81234567600017")
	store := newStore(pool)
	u, err := store.Create(ctx, users.NewUser{
		Login: "chef@exemple.fr", DisplayName: "Chef", Password: "Mot-De-Passe-2026!",
		Roles: []users.Role{users.RoleCorrespondant}, SIRETs: []string{"73282932000074"},
	})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}

	if err := store.AddToPerimeter(ctx, "Chef@Exemple.fr", []string{"812 345 676 00017", "73282932000074"}); err != nil {
		t.Fatalf("AddToPerimeter: %v", err)
	}
	var n int
	if err := pool.QueryRow(`SELECT COUNT(*) FROM perimeters WHERE user_id = ?`, u.ID).Scan(&n); err != nil {
		t.Fatalf("count perimeter: %v", err)
	}
	if n != 2 {
		t.Errorf("perimeter size: got %d, want 2", n)
	}

	if err := store.AddToPerimeter(ctx, "inconnu@exemple.fr", []string{"73282932000074"}); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("unknown login: got %v, want %v", err, users.ErrNotFound)
	}
	if err := store.AddToPerimeter(ctx, "chef@exemple.fr", []string{"35600000009075"}); err == nil {
		t.Error("an unknown establishment was added")
	}
}
