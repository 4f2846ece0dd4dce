package journal_test

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/journal"
)

func TestRecordListRoundTrip(t *testing.T) {
	pool := openDemo(t)
	ctx := context.Background()
	actor := userID(t, pool, demo.CorrespondantLogin)

	paris := time.FixedZone("CET", 3600)
	want := journal.Entry{
		At:                time.Date(2026, 12, 4, 11, 30, 15, 250_000_000, paris),
		ActorID:           actor,
		ActorName:         "Camille Martin",
		Action:            journal.ActionHabilitationGranted,
		AccountID:         42,
		AccountIdentifier: "boreal-siege",
		SIRET:             siegeSIRET,
		APICode:           "DELTAH7",
		Summary:           "Habilitation DeltaH7 accordée au compte boreal-siege",
		Before:            map[string]string{"token": journal.MaskSecret("ancien-jeton-1234"), "url": ""},
		After:             map[string]string{"token": journal.MaskSecret("nouveau-jeton-5678"), "url": `https://exemple.fr/rappel?a=1&b="<x>"`},
	}
	want.ID = record(t, pool, want)
	if want.ID <= 0 {
		t.Fatalf("Record id: got %d, want > 0", want.ID)
	}

	page := list(t, journal.NewStore(pool), journal.Scope{All: true}, journal.Filter{})
	if len(page.Entries) != 1 {
		t.Fatalf("entries: got %d, want 1", len(page.Entries))
	}
	got := page.Entries[0]

	if got.ID != want.ID {
		t.Errorf("ID: got %d, want %d", got.ID, want.ID)
	}
	if !got.At.Equal(want.At) {
		t.Errorf("At: got %v, want %v", got.At, want.At)
	}
	if got.At.Location() != time.UTC {
		t.Errorf("At location: got %v, want UTC", got.At.Location())
	}
	if got.ActorID != want.ActorID {
		t.Errorf("ActorID: got %d, want %d", got.ActorID, want.ActorID)
	}
	if got.ActorName != want.ActorName {
		t.Errorf("ActorName: got %q, want %q", got.ActorName, want.ActorName)
	}
	if got.Action != want.Action {
		t.Errorf("Action: got %q, want %q", got.Action, want.Action)
	}
	if got.AccountID != want.AccountID {
		t.Errorf("AccountID: got %d, want %d", got.AccountID, want.AccountID)
	}
	if got.AccountIdentifier != want.AccountIdentifier {
		t.Errorf("AccountIdentifier: got %q, want %q", got.AccountIdentifier, want.AccountIdentifier)
	}
	if got.SIRET != want.SIRET {
		t.Errorf("SIRET: got %q, want %q", got.SIRET, want.SIRET)
	}
	if got.APICode != want.APICode {
		t.Errorf("APICode: got %q, want %q", got.APICode, want.APICode)
	}
	if got.Summary != want.Summary {
		t.Errorf("Summary: got %q, want %q", got.Summary, want.Summary)
	}
	if !maps.Equal(got.Before, want.Before) {
		t.Errorf("Before: got %v, want %v", got.Before, want.Before)
	}
	if !maps.Equal(got.After, want.After) {
		t.Errorf("After: got %v, want %v", got.After, want.After)
	}

	var storedAt string
	if err := pool.QueryRowContext(ctx, `SELECT CAST(at AS TEXT) FROM journal WHERE id = ?`, want.ID).Scan(&storedAt); err != nil {
		t.Fatalf("read stored time: %v", err)
	}
	if !strings.HasPrefix(storedAt, "2026-12-04 10:30:15.25") || !strings.HasSuffix(storedAt, "+00:00") {
		t.Errorf("stored time: got %q, want UTC 2026-12-04 10:30:15.25+00:00", storedAt)
	}
}

