package habilitations_test

import (
	"slices"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/habilitations"
)

// queue runs Queue and fails the test on error.
func (f *fixture) queue(t *testing.T, filter habilitations.QueueFilter) habilitations.QueuePage {
	t.Helper()
	page, err := f.store.Queue(f.ctx, filter)
	if err != nil {
		t.Fatalf("Queue(%+v): %v", filter, err)
	}
	return page
}

func TestQueueOldestFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	// Ids follow the order of the calls, requested_at another order, and
	// the queue follows requested_at, then the id for equal times.
	late := f.submit(t, demoNow.Add(3*time.Hour), f.roissy, "PNTS")
	early := f.submit(t, demoNow.Add(1*time.Hour), f.havre, "GAMMA2")
	middle := f.submit(t, demoNow.Add(2*time.Hour), f.siege, "DELTAIE")
	sameAsEarly := f.submit(t, demoNow.Add(1*time.Hour), f.havre, "DELTAIE")

	page := f.queue(t, habilitations.QueueFilter{})

	want := []int64{early, sameAsEarly, middle, late}
	if got := requestIDs(page.Requests); !slices.Equal(got, want) {
		t.Errorf("request ids: got %v, want %v", got, want)
	}
	if page.Page != 1 {
		t.Errorf("page: got %d, want 1", page.Page)
	}
	if page.HasNext {
		t.Error("HasNext: got true, want false")
	}
	if len(page.Requests) != len(want) {
		t.Fatalf("requests: got %d, want %d", len(page.Requests), len(want))
	}

	first := page.Requests[0]
	if first.AccountIdentifier != havreIdentifier {
		t.Errorf("first request account: got %q, want %q", first.AccountIdentifier, havreIdentifier)
	}
	if first.CompanyName != "Comptoir des Épices Océanes" {
		t.Errorf("first request company: got %q, want %q", first.CompanyName, "Comptoir des Épices Océanes")
	}
	if got := itemCodes(first.Items); !slices.Equal(got, []string{"GAMMA2"}) {
		t.Errorf("first request items: got %v, want [GAMMA2]", got)
	}
	if !first.RequestedAt.Equal(demoNow.Add(time.Hour)) {
		t.Errorf("first request time: got %v, want %v", first.RequestedAt, demoNow.Add(time.Hour))
	}
}

func TestQueueFilter(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	partial := f.submit(t, demoNow.Add(1*time.Hour), f.roissy, "DELTAIE", "PNTS")
	f.decide(t, demoNow, partial, map[string]habilitations.Decision{"DELTAIE": refuse("Incomplet."), "PNTS": granted})
	havre := f.submit(t, demoNow.Add(2*time.Hour), f.havre, "GAMMA2")
	siege := f.submit(t, demoNow.Add(3*time.Hour), f.siege, "DELTAIE")
	beaune, err := f.store.Submit(f.ctx, f.otherScope, f.otherCorrespondant, demoNow.Add(4*time.Hour), f.beaune, []string{"DELTAIE"})
	if err != nil {
		t.Fatalf("Submit on martel-beaune: %v", err)
	}
	if err := f.store.Cancel(f.ctx, f.otherScope, f.otherCorrespondant, demoNow, f.beaune, beaune); err != nil {
		t.Fatalf("Cancel on martel-beaune: %v", err)
	}

	cases := []struct {
		name   string
		filter habilitations.QueueFilter
		want   []int64
	}{
		{"no filter", habilitations.QueueFilter{}, []int64{partial, havre, siege, beaune}},
		{"submitted", habilitations.QueueFilter{State: habilitations.StateSubmitted}, []int64{havre, siege}},
		{"partially approved", habilitations.QueueFilter{State: habilitations.StatePartiallyApproved}, []int64{partial}},
		{"cancelled", habilitations.QueueFilter{State: habilitations.StateCancelled}, []int64{beaune}},
		{"approved", habilitations.QueueFilter{State: habilitations.StateApproved}, []int64{}},
		{"API DELTAIE", habilitations.QueueFilter{APICode: "DELTAIE"}, []int64{partial, siege, beaune}},
		{"API lower case", habilitations.QueueFilter{APICode: "gamma2"}, []int64{havre}},
		{"API of a decided item", habilitations.QueueFilter{APICode: "PNTS"}, []int64{partial}},
		{"API not asked", habilitations.QueueFilter{APICode: "DELTAH7"}, []int64{}},
		{"SIREN with spaces", habilitations.QueueFilter{SIRET: "812 345 676"}, []int64{partial, siege}},
		{"full SIRET with spaces", habilitations.QueueFilter{SIRET: "812 345 676 00025"}, []int64{partial}},
		{"SIRET with dots", habilitations.QueueFilter{SIRET: "823.456.785"}, []int64{beaune}},
		{"SIRET prefix", habilitations.QueueFilter{SIRET: "0512"}, []int64{havre}},
		{"SIRET not a prefix", habilitations.QueueFilter{SIRET: "00025"}, []int64{}},
		{"SIRET with letters", habilitations.QueueFilter{SIRET: "abc"}, []int64{}},
		{"blank SIRET", habilitations.QueueFilter{SIRET: "   "}, []int64{partial, havre, siege, beaune}},
		{"query identifier", habilitations.QueueFilter{Query: "roissy"}, []int64{partial}},
		{"query identifier upper case", habilitations.QueueFilter{Query: "BOREAL-SIEGE"}, []int64{siege}},
		{"query company", habilitations.QueueFilter{Query: "Boréal"}, []int64{partial, siege}},
		{"query company lower case", habilitations.QueueFilter{Query: "comptoir"}, []int64{havre}},
		{"query e-mail", habilitations.QueueFilter{Query: "vignobles-martel.example"}, []int64{beaune}},
		{"query with spaces", habilitations.QueueFilter{Query: "  martel  "}, []int64{beaune}},
		{"query percent sign", habilitations.QueueFilter{Query: "%"}, []int64{}},
		{"query underscore", habilitations.QueueFilter{Query: "_"}, []int64{}},
		{"query no match", habilitations.QueueFilter{Query: "inconnu"}, []int64{}},
		{"submitted at Boréal", habilitations.QueueFilter{State: habilitations.StateSubmitted, SIRET: "812345676"}, []int64{siege}},
		{"DELTAIE for martel", habilitations.QueueFilter{APICode: "DELTAIE", Query: "martel"}, []int64{beaune}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := f.queue(t, c.filter)

			if got := requestIDs(page.Requests); !slices.Equal(got, c.want) {
				t.Errorf("request ids: got %v, want %v", got, c.want)
			}
			if page.Page != 1 {
				t.Errorf("page: got %d, want 1", page.Page)
			}
			if page.HasNext {
				t.Error("HasNext: got true, want false")
			}
		})
	}
}

