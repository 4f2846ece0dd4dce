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
)

// refuse returns a refusal for the reason.
func refuse(reason string) habilitations.Decision {
	return habilitations.Decision{Reason: reason}
}

var granted = habilitations.Decision{Grant: true}

func TestDecideStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		codes      []string
		decisions  map[string]habilitations.Decision
		wantState  habilitations.State
		wantLive   []string
		wantStatus accounts.Status
	}{
		{
			name:       "PNTS granted",
			codes:      []string{"PNTS"},
			decisions:  grantAll("PNTS"),
			wantState:  habilitations.StateApproved,
			wantLive:   []string{"PNTS"},
			wantStatus: accounts.StatusGreen,
		},
		{
			name:       "DELTAH7 granted",
			codes:      []string{"DELTAH7"},
			decisions:  grantAll("DELTAH7"),
			wantState:  habilitations.StateApproved,
			wantLive:   []string{"DELTAH7"},
			wantStatus: accounts.StatusYellow,
		},
		{
			name:       "DELTAIE and PNTS granted",
			codes:      []string{"DELTAIE", "PNTS"},
			decisions:  grantAll("DELTAIE", "PNTS"),
			wantState:  habilitations.StateApproved,
			wantLive:   []string{"DELTAIE", "PNTS"},
			wantStatus: accounts.StatusYellow,
		},
		{
			name:       "all refused",
			codes:      []string{"GAMMA2", "PNTS"},
			decisions:  map[string]habilitations.Decision{"GAMMA2": refuse("Hors périmètre."), "PNTS": refuse("Doublon.")},
			wantState:  habilitations.StateRefused,
			wantLive:   []string{},
			wantStatus: accounts.StatusRed,
		},
		{
			name:       "mixed",
			codes:      []string{"DELTAH7", "PNTS"},
			decisions:  map[string]habilitations.Decision{"DELTAH7": refuse("Pièces manquantes."), "PNTS": granted},
			wantState:  habilitations.StatePartiallyApproved,
			wantLive:   []string{"PNTS"},
			wantStatus: accounts.StatusGreen,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			id := f.submit(t, demoNow, f.roissy, c.codes...)

			f.decide(t, demoNow.Add(time.Hour), id, c.decisions)

			if got := f.get(t, id).State; got != c.wantState {
				t.Errorf("state: got %q, want %q", got, c.wantState)
			}
			if got := f.liveCodes(t, f.roissy); !slices.Equal(got, c.wantLive) {
				t.Errorf("live habilitations: got %v, want %v", got, c.wantLive)
			}
			if got := f.status(t, f.roissy); got != c.wantStatus {
				t.Errorf("account status: got %q, want %q", got, c.wantStatus)
			}
			open := f.countRows(t, `SELECT COUNT(*) FROM habilitation_request_items WHERE request_id = ? AND open = 1`, id)
			if open != 0 {
				t.Errorf("open items: got %d, want 0", open)
			}
		})
	}
}

func TestDecideMixed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.submit(t, demoNow, f.roissy, "PNTS", "DELTAIE")

	now := time.Date(2026, 12, 6, 15, 45, 30, 250_000_000, time.FixedZone("CET", 3600))
	wantClosed := time.Date(2026, 12, 6, 14, 45, 30, 0, time.UTC)
	f.decide(t, now, id, map[string]habilitations.Decision{
		"DELTAIE": refuse("  Le Kbis fourni date de plus de trois mois.  "),
		// The reason of a granted API is not kept.
		"PNTS": {Grant: true, Reason: "sans objet"},
	})

	r := f.get(t, id)
	if r.State != habilitations.StatePartiallyApproved {
		t.Errorf("state: got %q, want %q", r.State, habilitations.StatePartiallyApproved)
	}
	if !r.ClosedAt.Equal(wantClosed) {
		t.Errorf("ClosedAt: got %v, want %v", r.ClosedAt, wantClosed)
	}
	if r.ClosedBy != "Paul Durand" {
		t.Errorf("ClosedBy: got %q, want %q", r.ClosedBy, "Paul Durand")
	}
	if r.RequestedBy != "Camille Martin" {
		t.Errorf("RequestedBy: got %q, want %q", r.RequestedBy, "Camille Martin")
	}
	want := []habilitations.Item{
		{APICode: "DELTAIE", APILabel: "Delta IE", Decision: "refused", Reason: "Le Kbis fourni date de plus de trois mois."},
		{APICode: "PNTS", APILabel: "PNTS", Decision: "granted", Reason: ""},
	}
	if !slices.Equal(r.Items, want) {
		t.Errorf("Items: got %+v, want %+v", r.Items, want)
	}

	var grantedAt time.Time
	var grantedBy int64
	err := f.pool.QueryRowContext(f.ctx, `SELECT granted_at, granted_by FROM habilitations WHERE id = ?`,
		f.liveHabilitation(t, f.roissy, "PNTS")).Scan(&grantedAt, &grantedBy)
	if err != nil {
		t.Fatalf("read PNTS habilitation: %v", err)
	}
	if !grantedAt.Equal(wantClosed) {
		t.Errorf("granted_at: got %v, want %v", grantedAt, wantClosed)
	}
	if grantedBy != f.douane.ID {
		t.Errorf("granted_by: got %d, want %d", grantedBy, f.douane.ID)
	}
	if got := f.liveCodes(t, f.roissy); !slices.Equal(got, []string{"PNTS"}) {
		t.Errorf("live habilitations: got %v, want [PNTS]", got)
	}
}

func TestDecideRejectsInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.submit(t, demoNow, f.roissy, "DELTAIE", "PNTS")
	tooLong := strings.Repeat("a", habilitations.MaxReasonLength+1)
	lengthMessage := "Le motif ne doit pas dépasser 1000 caractères."

	cases := []struct {
		name      string
		decisions map[string]habilitations.Decision
		want      map[string]string
	}{
		{
			name:      "refusal without reason",
			decisions: map[string]habilitations.Decision{"DELTAIE": granted, "PNTS": refuse("")},
			want:      map[string]string{"reason.PNTS": "Indiquez le motif du refus de PNTS."},
		},
		{
			name:      "refusal with blank reason",
			decisions: map[string]habilitations.Decision{"DELTAIE": refuse(" \t\n "), "PNTS": granted},
			want:      map[string]string{"reason.DELTAIE": "Indiquez le motif du refus de Delta IE."},
		},
		{
			name:      "missing decision",
			decisions: map[string]habilitations.Decision{"DELTAIE": granted},
			want:      map[string]string{"decision.PNTS": "Choisissez d’accorder ou de refuser PNTS."},
		},
		{
			name:      "lower-case key",
			decisions: map[string]habilitations.Decision{"DELTAIE": granted, "pnts": granted},
			want:      map[string]string{"decision.PNTS": "Choisissez d’accorder ou de refuser PNTS."},
		},
		{
			name:      "no decision",
			decisions: nil,
			want: map[string]string{
				"decision.DELTAIE": "Choisissez d’accorder ou de refuser Delta IE.",
				"decision.PNTS":    "Choisissez d’accorder ou de refuser PNTS.",
			},
		},
		{
			name:      "reason too long",
			decisions: map[string]habilitations.Decision{"DELTAIE": refuse(tooLong), "PNTS": granted},
			want:      map[string]string{"reason.DELTAIE": lengthMessage},
		},
		{
			name:      "every problem listed",
			decisions: map[string]habilitations.Decision{"DELTAIE": refuse("")},
			want: map[string]string{
				"reason.DELTAIE": "Indiquez le motif du refus de Delta IE.",
				"decision.PNTS":  "Choisissez d’accorder ou de refuser PNTS.",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)

			err := f.store.Decide(f.ctx, f.douane, demoNow, id, c.decisions)

			fields := validationFields(t, err)
			if got, want := sortedKeys(fields), sortedKeys(c.want); !slices.Equal(got, want) {
				t.Errorf("fields: got %v, want %v", got, want)
			}
			for field, message := range c.want {
				if fields[field] != message {
					t.Errorf("%s message: got %q, want %q", field, fields[field], message)
				}
			}

			r := f.get(t, id)
			if r.State != habilitations.StateSubmitted {
				t.Errorf("state: got %q, want %q", r.State, habilitations.StateSubmitted)
			}
			for _, it := range r.Items {
				if it.Decision != "" {
					t.Errorf("decision on %s: got %q, want empty", it.APICode, it.Decision)
				}
			}
			if got := f.liveCodes(t, f.roissy); len(got) != 0 {
				t.Errorf("live habilitations: got %v, want none", got)
			}
			open := f.countRows(t, `SELECT COUNT(*) FROM habilitation_request_items WHERE request_id = ? AND open = 1`, id)
			if open != 2 {
				t.Errorf("open items: got %d, want 2", open)
			}
			f.checkNoRowsAdded(t, before)
		})
	}
}

func TestDecideReasonLength(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.submit(t, demoNow, f.roissy, "GAMMA2")

	// The limit counts characters, not bytes: 1000 "é" take 2000 bytes.
	reason := strings.Repeat("é", habilitations.MaxReasonLength)
	f.decide(t, demoNow, id, map[string]habilitations.Decision{"GAMMA2": refuse(reason)})

	r := f.get(t, id)
	if r.State != habilitations.StateRefused {
		t.Errorf("state: got %q, want %q", r.State, habilitations.StateRefused)
	}
	if len(r.Items) != 1 {
		t.Fatalf("items: got %d, want 1", len(r.Items))
	}
	if r.Items[0].Reason != reason {
		t.Errorf("reason: got %d bytes, want the %d-byte reason", len(r.Items[0].Reason), len(reason))
	}
}

