package settings_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/settings"
)

const (
	borealHost = "api.atelier-boreal.example"
	borealURL  = "https://api.atelier-boreal.example/x"
	havreHost  = "rappel.epices-oceanes.example"
	havreURL   = "https://rappel.epices-oceanes.example/douane"
)

// grantDelta gives the account a live DELTAH7 habilitation.
func (f *fixture) grantDelta(t *testing.T, accountID int64) {
	t.Helper()
	f.exec(t, `INSERT INTO habilitations (account_id, api_code, granted_at, granted_by) VALUES (?, ?, ?, ?)`,
		accountID, deltaCode, t0, f.douane.ID)
}

// domainOf returns the Domain of the account's DELTAH7 settings at now.
func (f *fixture) domainOf(t *testing.T, accountID int64, now time.Time) *settings.DomainStatus {
	t.Helper()
	apis, err := f.store.ForAccount(f.ctx, accountID, now)
	if err != nil {
		t.Fatalf("ForAccount(%d): %v", accountID, err)
	}
	return apiByCode(t, apis, deltaCode).Domain
}

// checkDomain compares a DomainStatus with the expected one. A nil want
// means no domain to open.
func checkDomain(t *testing.T, got, want *settings.DomainStatus) {
	t.Helper()
	if got == nil || want == nil {
		if got != want {
			t.Errorf("Domain: got %+v, want %+v", got, want)
		}
		return
	}
	if got.Host != want.Host {
		t.Errorf("Domain.Host: got %q, want %q", got.Host, want.Host)
	}
	if got.State != want.State {
		t.Errorf("Domain.State: got %q, want %q", got.State, want.State)
	}
	if !got.RequestedAt.Equal(want.RequestedAt) {
		t.Errorf("Domain.RequestedAt: got %s, want %s", got.RequestedAt, want.RequestedAt)
	}
	if got.Reason != want.Reason {
		t.Errorf("Domain.Reason: got %q, want %q", got.Reason, want.Reason)
	}
}

// checkOpening compares an Opening with the expected one, field by field.
func checkOpening(t *testing.T, name string, got, want settings.Opening) {
	t.Helper()
	ints := []struct {
		field     string
		got, want int64
	}{
		{"ID", got.ID, want.ID},
		{"AccountID", got.AccountID, want.AccountID},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s: %s: got %d, want %d", name, c.field, c.got, c.want)
		}
	}
	texts := []struct {
		field     string
		got, want string
	}{
		{"SIREN", got.SIREN, want.SIREN},
		{"CompanyName", got.CompanyName, want.CompanyName},
		{"APICode", got.APICode, want.APICode},
		{"APILabel", got.APILabel, want.APILabel},
		{"Domain", got.Domain, want.Domain},
		{"State", got.State, want.State},
		{"AccountIdentifier", got.AccountIdentifier, want.AccountIdentifier},
		{"Reason", got.Reason, want.Reason},
	}
	for _, c := range texts {
		if c.got != c.want {
			t.Errorf("%s: %s: got %q, want %q", name, c.field, c.got, c.want)
		}
	}
	if !got.RequestedAt.Equal(want.RequestedAt) {
		t.Errorf("%s: RequestedAt: got %s, want %s", name, got.RequestedAt, want.RequestedAt)
	}
	if !got.DecidedAt.Equal(want.DecidedAt) {
		t.Errorf("%s: DecidedAt: got %s, want %s", name, got.DecidedAt, want.DecidedAt)
	}
}

