package habilitations_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/habilitations"
)

func TestCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.submit(t, demoNow, f.roissy, "DELTAIE", "PNTS")

	now := time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC)
	if err := f.store.Cancel(f.ctx, f.scope, f.correspondant, now, f.roissy, id); err != nil {
		t.Fatalf("Cancel: %v", err)
	}

	r := f.get(t, id)
	if r.State != habilitations.StateCancelled {
		t.Errorf("state: got %q, want %q", r.State, habilitations.StateCancelled)
	}
	if !r.ClosedAt.Equal(now) {
		t.Errorf("ClosedAt: got %v, want %v", r.ClosedAt, now)
	}
	if r.ClosedBy != "Camille Martin" {
		t.Errorf("ClosedBy: got %q, want %q", r.ClosedBy, "Camille Martin")
	}
	want := []habilitations.Item{
		{APICode: "DELTAIE", APILabel: "Delta IE"},
		{APICode: "PNTS", APILabel: "PNTS"},
	}
	if !slices.Equal(r.Items, want) {
		t.Errorf("Items: got %+v, want %+v with no decision", r.Items, want)
	}
	open := f.countRows(t, `SELECT COUNT(*) FROM habilitation_request_items WHERE request_id = ? AND open = 1`, id)
	if open != 0 {
		t.Errorf("open items: got %d, want 0", open)
	}
	if got := f.liveCodes(t, f.roissy); len(got) != 0 {
		t.Errorf("live habilitations: got %v, want none", got)
	}
	if got := f.status(t, f.roissy); got != accounts.StatusRed {
		t.Errorf("account status: got %q, want %q", got, accounts.StatusRed)
	}

	// The closed items free both APIs for a new request.
	again, err := f.store.Submit(f.ctx, f.scope, f.correspondant, now, f.roissy, []string{"PNTS", "DELTAIE"})
	if err != nil {
		t.Fatalf("Submit after Cancel: got %v, want nil", err)
	}
	if again == id {
		t.Errorf("new request id: got %d, want an id other than the cancelled %d", again, id)
	}
}

func TestCancelByCustoms(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.submit(t, demoNow, f.roissy, "GAMMA2")

	if err := f.store.Cancel(f.ctx, accounts.Scope{All: true}, f.douane, demoNow, f.roissy, id); err != nil {
		t.Fatalf("Cancel with scope All: %v", err)
	}

	r := f.get(t, id)
	if r.State != habilitations.StateCancelled {
		t.Errorf("state: got %q, want %q", r.State, habilitations.StateCancelled)
	}
	if r.ClosedBy != "Paul Durand" {
		t.Errorf("ClosedBy: got %q, want %q", r.ClosedBy, "Paul Durand")
	}
}

func TestCancelRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	open := f.submit(t, demoNow, f.roissy, "GAMMA2")
	approved := f.submit(t, demoNow, f.havre, "DELTAIE")
	f.decide(t, demoNow, approved, grantAll("DELTAIE"))
	refused := f.submit(t, demoNow, f.siege, "GAMMA2")
	f.decide(t, demoNow, refused, map[string]habilitations.Decision{"GAMMA2": refuse("Incomplet.")})
	cancelled := f.submit(t, demoNow, f.havre, "GAMMA2")
	if err := f.store.Cancel(f.ctx, f.scope, f.correspondant, demoNow, f.havre, cancelled); err != nil {
		t.Fatalf("Cancel: %v", err)
	}

	cases := []struct {
		name      string
		scope     accounts.Scope
		actor     habilitations.Actor
		account   int64
		request   int64
		wantErr   error
		wantState habilitations.State
	}{
		{"approved", f.scope, f.correspondant, f.havre, approved, habilitations.ErrTransition, habilitations.StateApproved},
		{"refused", f.scope, f.correspondant, f.siege, refused, habilitations.ErrTransition, habilitations.StateRefused},
		{"cancelled twice", f.scope, f.correspondant, f.havre, cancelled, habilitations.ErrTransition, habilitations.StateCancelled},
		{"other correspondant", f.otherScope, f.otherCorrespondant, f.roissy, open, habilitations.ErrNotFound, habilitations.StateSubmitted},
		{"other correspondant's own account", f.otherScope, f.otherCorrespondant, f.beaune, open, habilitations.ErrNotFound, habilitations.StateSubmitted},
		{"account of another request", f.scope, f.correspondant, f.siege, open, habilitations.ErrNotFound, habilitations.StateSubmitted},
		{"unknown account", accounts.Scope{All: true}, f.douane, 999_999, open, habilitations.ErrNotFound, habilitations.StateSubmitted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)

			err := f.store.Cancel(f.ctx, c.scope, c.actor, demoNow.Add(time.Hour), c.account, c.request)

			if !errors.Is(err, c.wantErr) {
				t.Errorf("error: got %v, want %v", err, c.wantErr)
			}
			if got := f.get(t, c.request).State; got != c.wantState {
				t.Errorf("state: got %q, want %q", got, c.wantState)
			}
			f.checkNoRowsAdded(t, before)
		})
	}

	t.Run("unknown request", func(t *testing.T) {
		before := f.rowCounts(t)

		err := f.store.Cancel(f.ctx, f.scope, f.correspondant, demoNow, f.roissy, 999_999)

		if !errors.Is(err, habilitations.ErrNotFound) {
			t.Errorf("error: got %v, want ErrNotFound", err)
		}
		f.checkNoRowsAdded(t, before)
	})

	openItems := f.countRows(t, `SELECT COUNT(*) FROM habilitation_request_items WHERE request_id = ? AND open = 1`, open)
	if openItems != 1 {
		t.Errorf("open items of the submitted request: got %d, want 1", openItems)
	}
}
