package accounts_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/siret"
)

func TestListPerimeter(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()

	cases := []struct {
		name  string
		scope accounts.Scope
		want  []string
	}{
		{
			name:  "demo correspondant",
			scope: accounts.PerimeterOf(userID(t, pool, demo.CorrespondantLogin)),
			want:  []string{"boreal-roissy", "boreal-siege", "epices-havre"},
		},
		{
			name:  "other correspondant",
			scope: accounts.PerimeterOf(userID(t, pool, demo.OtherCorrespondantLogin)),
			want:  []string{"martel-beaune", "martel-dijon"},
		},
		{
			name:  "all establishments",
			scope: accounts.Scope{UserID: userID(t, pool, demo.DouaneLogin), All: true},
			want:  []string{"boreal-roissy", "boreal-siege", "epices-havre", "martel-beaune", "martel-dijon"},
		},
		{
			name:  "empty perimeter",
			scope: accounts.PerimeterOf(userID(t, pool, demo.DouaneLogin)),
			want:  []string{},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := store.List(ctx, tc.scope, accounts.ListFilter{})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if got := identifiers(page.Accounts); !slices.Equal(got, tc.want) {
				t.Errorf("identifiers: got %v, want %v", got, tc.want)
			}
			if page.Page != 1 {
				t.Errorf("Page: got %d, want 1", page.Page)
			}
			if page.HasNext {
				t.Errorf("HasNext: got true, want false")
			}
		})
	}
}

