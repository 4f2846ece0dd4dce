package settings_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/internal/settings"
)

func TestSaveNewValues(t *testing.T) {
	f := newFixture(t)
	if got := f.status(t, f.siege); got != accounts.StatusYellow {
		t.Fatalf("status before Save: got %q, want %q", got, accounts.StatusYellow)
	}

	// The host is an IDN: "api.atelier-boréal.example" in punycode, as
	// Python's "idna" codec encodes it.
	const typedURL = "https://api.atelier-boréal.example/rappel"
	const storedURL = "https://api.xn--atelier-boral-lhb.example/rappel"
	saved := f.save(t, t0, map[string]string{urlKey: typedURL, tokenKey: token1})
	checkSaved(t, saved, []settings.Saved{
		{Key: urlKey, Label: urlLabel, EffectiveAt: t0.Add(urlDelay)},
		{Key: tokenKey, Label: tokenLabel, EffectiveAt: t0.Add(tokenDelay)},
	})

	if got := f.status(t, f.siege); got != accounts.StatusGreen {
		t.Errorf("status after Save: got %q, want %q", got, accounts.StatusGreen)
	}

	urlRow := f.lastChange(t, urlKey)
	if urlRow.Value != storedURL {
		t.Errorf("stored url: got %q, want %q", urlRow.Value, storedURL)
	}
	tokenRow := f.lastChange(t, tokenKey)
	if !strings.HasPrefix(tokenRow.Value, "v1:") {
		t.Errorf("stored token: got %q, want a value sealed with the \"v1:\" prefix", tokenRow.Value)
	}
	for _, row := range []storedChange{urlRow, tokenRow} {
		if !row.RequestedBy.Valid || row.RequestedBy.Int64 != f.camille.ID {
			t.Errorf("change %d: requested_by: got %v, want %d", row.ID, row.RequestedBy, f.camille.ID)
		}
		if row.CancelledAt.Valid {
			t.Errorf("change %d: cancelled_at: got %s, want NULL", row.ID, row.CancelledAt.Time)
		}
		if row.AppliedAt.Valid {
			t.Errorf("change %d: applied_at: got %s, want NULL", row.ID, row.AppliedAt.Time)
		}
	}

	apis, err := f.store.ForAccount(f.ctx, f.siege, t0)
	if err != nil {
		t.Fatalf("ForAccount: %v", err)
	}
	if len(apis) != 2 || apis[0].Code != deltaCode || apis[1].Code != pntsCode {
		t.Fatalf("ForAccount: got %d APIs %+v, want DELTAH7 then PNTS", len(apis), apis)
	}
	delta := apis[0]
	if delta.Label != deltaLabel {
		t.Errorf("Label: got %q, want %q", delta.Label, deltaLabel)
	}
	if delta.ContactEmail != deltaContact {
		t.Errorf("ContactEmail: got %q, want %q", delta.ContactEmail, deltaContact)
	}
	if delta.Missing() {
		t.Error("Missing: got true, want false")
	}
	if !delta.HasPending() {
		t.Error("HasPending: got false, want true")
	}
	checkDomain(t, delta.Domain, &settings.DomainStatus{Host: "api.xn--atelier-boral-lhb.example"})
	if len(apis[1].Fields) != 0 || apis[1].Domain != nil {
		t.Errorf("PNTS: got fields %+v and domain %+v, want none", apis[1].Fields, apis[1].Domain)
	}

	fields := []struct {
		key     string
		label   string
		kind    string
		delay   time.Duration
		id      int64
		display string
		index   int // position in delta.Fields
	}{
		{urlKey, urlLabel, settings.KindURL, urlDelay, urlRow.ID, storedURL, 0},
		{tokenKey, tokenLabel, settings.KindToken, tokenDelay, tokenRow.ID, "••••0001", 1},
	}
	if len(delta.Fields) != len(fields) {
		t.Fatalf("DELTAH7 fields: got %d, want %d", len(delta.Fields), len(fields))
	}
	for _, want := range fields {
		t.Run(want.key, func(t *testing.T) {
			got := delta.Fields[want.index]
			if got.Key != want.key {
				t.Fatalf("Key: got %q, want %q", got.Key, want.key)
			}
			if got.Label != want.label {
				t.Errorf("Label: got %q, want %q", got.Label, want.label)
			}
			if got.Kind != want.kind {
				t.Errorf("Kind: got %q, want %q", got.Kind, want.kind)
			}
			if !got.Required {
				t.Error("Required: got false, want true")
			}
			if got.Delay != want.delay {
				t.Errorf("Delay: got %s, want %s", got.Delay, want.delay)
			}
			checkChange(t, "InForce", got.InForce, nil)
			pending := &settings.Change{ID: want.id, Display: want.display, RequestedAt: t0,
				EffectiveAt: t0.Add(want.delay), RequestedBy: camilleName}
			checkChange(t, "Pending", got.Pending, pending)
			checkChange(t, "Current", got.Current(), pending)
		})
	}
}