// openingIDs returns the ids of the domain_openings rows, oldest first.
func (f *fixture) openingIDs(t *testing.T) []int64 {
	t.Helper()
	rows, err := f.pool.QueryContext(f.ctx, `SELECT id FROM domain_openings ORDER BY id`)
	if err != nil {
		t.Fatalf("read openings: %v", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatalf("read openings: %v", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read openings: %v", err)
	}
	return ids
}

func TestDomainOpeningLifecycle(t *testing.T) {
	f := newFixture(t)

	_, err := f.store.RequestOpening(f.ctx, f.scope, f.camille, t0, f.siege, deltaCode)
	if !errors.Is(err, settings.ErrNotFound) {
		t.Fatalf("RequestOpening without url: got %v, want ErrNotFound", err)
	}

	f.save(t, t0, map[string]string{urlKey: borealURL, tokenKey: token1})
	checkDomain(t, f.domainOf(t, f.siege, t0), &settings.DomainStatus{Host: borealHost})

	requestedAt := t0.Add(time.Minute)
	host, err := f.store.RequestOpening(f.ctx, f.scope, f.camille, requestedAt, f.siege, deltaCode)
	if err != nil {
		t.Fatalf("RequestOpening: %v", err)
	}
	if host != borealHost {
		t.Errorf("RequestOpening: got host %q, want %q", host, borealHost)
	}
	checkDomain(t, f.domainOf(t, f.siege, requestedAt), &settings.DomainStatus{Host: borealHost, State: settings.DomainRequested, RequestedAt: requestedAt})

	ids := f.openingIDs(t)
	if len(ids) != 1 {
		t.Fatalf("domain_openings: got %d rows, want 1", len(ids))
	}
	first := ids[0]
	var requestedBy int64
	if err := f.pool.QueryRowContext(f.ctx, `SELECT requested_by FROM domain_openings WHERE id = ?`, first).Scan(&requestedBy); err != nil {
		t.Fatalf("read requested_by: %v", err)
	}
	if requestedBy != f.camille.ID {
		t.Errorf("requested_by: got %d, want %d", requestedBy, f.camille.ID)
	}
	requested := settings.Opening{
		ID: first, SIREN: borealSIREN, CompanyName: borealName, APICode: deltaCode, APILabel: deltaLabel,
		Domain: borealHost, State: settings.DomainRequested, AccountID: f.siege, AccountIdentifier: siegeIdentifier,
		RequestedAt: requestedAt,
	}
	list, err := f.store.Openings(f.ctx, settings.DomainRequested, 50)
	if err != nil {
		t.Fatalf("Openings: %v", err)
	}
	if len(list) != 1 {
		t.Fatalf("Openings(requested): got %d, want 1", len(list))
	}
	checkOpening(t, "requested opening", list[0], requested)

	entries := f.journalRows(t, settings.ActionDomainAsked)
	if len(entries) != 1 {
		t.Fatalf("journal %s: got %d entries, want 1", settings.ActionDomainAsked, len(entries))
	}
	wantEntry := journalRow{
		At: requestedAt, ActorName: camilleName, AccountIdentifier: siegeIdentifier, SIRET: siegeSIRET, APICode: deltaCode,
		Summary: "Ouverture du domaine api.atelier-boreal.example demandée pour DeltaH7.",
		After:   map[string]string{"Domaine": borealHost, "État": "ouverture demandée"},
	}
	wantEntry.ActorID.Int64, wantEntry.ActorID.Valid = f.camille.ID, true
	wantEntry.AccountID.Int64, wantEntry.AccountID.Valid = f.siege, true
	checkJournal(t, settings.ActionDomainAsked, entries[0], wantEntry)

	mails := f.mails(t, settings.ActionDomainAsked)
	wantRecipients := []string{siegeEmail, "correspondant@demo.test", deltaContact}
	if got := recipients(mails); strings.Join(got, ",") != strings.Join(wantRecipients, ",") {
		t.Errorf("recipients: got %v, want %v", got, wantRecipients)
	}
	for _, m := range mails {
		if want := "Demande d’ouverture du domaine api.atelier-boreal.example pour l’API DeltaH7"; m.Subject != want {
			t.Errorf("mail to %s: subject: got %q, want %q", m.Recipient, m.Subject, want)
		}
		for _, part := range []string{"L’entreprise Atelier Boréal (SIREN 812345676) demande l’ouverture du domaine api.atelier-boreal.example",
			"compte API boreal-siege"} {
			if !strings.Contains(m.Body, part) {
				t.Errorf("mail to %s: body lacks %q:\n%s", m.Recipient, part, m.Body)
			}
		}
		if !m.CreatedAt.Equal(requestedAt) {
			t.Errorf("mail to %s: created_at: got %s, want %s", m.Recipient, m.CreatedAt, requestedAt)
		}
		if !m.AccountID.Valid || m.AccountID.Int64 != f.siege {
			t.Errorf("mail to %s: account_id: got %v, want %d", m.Recipient, m.AccountID, f.siege)
		}
		if m.SIRET != siegeSIRET {
			t.Errorf("mail to %s: siret: got %q, want %q", m.Recipient, m.SIRET, siegeSIRET)
		}
	}

	t.Run("second request", func(t *testing.T) {
		before := f.rowCounts(t)
		_, err := f.store.RequestOpening(f.ctx, f.scope, f.camille, requestedAt.Add(time.Second), f.siege, deltaCode)
		if !errors.Is(err, settings.ErrDomainOpen) {
			t.Errorf("RequestOpening: got %v, want ErrDomainOpen", err)
		}
		if got := f.rowCounts(t); got != before {
			t.Errorf("row counts: got %+v, want %+v", got, before)
		}
	})

	blankReasons := []struct {
		name   string
		reason string
	}{
		{"refusal without reason", ""},
		{"refusal with blank reason", " \t "},
	}
	for _, c := range blankReasons {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)
			err := f.store.DecideOpening(f.ctx, f.douane, requestedAt, first, false, c.reason)
			keys, messages := validationKeys(t, err)
			if strings.Join(keys, ",") != "reason" {
				t.Errorf("fields in error: got %v, want [reason]", keys)
			}
			if messages["reason"] == "" {
				t.Error("message of reason: got empty, want a sentence")
			}
			if got := f.rowCounts(t); got != before {
				t.Errorf("row counts: got %+v, want %+v", got, before)
			}
		})
	}

	const reason = "Domaine absent du registre des partenaires"
	decidedAt := t0.Add(2 * time.Minute)
	if err := f.store.DecideOpening(f.ctx, f.douane, decidedAt, first, false, "  "+reason+" "); err != nil {
		t.Fatalf("DecideOpening refuse: %v", err)
	}
	checkDomain(t, f.domainOf(t, f.siege, decidedAt), &settings.DomainStatus{
		Host: borealHost, State: settings.DomainRefused, RequestedAt: requestedAt, Reason: reason,
	})
	refusedEntries := f.journalRows(t, settings.ActionDomainRefused)
	if len(refusedEntries) != 1 {
		t.Fatalf("journal %s: got %d entries, want 1", settings.ActionDomainRefused, len(refusedEntries))
	}
	wantRefused := journalRow{
		At: decidedAt, ActorName: "Paul Durand", AccountIdentifier: siegeIdentifier, SIRET: siegeSIRET, APICode: deltaCode,
		Summary: "Domaine api.atelier-boreal.example pour DeltaH7\u00a0: refusé.",
		Before:  map[string]string{"État": "ouverture demandée"},
		After:   map[string]string{"Domaine": borealHost, "État": "refusé", "Motif": reason},
	}
	wantRefused.ActorID.Int64, wantRefused.ActorID.Valid = f.douane.ID, true
	wantRefused.AccountID.Int64, wantRefused.AccountID.Valid = f.siege, true
	checkJournal(t, settings.ActionDomainRefused, refusedEntries[0], wantRefused)
	refusedMails := f.mails(t, settings.ActionDomainRefused)
	if got, want := recipients(refusedMails), []string{siegeEmail, "correspondant@demo.test"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("refusal recipients: got %v, want %v", got, want)
	}
	for _, m := range refusedMails {
		if want := "Décision sur l’ouverture du domaine api.atelier-boreal.example"; m.Subject != want {
			t.Errorf("refusal mail: subject: got %q, want %q", m.Subject, want)
		}
		if want := "L’ouverture est refusée. Motif\u00a0: " + reason; !strings.Contains(m.Body, want) {
			t.Errorf("refusal mail: body lacks %q:\n%s", want, m.Body)
		}
	}

	if err := f.store.DecideOpening(f.ctx, f.douane, decidedAt, first, true, ""); !errors.Is(err, settings.ErrDomainOpen) {
		t.Errorf("DecideOpening on a refused request: got %v, want ErrDomainOpen", err)
	}

	againAt := t0.Add(3 * time.Minute)
	if _, err := f.store.RequestOpening(f.ctx, f.scope, f.camille, againAt, f.siege, deltaCode); err != nil {
		t.Fatalf("RequestOpening after a refusal: %v", err)
	}
	checkDomain(t, f.domainOf(t, f.siege, againAt), &settings.DomainStatus{Host: borealHost, State: settings.DomainRequested, RequestedAt: againAt})
	ids = f.openingIDs(t)
	if len(ids) != 2 {
		t.Fatalf("domain_openings: got %d rows, want 2", len(ids))
	}
	second := ids[1]

	all, err := f.store.Openings(f.ctx, "", 50)
	if err != nil {
		t.Fatalf("Openings(all): %v", err)
	}
	if len(all) != 2 {
		t.Fatalf("Openings(all): got %d, want 2", len(all))
	}
	refused := requested
	refused.State, refused.DecidedAt, refused.Reason = settings.DomainRefused, decidedAt, reason
	checkOpening(t, "refused opening", all[0], refused)
	renewed := requested
	renewed.ID, renewed.RequestedAt = second, againAt
	checkOpening(t, "renewed opening", all[1], renewed)

	openedAt := t0.Add(4 * time.Minute)
	if err := f.store.DecideOpening(f.ctx, f.douane, openedAt, second, true, ""); err != nil {
		t.Fatalf("DecideOpening open: %v", err)
	}
	checkDomain(t, f.domainOf(t, f.siege, openedAt), nil)
	if got := len(f.journalRows(t, settings.ActionDomainOpened)); got != 1 {
		t.Errorf("journal %s: got %d entries, want 1", settings.ActionDomainOpened, got)
	}
	if got := len(f.mails(t, settings.ActionDomainOpened)); got != 2 {
		t.Errorf("outbox %s: got %d mails, want 2", settings.ActionDomainOpened, got)
	}

	decided := []struct {
		name string
		id   int64
		open bool
		want error
	}{
		{"open twice", second, true, settings.ErrDomainOpen},
		{"refuse opened", second, false, settings.ErrDomainOpen},
		{"unknown id open", 999999, true, settings.ErrNotFound},
		{"unknown id refuse", 999999, false, settings.ErrNotFound},
	}
	for _, c := range decided {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)
			err := f.store.DecideOpening(f.ctx, f.douane, openedAt, c.id, c.open, reason)
			if !errors.Is(err, c.want) {
				t.Errorf("DecideOpening: got %v, want %v", err, c.want)
			}
			if got := f.rowCounts(t); got != before {
				t.Errorf("row counts: got %+v, want %+v", got, before)
			}
		})
	}

	_, err = f.store.RequestOpening(f.ctx, f.scope, f.camille, openedAt, f.siege, deltaCode)
	if !errors.Is(err, settings.ErrDomainOpen) {
		t.Errorf("RequestOpening of an opened domain: got %v, want ErrDomainOpen", err)
	}

	// Another host of the same company is a new domain to open.
	movedAt := t0.Add(5 * time.Minute)
	f.save(t, movedAt, map[string]string{urlKey: "https://rappel.atelier-boreal.example/y"})
	checkDomain(t, f.domainOf(t, f.siege, movedAt), &settings.DomainStatus{Host: "rappel.atelier-boreal.example"})
}

