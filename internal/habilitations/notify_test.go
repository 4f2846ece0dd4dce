package habilitations_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/habilitations"
)

// checkJournal compares every field of a journal row with its own check.
func checkJournal(t *testing.T, got, want journalRow) {
	t.Helper()
	if got.Action != want.Action {
		t.Errorf("%s: action: got %q, want %q", want.Action, got.Action, want.Action)
	}
	if got.ActorID != want.ActorID {
		t.Errorf("%s: actor id: got %d, want %d", want.Action, got.ActorID, want.ActorID)
	}
	if got.ActorName != want.ActorName {
		t.Errorf("%s: actor name: got %q, want %q", want.Action, got.ActorName, want.ActorName)
	}

	if got.AccountID != want.AccountID {
		t.Errorf("%s: account id: got %d, want %d", want.Action, got.AccountID, want.AccountID)
	}
	if got.AccountIdentifier != want.AccountIdentifier {
		t.Errorf("%s: account identifier: got %q, want %q", want.Action, got.AccountIdentifier, want.AccountIdentifier)
	}
	if got.SIRET != want.SIRET {
		t.Errorf("%s: SIRET: got %q, want %q", want.Action, got.SIRET, want.SIRET)
	}
	if got.APICode != want.APICode {
		t.Errorf("%s: API code: got %q, want %q", want.Action, got.APICode, want.APICode)
	}

	if got.Summary != want.Summary {
		t.Errorf("%s: summary: got %q, want %q", want.Action, got.Summary, want.Summary)
	}
	if !got.At.Equal(want.At) {
		t.Errorf("%s: at: got %v, want %v", want.Action, got.At, want.At)
	}
	if !maps.Equal(got.Before, want.Before) {
		t.Errorf("%s: before: got %v, want %v", want.Action, got.Before, want.Before)
	}
	if !maps.Equal(got.After, want.After) {
		t.Errorf("%s: after: got %v, want %v", want.Action, got.After, want.After)
	}
}

// checkOutbox checks that messages are one message per recipient, in the
// order given, each with the kind, subject, account, SIRET and time of
// want, and a body that contains every line of bodyLines.
func checkOutbox(t *testing.T, messages []outboxRow, recipients []string, want outboxRow, bodyLines []string) {
	t.Helper()
	if len(messages) != len(recipients) {
		t.Fatalf("outbox messages: got %d (%+v), want %d", len(messages), messages, len(recipients))
	}
	for i, m := range messages {
		if m.Recipient != recipients[i] {
			t.Errorf("message %d recipient: got %q, want %q", i, m.Recipient, recipients[i])
		}
		if m.Kind != want.Kind {
			t.Errorf("message %d kind: got %q, want %q", i, m.Kind, want.Kind)
		}
		if m.Subject != want.Subject {
			t.Errorf("message %d subject: got %q, want %q", i, m.Subject, want.Subject)
		}
		if m.AccountID != want.AccountID {
			t.Errorf("message %d account id: got %d, want %d", i, m.AccountID, want.AccountID)
		}
		if m.SIRET != want.SIRET {
			t.Errorf("message %d SIRET: got %q, want %q", i, m.SIRET, want.SIRET)
		}
		if !m.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("message %d created at: got %v, want %v", i, m.CreatedAt, want.CreatedAt)
		}
		for _, line := range bodyLines {
			if !strings.Contains(m.Body, line) {
				t.Errorf("message %d body: got\n%s\nwant a line %q", i, m.Body, line)
			}
		}
	}
}

func TestSubmitJournalAndOutbox(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	lastJournal, lastOutbox := f.maxID(t, "journal"), f.maxID(t, "outbox")
	now := demoNow.Add(2 * time.Hour)

	id := f.submit(t, now, f.roissy, "PNTS", "DELTAIE")

	entries := f.journalSince(t, lastJournal)
	if len(entries) != 1 {
		t.Fatalf("journal rows: got %d (%+v), want 1", len(entries), entries)
	}
	checkJournal(t, entries[0], journalRow{
		Action:            "request.submitted",
		ActorID:           f.correspondant.ID,
		ActorName:         "Camille Martin",
		AccountID:         f.roissy,
		AccountIdentifier: roissyIdentifier,
		SIRET:             roissySIRET,
		Summary:           fmt.Sprintf("Demande d’habilitation n°\u00a0%d déposée pour Delta IE, PNTS.", id),
		At:                now,
		After:             map[string]string{"Demande": fmt.Sprint(id), "API demandées": "Delta IE, PNTS", "État": "En cours d’instruction"},
	})

	checkOutbox(t, f.outboxSince(t, lastOutbox), []string{roissyEmail, demo.CorrespondantLogin}, outboxRow{
		Kind:      "request.submitted",
		Subject:   fmt.Sprintf("Demande d’habilitation n°\u00a0%d reçue pour le compte API boreal-roissy", id),
		AccountID: f.roissy,
		SIRET:     roissySIRET,
		CreatedAt: now,
	}, []string{
		"Bonjour,",
		"Une demande d’habilitation a été déposée pour le compte API boreal-roissy (établissement SIRET 81234567600025).",
		"API demandées\u00a0: Delta IE, PNTS",
		fmt.Sprintf("Numéro de la demande\u00a0: %d", id),
		"Le service des douanes va l’instruire.",
	})
}

