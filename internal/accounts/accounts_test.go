package accounts_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/demo"
)

// statusFixture writes habilitations and settings changes for one account.
type statusFixture struct {
	t       *testing.T
	pool    *sql.DB
	account int64
}

// grant inserts a live habilitation on the API and returns its id.
func (f statusFixture) grant(api string) int64 {
	f.t.Helper()
	res := mustExec(f.t, f.pool, `INSERT INTO habilitations (account_id, api_code, granted_at) VALUES (?, ?, ?)`,
		f.account, api, demoNow)
	id, err := res.LastInsertId()
	if err != nil {
		f.t.Fatalf("grant %s: %v", api, err)
	}
	return id
}

// revoke marks the habilitation revoked.
func (f statusFixture) revoke(habilitation int64) {
	f.t.Helper()
	mustExec(f.t, f.pool, `UPDATE habilitations SET revoked_at = ?, revoke_reason = 'test' WHERE id = ?`,
		demoNow.Add(time.Hour), habilitation)
}

// save inserts a settings value that takes effect at demoNow plus offset,
// so a positive offset leaves it pending at demoNow. The value is requested
// at demoNow, or at its effective time when that is earlier. A cancelled
// value gets cancelled_at.
func (f statusFixture) save(api, key string, offset time.Duration, cancelled bool) {
	f.t.Helper()
	effectiveAt := demoNow.Add(offset)
	requestedAt := demoNow
	if effectiveAt.Before(requestedAt) {
		requestedAt = effectiveAt
	}
	var cancelledAt sql.NullTime
	if cancelled {
		cancelledAt = sql.NullTime{Time: demoNow.Add(time.Minute), Valid: true}
	}
	mustExec(f.t, f.pool, `
		INSERT INTO settings_changes (account_id, api_code, field_key, value, requested_at, effective_at, cancelled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		f.account, api, key, "value of "+key, requestedAt, effectiveAt, cancelledAt)
}

func TestAccountStatus(t *testing.T) {
	pool := openDB(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()
	all := accounts.Scope{All: true}

	const future = 4 * time.Hour // the settings value is pending
	const past = -time.Hour      // the settings value is in force

	cases := []struct {
		name  string
		setup func(f statusFixture)
		want  accounts.Status
	}{
		{
			name:  "no habilitation",
			setup: func(f statusFixture) {},
			want:  accounts.StatusRed,
		},
		{
			name:  "DELTAH7 without settings",
			setup: func(f statusFixture) { f.grant("DELTAH7") },
			want:  accounts.StatusYellow,
		},
		{
			name: "DELTAH7 with url only",
			setup: func(f statusFixture) {
				f.grant("DELTAH7")
				f.save("DELTAH7", "url", past, false)
			},
			want: accounts.StatusYellow,
		},
		{
			name: "DELTAH7 with url and pending token",
			setup: func(f statusFixture) {
				f.grant("DELTAH7")
				f.save("DELTAH7", "url", past, false)
				f.save("DELTAH7", "token", future, false)
			},
			want: accounts.StatusGreen,
		},
		{
			name: "DELTAH7 with cancelled token",
			setup: func(f statusFixture) {
				f.grant("DELTAH7")
				f.save("DELTAH7", "url", past, false)
				f.save("DELTAH7", "token", future, true)
			},
			want: accounts.StatusYellow,
		},
		{
			name: "revoked DELTAH7 with settings",
			setup: func(f statusFixture) {
				habilitation := f.grant("DELTAH7")
				f.save("DELTAH7", "url", past, false)
				f.save("DELTAH7", "token", past, false)
				f.revoke(habilitation)
			},
			want: accounts.StatusRed,
		},
		{
			name:  "PNTS only",
			setup: func(f statusFixture) { f.grant("PNTS") },
			want:  accounts.StatusGreen,
		},
		{
			name: "DELTAH7 complete, DELTAIE without settings",
			setup: func(f statusFixture) {
				f.grant("DELTAH7")
				f.grant("DELTAIE")
				f.save("DELTAH7", "url", past, false)
				f.save("DELTAH7", "token", past, false)
			},
			want: accounts.StatusYellow,
		},
		{
			name: "revoked DELTAH7, live PNTS",
			setup: func(f statusFixture) {
				f.revoke(f.grant("DELTAH7"))
				f.grant("PNTS")
			},
			want: accounts.StatusGreen,
		},
	}

	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			number := testSIRET(t, i+1)
			identifier := fmt.Sprintf("statut-%02d", i)
			insertEstablishment(t, pool, "Messageries Test", number, 0)
			id := insertAccount(t, pool, identifier, identifier+"@test.example", number)
			tc.setup(statusFixture{t: t, pool: pool, account: id})

			got, err := store.Get(ctx, all, id)
			if err != nil {
				t.Fatalf("Get(%d): %v", id, err)
			}
			if got.Status != tc.want {
				t.Errorf("Get status: got %q, want %q", got.Status, tc.want)
			}

			listed := listIdentifiers(t, store, all, accounts.ListFilter{Status: tc.want, Query: identifier})
			if !slices.Equal(listed, []string{identifier}) {
				t.Errorf("List with status %q: got %v, want [%s]", tc.want, listed, identifier)
			}
		})
	}
}

func TestGet(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()
	correspondant := accounts.PerimeterOf(userID(t, pool, demo.CorrespondantLogin))
	other := accounts.PerimeterOf(userID(t, pool, demo.OtherCorrespondantLogin))
	douane := userID(t, pool, demo.DouaneLogin)

	t.Run("every field", func(t *testing.T) {
		id := accountID(t, pool, "boreal-siege")
		got, err := store.Get(ctx, correspondant, id)
		if err != nil {
			t.Fatalf("Get(%d): %v", id, err)
		}

		want := accounts.Account{
			ID:                 id,
			Identifier:         "boreal-siege",
			Email:              "api-siege@atelier-boreal.example",
			SIRET:              "81234567600017",
			EstablishmentLabel: "Siège, Lyon",
			CompanyName:        "Atelier Boréal",
			Status:             accounts.StatusYellow,
			Version:            1,
			PasswordChangedAt:  demoNow,
			CreatedAt:          demoNow,
			UpdatedAt:          demoNow,
		}

		if got.ID != want.ID {
			t.Errorf("ID: got %d, want %d", got.ID, want.ID)
		}
		if got.Identifier != want.Identifier {
			t.Errorf("Identifier: got %q, want %q", got.Identifier, want.Identifier)
		}
		if got.Email != want.Email {
			t.Errorf("Email: got %q, want %q", got.Email, want.Email)
		}
		if got.SIRET != want.SIRET {
			t.Errorf("SIRET: got %q, want %q", got.SIRET, want.SIRET)
		}
		if got.EstablishmentLabel != want.EstablishmentLabel {
			t.Errorf("EstablishmentLabel: got %q, want %q", got.EstablishmentLabel, want.EstablishmentLabel)
		}
		if got.CompanyName != want.CompanyName {
			t.Errorf("CompanyName: got %q, want %q", got.CompanyName, want.CompanyName)
		}
		if got.Status != want.Status {
			t.Errorf("Status: got %q, want %q", got.Status, want.Status)
		}
		if got.Version != want.Version {
			t.Errorf("Version: got %d, want %d", got.Version, want.Version)
		}
		if !got.PasswordChangedAt.Equal(want.PasswordChangedAt) {
			t.Errorf("PasswordChangedAt: got %v, want %v", got.PasswordChangedAt, want.PasswordChangedAt)
		}
		if !got.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("CreatedAt: got %v, want %v", got.CreatedAt, want.CreatedAt)
		}
		if !got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Errorf("UpdatedAt: got %v, want %v", got.UpdatedAt, want.UpdatedAt)
		}
	})

	cases := []struct {
		name       string
		scope      accounts.Scope
		identifier string // empty for an id that no account has
		wantErr    error
	}{
		{"in perimeter", correspondant, "boreal-roissy", nil},
		{"outside perimeter", correspondant, "martel-beaune", accounts.ErrNotFound},
		{"other correspondant", other, "martel-beaune", nil},
		{"other correspondant outside perimeter", other, "boreal-siege", accounts.ErrNotFound},
		{"all establishments", accounts.Scope{UserID: douane, All: true}, "martel-dijon", nil},
		{"empty perimeter", accounts.PerimeterOf(douane), "martel-dijon", accounts.ErrNotFound},
		{"nonexistent id", accounts.Scope{All: true}, "", accounts.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := int64(999_999)
			if tc.identifier != "" {
				id = accountID(t, pool, tc.identifier)
			}

			got, err := store.Get(ctx, tc.scope, id)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Get(%d) error: got %v, want %v", id, err, tc.wantErr)
			}
			if err != nil {
				if got != (accounts.Account{}) {
					t.Errorf("Get(%d): got %+v, want the zero Account", id, got)
				}
				return
			}
			if got.Identifier != tc.identifier {
				t.Errorf("Identifier: got %q, want %q", got.Identifier, tc.identifier)
			}
		})
	}
}

func TestGetDeleted(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()
	correspondant := accounts.PerimeterOf(userID(t, pool, demo.CorrespondantLogin))
	all := accounts.Scope{All: true}

	id := accountID(t, pool, "boreal-roissy")
	mustExec(t, pool, `UPDATE api_accounts SET deleted_at = ? WHERE id = ?`, demoNow.Add(time.Hour), id)

	scopes := []struct {
		name  string
		scope accounts.Scope
	}{
		{"perimeter", correspondant},
		{"all establishments", all},
	}
	for _, sc := range scopes {
		t.Run(sc.name, func(t *testing.T) {
			if _, err := store.Get(ctx, sc.scope, id); !errors.Is(err, accounts.ErrNotFound) {
				t.Errorf("Get(%d) error: got %v, want %v", id, err, accounts.ErrNotFound)
			}
			listed := listIdentifiers(t, store, sc.scope, accounts.ListFilter{})
			if slices.Contains(listed, "boreal-roissy") {
				t.Errorf("List: got %v, want no boreal-roissy", listed)
			}
			byQuery := listIdentifiers(t, store, sc.scope, accounts.ListFilter{Query: "roissy"})
			if len(byQuery) != 0 {
				t.Errorf("List with query roissy: got %v, want none", byQuery)
			}
		})
	}
}

func TestSIRETChoices(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()

	boreal := "Atelier Boréal"
	epices := "Comptoir des Épices Océanes"
	martel := "Vignobles Martel et Associés"
	perimeterChoices := []accounts.SIRETChoice{
		{SIRET: "81234567600017", CompanyName: boreal, Label: "Siège, Lyon", AccountIdentifier: "boreal-siege"},
		{SIRET: "81234567600025", CompanyName: boreal, Label: "Entrepôt, Roissy-en-France", AccountIdentifier: "boreal-roissy"},
		{SIRET: "81234567600033", CompanyName: boreal, Label: "Atelier, Grenoble"},
		{SIRET: "05123456500011", CompanyName: epices, Label: "Entrepôt portuaire, Le Havre", AccountIdentifier: "epices-havre"},
		{SIRET: demo.LaPosteSIRET, CompanyName: "La Poste", Label: "Plateforme colis de démonstration"},
	}
	martelChoices := []accounts.SIRETChoice{
		{SIRET: "82345678500018", CompanyName: martel, Label: "Chai, Beaune", AccountIdentifier: "martel-beaune"},
		{SIRET: "82345678500026", CompanyName: martel, Label: "Entrepôt sous douane, Dijon", AccountIdentifier: "martel-dijon"},
	}

	cases := []struct {
		name  string
		scope accounts.Scope
		want  []accounts.SIRETChoice
	}{
		{"demo correspondant", accounts.PerimeterOf(userID(t, pool, demo.CorrespondantLogin)), perimeterChoices},
		{"other correspondant", accounts.PerimeterOf(userID(t, pool, demo.OtherCorrespondantLogin)), martelChoices},
		{"all establishments", accounts.Scope{All: true}, slices.Concat(perimeterChoices, martelChoices)},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.SIRETChoices(ctx, tc.scope)
			if err != nil {
				t.Fatalf("SIRETChoices: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("choices: got %d %+v, want %d", len(got), got, len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("choice %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
				wantAvailable := tc.want[i].AccountIdentifier == ""
				if got[i].Available() != wantAvailable {
					t.Errorf("choice %s Available: got %v, want %v", got[i].SIRET, got[i].Available(), wantAvailable)
				}
			}
		})
	}

	t.Run("deleted account frees SIRET", func(t *testing.T) {
		mustExec(t, pool, `UPDATE api_accounts SET deleted_at = ? WHERE identifier = 'boreal-roissy'`, demoNow.Add(time.Hour))
		got, err := store.SIRETChoices(ctx, accounts.PerimeterOf(userID(t, pool, demo.CorrespondantLogin)))
		if err != nil {
			t.Fatalf("SIRETChoices: %v", err)
		}
		index := slices.IndexFunc(got, func(c accounts.SIRETChoice) bool { return c.SIRET == "81234567600025" })
		if index < 0 {
			t.Fatalf("choices: got %+v, want 81234567600025 listed", got)
		}
		if got[index].AccountIdentifier != "" {
			t.Errorf("AccountIdentifier: got %q, want empty", got[index].AccountIdentifier)
		}
		if !got[index].Available() {
			t.Errorf("Available: got false, want true")
		}
	})
}
