package accounts_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/password"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// createPassword meets the password policy.
const createPassword = "Colis-Poste-2026!"

// validNewAccount returns an input that Create accepts for the demo
// correspondant, because the La Poste establishment has no account yet.
func validNewAccount() accounts.NewAccount {
	return accounts.NewAccount{
		Identifier:           "poste-colis",
		Email:                "api@poste-demo.example",
		SIRET:                demo.LaPosteSIRET,
		Password:             createPassword,
		PasswordConfirmation: createPassword,
	}
}

func TestCreateStoresAccount(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()
	correspondant := userID(t, pool, demo.CorrespondantLogin)
	scope := accounts.PerimeterOf(correspondant)

	// The business time has a fraction of a second and another zone, and
	// Create stores it in UTC, truncated to the second.
	now := time.Date(2026, 12, 5, 9, 30, 15, 500_000_000, time.FixedZone("CET", 3600))
	wantTime := time.Date(2026, 12, 5, 8, 30, 15, 0, time.UTC)

	cases := []struct {
		name      string
		input     accounts.NewAccount
		wantIdent string
		wantEmail string
		wantSIRET string
		wantLabel string
		wantName  string
	}{
		{
			name: "La Poste by exception",
			input: accounts.NewAccount{
				Identifier:           "  poste-colis  ",
				Email:                "API@Poste-Demo.EXAMPLE",
				SIRET:                demo.LaPosteSIRET,
				Password:             createPassword,
				PasswordConfirmation: createPassword,
			},
			wantIdent: "poste-colis",
			wantEmail: "API@poste-demo.example",
			wantSIRET: "35600000009075",
			wantLabel: "Plateforme colis de démonstration",
			wantName:  "La Poste",
		},
		{
			name: "grouped SIRET",
			input: accounts.NewAccount{
				Identifier:           "Boreal-Grenoble",
				Email:                "api-grenoble@atelier-boreal.example",
				SIRET:                "812 345 676 00033",
				Password:             createPassword,
				PasswordConfirmation: createPassword,
			},
			wantIdent: "Boreal-Grenoble",
			wantEmail: "api-grenoble@atelier-boreal.example",
			wantSIRET: "81234567600033",
			wantLabel: "Atelier, Grenoble",
			wantName:  "Atelier Boréal",
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.Create(ctx, scope, correspondant, now, tc.input)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}

			if got.ID == 0 {
				t.Errorf("ID: got 0, want the new row id")
			}
			if got.Identifier != tc.wantIdent {
				t.Errorf("Identifier: got %q, want %q", got.Identifier, tc.wantIdent)
			}
			if got.Email != tc.wantEmail {
				t.Errorf("Email: got %q, want %q", got.Email, tc.wantEmail)
			}
			if got.SIRET != tc.wantSIRET {
				t.Errorf("SIRET: got %q, want %q", got.SIRET, tc.wantSIRET)
			}
			if got.EstablishmentLabel != tc.wantLabel {
				t.Errorf("EstablishmentLabel: got %q, want %q", got.EstablishmentLabel, tc.wantLabel)
			}
			if got.CompanyName != tc.wantName {
				t.Errorf("CompanyName: got %q, want %q", got.CompanyName, tc.wantName)
			}
			if got.Status != accounts.StatusRed {
				t.Errorf("Status: got %q, want %q", got.Status, accounts.StatusRed)
			}
			if got.Version != 1 {
				t.Errorf("Version: got %d, want 1", got.Version)
			}
			if !got.PasswordChangedAt.Equal(wantTime) {
				t.Errorf("PasswordChangedAt: got %v, want %v", got.PasswordChangedAt, wantTime)
			}
			if !got.CreatedAt.Equal(wantTime) {
				t.Errorf("CreatedAt: got %v, want %v", got.CreatedAt, wantTime)
			}
			if !got.UpdatedAt.Equal(wantTime) {
				t.Errorf("UpdatedAt: got %v, want %v", got.UpdatedAt, wantTime)
			}

			var hash string
			var createdBy sql.NullInt64
			var deletedAt sql.NullTime
			err = pool.QueryRowContext(ctx,
				`SELECT password_hash, created_by, deleted_at FROM api_accounts WHERE id = ?`, got.ID,
			).Scan(&hash, &createdBy, &deletedAt)
			if err != nil {
				t.Fatalf("read stored row: %v", err)
			}
			if !strings.HasPrefix(hash, "$argon2id$") {
				t.Errorf("password_hash: got %q, want an argon2id hash starting with $argon2id$", hash)
			}
			if strings.Contains(hash, createPassword) {
				t.Errorf("password_hash: got %q, want it not to contain the password", hash)
			}
			match, _, err := password.Verify(createPassword, hash)
			if err != nil {
				t.Errorf("password.Verify on the stored hash: %v", err)
			}
			if !match {
				t.Errorf("password.Verify on the stored hash: got false, want true")
			}
			if createdBy.Int64 != correspondant {
				t.Errorf("created_by: got %v, want %d", createdBy, correspondant)
			}
			if deletedAt.Valid {
				t.Errorf("deleted_at: got %v, want NULL", deletedAt.Time)
			}

			stored, err := store.Get(ctx, scope, got.ID)
			if err != nil {
				t.Fatalf("Get(%d): %v", got.ID, err)
			}
			if stored != got {
				t.Errorf("Get(%d): got %+v, want %+v as returned by Create", got.ID, stored, got)
			}
		})
	}
}