func TestSaveJournalAndMails(t *testing.T) {
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})

	// t0 is 11:00 in Paris (CET, UTC+1).
	entries := f.journalRows(t, settings.ActionChanged)
	want := []journalRow{
		{
			At: t0, ActorName: camilleName, AccountIdentifier: siegeIdentifier, SIRET: siegeSIRET, APICode: deltaCode,
			Summary: "Paramètre «\u00a0Adresse de base des services de rappel\u00a0» de DELTAH7 modifié, " +
				"prise en compte au plus tard le 04/12/2026 à 15:00 (heure de Paris).",
			After: map[string]string{urlLabel: url1},
		},
		{
			At: t0, ActorName: camilleName, AccountIdentifier: siegeIdentifier, SIRET: siegeSIRET, APICode: deltaCode,
			Summary: "Paramètre «\u00a0Jeton d’authentification présenté par la douane\u00a0» de DELTAH7 modifié, " +
				"prise en compte au plus tard le 04/12/2026 à 11:15 (heure de Paris).",
			After: map[string]string{tokenLabel: masked(token1)},
		},
	}
	if len(entries) != len(want) {
		t.Fatalf("journal %s: got %d entries, want %d", settings.ActionChanged, len(entries), len(want))
	}
	for i := range want {
		want[i].ActorID.Int64, want[i].ActorID.Valid = f.camille.ID, true
		want[i].AccountID.Int64, want[i].AccountID.Valid = f.siege, true
		checkJournal(t, want[i].Summary, entries[i], want[i])
	}

	mails := f.mails(t, settings.ActionChanged)
	wantRecipients := []string{siegeEmail, siegeEmail, "correspondant@demo.test", "correspondant@demo.test"}
	if got := recipients(mails); strings.Join(got, ",") != strings.Join(wantRecipients, ",") {
		t.Fatalf("recipients: got %v, want %v", got, wantRecipients)
	}
	wantLines := map[string][]string{
		"url":   {"Paramètre\u00a0: " + urlLabel + " (DELTAH7)", "Nouvelle valeur\u00a0: " + url1, "au plus tard le 04/12/2026 à 15:00"},
		"token": {"Paramètre\u00a0: " + tokenLabel + " (DELTAH7)", "Nouvelle valeur\u00a0: ••••0001", "au plus tard le 04/12/2026 à 11:15"},
	}
	for i, m := range mails {
		if !m.CreatedAt.Equal(t0) {
			t.Errorf("mail %d: created_at: got %s, want %s", i, m.CreatedAt, t0)
		}
		if want := "Modification programmée d’un paramètre du compte API boreal-siege"; m.Subject != want {
			t.Errorf("mail %d: subject: got %q, want %q", i, m.Subject, want)
		}
		if !m.AccountID.Valid || m.AccountID.Int64 != f.siege {
			t.Errorf("mail %d: account_id: got %v, want %d", i, m.AccountID, f.siege)
		}
		if m.SIRET != siegeSIRET {
			t.Errorf("mail %d: siret: got %q, want %q", i, m.SIRET, siegeSIRET)
		}
		if strings.Contains(m.Body, token1) {
			t.Errorf("mail %d: body contains the plain token", i)
		}
		key := urlKey
		if strings.Contains(m.Body, tokenLabel) {
			key = tokenKey
		}
		for _, line := range wantLines[key] {
			if !strings.Contains(m.Body, line) {
				t.Errorf("mail %d (%s): body lacks %q:\n%s", i, key, line, m.Body)
			}
		}
	}
}

