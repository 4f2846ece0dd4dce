package journal_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/journal"
)

func TestListScope(t *testing.T) {
	pool := openDemo(t)
	store := journal.NewStore(pool)

	record(t, pool, journal.Entry{At: demoNow, Action: journal.ActionAccountCreated, SIRET: siegeSIRET, Summary: "siège"})
	record(t, pool, journal.Entry{At: demoNow, Action: journal.ActionAccountCreated, SIRET: beauneSIRET, Summary: "beaune"})
	record(t, pool, journal.Entry{At: demoNow, Action: journal.ActionAccountCreated, SIRET: roissySIRET, Summary: "roissy"})
	record(t, pool, journal.Entry{At: demoNow, Action: journal.ActionAccountCreated, Summary: "sans établissement"})

	cases := []struct {
		name  string
		scope journal.Scope
		want  []string
	}{
		{
			name:  "demo correspondant",
			scope: journal.Scope{UserID: userID(t, pool, demo.CorrespondantLogin)},
			want:  []string{"roissy", "siège"},
		},
		{
			name:  "other correspondant",
			scope: journal.Scope{UserID: userID(t, pool, demo.OtherCorrespondantLogin)},
			want:  []string{"beaune"},
		},
		{
			name:  "all establishments",
			scope: journal.Scope{UserID: userID(t, pool, demo.DouaneLogin), All: true},
			want:  []string{"sans établissement", "roissy", "beaune", "siège"},
		},
		{
			name:  "empty perimeter",
			scope: journal.Scope{UserID: userID(t, pool, demo.DouaneLogin)},
			want:  []string{},
		},
		{
			name:  "unknown user",
			scope: journal.Scope{UserID: 999},
			want:  []string{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page := list(t, store, tc.scope, journal.Filter{})
			if got := summaries(page.Entries); !slices.Equal(got, tc.want) {
				t.Errorf("summaries: got %v, want %v", got, tc.want)
			}
			if page.Page != 1 {
				t.Errorf("Page: got %d, want 1", page.Page)
			}
			if page.HasNext {
				t.Error("HasNext: got true, want false")
			}
		})
	}
}