func TestCreateRejectsInput(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()
	correspondant := userID(t, pool, demo.CorrespondantLogin)
	scope := accounts.PerimeterOf(correspondant)
	weakPassword := password.Check("court").Message()

	// want maps each field key expected in the validation.Errors to a text
	// that its message must contain.
	cases := []struct {
		name string
		edit func(in *accounts.NewAccount)
		want map[string]string
	}{
		{
			name: "empty identifier",
			edit: func(in *accounts.NewAccount) { in.Identifier = " " },
			want: map[string]string{"identifier": accounts.ErrIdentifierEmpty.Error()},
		},
		{
			name: "short identifier",
			edit: func(in *accounts.NewAccount) { in.Identifier = "ab" },
			want: map[string]string{"identifier": accounts.ErrIdentifierLength.Error()},
		},
		{
			name: "accented identifier",
			edit: func(in *accounts.NewAccount) { in.Identifier = "poste-été" },
			want: map[string]string{"identifier": accounts.ErrIdentifierCharset.Error()},
		},
		{
			name: "identifier taken",
			edit: func(in *accounts.NewAccount) { in.Identifier = "boreal-siege" },
			want: map[string]string{"identifier": accounts.ErrIdentifierTaken.Error()},
		},
		{
			name: "identifier taken in other case",
			edit: func(in *accounts.NewAccount) { in.Identifier = "Boreal-Siege" },
			want: map[string]string{"identifier": accounts.ErrIdentifierTaken.Error()},
		},
		{
			name: "empty e-mail",
			edit: func(in *accounts.NewAccount) { in.Email = "" },
			want: map[string]string{"email": "Saisissez une adresse"},
		},
		{
			name: "invalid e-mail",
			edit: func(in *accounts.NewAccount) { in.Email = "api-poste.example" },
			want: map[string]string{"email": "pas valide"},
		},
		{
			name: "empty SIRET",
			edit: func(in *accounts.NewAccount) { in.SIRET = "" },
			want: map[string]string{"siret": "Sélectionnez l’établissement"},
		},
		{
			name: "SIRET of 13 digits",
			edit: func(in *accounts.NewAccount) { in.SIRET = "8123456760001" },
			want: map[string]string{"siret": "14 chiffres"},
		},
		{
			name: "SIRET checksum",
			edit: func(in *accounts.NewAccount) { in.SIRET = "81234567600018" },
			want: map[string]string{"siret": "clé de contrôle"},
		},
		{
			name: "SIRET of other company",
			edit: func(in *accounts.NewAccount) { in.SIRET = "82345678500018" },
			want: map[string]string{"siret": "périmètre"},
		},
		{
			name: "SIRET with account",
			edit: func(in *accounts.NewAccount) { in.SIRET = "812 345 676 00017" },
			want: map[string]string{"siret": "«\u00a0boreal-siege\u00a0»"},
		},
		{
			name: "weak password",
			edit: func(in *accounts.NewAccount) {
				in.Password = "court"
				in.PasswordConfirmation = "court"
			},
			want: map[string]string{"password": weakPassword},
		},
		{
			name: "empty confirmation",
			edit: func(in *accounts.NewAccount) { in.PasswordConfirmation = "" },
			want: map[string]string{"password_confirmation": "Confirmez le mot de passe"},
		},
		{
			name: "confirmation mismatch",
			edit: func(in *accounts.NewAccount) { in.PasswordConfirmation = createPassword + "x" },
			want: map[string]string{"password_confirmation": "pas identiques"},
		},
		{
			name: "several faulty fields",
			edit: func(in *accounts.NewAccount) {
				in.Identifier = "Boreal-Roissy"
				in.Email = "api@"
				in.SIRET = "82345678500026"
				in.Password = "court"
				in.PasswordConfirmation = "courte"
			},
			want: map[string]string{
				"identifier":            accounts.ErrIdentifierTaken.Error(),
				"email":                 "pas valide",
				"siret":                 "périmètre",
				"password":              weakPassword,
				"password_confirmation": "pas identiques",
			},
		},
		{
			name: "every field empty",
			edit: func(in *accounts.NewAccount) { *in = accounts.NewAccount{} },
			want: map[string]string{
				"identifier":            accounts.ErrIdentifierEmpty.Error(),
				"email":                 "Saisissez une adresse",
				"siret":                 "Sélectionnez l’établissement",
				"password":              "Saisissez le mot de passe",
				"password_confirmation": "Confirmez le mot de passe",
			},
		},
	}

	rowsBefore := countRows(t, pool, `SELECT COUNT(*) FROM api_accounts`)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := validNewAccount()
			tc.edit(&in)

			got, err := store.Create(ctx, scope, correspondant, demoNow, in)
			fields := validationFields(t, err)

			for key, text := range tc.want {
				message, ok := fields[key]
				if !ok {
					t.Errorf("Fields[%q]: missing, want a message containing %q", key, text)
					continue
				}
				if !strings.Contains(message, text) {
					t.Errorf("Fields[%q]: got %q, want a message containing %q", key, message, text)
				}
			}
			if keys, want := sortedKeys(fields), sortedKeys(tc.want); !slices.Equal(keys, want) {
				t.Errorf("field keys: got %v, want %v", keys, want)
			}
			if got != (accounts.Account{}) {
				t.Errorf("account: got %+v, want the zero Account", got)
			}
			if rows := countRows(t, pool, `SELECT COUNT(*) FROM api_accounts`); rows != rowsBefore {
				t.Errorf("api_accounts rows: got %d, want %d", rows, rowsBefore)
			}
		})
	}
}