func TestForAccountAroundEffectiveTime(t *testing.T) {
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})
	url1Row := f.lastChange(t, urlKey)
	tokenRow := f.lastChange(t, tokenKey)
	v1 := &settings.Change{ID: url1Row.ID, Display: url1, RequestedAt: t0, EffectiveAt: t0.Add(urlDelay), RequestedBy: camilleName}
	token := &settings.Change{ID: tokenRow.ID, Display: masked(token1), RequestedAt: t0, EffectiveAt: t0.Add(tokenDelay), RequestedBy: camilleName}

	type phase struct {
		name        string
		now         time.Time
		key         string
		wantInForce *settings.Change
		wantPending *settings.Change
	}
	check := func(t *testing.T, cases []phase) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				field := f.deltaField(t, c.now, c.key)
				checkChange(t, "InForce", field.InForce, c.wantInForce)
				checkChange(t, "Pending", field.Pending, c.wantPending)
			})
		}
	}

	check(t, []phase{
		{"token 1s before", token.EffectiveAt.Add(-time.Second), tokenKey, nil, token},
		{"token at effective", token.EffectiveAt, tokenKey, token, nil},
		{"token 1s after", token.EffectiveAt.Add(time.Second), tokenKey, token, nil},
		{"url 1s before", v1.EffectiveAt.Add(-time.Second), urlKey, nil, v1},
		{"url at effective", v1.EffectiveAt, urlKey, v1, nil},
		{"url 1s after", v1.EffectiveAt.Add(time.Second), urlKey, v1, nil},
		{"url sub-second before", v1.EffectiveAt.Add(-time.Millisecond), urlKey, nil, v1},
	})

	// v1 is in force from t0+4h, so v2 replaces nothing and v1 stays in
	// force until v2 takes effect at t0+9h.
	at := t0.Add(5 * time.Hour)
	checkSaved(t, f.save(t, at, map[string]string{urlKey: url2}), []settings.Saved{
		{Key: urlKey, Label: urlLabel, EffectiveAt: at.Add(urlDelay)},
	})
	v2Row := f.lastChange(t, urlKey)
	if v2Row.ID == url1Row.ID {
		t.Fatal("Save of v2: no new settings_changes row")
	}
	v2 := &settings.Change{ID: v2Row.ID, Display: url2, RequestedAt: at, EffectiveAt: at.Add(urlDelay), RequestedBy: camilleName}
	if rows := f.changes(t, urlKey); rows[0].CancelledAt.Valid {
		t.Errorf("v1 in force: cancelled_at: got %s, want NULL", rows[0].CancelledAt.Time)
	}

	check(t, []phase{
		{"v1 kept 1s before v2", v2.EffectiveAt.Add(-time.Second), urlKey, v1, v2},
		{"v2 at effective", v2.EffectiveAt, urlKey, v2, nil},
		{"v2 1s after", v2.EffectiveAt.Add(time.Second), urlKey, v2, nil},
	})
}

