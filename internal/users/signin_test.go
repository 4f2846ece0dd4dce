package users_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/users"
)

// signInStart is the wall-clock time at which the sign-in tests begin.
var signInStart = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// signInFixture is a database with one user and a store whose clock the
// test moves by setting now.
type signInFixture struct {
	pool  *sql.DB
	store *users.Store
	user  users.User
	now   time.Time
}

// newSignInFixture creates a database holding one admin with the login and
// testPassword.
func newSignInFixture(t *testing.T, login string) *signInFixture {
	t.Helper()
	f := &signInFixture{pool: openDB(t), now: signInStart}
	f.store = users.NewStore(f.pool)
	f.store.Now = func() time.Time { return f.now }

	user, err := f.store.Create(context.Background(), users.NewUser{
		Login:       login,
		DisplayName: "Alice Martin",
		Password:    testPassword,
		Roles:       []users.Role{users.RoleAdmin},
	})
	if err != nil {
		t.Fatalf("Create %s: %v", login, err)
	}
	f.user = user
	return f
}

// clearFailures deletes every recorded sign-in failure.
func (f *signInFixture) clearFailures(t *testing.T) {
	t.Helper()
	if _, err := f.pool.ExecContext(context.Background(), `DELETE FROM login_failures`); err != nil {
		t.Fatalf("clear login_failures: %v", err)
	}
}

// checkUser compares every field of the user returned by Authenticate with
// the created user.
func checkUser(t *testing.T, got, want users.User) {
	t.Helper()
	if got.ID != want.ID {
		t.Errorf("ID: got %d, want %d", got.ID, want.ID)
	}
	if got.Login != want.Login {
		t.Errorf("Login: got %q, want %q", got.Login, want.Login)
	}
	if got.DisplayName != want.DisplayName {
		t.Errorf("DisplayName: got %q, want %q", got.DisplayName, want.DisplayName)
	}
	if !slices.Equal(got.Roles, []users.Role{users.RoleAdmin}) {
		t.Errorf("Roles: got %v, want [%s]", got.Roles, users.RoleAdmin)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("CreatedAt: got %v, want %v", got.CreatedAt, want.CreatedAt)
	}
}

// checkFailure checks an attempt rejected with ErrInvalidCredentials.
func checkFailure(t *testing.T, got users.User, result users.SignInResult, err error, wantFailures int, wantLocked bool) {
	t.Helper()
	if !errors.Is(err, users.ErrInvalidCredentials) {
		t.Errorf("error: got %v, want %v", err, users.ErrInvalidCredentials)
	}
	if got.ID != 0 {
		t.Errorf("user ID: got %d, want 0", got.ID)
	}
	if result.Failures != wantFailures {
		t.Errorf("Failures: got %d, want %d", result.Failures, wantFailures)
	}
	if result.NowLocked != wantLocked {
		t.Errorf("NowLocked: got %v, want %v", result.NowLocked, wantLocked)
	}
}

// checkLocked checks an attempt rejected with a *users.LockedError.
func checkLocked(t *testing.T, got users.User, result users.SignInResult, err error, wantUntil time.Time) {
	t.Helper()
	var locked *users.LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("error: got %v (%T), want *users.LockedError", err, err)
	}
	if !locked.Until.Equal(wantUntil) {
		t.Errorf("Until: got %v, want %v", locked.Until, wantUntil)
	}
	if locked.Until.Location() != time.UTC {
		t.Errorf("Until location: got %v, want UTC", locked.Until.Location())
	}
	if errors.Is(err, users.ErrInvalidCredentials) {
		t.Errorf("error: got %v, want no ErrInvalidCredentials while locked", err)
	}
	if got.ID != 0 {
		t.Errorf("user ID: got %d, want 0", got.ID)
	}
	if result != (users.SignInResult{}) {
		t.Errorf("result: got %+v, want the zero SignInResult", result)
	}
}

