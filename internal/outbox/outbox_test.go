package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/outbox"
)

func TestEnqueueWritesOneRowPerRecipient(t *testing.T) {
	pool := openDB(t)
	ctx := context.Background()
	createdAt := time.Date(2027, 1, 15, 9, 30, 0, 0, time.FixedZone("CET", 3600))

	before := time.Now().UTC()
	err := db.InTx(ctx, pool, func(tx *sql.Tx) error {
		return outbox.Enqueue(ctx, tx, createdAt, "request.submitted",
			[]string{"a@exemple.test", "", "A@Exemple.TEST", "  ", " b@exemple.test ", "b@exemple.test"},
			"Demande déposée", "Bonjour,\nvotre demande est déposée.\n", 7, siegeSIRET)
	})
	after := time.Now().UTC()
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}

	ids := messageIDs(t, pool)
	if len(ids) != 2 {
		t.Fatalf("outbox rows: got %d, want 2", len(ids))
	}
	wantRecipients := []string{"a@exemple.test", "b@exemple.test"}
	for i, id := range ids {
		m := message(t, pool, id)
		if m.Recipient != wantRecipients[i] {
			t.Errorf("message %d recipient: got %q, want %q", id, m.Recipient, wantRecipients[i])
		}
		if !m.CreatedAt.Equal(createdAt) {
			t.Errorf("message %d CreatedAt: got %v, want %v", id, m.CreatedAt, createdAt)
		}
		if m.CreatedAt.Location() != time.UTC {
			t.Errorf("message %d CreatedAt location: got %v, want UTC", id, m.CreatedAt.Location())
		}
		if m.Kind != "request.submitted" {
			t.Errorf("message %d Kind: got %q, want %q", id, m.Kind, "request.submitted")
		}
		if m.Subject != "Demande déposée" {
			t.Errorf("message %d Subject: got %q, want %q", id, m.Subject, "Demande déposée")
		}
		if m.Body != "Bonjour,\nvotre demande est déposée.\n" {
			t.Errorf("message %d Body: got %q, want %q", id, m.Body, "Bonjour,\nvotre demande est déposée.\n")
		}
		if m.AccountID != 7 {
			t.Errorf("message %d AccountID: got %d, want 7", id, m.AccountID)
		}
		if m.SIRET != siegeSIRET {
			t.Errorf("message %d SIRET: got %q, want %q", id, m.SIRET, siegeSIRET)
		}
		if m.SentAt != nil {
			t.Errorf("message %d SentAt: got %v, want nil", id, *m.SentAt)
		}
		if m.Attempts != 0 {
			t.Errorf("message %d Attempts: got %d, want 0", id, m.Attempts)
		}
		if m.NextAttemptAt.Before(before) || m.NextAttemptAt.After(after) {
			t.Errorf("message %d NextAttemptAt: got %v, want the real time of Enqueue, between %v and %v", id, m.NextAttemptAt, before, after)
		}
		if m.LastError != "" {
			t.Errorf("message %d LastError: got %q, want empty", id, m.LastError)
		}
	}
}

func TestEnqueueWithoutAccountStoresNull(t *testing.T) {
	pool := openDB(t)
	enqueue(t, pool, []string{"a@exemple.test"}, "Sujet", "Corps", 0, "")

	if n := countRows(t, pool, `SELECT COUNT(*) FROM outbox WHERE account_id IS NULL AND siret = ''`); n != 1 {
		t.Errorf("rows with NULL account_id and empty siret: got %d, want 1", n)
	}
}

func TestEnqueueSkipsEmptyRecipients(t *testing.T) {
	cases := []struct {
		name       string
		recipients []string
	}{
		{"nil list", nil},
		{"empty strings", []string{"", ""}},
		{"white space", []string{" ", "\t"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pool := openDB(t)
			enqueue(t, pool, tc.recipients, "Sujet", "Corps", 0, "")
			if n := countRows(t, pool, `SELECT COUNT(*) FROM outbox`); n != 0 {
				t.Errorf("outbox rows: got %d, want 0", n)
			}
		})
	}
}

