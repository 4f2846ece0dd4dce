package habilitations_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/habilitations"
	"github.com/correspondant-entreprise/console/internal/validation"
)

func TestSubmitStoresRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	// The business time has a fraction of a second and another zone, and
	// Submit stores it in UTC, truncated to the second.
	now := time.Date(2026, 12, 5, 9, 30, 15, 500_000_000, time.FixedZone("CET", 3600))
	wantTime := time.Date(2026, 12, 5, 8, 30, 15, 0, time.UTC)

	id, err := f.store.Submit(f.ctx, f.scope, f.correspondant, now, f.roissy, []string{"PNTS", "DELTAIE"})
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if id <= 0 {
		t.Fatalf("request id: got %d, want a positive id", id)
	}

	r := f.get(t, id)
	if r.ID != id {
		t.Errorf("ID: got %d, want %d", r.ID, id)
	}
	if r.AccountID != f.roissy {
		t.Errorf("AccountID: got %d, want %d", r.AccountID, f.roissy)
	}
	if r.AccountIdentifier != roissyIdentifier {
		t.Errorf("AccountIdentifier: got %q, want %q", r.AccountIdentifier, roissyIdentifier)
	}
	if r.AccountEmail != roissyEmail {
		t.Errorf("AccountEmail: got %q, want %q", r.AccountEmail, roissyEmail)
	}
	if r.SIRET != roissySIRET {
		t.Errorf("SIRET: got %q, want %q", r.SIRET, roissySIRET)
	}
	if r.CompanyName != "Atelier Boréal" {
		t.Errorf("CompanyName: got %q, want %q", r.CompanyName, "Atelier Boréal")
	}
	if r.EstablishmentLabel != "Entrepôt, Roissy-en-France" {
		t.Errorf("EstablishmentLabel: got %q, want %q", r.EstablishmentLabel, "Entrepôt, Roissy-en-France")
	}
	if r.State != habilitations.StateSubmitted {
		t.Errorf("State: got %q, want %q", r.State, habilitations.StateSubmitted)
	}
	if !r.RequestedAt.Equal(wantTime) {
		t.Errorf("RequestedAt: got %v, want %v", r.RequestedAt, wantTime)
	}
	if r.RequestedBy != "Camille Martin" {
		t.Errorf("RequestedBy: got %q, want %q", r.RequestedBy, "Camille Martin")
	}
	if !r.ClosedAt.IsZero() {
		t.Errorf("ClosedAt: got %v, want the zero time", r.ClosedAt)
	}
	if r.ClosedBy != "" {
		t.Errorf("ClosedBy: got %q, want empty", r.ClosedBy)
	}

	// The items follow the catalog, not the order of the codes given.
	want := []habilitations.Item{
		{APICode: "DELTAIE", APILabel: "Delta IE"},
		{APICode: "PNTS", APILabel: "PNTS"},
	}
	if !slices.Equal(r.Items, want) {
		t.Errorf("Items: got %+v, want %+v", r.Items, want)
	}
	if got := r.APILabels(); got != "Delta IE, PNTS" {
		t.Errorf("APILabels(): got %q, want %q", got, "Delta IE, PNTS")
	}

	open := f.countRows(t, `SELECT COUNT(*) FROM habilitation_request_items WHERE request_id = ? AND open = 1`, id)
	if open != 2 {
		t.Errorf("open items: got %d, want 2", open)
	}
	if got := f.status(t, f.roissy); got != accounts.StatusRed {
		t.Errorf("account status: got %q, want %q while the request is open", got, accounts.StatusRed)
	}
}

func TestSubmitSystemActor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	id, err := f.store.Submit(f.ctx, accounts.Scope{All: true}, habilitations.Actor{}, demoNow, f.roissy, []string{"PNTS"})
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}

	if got := f.get(t, id).RequestedBy; got != "Système" {
		t.Errorf("RequestedBy: got %q, want %q", got, "Système")
	}
	nulls := f.countRows(t, `SELECT COUNT(*) FROM habilitation_requests WHERE id = ? AND requested_by IS NULL`, id)
	if nulls != 1 {
		t.Errorf("requests with requested_by NULL: got %d, want 1", nulls)
	}
}

func TestSubmitNormalisesCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		codes []string
		want  []string
	}{
		{"lower case", []string{"pnts"}, []string{"PNTS"}},
		{"surrounding space", []string{"  gamma2\t"}, []string{"GAMMA2"}},
		{"duplicates", []string{"GAMMA2", "gamma2", " GAMMA2 "}, []string{"GAMMA2"}},
		{"blanks dropped", []string{"", "  ", "DELTAH7", ""}, []string{"DELTAH7"}},
		{"catalog order", []string{"PNTS", "GAMMA2", "deltaie", "DELTAH7"}, []string{"DELTAH7", "DELTAIE", "GAMMA2", "PNTS"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)

			id := f.submit(t, demoNow, f.roissy, c.codes...)

			if got := itemCodes(f.get(t, id).Items); !slices.Equal(got, c.want) {
				t.Errorf("item codes: got %v, want %v", got, c.want)
			}
			rows := f.countRows(t, `SELECT COUNT(*) FROM habilitation_request_items WHERE request_id = ?`, id)
			if rows != len(c.want) {
				t.Errorf("item rows: got %d, want %d", rows, len(c.want))
			}
		})
	}
}

func TestSubmitRejectsCodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.submit(t, demoNow, f.roissy, "DELTAIE")

	cases := []struct {
		name    string
		account int64
		codes   []string
		want    string
	}{
		{"no code", f.roissy, nil, "Choisissez au moins une API."},
		{"empty list", f.roissy, []string{}, "Choisissez au moins une API."},
		{"only blanks", f.roissy, []string{"", "  "}, "Choisissez au moins une API."},
		{
			"unknown code", f.roissy, []string{"XYZ"},
			"Demande impossible\u00a0: l’API «\u00a0XYZ\u00a0» n’existe pas dans le catalogue.",
		},
		{
			"unknown lower case code", f.roissy, []string{"delta"},
			"Demande impossible\u00a0: l’API «\u00a0DELTA\u00a0» n’existe pas dans le catalogue.",
		},
		{
			"held API", f.havre, []string{"PNTS"},
			"Demande impossible\u00a0: le compte est déjà habilité à PNTS.",
		},
		{
			"API in open request", f.roissy, []string{"deltaie"},
			"Demande impossible\u00a0: une demande est déjà en cours pour Delta IE.",
		},
		{
			"valid API with unknown one", f.roissy, []string{"GAMMA2", "NOPE"},
			"Demande impossible\u00a0: l’API «\u00a0NOPE\u00a0» n’existe pas dans le catalogue.",
		},
		{
			"every problem listed", f.siege, []string{"XYZ", "DELTAH7", "PNTS"},
			"Demande impossible\u00a0: l’API «\u00a0XYZ\u00a0» n’existe pas dans le catalogue\u00a0; " +
				"le compte est déjà habilité à DeltaH7\u00a0; le compte est déjà habilité à PNTS.",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)
			requests := f.countRows(t, `SELECT COUNT(*) FROM habilitation_requests`)
			items := f.countRows(t, `SELECT COUNT(*) FROM habilitation_request_items`)

			id, err := f.store.Submit(f.ctx, f.scope, f.correspondant, demoNow, c.account, c.codes)

			if id != 0 {
				t.Errorf("request id: got %d, want 0", id)
			}
			fields := validationFields(t, err)
			if got := sortedKeys(fields); !slices.Equal(got, []string{"api"}) {
				t.Errorf("fields: got %v, want [api]", got)
			}
			if fields["api"] != c.want {
				t.Errorf("api message: got %q, want %q", fields["api"], c.want)
			}
			if got := f.countRows(t, `SELECT COUNT(*) FROM habilitation_requests`); got != requests {
				t.Errorf("requests: got %d, want %d", got, requests)
			}
			if got := f.countRows(t, `SELECT COUNT(*) FROM habilitation_request_items`); got != items {
				t.Errorf("items: got %d, want %d", got, items)
			}
			f.checkNoRowsAdded(t, before)
		})
	}
}