func TestDecideRejectsTransition(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	decided := f.submit(t, demoNow, f.roissy, "PNTS")
	f.decide(t, demoNow, decided, grantAll("PNTS"))

	cancelled := f.submit(t, demoNow, f.havre, "GAMMA2")
	if err := f.store.Cancel(f.ctx, f.scope, f.correspondant, demoNow, f.havre, cancelled); err != nil {
		t.Fatalf("Cancel: %v", err)
	}

	refused := f.submit(t, demoNow, f.siege, "GAMMA2")
	f.decide(t, demoNow, refused, map[string]habilitations.Decision{"GAMMA2": refuse("Incomplet.")})

	cases := []struct {
		name      string
		request   int64
		decisions map[string]habilitations.Decision
		wantErr   error
		wantState habilitations.State
	}{
		{"approved decided again", decided, grantAll("PNTS"), habilitations.ErrTransition, habilitations.StateApproved},
		{"approved refused afterwards", decided, map[string]habilitations.Decision{"PNTS": refuse("Erreur.")},
			habilitations.ErrTransition, habilitations.StateApproved},
		{"cancelled", cancelled, grantAll("GAMMA2"), habilitations.ErrTransition, habilitations.StateCancelled},
		{"refused", refused, grantAll("GAMMA2"), habilitations.ErrTransition, habilitations.StateRefused},
		{"decided without decisions", decided, nil, habilitations.ErrTransition, habilitations.StateApproved},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)
			habilitationRows := f.countRows(t, `SELECT COUNT(*) FROM habilitations`)

			err := f.store.Decide(f.ctx, f.douane, demoNow.Add(time.Hour), c.request, c.decisions)

			if !errors.Is(err, c.wantErr) {
				t.Errorf("error: got %v, want %v", err, c.wantErr)
			}
			if got := f.get(t, c.request).State; got != c.wantState {
				t.Errorf("state: got %q, want %q", got, c.wantState)
			}
			if got := f.countRows(t, `SELECT COUNT(*) FROM habilitations`); got != habilitationRows {
				t.Errorf("habilitation rows: got %d, want %d", got, habilitationRows)
			}
			f.checkNoRowsAdded(t, before)
		})
	}

	t.Run("request without items", func(t *testing.T) {
		res := f.mustExec(t, `
			INSERT INTO habilitation_requests (account_id, siret, state, requested_at) VALUES (?, ?, 'submitted', ?)`,
			f.roissy, roissySIRET, demoNow)
		empty, err := res.LastInsertId()
		if err != nil {
			t.Fatalf("insert request without items: %v", err)
		}
		before := f.rowCounts(t)

		err = f.store.Decide(f.ctx, f.douane, demoNow, empty, grantAll("PNTS"))

		if !errors.Is(err, habilitations.ErrTransition) {
			t.Errorf("error: got %v, want ErrTransition", err)
		}
		if got := f.get(t, empty).State; got != habilitations.StateSubmitted {
			t.Errorf("state: got %q, want %q", got, habilitations.StateSubmitted)
		}
		f.checkNoRowsAdded(t, before)
	})

	t.Run("unknown request", func(t *testing.T) {
		before := f.rowCounts(t)

		err := f.store.Decide(f.ctx, f.douane, demoNow, 999_999, grantAll("PNTS"))

		if !errors.Is(err, habilitations.ErrNotFound) {
			t.Errorf("error: got %v, want ErrNotFound", err)
		}
		f.checkNoRowsAdded(t, before)
	})
}

func TestDecideConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.submit(t, demoNow, f.roissy, "PNTS")

	const callers = 4
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.store.Decide(f.ctx, f.douane, demoNow, id, grantAll("PNTS"))
		}()
	}
	wg.Wait()

	succeeded := 0
	for i, err := range errs {
		if err == nil {
			succeeded++
			continue
		}
		if !errors.Is(err, habilitations.ErrTransition) {
			t.Errorf("caller %d: got %v, want nil or ErrTransition", i, err)
		}
	}
	if succeeded != 1 {
		t.Errorf("successful decisions: got %d, want 1", succeeded)
	}
	if got := f.countRows(t, `SELECT COUNT(*) FROM habilitations WHERE account_id = ?`, f.roissy); got != 1 {
		t.Errorf("habilitation rows: got %d, want 1", got)
	}
	if got := f.countRows(t, `SELECT COUNT(*) FROM journal WHERE action = 'request.decided'`); got != 1 {
		t.Errorf("request.decided journal rows: got %d, want 1", got)
	}
}