func TestListFilters(t *testing.T) {
	pool := openDemo(t)
	store := journal.NewStore(pool)
	correspondant := userID(t, pool, demo.CorrespondantLogin)

	record(t, pool, journal.Entry{At: demoNow, ActorID: correspondant, Action: journal.ActionAccountCreated,
		AccountID: 1, AccountIdentifier: "boreal-siege", SIRET: siegeSIRET, Summary: "Compte boreal-siege créé"})
	record(t, pool, journal.Entry{At: demoNow, ActorID: correspondant, Action: journal.ActionRequestSubmitted,
		AccountID: 1, AccountIdentifier: "boreal-siege", SIRET: siegeSIRET, APICode: "DELTAH7",
		Summary: "Demande d’habilitation DeltaH7 déposée (100% en ligne)"})
	record(t, pool, journal.Entry{At: demoNow, ActorID: correspondant, Action: journal.ActionAccountCreated,
		AccountID: 2, AccountIdentifier: "boreal_roissy", SIRET: roissySIRET, Summary: "Compte boreal_roissy créé"})
	record(t, pool, journal.Entry{At: demoNow, Action: journal.ActionHabilitationRevoked,
		AccountID: 2, AccountIdentifier: "boreal_roissy", SIRET: roissySIRET, APICode: "PNTS",
		Summary: "Habilitation PNTS révoquée à échéance"})

	cases := []struct {
		name   string
		filter journal.Filter
		want   []string
	}{
		{"no filter", journal.Filter{}, []string{
			"Habilitation PNTS révoquée à échéance", "Compte boreal_roissy créé",
			"Demande d’habilitation DeltaH7 déposée (100% en ligne)", "Compte boreal-siege créé"}},
		{"account", journal.Filter{AccountID: 1}, []string{
			"Demande d’habilitation DeltaH7 déposée (100% en ligne)", "Compte boreal-siege créé"}},
		{"action", journal.Filter{Action: journal.ActionAccountCreated}, []string{
			"Compte boreal_roissy créé", "Compte boreal-siege créé"}},
		{"SIRET", journal.Filter{SIRET: roissySIRET}, []string{
			"Habilitation PNTS révoquée à échéance", "Compte boreal_roissy créé"}},
		{"account and action", journal.Filter{AccountID: 2, Action: journal.ActionAccountCreated}, []string{
			"Compte boreal_roissy créé"}},
		{"query in summary", journal.Filter{Query: "deltah7"}, []string{
			"Demande d’habilitation DeltaH7 déposée (100% en ligne)"}},
		{"query in identifier", journal.Filter{Query: "ROISSY"}, []string{
			"Habilitation PNTS révoquée à échéance", "Compte boreal_roissy créé"}},
		{"query in actor name", journal.Filter{Query: "Système"}, []string{
			"Habilitation PNTS révoquée à échéance"}},
		{"query with spaces around", journal.Filter{Query: "  Camille  "}, []string{
			"Compte boreal_roissy créé", "Demande d’habilitation DeltaH7 déposée (100% en ligne)",
			"Compte boreal-siege créé"}},
		{"percent is literal", journal.Filter{Query: "%"}, []string{
			"Demande d’habilitation DeltaH7 déposée (100% en ligne)"}},
		{"underscore is literal", journal.Filter{Query: "boreal_"}, []string{
			"Habilitation PNTS révoquée à échéance", "Compte boreal_roissy créé"}},
		{"no match", journal.Filter{Query: "inexistant"}, []string{}},
		{"unknown action", journal.Filter{Action: "account.deleted"}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page := list(t, store, journal.Scope{All: true}, tc.filter)
			if got := summaries(page.Entries); !slices.Equal(got, tc.want) {
				t.Errorf("summaries: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestListPaging(t *testing.T) {
	pool := openDB(t)
	store := journal.NewStore(pool)

	const total = 120
	for i := 1; i <= total; i++ {
		record(t, pool, journal.Entry{At: demoNow, Action: journal.ActionAccountCreated, Summary: fmt.Sprintf("entrée %03d", i)})
	}

	cases := []struct {
		name        string
		page        int
		wantPage    int
		wantFirst   string
		wantLast    string
		wantCount   int
		wantHasNext bool
	}{
		{"page 0 means 1", 0, 1, "entrée 120", "entrée 071", journal.PageSize, true},
		{"page 1", 1, 1, "entrée 120", "entrée 071", journal.PageSize, true},
		{"page 2", 2, 2, "entrée 070", "entrée 021", journal.PageSize, true},
		{"page 3", 3, 3, "entrée 020", "entrée 001", 20, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page := list(t, store, journal.Scope{All: true}, journal.Filter{Page: tc.page})
			if page.Page != tc.wantPage {
				t.Errorf("Page: got %d, want %d", page.Page, tc.wantPage)
			}
			if len(page.Entries) != tc.wantCount {
				t.Fatalf("entries: got %d, want %d", len(page.Entries), tc.wantCount)
			}
			if got := page.Entries[0].Summary; got != tc.wantFirst {
				t.Errorf("first entry: got %q, want %q", got, tc.wantFirst)
			}
			if got := page.Entries[len(page.Entries)-1].Summary; got != tc.wantLast {
				t.Errorf("last entry: got %q, want %q", got, tc.wantLast)
			}
			if page.HasNext != tc.wantHasNext {
				t.Errorf("HasNext: got %v, want %v", page.HasNext, tc.wantHasNext)
			}
			for i := 1; i < len(page.Entries); i++ {
				if page.Entries[i].ID >= page.Entries[i-1].ID {
					t.Errorf("entry %d: got id %d, want below the previous id %d", i, page.Entries[i].ID, page.Entries[i-1].ID)
				}
			}
		})
	}

	t.Run("page past the end", func(t *testing.T) {
		page := list(t, store, journal.Scope{All: true}, journal.Filter{Page: 4})
		if len(page.Entries) != 0 {
			t.Errorf("entries: got %d, want 0", len(page.Entries))
		}
		if page.HasNext {
			t.Error("HasNext: got true, want false")
		}
	})
}

func TestActions(t *testing.T) {
	pool := openDB(t)
	store := journal.NewStore(pool)
	ctx := context.Background()

	got, err := store.Actions(ctx)
	if err != nil {
		t.Fatalf("Actions on an empty journal: %v", err)
	}
	if got == nil || len(got) != 0 {
		t.Errorf("Actions on an empty journal: got %#v, want an empty non-nil slice", got)
	}

	for _, action := range []string{
		journal.ActionRequestSubmitted, journal.ActionAccountCreated,
		journal.ActionRequestSubmitted, journal.ActionHabilitationGranted,
	} {
		record(t, pool, journal.Entry{At: demoNow, Action: action, Summary: action})
	}

	got, err = store.Actions(ctx)
	if err != nil {
		t.Fatalf("Actions: %v", err)
	}
	want := []string{journal.ActionAccountCreated, journal.ActionHabilitationGranted, journal.ActionRequestSubmitted}
	if !slices.Equal(got, want) {
		t.Errorf("Actions: got %v, want %v", got, want)
	}
}
