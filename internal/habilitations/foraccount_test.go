package habilitations_test

import (
	"slices"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/habilitations"
)

// forAccount runs ForAccount and fails the test on error.
func (f *fixture) forAccount(t *testing.T, account int64) habilitations.AccountHabilitations {
	t.Helper()
	view, err := f.store.ForAccount(f.ctx, account)
	if err != nil {
		t.Fatalf("ForAccount(%d): %v", account, err)
	}
	return view
}

func TestForAccountDemo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	cases := []struct {
		name            string
		account         int64
		wantLive        []string
		wantRequestable []string
	}{
		{"boreal-siege", f.siege, []string{"DELTAH7", "PNTS"}, []string{"DELTAIE", "GAMMA2"}},
		{"boreal-roissy", f.roissy, []string{}, []string{"DELTAH7", "DELTAIE", "GAMMA2", "PNTS"}},
		{"epices-havre", f.havre, []string{"PNTS"}, []string{"DELTAH7", "DELTAIE", "GAMMA2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			view := f.forAccount(t, c.account)

			live := []string{}
			for _, h := range view.Live {
				live = append(live, h.APICode)
			}
			if !slices.Equal(live, c.wantLive) {
				t.Errorf("live: got %v, want %v", live, c.wantLive)
			}
			if got := apiCodes(view.Requestable); !slices.Equal(got, c.wantRequestable) {
				t.Errorf("requestable: got %v, want %v", got, c.wantRequestable)
			}
			if len(view.Requests) != 0 {
				t.Errorf("requests: got %d, want 0", len(view.Requests))
			}
		})
	}
}

func TestForAccountLive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	view := f.forAccount(t, f.siege)

	want := []habilitations.Habilitation{
		{ID: f.liveHabilitation(t, f.siege, "DELTAH7"), APICode: "DELTAH7", APILabel: "DeltaH7", GrantedAt: demoNow},
		{ID: f.liveHabilitation(t, f.siege, "PNTS"), APICode: "PNTS", APILabel: "PNTS", GrantedAt: demoNow},
	}
	if len(view.Live) != len(want) {
		t.Fatalf("live: got %+v, want %+v", view.Live, want)
	}
	for i, h := range view.Live {
		if h.ID != want[i].ID {
			t.Errorf("live %d ID: got %d, want %d", i, h.ID, want[i].ID)
		}
		if h.APICode != want[i].APICode {
			t.Errorf("live %d APICode: got %q, want %q", i, h.APICode, want[i].APICode)
		}
		if h.APILabel != want[i].APILabel {
			t.Errorf("live %d APILabel: got %q, want %q", i, h.APILabel, want[i].APILabel)
		}
		if !h.GrantedAt.Equal(want[i].GrantedAt) {
			t.Errorf("live %d GrantedAt: got %v, want %v", i, h.GrantedAt, want[i].GrantedAt)
		}
	}

	requestable := view.Requestable
	if len(requestable) != 2 {
		t.Fatalf("requestable: got %v, want [DELTAIE GAMMA2]", apiCodes(requestable))
	}
	if len(requestable[0].Fields) != 2 {
		t.Errorf("fields of requestable DELTAIE: got %d, want 2", len(requestable[0].Fields))
	}
}

func TestForAccountRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	refused := f.submit(t, demoNow.Add(1*time.Hour), f.siege, "GAMMA2")
	f.decide(t, demoNow.Add(2*time.Hour), refused, map[string]habilitations.Decision{"GAMMA2": refuse("Accises non déclarées.")})
	open := f.submit(t, demoNow.Add(3*time.Hour), f.siege, "GAMMA2", "DELTAIE")
	f.submit(t, demoNow.Add(4*time.Hour), f.roissy, "GAMMA2")

	view := f.forAccount(t, f.siege)

	if got := requestIDs(view.Requests); !slices.Equal(got, []int64{open, refused}) {
		t.Fatalf("requests: got %v, want %v", got, []int64{open, refused})
	}

	newest := view.Requests[0]
	if newest.State != habilitations.StateSubmitted {
		t.Errorf("newest state: got %q, want %q", newest.State, habilitations.StateSubmitted)
	}
	wantOpen := []habilitations.Item{
		{APICode: "DELTAIE", APILabel: "Delta IE"},
		{APICode: "GAMMA2", APILabel: "Gamma 2"},
	}
	if !slices.Equal(newest.Items, wantOpen) {
		t.Errorf("newest items: got %+v, want %+v", newest.Items, wantOpen)
	}

	oldest := view.Requests[1]
	if oldest.State != habilitations.StateRefused {
		t.Errorf("oldest state: got %q, want %q", oldest.State, habilitations.StateRefused)
	}
	if oldest.ClosedBy != "Paul Durand" {
		t.Errorf("oldest ClosedBy: got %q, want %q", oldest.ClosedBy, "Paul Durand")
	}
	wantRefused := []habilitations.Item{
		{APICode: "GAMMA2", APILabel: "Gamma 2", Decision: "refused", Reason: "Accises non déclarées."},
	}
	if !slices.Equal(oldest.Items, wantRefused) {
		t.Errorf("oldest items: got %+v, want %+v", oldest.Items, wantRefused)
	}

	// DELTAH7 and PNTS are held, DELTAIE and GAMMA2 are in the open request.
	if got := apiCodes(view.Requestable); len(got) != 0 {
		t.Errorf("requestable: got %v, want none", got)
	}

	if err := f.store.Cancel(f.ctx, f.scope, f.correspondant, demoNow, f.siege, open); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	view = f.forAccount(t, f.siege)
	if got := apiCodes(view.Requestable); !slices.Equal(got, []string{"DELTAIE", "GAMMA2"}) {
		t.Errorf("requestable after Cancel: got %v, want [DELTAIE GAMMA2]", got)
	}
	if got := view.Requests[0].State; got != habilitations.StateCancelled {
		t.Errorf("newest state after Cancel: got %q, want %q", got, habilitations.StateCancelled)
	}
}