func TestSaveReplacesPending(t *testing.T) {
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})
	first := f.lastChange(t, urlKey)

	at := t0.Add(time.Hour)
	checkSaved(t, f.save(t, at, map[string]string{urlKey: url2}), []settings.Saved{
		{Key: urlKey, Label: urlLabel, EffectiveAt: at.Add(urlDelay)},
	})

	rows := f.changes(t, urlKey)
	if len(rows) != 2 {
		t.Fatalf("url rows: got %d, want 2", len(rows))
	}
	if !rows[0].CancelledAt.Valid || !rows[0].CancelledAt.Time.Equal(at) {
		t.Errorf("replaced row: cancelled_at: got %v, want %s", rows[0].CancelledAt, at)
	}
	if rows[1].CancelledAt.Valid {
		t.Errorf("new row: cancelled_at: got %s, want NULL", rows[1].CancelledAt.Time)
	}
	if !rows[1].RequestedAt.Equal(at) {
		t.Errorf("new row: requested_at: got %s, want %s", rows[1].RequestedAt, at)
	}
	if !rows[1].EffectiveAt.Equal(at.Add(urlDelay)) {
		t.Errorf("new row: effective_at: got %s, want %s", rows[1].EffectiveAt, at.Add(urlDelay))
	}
	if got := f.status(t, f.siege); got != accounts.StatusGreen {
		t.Errorf("status: got %q, want %q", got, accounts.StatusGreen)
	}

	replacement := &settings.Change{ID: rows[1].ID, Display: url2, RequestedAt: at, EffectiveAt: at.Add(urlDelay), RequestedBy: camilleName}
	cases := []struct {
		name        string
		now         time.Time
		wantInForce *settings.Change
		wantPending *settings.Change
	}{
		{"at replacement", at, nil, replacement},
		{"at first effective time", first.EffectiveAt, nil, replacement},
		{"1s after first effective time", first.EffectiveAt.Add(time.Second), nil, replacement},
		{"1s before replacement effective", replacement.EffectiveAt.Add(-time.Second), nil, replacement},
		{"at replacement effective", replacement.EffectiveAt, replacement, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			field := f.deltaField(t, c.now, urlKey)
			checkChange(t, "InForce", field.InForce, c.wantInForce)
			checkChange(t, "Pending", field.Pending, c.wantPending)
		})
	}

	changed := f.journalRows(t, settings.ActionChanged)
	if len(changed) != 3 {
		t.Fatalf("journal %s: got %d entries, want 3", settings.ActionChanged, len(changed))
	}
	if got, want := changed[2].Before[urlLabel], url1; got != want {
		t.Errorf("journal of the replacement: before: got %q, want %q", got, want)
	}
	if got, want := changed[2].After[urlLabel], url2; got != want {
		t.Errorf("journal of the replacement: after: got %q, want %q", got, want)
	}

	// Both effective times have passed: only the token and the replacement
	// take effect.
	if got := f.applyDue(t, t0.Add(6*time.Hour)); got != 2 {
		t.Errorf("ApplyDue: got %d, want 2", got)
	}
	rows = f.changes(t, urlKey)
	if rows[0].AppliedAt.Valid {
		t.Errorf("replaced row: applied_at: got %s, want NULL", rows[0].AppliedAt.Time)
	}
	if !rows[1].AppliedAt.Valid {
		t.Error("replacement: applied_at: got NULL, want set")
	}
	var appliedURLs []string
	for _, e := range f.journalRows(t, settings.ActionApplied) {
		if v, ok := e.After[urlLabel]; ok {
			appliedURLs = append(appliedURLs, v)
		}
	}
	if len(appliedURLs) != 1 || appliedURLs[0] != url2 {
		t.Errorf("applied urls in the journal: got %v, want [%s]", appliedURLs, url2)
	}
	for _, m := range f.mails(t, settings.ActionApplied) {
		if strings.Contains(m.Body, url1) {
			t.Errorf("mail to %s reports the replaced url as applied", m.Recipient)
		}
	}
}

