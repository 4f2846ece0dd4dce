package habilitations_test

import (
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/habilitations"
)

func TestRevokeStatus(t *testing.T) {
	t.Parallel()
	// revocation is one step of a case, with the API to revoke and the
	// expected habilitations and status after it.
	type revocation struct {
		code       string
		wantLive   []string
		wantStatus accounts.Status
	}
	cases := []struct {
		name       string
		identifier string
		steps      []revocation
	}{
		{"epices-havre PNTS", havreIdentifier, []revocation{
			{"PNTS", []string{}, accounts.StatusRed},
		}},
		{"boreal-siege PNTS then DELTAH7", siegeIdentifier, []revocation{
			{"PNTS", []string{"DELTAH7"}, accounts.StatusYellow},
			{"DELTAH7", []string{}, accounts.StatusRed},
		}},
		{"boreal-siege DELTAH7 then PNTS", siegeIdentifier, []revocation{
			{"DELTAH7", []string{"PNTS"}, accounts.StatusGreen},
			{"PNTS", []string{}, accounts.StatusRed},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			account := accountID(t, f.pool, c.identifier)

			for _, step := range c.steps {
				id := f.liveHabilitation(t, account, step.code)

				got, err := f.store.Revoke(f.ctx, f.douane, demoNow, id, "Fin de la convention.")
				if err != nil {
					t.Fatalf("Revoke %s: %v", step.code, err)
				}

				if got != account {
					t.Errorf("after %s, account id: got %d, want %d", step.code, got, account)
				}
				if live := f.liveCodes(t, account); !slices.Equal(live, step.wantLive) {
					t.Errorf("after %s, live habilitations: got %v, want %v", step.code, live, step.wantLive)
				}
				if status := f.status(t, account); status != step.wantStatus {
					t.Errorf("after %s, account status: got %q, want %q", step.code, status, step.wantStatus)
				}
			}
		})
	}
}

func TestRevokeStoresReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.liveHabilitation(t, f.havre, "PNTS")

	now := time.Date(2026, 12, 7, 8, 5, 9, 900_000_000, time.FixedZone("CET", 3600))
	if _, err := f.store.Revoke(f.ctx, f.douane, now, id, "  Convention résiliée.  "); err != nil {
		t.Fatalf("Revoke: %v", err)
	}

	var revokedAt time.Time
	var revokedBy int64
	var reason string
	err := f.pool.QueryRowContext(f.ctx, `SELECT revoked_at, revoked_by, revoke_reason FROM habilitations WHERE id = ?`, id).
		Scan(&revokedAt, &revokedBy, &reason)
	if err != nil {
		t.Fatalf("read habilitation %d: %v", id, err)
	}
	wantAt := time.Date(2026, 12, 7, 7, 5, 9, 0, time.UTC)
	if !revokedAt.Equal(wantAt) {
		t.Errorf("revoked_at: got %v, want %v", revokedAt, wantAt)
	}
	if revokedBy != f.douane.ID {
		t.Errorf("revoked_by: got %d, want %d", revokedBy, f.douane.ID)
	}
	if reason != "Convention résiliée." {
		t.Errorf("revoke_reason: got %q, want %q", reason, "Convention résiliée.")
	}
}

func TestRevokeRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	live := f.liveHabilitation(t, f.siege, "PNTS")
	revoked := f.liveHabilitation(t, f.havre, "PNTS")
	if _, err := f.store.Revoke(f.ctx, f.douane, demoNow, revoked, "Première révocation."); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	lengthMessage := "Le motif ne doit pas dépasser 1000 caractères."
	emptyMessage := "Indiquez le motif du retrait de l’habilitation à PNTS."

	cases := []struct {
		name         string
		habilitation int64
		reason       string
		wantErr      error  // nil when the error is validation.Errors
		wantMessage  string // the "reason" message when wantErr is nil
	}{
		{"empty reason", live, "", nil, emptyMessage},
		{"blank reason", live, " \t ", nil, emptyMessage},
		{"reason too long", live, strings.Repeat("a", habilitations.MaxReasonLength+1), nil, lengthMessage},
		{"unknown id", 999_999, "Motif.", habilitations.ErrNotFound, ""},
		{"unknown id without reason", 999_999, "", habilitations.ErrNotFound, ""},
		{"revoked twice", revoked, "Seconde révocation.", habilitations.ErrNotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)
			revokedRows := f.countRows(t, `SELECT COUNT(*) FROM habilitations WHERE revoked_at IS NOT NULL`)

			account, err := f.store.Revoke(f.ctx, f.douane, demoNow.Add(time.Hour), c.habilitation, c.reason)

			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Errorf("error: got %v, want %v", err, c.wantErr)
				}
			} else {
				// The account page shows the form again, so the caller
				// needs the account id along with the field errors.
				if account != f.siege {
					t.Errorf("account id: got %d, want %d", account, f.siege)
				}
				fields := validationFields(t, err)
				if got := sortedKeys(fields); !slices.Equal(got, []string{"reason"}) {
					t.Errorf("fields: got %v, want [reason]", got)
				}
				if fields["reason"] != c.wantMessage {
					t.Errorf("reason message: got %q, want %q", fields["reason"], c.wantMessage)
				}
			}
			if got := f.countRows(t, `SELECT COUNT(*) FROM habilitations WHERE revoked_at IS NOT NULL`); got != revokedRows {
				t.Errorf("revoked habilitations: got %d, want %d", got, revokedRows)
			}
			f.checkNoRowsAdded(t, before)
		})
	}

	if got := f.liveCodes(t, f.siege); !slices.Equal(got, []string{"DELTAH7", "PNTS"}) {
		t.Errorf("live habilitations of boreal-siege: got %v, want [DELTAH7 PNTS]", got)
	}
	var reason string
	if err := f.pool.QueryRowContext(f.ctx, `SELECT revoke_reason FROM habilitations WHERE id = ?`, revoked).Scan(&reason); err != nil {
		t.Fatalf("read habilitation %d: %v", revoked, err)
	}
	if reason != "Première révocation." {
		t.Errorf("reason of the habilitation revoked twice: got %q, want the first %q", reason, "Première révocation.")
	}
}

func TestRevokeDeletedAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.liveHabilitation(t, f.havre, "PNTS")
	f.mustExec(t, `UPDATE api_accounts SET deleted_at = ? WHERE id = ?`, demoNow, f.havre)
	before := f.rowCounts(t)

	_, err := f.store.Revoke(f.ctx, f.douane, demoNow, id, "Compte supprimé.")

	if !errors.Is(err, habilitations.ErrNotFound) {
		t.Errorf("error: got %v, want ErrNotFound", err)
	}
	var revokedAt sql.NullTime
	if err := f.pool.QueryRowContext(f.ctx, `SELECT revoked_at FROM habilitations WHERE id = ?`, id).Scan(&revokedAt); err != nil {
		t.Fatalf("read habilitation %d: %v", id, err)
	}
	if revokedAt.Valid {
		t.Errorf("revoked_at: got %v, want NULL", revokedAt.Time)
	}
	f.checkNoRowsAdded(t, before)
}

func TestRevokeMakesRequestable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	view, err := f.store.ForAccount(f.ctx, f.havre)
	if err != nil {
		t.Fatalf("ForAccount before Revoke: %v", err)
	}
	if got := apiCodes(view.Requestable); slices.Contains(got, "PNTS") {
		t.Errorf("requestable before Revoke: got %v, want PNTS left out", got)
	}

	if _, err := f.store.Revoke(f.ctx, f.douane, demoNow, f.liveHabilitation(t, f.havre, "PNTS"), "Retrait."); err != nil {
		t.Fatalf("Revoke: %v", err)
	}

	view, err = f.store.ForAccount(f.ctx, f.havre)
	if err != nil {
		t.Fatalf("ForAccount after Revoke: %v", err)
	}
	want := []string{"DELTAH7", "DELTAIE", "GAMMA2", "PNTS"}
	if got := apiCodes(view.Requestable); !slices.Equal(got, want) {
		t.Errorf("requestable after Revoke: got %v, want %v", got, want)
	}
	if len(view.Live) != 0 {
		t.Errorf("live habilitations after Revoke: got %+v, want none", view.Live)
	}

	request := f.submit(t, demoNow, f.havre, "PNTS")
	f.decide(t, demoNow, request, grantAll("PNTS"))
	if got := f.status(t, f.havre); got != accounts.StatusGreen {
		t.Errorf("account status after a new grant: got %q, want %q", got, accounts.StatusGreen)
	}
	pntsRows := f.countRows(t, `SELECT COUNT(*) FROM habilitations WHERE account_id = ? AND api_code = 'PNTS'`, f.havre)
	if pntsRows != 2 {
		t.Errorf("PNTS habilitation rows, revoked one kept: got %d, want 2", pntsRows)
	}
}