func TestSubmitOutsidePerimeter(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustExec(t, `UPDATE api_accounts SET deleted_at = ? WHERE id = ?`, demoNow, f.siege)

	cases := []struct {
		name    string
		scope   accounts.Scope
		actor   habilitations.Actor
		account int64
	}{
		{"other company's account", f.scope, f.correspondant, f.beaune},
		{"other correspondant", f.otherScope, f.otherCorrespondant, f.roissy},
		{"unknown account", accounts.Scope{All: true}, f.douane, 999_999},
		{"deleted account", f.scope, f.correspondant, f.siege},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)
			requests := f.countRows(t, `SELECT COUNT(*) FROM habilitation_requests`)

			id, err := f.store.Submit(f.ctx, c.scope, c.actor, demoNow, c.account, []string{"DELTAIE"})

			if !errors.Is(err, accounts.ErrNotFound) {
				t.Errorf("error: got %v, want accounts.ErrNotFound", err)
			}
			if id != 0 {
				t.Errorf("request id: got %d, want 0", id)
			}
			if got := f.countRows(t, `SELECT COUNT(*) FROM habilitation_requests`); got != requests {
				t.Errorf("requests: got %d, want %d", got, requests)
			}
			if got := f.countRows(t, `SELECT COUNT(*) FROM habilitation_request_items`); got != 0 {
				t.Errorf("items: got %d, want 0", got)
			}
			f.checkNoRowsAdded(t, before)
		})
	}

	// The same call within the right perimeter succeeds, so the cases above
	// fail on the scope and not on the codes.
	if _, err := f.store.Submit(f.ctx, f.otherScope, f.otherCorrespondant, demoNow, f.beaune, []string{"DELTAIE"}); err != nil {
		t.Errorf("Submit on the other correspondant's own account: got %v, want nil", err)
	}
}

func TestOpenItemUniqueIndex(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.submit(t, demoNow, f.roissy, "DELTAIE")

	res := f.mustExec(t, `
		INSERT INTO habilitation_requests (account_id, siret, state, requested_at) VALUES (?, ?, 'submitted', ?)`,
		f.roissy, roissySIRET, demoNow)
	second, err := res.LastInsertId()
	if err != nil {
		t.Fatalf("insert second request: %v", err)
	}

	_, err = f.pool.ExecContext(f.ctx,
		`INSERT INTO habilitation_request_items (request_id, account_id, api_code) VALUES (?, ?, 'DELTAIE')`,
		second, f.roissy)
	if err == nil {
		t.Fatal("second open item on DELTAIE for the same account: got nil error, want a UNIQUE constraint failure")
	}
	if !strings.Contains(err.Error(), "UNIQUE") {
		t.Errorf("error: got %v, want a UNIQUE constraint failure", err)
	}

	// A closed item, or an open item on another API, is allowed.
	if _, err := f.pool.ExecContext(f.ctx,
		`INSERT INTO habilitation_request_items (request_id, account_id, api_code, open) VALUES (?, ?, 'DELTAIE', 0)`,
		second, f.roissy); err != nil {
		t.Errorf("closed item on DELTAIE: got %v, want nil", err)
	}
	if _, err := f.pool.ExecContext(f.ctx,
		`INSERT INTO habilitation_request_items (request_id, account_id, api_code) VALUES (?, ?, 'GAMMA2')`,
		second, f.roissy); err != nil {
		t.Errorf("open item on GAMMA2: got %v, want nil", err)
	}
}

func TestSubmitConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	const callers = 4
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.store.Submit(f.ctx, f.scope, f.correspondant, demoNow, f.roissy, []string{"PNTS"})
		}()
	}
	wg.Wait()

	succeeded := 0
	for i, err := range errs {
		if err == nil {
			succeeded++
			continue
		}
		var verr validation.Errors
		if !errors.As(err, &verr) {
			t.Errorf("caller %d: got %v, want nil or validation.Errors", i, err)
		}
	}
	if succeeded != 1 {
		t.Errorf("successful submits: got %d, want 1", succeeded)
	}
	if got := f.countRows(t, `SELECT COUNT(*) FROM habilitation_requests WHERE account_id = ?`, f.roissy); got != 1 {
		t.Errorf("requests of the account: got %d, want 1", got)
	}
	if got := f.countRows(t, `SELECT COUNT(*) FROM journal WHERE action = 'request.submitted'`); got != 1 {
		t.Errorf("request.submitted journal rows: got %d, want 1", got)
	}
}