func TestAuthenticateSuccess(t *testing.T) {
	f := newSignInFixture(t, "alice.martin@demo.test")
	ctx := context.Background()

	for want := 1; want <= 2; want++ {
		got, result, err := f.store.Authenticate(ctx, "alice.martin@demo.test", "wrong password")
		checkFailure(t, got, result, err, want, false)
	}

	got, result, err := f.store.Authenticate(ctx, "alice.martin@demo.test", testPassword)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	checkUser(t, got, f.user)
	if result != (users.SignInResult{}) {
		t.Errorf("result: got %+v, want the zero SignInResult", result)
	}
	if n := countRows(t, f.pool, "login_failures"); n != 0 {
		t.Errorf("login_failures rows: got %d, want 0", n)
	}

	// The success cleared the failures, so the count restarts at 1.
	got, result, err = f.store.Authenticate(ctx, "alice.martin@demo.test", "wrong password")
	checkFailure(t, got, result, err, 1, false)
}

func TestAuthenticateLoginCase(t *testing.T) {
	f := newSignInFixture(t, "Alice.Martin@demo.test")
	ctx := context.Background()

	logins := []struct {
		name  string
		login string
	}{
		{"as created", "Alice.Martin@demo.test"},
		{"lower case", "alice.martin@demo.test"},
		{"upper case", "ALICE.MARTIN@DEMO.TEST"},
		{"surrounding spaces", "  alice.martin@Demo.Test\t"},
	}
	for _, tc := range logins {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := f.store.Authenticate(ctx, tc.login, testPassword)
			if err != nil {
				t.Fatalf("Authenticate(%q): %v", tc.login, err)
			}
			checkUser(t, got, f.user)
		})
	}

	t.Run("failures share one count", func(t *testing.T) {
		f.clearFailures(t)
		for i, tc := range logins {
			got, result, err := f.store.Authenticate(ctx, tc.login, "wrong password")
			checkFailure(t, got, result, err, i+1, false)
		}
	})
}

func TestAuthenticateRejects(t *testing.T) {
	f := newSignInFixture(t, "alice.martin@demo.test")
	ctx := context.Background()

	cases := []struct {
		name     string
		login    string
		password string
	}{
		{"unknown login", "bob.durand@demo.test", testPassword},
		{"wrong password", "alice.martin@demo.test", "Console-Test-2027!"},
		{"empty password", "alice.martin@demo.test", ""},
		{"empty login", "", testPassword},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.clearFailures(t)
			got, result, err := f.store.Authenticate(ctx, tc.login, tc.password)
			checkFailure(t, got, result, err, 1, false)
			if err != users.ErrInvalidCredentials {
				t.Errorf("error: got %v, want the bare ErrInvalidCredentials, so that callers cannot tell the causes apart", err)
			}
			if n := countRows(t, f.pool, "login_failures"); n != 1 {
				t.Errorf("login_failures rows: got %d, want 1", n)
			}
		})
	}
}

func TestAuthenticateLockout(t *testing.T) {
	cases := []struct {
		name  string
		login string
		known bool
	}{
		{"known login", "alice.martin@demo.test", true},
		{"unknown login", "bob.durand@demo.test", false},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newSignInFixture(t, "alice.martin@demo.test")
			ctx := context.Background()

			for i := 1; i <= users.MaxFailures; i++ {
				f.now = signInStart.Add(time.Duration(i) * 10 * time.Second)
				got, result, err := f.store.Authenticate(ctx, tc.login, "wrong password")
				checkFailure(t, got, result, err, i, i == users.MaxFailures)
			}
			until := f.now.Add(users.LockoutDuration)

			f.now = f.now.Add(time.Second)
			got, result, err := f.store.Authenticate(ctx, tc.login, testPassword)
			checkLocked(t, got, result, err, until)

			f.now = until.Add(-time.Second)
			got, result, err = f.store.Authenticate(ctx, tc.login, testPassword)
			checkLocked(t, got, result, err, until)

			// After the lockout the count starts again at 1, so neither the
			// failures before it nor the attempts during it still count.
			f.now = until
			got, result, err = f.store.Authenticate(ctx, tc.login, "wrong password")
			checkFailure(t, got, result, err, 1, false)

			got, result, err = f.store.Authenticate(ctx, tc.login, testPassword)
			if !tc.known {
				checkFailure(t, got, result, err, 2, false)
				return
			}
			if err != nil {
				t.Fatalf("Authenticate after the lockout: %v", err)
			}
			checkUser(t, got, f.user)
			if result != (users.SignInResult{}) {
				t.Errorf("result: got %+v, want the zero SignInResult", result)
			}
		})
	}
}