func TestCancelPending(t *testing.T) {
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})
	inForce := f.lastChange(t, urlKey)
	f.save(t, t0.Add(5*time.Hour), map[string]string{urlKey: url2})
	pending := f.lastChange(t, urlKey)
	at := t0.Add(6 * time.Hour)

	rejected := []struct {
		name  string
		scope accounts.Scope
		api   string
		key   string
	}{
		{"other company's correspondant", f.other, deltaCode, urlKey},
		{"nothing pending", f.scope, deltaCode, tokenKey},
		{"unknown field", f.scope, deltaCode, "adresse"},
		{"API not habilitated", f.scope, "GAMMA2", urlKey},
	}
	for _, c := range rejected {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)
			err := f.store.CancelPending(f.ctx, c.scope, f.camille, at, f.siege, c.api, c.key)
			if !errors.Is(err, settings.ErrNotFound) {
				t.Errorf("CancelPending: got %v, want ErrNotFound", err)
			}
			if got := f.rowCounts(t); got != before {
				t.Errorf("row counts: got %+v, want %+v", got, before)
			}
			if got := f.lastChange(t, urlKey); got.CancelledAt.Valid {
				t.Errorf("pending url: cancelled_at: got %s, want NULL", got.CancelledAt.Time)
			}
		})
	}

	if err := f.store.CancelPending(f.ctx, f.scope, f.camille, at, f.siege, deltaCode, urlKey); err != nil {
		t.Fatalf("CancelPending: %v", err)
	}
	if got := f.lastChange(t, urlKey); !got.CancelledAt.Valid || !got.CancelledAt.Time.Equal(at) {
		t.Errorf("cancelled row: cancelled_at: got %v, want %s", got.CancelledAt, at)
	}

	v1 := &settings.Change{ID: inForce.ID, Display: url1, RequestedAt: t0, EffectiveAt: t0.Add(urlDelay), RequestedBy: camilleName}
	for _, now := range []time.Time{at, pending.EffectiveAt, pending.EffectiveAt.Add(time.Hour)} {
		field := f.deltaField(t, now, urlKey)
		checkChange(t, "InForce at "+now.Format(time.RFC3339), field.InForce, v1)
		checkChange(t, "Pending at "+now.Format(time.RFC3339), field.Pending, nil)
	}

	entries := f.journalRows(t, settings.ActionCancelled)
	if len(entries) != 1 {
		t.Fatalf("journal %s: got %d entries, want 1", settings.ActionCancelled, len(entries))
	}
	want := journalRow{
		At: at, ActorName: camilleName, AccountIdentifier: siegeIdentifier, SIRET: siegeSIRET, APICode: deltaCode,
		Summary: "Modification en attente du paramètre «\u00a0Adresse de base des services de rappel\u00a0» de DELTAH7 annulée.",
		Before:  map[string]string{urlLabel: url2},
		After:   map[string]string{urlLabel: url1},
	}
	want.ActorID.Int64, want.ActorID.Valid = f.camille.ID, true
	want.AccountID.Int64, want.AccountID.Valid = f.siege, true
	checkJournal(t, "cancelled", entries[0], want)

	err := f.store.CancelPending(f.ctx, f.scope, f.camille, at.Add(time.Minute), f.siege, deltaCode, urlKey)
	if !errors.Is(err, settings.ErrNotFound) {
		t.Errorf("second CancelPending: got %v, want ErrNotFound", err)
	}
	if got := f.applyDue(t, t0.Add(24*time.Hour)); got != 2 {
		t.Errorf("ApplyDue: got %d, want 2 (token and v1)", got)
	}
	if got := f.lastChange(t, urlKey); got.AppliedAt.Valid {
		t.Errorf("cancelled row: applied_at: got %s, want NULL", got.AppliedAt.Time)
	}
}

func TestCancelOnlyValue(t *testing.T) {
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})
	at := t0.Add(time.Minute)

	if err := f.store.CancelPending(f.ctx, f.scope, f.camille, at, f.siege, deltaCode, urlKey); err != nil {
		t.Fatalf("CancelPending: %v", err)
	}

	field := f.deltaField(t, at, urlKey)
	checkChange(t, "InForce", field.InForce, nil)
	checkChange(t, "Pending", field.Pending, nil)
	if got := f.status(t, f.siege); got != accounts.StatusYellow {
		t.Errorf("status: got %q, want %q", got, accounts.StatusYellow)
	}
	entries := f.journalRows(t, settings.ActionCancelled)
	if len(entries) != 1 {
		t.Fatalf("journal %s: got %d entries, want 1", settings.ActionCancelled, len(entries))
	}
	if want := map[string]string{urlLabel: url1}; !equalValues(entries[0].Before, want) {
		t.Errorf("journal: before: got %v, want %v", entries[0].Before, want)
	}
	if len(entries[0].After) != 0 {
		t.Errorf("journal: after: got %v, want {}", entries[0].After)
	}
}

