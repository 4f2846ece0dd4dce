package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/outbox"
)

// subjects returns the subjects of the messages, in order.
func subjects(messages []outbox.Message) []string {
	list := []string{}
	for _, m := range messages {
		list = append(list, m.Subject)
	}
	return list
}

func TestListScope(t *testing.T) {
	pool := openDemo(t)
	store := outbox.NewStore(pool)

	enqueue(t, pool, []string{"a@exemple.test"}, "siège", "Corps", 1, siegeSIRET)
	enqueue(t, pool, []string{"b@exemple.test"}, "beaune", "Corps", 4, beauneSIRET)
	enqueue(t, pool, []string{"c@exemple.test"}, "sans établissement", "Corps", 0, "")

	cases := []struct {
		name  string
		scope outbox.Scope
		want  []string
	}{
		{"demo correspondant", outbox.Scope{UserID: userID(t, pool, demo.CorrespondantLogin)}, []string{"siège"}},
		{"other correspondant", outbox.Scope{UserID: userID(t, pool, demo.OtherCorrespondantLogin)}, []string{"beaune"}},
		{"all establishments", outbox.Scope{UserID: userID(t, pool, demo.AdminLogin), All: true},
			[]string{"sans établissement", "beaune", "siège"}},
		{"empty perimeter", outbox.Scope{UserID: userID(t, pool, demo.AdminLogin)}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := store.List(context.Background(), tc.scope, outbox.Filter{})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if got := subjects(page.Messages); !slices.Equal(got, tc.want) {
				t.Errorf("subjects: got %v, want %v", got, tc.want)
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
	pool := openDB(t)
	store := outbox.NewStore(pool)

	enqueue(t, pool, []string{"camille@exemple.test"}, "Demande déposée", "Corps", 1, "")
	enqueue(t, pool, []string{"paul@exemple.test"}, "Décision : 100% accordée", "Corps", 1, "")
	enqueue(t, pool, []string{"api_siege@exemple.test"}, "Habilitation révoquée", "Corps", 2, "")
	ids := messageIDs(t, pool)
	mustExec(t, pool, `UPDATE outbox SET sent_at = ? WHERE id = ?`, demoNow, ids[1])

	cases := []struct {
		name   string
		filter outbox.Filter
		want   []string
	}{
		{"no filter", outbox.Filter{}, []string{"Habilitation révoquée", "Décision : 100% accordée", "Demande déposée"}},
		{"sent", outbox.Filter{Status: outbox.StatusSent}, []string{"Décision : 100% accordée"}},
		{"pending", outbox.Filter{Status: outbox.StatusPending}, []string{"Habilitation révoquée", "Demande déposée"}},
		{"query in recipient", outbox.Filter{Query: "CAMILLE"}, []string{"Demande déposée"}},
		{"query in subject", outbox.Filter{Query: "révoquée"}, []string{"Habilitation révoquée"}},
		{"query with spaces around", outbox.Filter{Query: "  paul@ "}, []string{"Décision : 100% accordée"}},
		{"percent is literal", outbox.Filter{Query: "%"}, []string{"Décision : 100% accordée"}},
		{"underscore is literal", outbox.Filter{Query: "_"}, []string{"Habilitation révoquée"}},
		{"status and query", outbox.Filter{Status: outbox.StatusPending, Query: "paul"}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := store.List(context.Background(), outbox.Scope{All: true}, tc.filter)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if got := subjects(page.Messages); !slices.Equal(got, tc.want) {
				t.Errorf("subjects: got %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("unknown status", func(t *testing.T) {
		_, err := store.List(context.Background(), outbox.Scope{All: true}, outbox.Filter{Status: "failed"})
		if err == nil {
			t.Fatal("List: got nil error, want an error for status \"failed\"")
		}
		if !strings.Contains(err.Error(), `invalid status filter "failed"`) {
			t.Errorf("List error: got %q, want it to name the invalid status", err)
		}
	})
}

func TestListPaging(t *testing.T) {
	pool := openDB(t)
	store := outbox.NewStore(pool)

	const total = outbox.PageSize + 1
	for i := 1; i <= total; i++ {
		enqueue(t, pool, []string{"a@exemple.test"}, fmt.Sprintf("message %02d", i), "Corps", 0, "")
	}

	cases := []struct {
		name        string
		page        int
		wantCount   int
		wantFirst   string
		wantHasNext bool
	}{
		{"page 1", 1, outbox.PageSize, "message 51", true},
		{"page 2", 2, 1, "message 01", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := store.List(context.Background(), outbox.Scope{All: true}, outbox.Filter{Page: tc.page})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(page.Messages) != tc.wantCount {
				t.Fatalf("messages: got %d, want %d", len(page.Messages), tc.wantCount)
			}
			if got := page.Messages[0].Subject; got != tc.wantFirst {
				t.Errorf("first message: got %q, want %q", got, tc.wantFirst)
			}
			if page.HasNext != tc.wantHasNext {
				t.Errorf("HasNext: got %v, want %v", page.HasNext, tc.wantHasNext)
			}
			if page.Page != tc.page {
				t.Errorf("Page: got %d, want %d", page.Page, tc.page)
			}
		})
	}
}

func TestGetScope(t *testing.T) {
	pool := openDemo(t)
	store := outbox.NewStore(pool)
	enqueue(t, pool, []string{"a@exemple.test"}, "siège", "Corps", 1, siegeSIRET)
	id := messageIDs(t, pool)[0]

	cases := []struct {
		name    string
		scope   outbox.Scope
		id      int64
		wantErr error
	}{
		{"in perimeter", outbox.Scope{UserID: userID(t, pool, demo.CorrespondantLogin)}, id, nil},
		{"all establishments", outbox.Scope{All: true}, id, nil},
		{"outside perimeter", outbox.Scope{UserID: userID(t, pool, demo.OtherCorrespondantLogin)}, id, outbox.ErrNotFound},
		{"unknown id", outbox.Scope{All: true}, id + 100, outbox.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := store.Get(context.Background(), tc.scope, tc.id)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Get error: got %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil && m.Subject != "siège" {
				t.Errorf("Subject: got %q, want %q", m.Subject, "siège")
			}
		})
	}
}

func TestAttemptsOfUnknownMessage(t *testing.T) {
	pool := openDB(t)

	got, err := outbox.NewStore(pool).Attempts(context.Background(), 12345)
	if err != nil {
		t.Fatalf("Attempts: %v", err)
	}
	if got == nil || len(got) != 0 {
		t.Errorf("Attempts: got %#v, want an empty non-nil slice", got)
	}
}