func TestCreateAllScope(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()
	admin := userID(t, pool, demo.AdminLogin)
	all := accounts.Scope{UserID: admin, All: true}

	t.Run("unknown SIRET", func(t *testing.T) {
		in := validNewAccount()
		in.SIRET = testSIRET(t, 17)

		_, err := store.Create(ctx, all, admin, demoNow, in)
		fields := validationFields(t, err)
		if !strings.Contains(fields["siret"], "périmètre") {
			t.Errorf(`Fields["siret"]: got %q, want the message about the perimeter`, fields["siret"])
		}
		if keys := sortedKeys(fields); !slices.Equal(keys, []string{"siret"}) {
			t.Errorf("field keys: got %v, want [siret]", keys)
		}
	})

	t.Run("known SIRET", func(t *testing.T) {
		got, err := store.Create(ctx, all, admin, demoNow, validNewAccount())
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if got.SIRET != demo.LaPosteSIRET {
			t.Errorf("SIRET: got %q, want %q", got.SIRET, demo.LaPosteSIRET)
		}
	})
}

func TestCreateAfterDeletion(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()
	correspondant := userID(t, pool, demo.CorrespondantLogin)
	scope := accounts.PerimeterOf(correspondant)
	mustExec(t, pool, `UPDATE api_accounts SET deleted_at = ? WHERE identifier = 'boreal-roissy'`, demoNow)

	t.Run("identifier stays taken", func(t *testing.T) {
		in := validNewAccount()
		in.Identifier = "BOREAL-ROISSY"

		_, err := store.Create(ctx, scope, correspondant, demoNow, in)
		fields := validationFields(t, err)
		if fields["identifier"] != accounts.ErrIdentifierTaken.Error() {
			t.Errorf(`Fields["identifier"]: got %q, want %q`, fields["identifier"], accounts.ErrIdentifierTaken.Error())
		}
	})

	t.Run("SIRET is free again", func(t *testing.T) {
		in := validNewAccount()
		in.Identifier = "boreal-roissy-2"
		in.SIRET = "81234567600025"

		got, err := store.Create(ctx, scope, correspondant, demoNow, in)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if got.SIRET != "81234567600025" {
			t.Errorf("SIRET: got %q, want 81234567600025", got.SIRET)
		}
		rows := countRows(t, pool, `SELECT COUNT(*) FROM api_accounts WHERE siret = '81234567600025'`)
		if rows != 2 {
			t.Errorf("rows for the SIRET, deleted one included: got %d, want 2", rows)
		}
	})
}

func TestCreateConcurrentSameSIRET(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()
	correspondant := userID(t, pool, demo.CorrespondantLogin)
	scope := accounts.PerimeterOf(correspondant)

	const workers = 20
	created := make([]accounts.Account, workers)
	errs := make([]error, workers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			in := validNewAccount()
			in.Identifier = fmt.Sprintf("poste-%02d", i)
			<-start
			created[i], errs[i] = store.Create(ctx, scope, correspondant, demoNow, in)
		})
	}
	close(start)
	wg.Wait()

	var winners []string
	for i, err := range errs {
		if err == nil {
			winners = append(winners, created[i].Identifier)
			continue
		}
		var verr validation.Errors
		if !errors.As(err, &verr) {
			t.Errorf("worker %d: got error %v (%T), want validation.Errors", i, err, err)
			continue
		}
		if keys := sortedKeys(map[string]string(verr)); !slices.Equal(keys, []string{"siret"}) {
			t.Errorf("worker %d field keys: got %v, want [siret]", i, keys)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("successful creations: got %d %v, want 1", len(winners), winners)
	}

	rows := countRows(t, pool, `SELECT COUNT(*) FROM api_accounts WHERE siret = ?`, demo.LaPosteSIRET)
	if rows != 1 {
		t.Errorf("api_accounts rows for %s: got %d, want 1", demo.LaPosteSIRET, rows)
	}
	var stored string
	err := pool.QueryRowContext(ctx, `SELECT identifier FROM api_accounts WHERE siret = ?`, demo.LaPosteSIRET).Scan(&stored)
	if err != nil {
		t.Fatalf("read stored identifier: %v", err)
	}
	if stored != winners[0] {
		t.Errorf("stored identifier: got %q, want %q", stored, winners[0])
	}
}