func TestSaveRejectsInvalid(t *testing.T) {
	f := newFixture(t)
	missingURL := "Renseignez le champ «\u00a0" + urlLabel + "\u00a0»."
	missingToken := "Renseignez le champ «\u00a0" + tokenLabel + "\u00a0»."

	cases := []struct {
		name   string
		values map[string]string
		want   []string          // field keys with an error
		exact  map[string]string // messages checked word for word
	}{
		{"http url", map[string]string{urlKey: "http://api.atelier-boreal.example/x", tokenKey: token1}, []string{urlKey}, nil},
		{"IP host", map[string]string{urlKey: "https://192.0.2.10/rappel", tokenKey: token1}, []string{urlKey}, nil},
		{"short token", map[string]string{urlKey: url1, tokenKey: "Jeton-court"}, []string{tokenKey}, nil},
		{"token with space", map[string]string{urlKey: url1, tokenKey: " " + token1}, []string{tokenKey}, nil},
		{"both invalid", map[string]string{urlKey: "ftp://api.atelier-boreal.example", tokenKey: "court"}, []string{tokenKey, urlKey}, nil},
		{"url missing", map[string]string{tokenKey: token1}, []string{urlKey}, map[string]string{urlKey: missingURL}},
		{"token missing", map[string]string{urlKey: url1}, []string{tokenKey}, map[string]string{tokenKey: missingToken}},
		{"blank url", map[string]string{urlKey: " \t ", tokenKey: token1}, []string{urlKey}, nil},
		{"nothing typed", map[string]string{}, []string{tokenKey, urlKey}, map[string]string{urlKey: missingURL, tokenKey: missingToken}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)
			saved, err := f.store.Save(f.ctx, f.scope, f.camille, t0, f.siege, deltaCode, c.values)
			keys, messages := validationKeys(t, err)
			if strings.Join(keys, ",") != strings.Join(c.want, ",") {
				t.Errorf("fields in error: got %v, want %v", keys, c.want)
			}
			for key, message := range messages {
				if message == "" {
					t.Errorf("message of %s: got empty, want a sentence", key)
				}
				if typed := c.values[tokenKey]; typed != "" && strings.Contains(message, typed) {
					t.Errorf("message of %s: got %q, which repeats the typed token", key, message)
				}
			}
			for key, want := range c.exact {
				if messages[key] != want {
					t.Errorf("message of %s: got %q, want %q", key, messages[key], want)
				}
			}
			if len(saved) != 0 {
				t.Errorf("Saved: got %+v, want none", saved)
			}
			if got := f.rowCounts(t); got != before {
				t.Errorf("row counts: got %+v, want %+v", got, before)
			}
			if got := f.status(t, f.siege); got != accounts.StatusYellow {
				t.Errorf("status: got %q, want %q", got, accounts.StatusYellow)
			}
		})
	}
}

func TestSaveKeepsUnchanged(t *testing.T) {
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})

	// The steps run in order on the same account.
	steps := []struct {
		name        string
		at          time.Time
		values      map[string]string
		want        []settings.Saved
		wantURLs    int // url rows after the step
		wantTokens  int // token rows after the step
		wantJournal int // settings.changed entries after the step
	}{
		{"same values", t0.Add(time.Minute), map[string]string{urlKey: url1, tokenKey: token1}, nil, 1, 1, 2},
		{"same url once normalized", t0.Add(2 * time.Minute), map[string]string{urlKey: "  HTTPS://API.Atelier-Boreal.example/rappel/v1 "}, nil, 1, 1, 2},
		{"nothing typed", t0.Add(3 * time.Minute), map[string]string{}, nil, 1, 1, 2},
		{"empty token kept", t0.Add(4 * time.Minute), map[string]string{urlKey: url2, tokenKey: ""},
			[]settings.Saved{{Key: urlKey, Label: urlLabel, EffectiveAt: t0.Add(4*time.Minute + urlDelay)}}, 2, 1, 3},
		{"same pending url", t0.Add(5 * time.Minute), map[string]string{urlKey: url2}, nil, 2, 1, 3},
		{"unknown key ignored", t0.Add(6 * time.Minute), map[string]string{"adresse": url1}, nil, 2, 1, 3},
		{"new token only", t0.Add(7 * time.Minute), map[string]string{tokenKey: token2},
			[]settings.Saved{{Key: tokenKey, Label: tokenLabel, EffectiveAt: t0.Add(7*time.Minute + tokenDelay)}}, 2, 2, 4},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := f.rowCounts(t)
			checkSaved(t, f.save(t, s.at, s.values), s.want)
			if got := len(f.changes(t, urlKey)); got != s.wantURLs {
				t.Errorf("url rows: got %d, want %d", got, s.wantURLs)
			}
			if got := len(f.changes(t, tokenKey)); got != s.wantTokens {
				t.Errorf("token rows: got %d, want %d", got, s.wantTokens)
			}
			if got := len(f.journalRows(t, settings.ActionChanged)); got != s.wantJournal {
				t.Errorf("journal %s: got %d entries, want %d", settings.ActionChanged, got, s.wantJournal)
			}
			if len(s.want) == 0 {
				if got := f.rowCounts(t); got != before {
					t.Errorf("row counts: got %+v, want %+v", got, before)
				}
			}
		})
	}

	token := f.deltaField(t, t0.Add(time.Hour), tokenKey)
	if token.InForce == nil || token.InForce.Display != masked(token2) {
		t.Errorf("token in force at t0+1h: got %+v, want %q", token.InForce, masked(token2))
	}
}