func TestAuthenticateSuccessResetsCount(t *testing.T) {
	f := newSignInFixture(t, "alice.martin@demo.test")
	ctx := context.Background()

	for i := 1; i < users.MaxFailures; i++ {
		got, result, err := f.store.Authenticate(ctx, "alice.martin@demo.test", "wrong password")
		checkFailure(t, got, result, err, i, false)
	}
	if _, _, err := f.store.Authenticate(ctx, "alice.martin@demo.test", testPassword); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	for i := 1; i < users.MaxFailures; i++ {
		got, result, err := f.store.Authenticate(ctx, "alice.martin@demo.test", "wrong password")
		checkFailure(t, got, result, err, i, false)
	}
}

func TestAuthenticateCorruptHash(t *testing.T) {
	f := newSignInFixture(t, "alice.martin@demo.test")
	ctx := context.Background()

	cases := []struct {
		name string
		hash string
	}{
		// Memory of 4 GiB, over the 256 MiB that Verify accepts, with a salt
		// and key that decode, so that only the bound stops the allocation.
		{"memory over bound", "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s"},
		{"memory over bound, salt not base64", "$argon2id$v=19$m=4194304,t=1,p=1$..."},
		{"truncated", "$argon2id$v=19$m=19456,t=2"},
		{"other version", "$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"empty", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.clearFailures(t)
			if _, err := f.pool.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, tc.hash, f.user.ID); err != nil {
				t.Fatalf("corrupt password_hash: %v", err)
			}

			got, result, err := f.store.Authenticate(ctx, "alice.martin@demo.test", testPassword)
			checkFailure(t, got, result, err, 1, false)
			if err == users.ErrInvalidCredentials {
				t.Errorf("error: got the bare ErrInvalidCredentials, want it wrapped with the stored hash problem")
			}
		})
	}
}

func TestAuthenticateNonASCIILogin(t *testing.T) {
	// SQLite's NOCASE folds ASCII letters only, so Create must store the
	// login lower-cased the way Authenticate lowers the typed one.
	f := newSignInFixture(t, "Élodie.Durand@demo.test")
	ctx := context.Background()

	logins := []struct {
		name  string
		login string
	}{
		{"as created", "Élodie.Durand@demo.test"},
		{"lower case", "élodie.durand@demo.test"},
	}
	for _, tc := range logins {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := f.store.Authenticate(ctx, tc.login, testPassword)
			if err != nil {
				t.Fatalf("Authenticate(%q): got %v, want the user %q signed in", tc.login, err, f.user.Login)
			}
			checkUser(t, got, f.user)
		})
	}
}

func TestUnlockClearsLockout(t *testing.T) {
	f := newSignInFixture(t, "alice.martin@demo.test")
	ctx := context.Background()
	for range users.MaxFailures {
		if _, _, err := f.store.Authenticate(ctx, "alice.martin@demo.test", "Mauvais-Mot-2026!"); !errors.Is(err, users.ErrInvalidCredentials) {
			t.Fatalf("wrong password: got %v", err)
		}
	}
	var locked *users.LockedError
	if _, _, err := f.store.Authenticate(ctx, "alice.martin@demo.test", testPassword); !errors.As(err, &locked) {
		t.Fatalf("before unlock: got %v, want a *LockedError", err)
	}

	cleared, err := f.store.Unlock(ctx, "Alice.Martin@demo.test")
	if err != nil || !cleared {
		t.Fatalf("Unlock: got (%v, %v), want (true, nil)", cleared, err)
	}
	if _, _, err := f.store.Authenticate(ctx, "alice.martin@demo.test", testPassword); err != nil {
		t.Errorf("after unlock: got %v, want nil", err)
	}
	if cleared, err := f.store.Unlock(ctx, "alice.martin@demo.test"); err != nil || cleared {
		t.Errorf("second Unlock: got (%v, %v), want (false, nil)", cleared, err)
	}
}