func TestDomainOpenedPerCompany(t *testing.T) {
	f := newFixture(t)
	roissy := f.accountID(t, "boreal-roissy") // same company as boreal-siege
	havre := f.accountID(t, "epices-havre")   // another company
	f.grantDelta(t, roissy)
	f.grantDelta(t, havre)

	f.save(t, t0, map[string]string{urlKey: borealURL, tokenKey: token1})
	if _, err := f.store.RequestOpening(f.ctx, f.scope, f.camille, t0, f.siege, deltaCode); err != nil {
		t.Fatalf("RequestOpening: %v", err)
	}
	if err := f.store.DecideOpening(f.ctx, f.douane, t0, f.openingIDs(t)[0], true, ""); err != nil {
		t.Fatalf("DecideOpening: %v", err)
	}

	cases := []struct {
		name    string
		account int64
		want    *settings.DomainStatus
	}{
		{"same company", roissy, nil},
		{"other company", havre, &settings.DomainStatus{Host: borealHost}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.store.Save(f.ctx, f.scope, f.camille, t0, c.account, deltaCode,
				map[string]string{urlKey: "https://API.atelier-boreal.example/autre", tokenKey: token2})
			if err != nil {
				t.Fatalf("Save: %v", err)
			}
			checkDomain(t, f.domainOf(t, c.account, t0), c.want)
		})
	}
}