func TestListStatuses(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)

	page, err := store.List(context.Background(), accounts.Scope{All: true}, accounts.ListFilter{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	got := map[string]accounts.Status{}
	for _, a := range page.Accounts {
		got[a.Identifier] = a.Status
	}

	want := map[string]accounts.Status{
		"boreal-siege":  accounts.StatusYellow,
		"boreal-roissy": accounts.StatusRed,
		"epices-havre":  accounts.StatusGreen,
		"martel-beaune": accounts.StatusGreen,
		"martel-dijon":  accounts.StatusRed,
	}
	for identifier, status := range want {
		if got[identifier] != status {
			t.Errorf("status of %s: got %q, want %q", identifier, got[identifier], status)
		}
	}
	if len(got) != len(want) {
		t.Errorf("accounts listed: got %d, want %d", len(got), len(want))
	}
}

func TestListFilters(t *testing.T) {
	pool := openDemo(t)
	store := accounts.NewStore(pool)
	correspondant := accounts.PerimeterOf(userID(t, pool, demo.CorrespondantLogin))
	all := accounts.Scope{All: true}

	// An identifier with an underscore, which LIKE would otherwise read as
	// "any one character".
	insertAccount(t, pool, "poste_colis", "colis@poste-demo.example", demo.LaPosteSIRET)

	cases := []struct {
		name   string
		scope  accounts.Scope
		filter accounts.ListFilter
		want   []string
	}{
		{"status rouge", correspondant, accounts.ListFilter{Status: accounts.StatusRed}, []string{"boreal-roissy", "poste_colis"}},
		{"status jaune", correspondant, accounts.ListFilter{Status: accounts.StatusYellow}, []string{"boreal-siege"}},
		{"status vert", correspondant, accounts.ListFilter{Status: accounts.StatusGreen}, []string{"epices-havre"}},
		{"status rouge in all scope", all, accounts.ListFilter{Status: accounts.StatusRed}, []string{"boreal-roissy", "martel-dijon", "poste_colis"}},
		{"identifier part", correspondant, accounts.ListFilter{Query: "SIEGE"}, []string{"boreal-siege"}},
		{"e-mail part", correspondant, accounts.ListFilter{Query: "epices-oceanes"}, []string{"epices-havre"}},
		{"e-mail domain", correspondant, accounts.ListFilter{Query: "@atelier-boreal"}, []string{"boreal-roissy", "boreal-siege"}},
		{"SIREN digits", correspondant, accounts.ListFilter{Query: "812345676"}, []string{"boreal-roissy", "boreal-siege"}},
		{"SIRET digits", correspondant, accounts.ListFilter{Query: "81234567600017"}, []string{"boreal-siege"}},
		{"SIRET with spaces", correspondant, accounts.ListFilter{Query: "812 345 676 00025"}, []string{"boreal-roissy"}},
		{"SIRET in display form", correspondant, accounts.ListFilter{Query: siret.Format("05123456500011")}, []string{"epices-havre"}},
		{"query with surrounding spaces", correspondant, accounts.ListFilter{Query: "  havre  "}, []string{"epices-havre"}},
		{"query and status", correspondant, accounts.ListFilter{Query: "boreal", Status: accounts.StatusYellow}, []string{"boreal-siege"}},
		{"query outside perimeter", correspondant, accounts.ListFilter{Query: "martel"}, []string{}},
		{"percent is literal", all, accounts.ListFilter{Query: "%"}, []string{}},
		{"percent inside query", all, accounts.ListFilter{Query: "boreal%roissy"}, []string{}},
		{"underscore is literal", all, accounts.ListFilter{Query: "boreal_siege"}, []string{}},
		{"underscore matches itself", all, accounts.ListFilter{Query: "_"}, []string{"poste_colis"}},
		{"backslash is literal", all, accounts.ListFilter{Query: `\`}, []string{}},
		{"no match", all, accounts.ListFilter{Query: "inconnu"}, []string{}},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := listIdentifiers(t, store, tc.scope, tc.filter)
			if !slices.Equal(got, tc.want) {
				t.Errorf("List(%+v): got %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
}

func TestListOrder(t *testing.T) {
	pool := openDB(t)
	store := accounts.NewStore(pool)
	user := insertUser(t, pool, "correspondant@test.example")

	// Inserted so that neither the id order nor the byte order of the
	// identifiers is the expected order.
	inserted := []string{"Zulu-compte", "alpha-compte", "Mike-compte", "bravo-compte"}
	for i, identifier := range inserted {
		number := testSIRET(t, i+1)
		insertEstablishment(t, pool, "Messageries Test", number, user)
		insertAccount(t, pool, identifier, strings.ToLower(identifier)+"@test.example", number)
	}

	want := []string{"alpha-compte", "bravo-compte", "Mike-compte", "Zulu-compte"}
	first := listIdentifiers(t, store, accounts.PerimeterOf(user), accounts.ListFilter{})
	if !slices.Equal(first, want) {
		t.Errorf("first List: got %v, want %v", first, want)
	}
	second := listIdentifiers(t, store, accounts.PerimeterOf(user), accounts.ListFilter{})
	if !slices.Equal(second, want) {
		t.Errorf("second List: got %v, want %v", second, want)
	}
}

func TestListPagination(t *testing.T) {
	pool := openDB(t)
	store := accounts.NewStore(pool)
	ctx := context.Background()
	user := insertUser(t, pool, "correspondant@test.example")
	scope := accounts.PerimeterOf(user)

	// 120 accounts whose identifiers alternate between upper and lower
	// case, inserted in reverse order, so that only a case-insensitive
	// sort gives the order of their numbers.
	const total = 120
	want := make([]string, total)
	for i := range total {
		if i%2 == 0 {
			want[i] = fmt.Sprintf("Compte-%03d", i)
		} else {
			want[i] = fmt.Sprintf("compte-%03d", i)
		}
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	for i := total - 1; i >= 0; i-- {
		number := testSIRET(t, i+1)
		steps := []struct {
			query string
			args  []any
		}{
			{`INSERT INTO companies (siren, name) VALUES (?, 'Messageries Test') ON CONFLICT (siren) DO NOTHING`, []any{testSIREN}},
			{`INSERT INTO establishments (siret, siren, label) VALUES (?, ?, '')`, []any{number, testSIREN}},
			{`INSERT INTO perimeters (user_id, siret) VALUES (?, ?)`, []any{user, number}},
			{`INSERT INTO api_accounts (identifier, email, siret, password_hash, password_changed_at, created_at, updated_at)
				VALUES (?, ?, ?, 'unused', ?, ?, ?)`, []any{want[i], fmt.Sprintf("api-%03d@test.example", i), number, demoNow, demoNow, demoNow}},
		}
		for _, step := range steps {
			if _, err := tx.ExecContext(ctx, step.query, step.args...); err != nil {
				tx.Rollback()
				t.Fatalf("insert account %d: %v", i, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}

	cases := []struct {
		name        string
		page        int
		wantPage    int
		wantFirst   int // index in want of the first account, -1 for an empty page
		wantCount   int
		wantHasNext bool
	}{
		{"page 0 is page 1", 0, 1, 0, 50, true},
		{"page 1", 1, 1, 0, 50, true},
		{"page 2", 2, 2, 50, 50, true},
		{"page 3", 3, 3, 100, 20, false},
		{"page 4", 4, 4, -1, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := store.List(ctx, scope, accounts.ListFilter{Page: tc.page})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if page.Page != tc.wantPage {
				t.Errorf("Page: got %d, want %d", page.Page, tc.wantPage)
			}
			if len(page.Accounts) != tc.wantCount {
				t.Errorf("accounts: got %d, want %d", len(page.Accounts), tc.wantCount)
			}
			if page.HasNext != tc.wantHasNext {
				t.Errorf("HasNext: got %v, want %v", page.HasNext, tc.wantHasNext)
			}
			if tc.wantFirst >= 0 {
				wantIdentifiers := want[tc.wantFirst : tc.wantFirst+tc.wantCount]
				if got := identifiers(page.Accounts); !slices.Equal(got, wantIdentifiers) {
					t.Errorf("identifiers: got %v, want %v", got, wantIdentifiers)
				}
			}
		})
	}

	t.Run("pages do not overlap", func(t *testing.T) {
		seen := map[string]int{}
		for number := 1; number <= 3; number++ {
			for _, identifier := range listIdentifiers(t, store, scope, accounts.ListFilter{Page: number}) {
				if previous, ok := seen[identifier]; ok {
					t.Errorf("%s: on page %d and page %d, want one page", identifier, previous, number)
				}
				seen[identifier] = number
			}
		}
		if len(seen) != total {
			t.Errorf("distinct identifiers on pages 1 to 3: got %d, want %d", len(seen), total)
		}
	})
}