func TestSaveAcrossDST(t *testing.T) {
	f := newFixture(t)

	// The steps run in order. Paris moves from UTC+1 to UTC+2 at 01:00 UTC
	// on 28 March 2027, and back to UTC+1 at 01:00 UTC on 31 October 2027.
	steps := []struct {
		name      string
		at        time.Time
		values    map[string]string
		key       string
		wantAt    time.Time
		wantParis string
	}{
		{"spring url", time.Date(2027, 3, 27, 23, 30, 0, 0, time.UTC), map[string]string{urlKey: url1, tokenKey: token1},
			urlKey, time.Date(2027, 3, 28, 3, 30, 0, 0, time.UTC), "28/03/2027 à 05:30"},
		{"spring token", time.Date(2027, 3, 27, 23, 30, 0, 0, time.UTC), nil,
			tokenKey, time.Date(2027, 3, 27, 23, 45, 0, 0, time.UTC), "28/03/2027 à 00:45"},
		{"autumn url", time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC), map[string]string{urlKey: url2},
			urlKey, time.Date(2027, 10, 31, 4, 30, 0, 0, time.UTC), "31/10/2027 à 05:30"},
	}
	var saved []settings.Saved
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.values != nil {
				saved = f.save(t, s.at, s.values)
			}
			var got *settings.Saved
			for i := range saved {
				if saved[i].Key == s.key {
					got = &saved[i]
				}
			}
			if got == nil {
				t.Fatalf("Save: got %+v, want a %s entry", saved, s.key)
			}
			if !got.EffectiveAt.Equal(s.wantAt) {
				t.Errorf("EffectiveAt: got %s, want %s", got.EffectiveAt, s.wantAt)
			}
			if paris := clock.ParisTime(got.EffectiveAt); paris != s.wantParis {
				t.Errorf("ParisTime(EffectiveAt): got %q, want %q", paris, s.wantParis)
			}

			field := f.deltaField(t, s.at, s.key)
			if field.Pending == nil || !field.Pending.EffectiveAt.Equal(s.wantAt) {
				t.Errorf("pending %s: got %+v, want effective at %s", s.key, field.Pending, s.wantAt)
			}
			found := false
			for _, e := range f.journalRows(t, settings.ActionChanged) {
				if e.At.Equal(s.at.Truncate(time.Second)) && strings.Contains(e.Summary, "le "+s.wantParis+" (heure de Paris)") {
					found = true
				}
			}
			if !found {
				t.Errorf("journal: no %s entry at %s with %q", settings.ActionChanged, s.at, s.wantParis)
			}
		})
	}
}