func TestOpeningsOrder(t *testing.T) {
	f := newFixture(t)
	havre := f.accountID(t, "epices-havre")
	f.grantDelta(t, havre)
	f.save(t, t0, map[string]string{urlKey: borealURL, tokenKey: token1})
	if _, err := f.store.Save(f.ctx, f.scope, f.camille, t0, havre, deltaCode, map[string]string{urlKey: havreURL, tokenKey: token2}); err != nil {
		t.Fatalf("Save havre: %v", err)
	}

	// The later request is written first, so the order comes from
	// requested_at and not from the row ids.
	if _, err := f.store.RequestOpening(f.ctx, f.scope, f.camille, t0.Add(2*time.Hour), f.siege, deltaCode); err != nil {
		t.Fatalf("RequestOpening siege: %v", err)
	}
	if _, err := f.store.RequestOpening(f.ctx, f.scope, f.camille, t0.Add(time.Hour), havre, deltaCode); err != nil {
		t.Fatalf("RequestOpening havre: %v", err)
	}
	ids := f.openingIDs(t)
	siegeOpening := settings.Opening{
		ID: ids[0], SIREN: borealSIREN, CompanyName: borealName, APICode: deltaCode, APILabel: deltaLabel,
		Domain: borealHost, State: settings.DomainRequested, AccountID: f.siege, AccountIdentifier: siegeIdentifier,
		RequestedAt: t0.Add(2 * time.Hour),
	}
	havreOpening := settings.Opening{
		ID: ids[1], SIREN: "051234565", CompanyName: "Comptoir des Épices Océanes", APICode: deltaCode, APILabel: deltaLabel,
		Domain: havreHost, State: settings.DomainRequested, AccountID: havre, AccountIdentifier: "epices-havre",
		RequestedAt: t0.Add(time.Hour),
	}

	cases := []struct {
		name  string
		state string
		limit int
		want  []settings.Opening
	}{
		{"requested", settings.DomainRequested, 50, []settings.Opening{havreOpening, siegeOpening}},
		{"all states", "", 50, []settings.Opening{havreOpening, siegeOpening}},
		{"limit 1", settings.DomainRequested, 1, []settings.Opening{havreOpening}},
		{"opened", settings.DomainOpened, 50, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.store.Openings(f.ctx, c.state, c.limit)
			if err != nil {
				t.Fatalf("Openings: %v", err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("Openings: got %d, want %d", len(got), len(c.want))
			}
			for i := range c.want {
				checkOpening(t, c.want[i].AccountIdentifier, got[i], c.want[i])
			}
		})
	}
}