func TestRecordStoresJSONObjects(t *testing.T) {
	pool := openDB(t)
	ctx := context.Background()

	cases := []struct {
		name       string
		before     map[string]string
		after      map[string]string
		wantBefore string
		wantAfter  string
	}{
		{"nil maps", nil, nil, `{}`, `{}`},
		{"empty maps", map[string]string{}, map[string]string{}, `{}`, `{}`},
		{"values", map[string]string{"url": ""}, map[string]string{"url": "https://a.example/é"},
			`{"url":""}`, `{"url":"https://a.example/é"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := record(t, pool, journal.Entry{
				At: demoNow, Action: journal.ActionAccountCreated, Summary: "Compte créé",
				Before: tc.before, After: tc.after,
			})

			var before, after, beforeType, afterType string
			err := pool.QueryRowContext(ctx,
				`SELECT before_json, after_json, json_type(before_json), json_type(after_json) FROM journal WHERE id = ?`, id,
			).Scan(&before, &after, &beforeType, &afterType)
			if err != nil {
				t.Fatalf("read entry %d: %v", id, err)
			}
			if before != tc.wantBefore {
				t.Errorf("before_json: got %s, want %s", before, tc.wantBefore)
			}
			if after != tc.wantAfter {
				t.Errorf("after_json: got %s, want %s", after, tc.wantAfter)
			}
			if beforeType != "object" {
				t.Errorf("json_type(before_json): got %s, want object", beforeType)
			}
			if afterType != "object" {
				t.Errorf("json_type(after_json): got %s, want object", afterType)
			}
		})
	}
}

func TestRecordActorDefaults(t *testing.T) {
	pool := openDemo(t)
	ctx := context.Background()
	douane := userID(t, pool, demo.DouaneLogin)

	cases := []struct {
		name        string
		actorID     int64
		actorName   string
		wantActorID sql.NullInt64
		wantName    string
	}{
		{"system", 0, "", sql.NullInt64{}, journal.SystemActorName},
		{"system with name", 0, "Planificateur", sql.NullInt64{}, "Planificateur"},
		{"user without name", douane, "", sql.NullInt64{Int64: douane, Valid: true}, "Paul Durand"},
		{"user with name", douane, "P. Durand", sql.NullInt64{Int64: douane, Valid: true}, "P. Durand"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := record(t, pool, journal.Entry{
				At: demoNow, ActorID: tc.actorID, ActorName: tc.actorName,
				Action: journal.ActionRequestDecided, Summary: "Demande traitée",
			})

			var actorID sql.NullInt64
			var name string
			err := pool.QueryRowContext(ctx, `SELECT actor_id, actor_name FROM journal WHERE id = ?`, id).Scan(&actorID, &name)
			if err != nil {
				t.Fatalf("read entry %d: %v", id, err)
			}
			if actorID != tc.wantActorID {
				t.Errorf("actor_id: got %+v, want %+v", actorID, tc.wantActorID)
			}
			if name != tc.wantName {
				t.Errorf("actor_name: got %q, want %q", name, tc.wantName)
			}
		})
	}
}

func TestRecordRejectsInvalidEntry(t *testing.T) {
	pool := openDB(t)
	ctx := context.Background()
	valid := journal.Entry{At: demoNow, Action: journal.ActionAccountCreated, Summary: "Compte créé"}

	cases := []struct {
		name   string
		change func(e *journal.Entry)
		want   string
	}{
		{"empty action", func(e *journal.Entry) { e.Action = "" }, "invalid action"},
		{"single word action", func(e *journal.Entry) { e.Action = "created" }, "invalid action"},
		{"upper-case action", func(e *journal.Entry) { e.Action = "Account.Created" }, "invalid action"},
		{"French action", func(e *journal.Entry) { e.Action = "compte.créé" }, "invalid action"},
		{"trailing dot", func(e *journal.Entry) { e.Action = "account." }, "invalid action"},
		{"empty summary", func(e *journal.Entry) { e.Summary = "" }, "missing summary"},
		{"zero time", func(e *journal.Entry) { e.At = time.Time{} }, "missing time"},
		{"unknown actor", func(e *journal.Entry) { e.ActorID = 999 }, "actor 999 not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := valid
			tc.change(&e)
			err := db.InTx(ctx, pool, func(tx *sql.Tx) error {
				_, err := journal.Record(ctx, tx, e)
				return err
			})
			if err == nil {
				t.Fatal("Record: got nil error, want an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Record error: got %q, want it to contain %q", err, tc.want)
			}
			if n := countRows(t, pool, `SELECT COUNT(*) FROM journal`); n != 0 {
				t.Errorf("journal rows: got %d, want 0", n)
			}
		})
	}
}

func TestRecordRolledBackLeavesNoRow(t *testing.T) {
	pool := openDB(t)
	ctx := context.Background()
	stop := errors.New("cancel the change")

	var id int64
	err := db.InTx(ctx, pool, func(tx *sql.Tx) error {
		var err error
		id, err = journal.Record(ctx, tx, journal.Entry{At: demoNow, Action: journal.ActionRequestCancelled, Summary: "Demande annulée"})
		if err != nil {
			return err
		}
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("InTx error: got %v, want %v", err, stop)
	}
	if id <= 0 {
		t.Errorf("Record id inside the transaction: got %d, want > 0", id)
	}
	if n := countRows(t, pool, `SELECT COUNT(*) FROM journal`); n != 0 {
		t.Errorf("journal rows after rollback: got %d, want 0", n)
	}
}

func TestJournalIsAppendOnly(t *testing.T) {
	pool := openDB(t)
	ctx := context.Background()
	id := record(t, pool, journal.Entry{At: demoNow, Action: journal.ActionAccountCreated, Summary: "Compte créé"})

	cases := []struct {
		name      string
		statement string
		wantError string
	}{
		{"update summary", `UPDATE journal SET summary = 'Modifié' WHERE id = ?`, "rows cannot be updated"},
		{"update action", `UPDATE journal SET action = 'account.deleted' WHERE id = ?`, "rows cannot be updated"},
		{"delete row", `DELETE FROM journal WHERE id = ?`, "rows cannot be deleted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pool.ExecContext(ctx, tc.statement, id)
			if err == nil {
				t.Fatalf("%s: got nil error, want the trigger to abort", tc.statement)
			}
			if !strings.Contains(err.Error(), tc.wantError) {
				t.Errorf("error: got %q, want it to contain %q", err, tc.wantError)
			}

			var summary, action string
			err = pool.QueryRowContext(ctx, `SELECT summary, action FROM journal WHERE id = ?`, id).Scan(&summary, &action)
			if err != nil {
				t.Fatalf("read entry %d after the rejected statement: %v", id, err)
			}
			if summary != "Compte créé" {
				t.Errorf("summary: got %q, want %q", summary, "Compte créé")
			}
			if action != journal.ActionAccountCreated {
				t.Errorf("action: got %q, want %q", action, journal.ActionAccountCreated)
			}
		})
	}
}

func TestMaskSecret(t *testing.T) {
	cases := []struct {
		name   string
		secret string
		want   string
	}{
		{"empty", "", ""},
		{"one character", "a", "••••"},
		{"four characters", "abcd", "••••"},
		{"four accented runes", "éèàù", "••••"},
		{"five characters", "abcde", "••••bcde"},
		{"long token", "jeton-secret-0123456789", "••••6789"},
		{"accented tail", "mot-de-passe-été", "••••-été"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := journal.MaskSecret(tc.secret); got != tc.want {
				t.Errorf("MaskSecret(%q): got %q, want %q", tc.secret, got, tc.want)
			}
		})
	}
}