func TestEnqueueRejectsInvalidInput(t *testing.T) {
	pool := openDB(t)
	ctx := context.Background()

	cases := []struct {
		name       string
		createdAt  time.Time
		kind       string
		recipients []string
		subject    string
		want       string
	}{
		{"CRLF in recipient", demoNow, "request.submitted",
			[]string{"a@exemple.test", "b@exemple.test\r\nBcc: c@exemple.test"}, "Sujet", "invalid recipient"},
		{"LF in recipient", demoNow, "request.submitted", []string{"b@exemple.test\nx"}, "Sujet", "invalid recipient"},
		{"display name", demoNow, "request.submitted", []string{"Camille <a@exemple.test>"}, "Sujet", "invalid recipient"},
		{"two addresses", demoNow, "request.submitted", []string{"a@exemple.test, b@exemple.test"}, "Sujet", "invalid recipient"},
		{"not an address", demoNow, "request.submitted", []string{"camille"}, "Sujet", "invalid recipient"},
		{"CRLF in subject", demoNow, "request.submitted", []string{"a@exemple.test"}, "Sujet\r\nBcc: c@exemple.test", "invalid subject"},
		{"LF in subject", demoNow, "request.submitted", []string{"a@exemple.test"}, "Sujet\nsuite", "invalid subject"},
		{"CR in subject", demoNow, "request.submitted", []string{"a@exemple.test"}, "Sujet\rsuite", "invalid subject"},
		{"empty subject", demoNow, "request.submitted", []string{"a@exemple.test"}, "", "missing subject"},
		{"empty kind", demoNow, "", []string{"a@exemple.test"}, "Sujet", "missing message kind"},
		{"zero creation time", time.Time{}, "request.submitted", []string{"a@exemple.test"}, "Sujet", "missing creation time"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The transaction commits whatever Enqueue returns, to check that
			// Enqueue writes nothing before rejecting its input.
			var enqueueErr error
			err := db.InTx(ctx, pool, func(tx *sql.Tx) error {
				enqueueErr = outbox.Enqueue(ctx, tx, tc.createdAt, tc.kind, tc.recipients, tc.subject, "Corps", 0, "")
				return nil
			})
			if err != nil {
				t.Fatalf("InTx: %v", err)
			}
			if enqueueErr == nil {
				t.Fatal("Enqueue: got nil error, want an error")
			}
			if !strings.Contains(enqueueErr.Error(), tc.want) {
				t.Errorf("Enqueue error: got %q, want it to contain %q", enqueueErr, tc.want)
			}
			if n := countRows(t, pool, `SELECT COUNT(*) FROM outbox`); n != 0 {
				t.Errorf("outbox rows: got %d, want 0", n)
			}
		})
	}
}

func TestEnqueueRolledBackLeavesNothing(t *testing.T) {
	pool := openDB(t)
	ctx := context.Background()
	stop := errors.New("cancel the change")

	err := db.InTx(ctx, pool, func(tx *sql.Tx) error {
		if err := outbox.Enqueue(ctx, tx, demoNow, "request.submitted", []string{"a@exemple.test"}, "Sujet", "Corps", 0, ""); err != nil {
			return err
		}
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("InTx error: got %v, want %v", err, stop)
	}
	if n := countRows(t, pool, `SELECT COUNT(*) FROM outbox`); n != 0 {
		t.Errorf("outbox rows after rollback: got %d, want 0", n)
	}
}

// accountRecipients runs AccountRecipients in its own transaction.
func accountRecipients(pool *sql.DB, accountID int64) ([]string, error) {
	var list []string
	err := db.InTx(context.Background(), pool, func(tx *sql.Tx) error {
		var err error
		list, err = outbox.AccountRecipients(context.Background(), tx, accountID)
		return err
	})
	return list, err
}

func TestAccountRecipientsDemo(t *testing.T) {
	pool := openDemo(t)

	// A douane user with the establishment in a perimeter is still not a
	// correspondant, so the role filter is what keeps them out.
	mustExec(t, pool, `INSERT INTO perimeters (user_id, siret) VALUES (?, ?)`, userID(t, pool, demo.DouaneLogin), siegeSIRET)

	cases := []struct {
		name    string
		account string
		want    []string
	}{
		{"boreal-siege", "boreal-siege", []string{"api-siege@atelier-boreal.example", demo.CorrespondantLogin}},
		{"epices-havre", "epices-havre", []string{demo.CorrespondantLogin, "douane-api@epices-oceanes.example"}},
		{"martel-beaune", "martel-beaune", []string{"api@vignobles-martel.example", demo.OtherCorrespondantLogin}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := accountRecipients(pool, accountID(t, pool, tc.account))
			if err != nil {
				t.Fatalf("AccountRecipients: %v", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("AccountRecipients: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAccountRecipientsDeduplicates(t *testing.T) {
	pool := openDemo(t)
	id := accountID(t, pool, "boreal-roissy")
	mustExec(t, pool, `UPDATE api_accounts SET email = 'Correspondant@Demo.TEST' WHERE id = ?`, id)

	got, err := accountRecipients(pool, id)
	if err != nil {
		t.Fatalf("AccountRecipients: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("AccountRecipients: got %v, want one address", got)
	}
	if !strings.EqualFold(got[0], demo.CorrespondantLogin) {
		t.Errorf("AccountRecipients: got %q, want %q in any case", got[0], demo.CorrespondantLogin)
	}
}

func TestAccountRecipientsDeletedAccount(t *testing.T) {
	pool := openDemo(t)
	id := accountID(t, pool, "martel-dijon")
	mustExec(t, pool, `UPDATE api_accounts SET deleted_at = ? WHERE id = ?`, demoNow, id)

	got, err := accountRecipients(pool, id)
	if err != nil {
		t.Fatalf("AccountRecipients: %v", err)
	}
	want := []string{"api-dijon@vignobles-martel.example", demo.OtherCorrespondantLogin}
	if !slices.Equal(got, want) {
		t.Errorf("AccountRecipients: got %v, want %v", got, want)
	}
}

func TestAccountRecipientsUnknownAccount(t *testing.T) {
	pool := openDemo(t)

	got, err := accountRecipients(pool, 9999)
	if !errors.Is(err, outbox.ErrNotFound) {
		t.Errorf("AccountRecipients error: got %v, want %v", err, outbox.ErrNotFound)
	}
	if got != nil {
		t.Errorf("AccountRecipients: got %v, want nil", got)
	}
}