func TestSaveOutsideScope(t *testing.T) {
	f := newFixture(t)
	all := accounts.Scope{All: true}

	cases := []struct {
		name    string
		scope   accounts.Scope
		account int64
		api     string
		values  map[string]string
		wantErr error
	}{
		{"other company", f.scope, f.beaune, pntsCode, nil, settings.ErrNotFound},
		{"other company DELTAH7", f.scope, f.beaune, deltaCode, map[string]string{urlKey: url1, tokenKey: token1}, settings.ErrNotFound},
		{"API not habilitated", f.scope, f.siege, "GAMMA2", map[string]string{urlKey: url1, tokenKey: token1}, settings.ErrNotFound},
		{"unknown API", f.scope, f.siege, "NOPE", map[string]string{urlKey: url1}, settings.ErrNotFound},
		{"unknown account", all, 999999, deltaCode, map[string]string{urlKey: url1, tokenKey: token1}, settings.ErrNotFound},
		// The same calls inside the scope succeed, so the scope is what
		// rejects the first case. PNTS has no settings field.
		{"own company", f.other, f.beaune, pntsCode, nil, nil},
		{"scope all", all, f.beaune, pntsCode, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.rowCounts(t)
			saved, err := f.store.Save(f.ctx, c.scope, f.camille, t0, c.account, c.api, c.values)
			if !errors.Is(err, c.wantErr) {
				t.Errorf("Save: got error %v, want %v", err, c.wantErr)
			}
			if len(saved) != 0 {
				t.Errorf("Saved: got %+v, want none", saved)
			}
			if got := f.rowCounts(t); got != before {
				t.Errorf("row counts: got %+v, want %+v", got, before)
			}
		})
	}

	t.Run("revoked habilitation", func(t *testing.T) {
		f.exec(t, `UPDATE habilitations SET revoked_at = ?, revoke_reason = 'test' WHERE account_id = ? AND api_code = ?`,
			t0, f.siege, deltaCode)
		_, err := f.store.Save(f.ctx, f.scope, f.camille, t0.Add(time.Hour), f.siege, deltaCode,
			map[string]string{urlKey: url1, tokenKey: token1})
		if !errors.Is(err, settings.ErrNotFound) {
			t.Errorf("Save: got %v, want ErrNotFound", err)
		}
	})
}

func TestSaveConcurrent(t *testing.T) {
	f := newFixture(t)
	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})

	at := t0.Add(time.Hour)
	const writers = 4
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			value := fmt.Sprintf("https://api.atelier-boreal.example/rappel/concurrent-%d", i)
			_, errs[i] = f.store.Save(f.ctx, f.scope, f.camille, at, f.siege, deltaCode, map[string]string{urlKey: value})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Save %d: %v", i, err)
		}
	}

	rows := f.changes(t, urlKey)
	if len(rows) != writers+1 {
		t.Fatalf("url rows: got %d, want %d", len(rows), writers+1)
	}
	live := 0
	for _, r := range rows {
		if !r.CancelledAt.Valid {
			live++
		}
	}
	if live != 1 {
		t.Errorf("url rows not cancelled: got %d, want 1", live)
	}
	last := rows[len(rows)-1]
	if last.CancelledAt.Valid {
		t.Errorf("latest url row: cancelled_at: got %s, want NULL", last.CancelledAt.Time)
	}
	if pending := f.deltaField(t, at, urlKey).Pending; pending == nil || pending.ID != last.ID {
		t.Errorf("pending url: got %+v, want change %d", pending, last.ID)
	}
}

func TestAPIMissingAndPending(t *testing.T) {
	f := newFixture(t)
	empty := f.deltaAPI(t, t0)

	f.save(t, t0, map[string]string{urlKey: url1, tokenKey: token1})
	cases := []struct {
		name        string
		api         settings.API
		wantMissing bool
		wantPending bool
	}{
		{"no value", empty, true, false},
		{"token in force, url pending", f.deltaAPI(t, t0.Add(time.Hour)), false, true},
		{"both in force", f.deltaAPI(t, t0.Add(urlDelay)), false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.api.Missing(); got != c.wantMissing {
				t.Errorf("Missing: got %t, want %t", got, c.wantMissing)
			}
			if got := c.api.HasPending(); got != c.wantPending {
				t.Errorf("HasPending: got %t, want %t", got, c.wantPending)
			}
		})
	}
}