func TestDecideJournalAndOutbox(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.submit(t, demoNow, f.roissy, "PNTS", "DELTAIE")
	lastJournal, lastOutbox := f.maxID(t, "journal"), f.maxID(t, "outbox")
	now := demoNow.Add(24 * time.Hour)
	reason := "Le Kbis fourni date de plus de trois mois."

	f.decide(t, now, id, map[string]habilitations.Decision{"DELTAIE": refuse(reason), "PNTS": granted})

	entries := f.journalSince(t, lastJournal)
	if len(entries) != 3 {
		t.Fatalf("journal rows: got %d (%+v), want 3", len(entries), entries)
	}
	base := journalRow{
		ActorID:           f.douane.ID,
		ActorName:         "Paul Durand",
		AccountID:         f.roissy,
		AccountIdentifier: roissyIdentifier,
		SIRET:             roissySIRET,
		At:                now,
	}

	refused := base
	refused.Action = "habilitation.refused"
	refused.APICode = "DELTAIE"
	refused.Summary = fmt.Sprintf("Habilitation à Delta IE refusée (demande n°\u00a0%d). Motif\u00a0: %s", id, reason)
	refused.After = map[string]string{"Habilitation": "refusée", "Motif": reason}
	checkJournal(t, entries[0], refused)

	grantedEntry := base
	grantedEntry.Action = "habilitation.granted"
	grantedEntry.APICode = "PNTS"
	grantedEntry.Summary = fmt.Sprintf("Habilitation à PNTS accordée (demande n°\u00a0%d).", id)
	grantedEntry.After = map[string]string{"Habilitation": "PNTS"}
	checkJournal(t, entries[1], grantedEntry)

	decided := base
	decided.Action = "request.decided"
	decided.Summary = fmt.Sprintf("Demande d’habilitation n°\u00a0%d\u00a0: partiellement acceptée.", id)
	decided.Before = map[string]string{"État": "En cours d’instruction"}
	decided.After = map[string]string{
		"État":     "Partiellement acceptée",
		"Delta IE": "refusée\u00a0: " + reason,
		"PNTS":     "accordée",
	}
	checkJournal(t, entries[2], decided)

	checkOutbox(t, f.outboxSince(t, lastOutbox), []string{roissyEmail, demo.CorrespondantLogin}, outboxRow{
		Kind:      "request.decided",
		Subject:   fmt.Sprintf("Décision sur la demande d’habilitation n°\u00a0%d (compte API boreal-roissy)", id),
		AccountID: f.roissy,
		SIRET:     roissySIRET,
		CreatedAt: now,
	}, []string{
		fmt.Sprintf("Le service des douanes a statué sur la demande d’habilitation n°\u00a0%d du compte API boreal-roissy.", id),
		"Résultat\u00a0: Partiellement acceptée",
		"- Delta IE\u00a0: refusée. Motif\u00a0: " + reason + "\n",
		"- PNTS\u00a0: accordée\n",
	})
}

func TestCancelJournal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.submit(t, demoNow, f.roissy, "PNTS", "DELTAIE")
	lastJournal := f.maxID(t, "journal")
	now := demoNow.Add(time.Hour)

	if err := f.store.Cancel(f.ctx, f.scope, f.correspondant, now, f.roissy, id); err != nil {
		t.Fatalf("Cancel: %v", err)
	}

	entries := f.journalSince(t, lastJournal)
	if len(entries) != 1 {
		t.Fatalf("journal rows: got %d (%+v), want 1", len(entries), entries)
	}
	checkJournal(t, entries[0], journalRow{
		Action:            "request.cancelled",
		ActorID:           f.correspondant.ID,
		ActorName:         "Camille Martin",
		AccountID:         f.roissy,
		AccountIdentifier: roissyIdentifier,
		SIRET:             roissySIRET,
		Summary:           fmt.Sprintf("Demande d’habilitation n°\u00a0%d annulée (Delta IE, PNTS).", id),
		At:                now,
		Before:            map[string]string{"État": "En cours d’instruction"},
		After:             map[string]string{"État": "Annulée"},
	})
}

func TestRevokeJournalAndOutbox(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	lastJournal, lastOutbox := f.maxID(t, "journal"), f.maxID(t, "outbox")
	now := demoNow.Add(3 * time.Hour)
	reason := "Convention d’échange résiliée."

	if _, err := f.store.Revoke(f.ctx, f.douane, now, f.liveHabilitation(t, f.havre, "PNTS"), reason); err != nil {
		t.Fatalf("Revoke: %v", err)
	}

	entries := f.journalSince(t, lastJournal)
	if len(entries) != 1 {
		t.Fatalf("journal rows: got %d (%+v), want 1", len(entries), entries)
	}
	checkJournal(t, entries[0], journalRow{
		Action:            "habilitation.revoked",
		ActorID:           f.douane.ID,
		ActorName:         "Paul Durand",
		AccountID:         f.havre,
		AccountIdentifier: havreIdentifier,
		SIRET:             havreSIRET,
		APICode:           "PNTS",
		Summary:           "Habilitation à PNTS retirée. Motif\u00a0: " + reason,
		At:                now,
		Before:            map[string]string{"Habilitation": "PNTS"},
		After:             map[string]string{"Habilitation": "retirée", "Motif": reason},
	})

	checkOutbox(t, f.outboxSince(t, lastOutbox), []string{demo.CorrespondantLogin, havreEmail}, outboxRow{
		Kind:      "habilitation.revoked",
		Subject:   "Retrait de l’habilitation à PNTS du compte API epices-havre",
		AccountID: f.havre,
		SIRET:     havreSIRET,
		CreatedAt: now,
	}, []string{
		"Le service des douanes a retiré l’habilitation à l’API PNTS du compte API epices-havre.",
		"Motif\u00a0: " + reason + "\n",
	})
}