func TestRequestOpeningOutsideScope(t *testing.T) {
	f := newFixture(t)
	f.grantDelta(t, f.beaune)
	_, err := f.store.Save(f.ctx, f.other, f.louise, t0, f.beaune, deltaCode,
		map[string]string{urlKey: "https://rappel.vignobles-martel.example/", tokenKey: token1})
	if err != nil {
		t.Fatalf("Save as Louise Bernard: %v", err)
	}

	cases := []struct {
		name    string
		scope   accounts.Scope
		actor   settings.Actor
		account int64
		api     string
		want    error
	}{
		{"other company", f.scope, f.camille, f.beaune, deltaCode, settings.ErrNotFound},
		{"API not habilitated", f.scope, f.camille, f.siege, "GAMMA2", settings.ErrNotFound},
		{"API without url", f.scope, f.camille, f.siege, pntsCode, settings.ErrNotFound},
		{"own company", f.other, f.louise, f.beaune, deltaCode, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)
			_, err := f.store.RequestOpening(f.ctx, c.scope, c.actor, t0, c.account, c.api)
			if !errors.Is(err, c.want) {
				t.Errorf("RequestOpening: got %v, want %v", err, c.want)
			}
			if c.want != nil {
				if got := f.rowCounts(t); got != before {
					t.Errorf("row counts: got %+v, want %+v", got, before)
				}
			}
		})
	}
}