func TestQueuePages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	// 55 closed requests, inserted directly: 50 on boreal-roissy, then 5 on
	// epices-havre, one second apart.
	var ids []int64
	for i := range 55 {
		account, number := f.roissy, roissySIRET
		if i >= 50 {
			account, number = f.havre, havreSIRET
		}
		at := demoNow.Add(time.Duration(i) * time.Second)
		res := f.mustExec(t, `
			INSERT INTO habilitation_requests (account_id, siret, state, requested_at, closed_at)
			VALUES (?, ?, 'cancelled', ?, ?)`, account, number, at, at)
		id, err := res.LastInsertId()
		if err != nil {
			t.Fatalf("insert request %d: %v", i, err)
		}
		f.mustExec(t, `INSERT INTO habilitation_request_items (request_id, account_id, api_code, open) VALUES (?, ?, 'PNTS', 0)`,
			id, account)
		ids = append(ids, id)
	}

	cases := []struct {
		name        string
		filter      habilitations.QueueFilter
		wantIDs     []int64
		wantPage    int
		wantHasNext bool
	}{
		{"first page", habilitations.QueueFilter{Page: 1}, ids[:50], 1, true},
		{"second page", habilitations.QueueFilter{Page: 2}, ids[50:], 2, false},
		{"page beyond the end", habilitations.QueueFilter{Page: 3}, []int64{}, 3, false},
		{"page zero", habilitations.QueueFilter{Page: 0}, ids[:50], 1, true},
		{"negative page", habilitations.QueueFilter{Page: -4}, ids[:50], 1, true},
		{"exactly one page", habilitations.QueueFilter{SIRET: roissySIRET}, ids[:50], 1, false},
		{"filtered second page", habilitations.QueueFilter{SIRET: havreSIRET, Page: 2}, []int64{}, 2, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := f.queue(t, c.filter)

			if got := requestIDs(page.Requests); !slices.Equal(got, c.wantIDs) {
				t.Errorf("request ids: got %v, want %v", got, c.wantIDs)
			}
			if page.Page != c.wantPage {
				t.Errorf("page: got %d, want %d", page.Page, c.wantPage)
			}
			if page.HasNext != c.wantHasNext {
				t.Errorf("HasNext: got %v, want %v", page.HasNext, c.wantHasNext)
			}
		})
	}

	if habilitations.QueuePageSize != 50 {
		t.Errorf("QueuePageSize: got %d, want 50", habilitations.QueuePageSize)
	}
	page := f.queue(t, habilitations.QueueFilter{})
	for _, r := range page.Requests {
		if got := itemCodes(r.Items); !slices.Equal(got, []string{"PNTS"}) {
			t.Fatalf("items of request %d: got %v, want [PNTS]", r.ID, got)
		}
	}
}
