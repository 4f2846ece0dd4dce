package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/correspondant-entreprise/console/internal/demo"
)

const testToken = "Jeton-Douane-Secret-2026"

// TestSettingsCycleWithClock saves a url and a token, then moves the clock:
// after 15 minutes the token is in force and the url still pending, after
// 4 hours both are, and each taking effect is journaled once.
func TestSettingsCycleWithClock(t *testing.T) {
	app := newTestApp(t)
	corresp := app.signedIn(t, demo.CorrespondantLogin)
	admin := app.signedIn(t, demo.AdminLogin)
	id := app.accountID(t, "boreal-siege")
	accountPage := fmt.Sprintf("/comptes/%d", id)

	if got := app.accountStatus(t, corresp, "boreal-siege"); got != "Données manquantes" {
		t.Fatalf("status before: got %q, want %q", got, "Données manquantes")
	}

	form := app.get(t, corresp, accountPage+"/api/DELTAH7/modifier")
	if form.status != http.StatusOK {
		t.Fatalf("settings form: got %d, want %d", form.status, http.StatusOK)
	}
	// testNow is 10:00 UTC, 11:00 in Paris: the url would take effect at
	// 15:00 and the token at 11:15.
	text := pageText(t, form.body)
	for _, want := range []string{"au plus tard le 04/12/2026 à 15:00", "au plus tard le 04/12/2026 à 11:15"} {
		if !strings.Contains(text, want) {
			t.Errorf("form lacks %q", want)
		}
	}

	res := app.post(t, corresp, accountPage+"/api/DELTAH7", url.Values{"url": {"https://api.atelier-boreal.example/douane"}, "token": {testToken}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save: got %d, want %d", res.status, http.StatusSeeOther)
	}
	list := app.get(t, corresp, "/comptes?q=boreal-siege")
	if got := app.accountStatus(t, corresp, "boreal-siege"); got != "Prêt" {
		t.Errorf("status after saving: got %q, want %q", got, "Prêt")
	}
	if !strings.Contains(pageText(t, list.body), "En attente de prise en compte") {
		t.Error("the list does not mark the pending values")
	}
	page := pageText(t, app.get(t, corresp, accountPage).body)
	if !strings.Contains(page, "prise en compte au plus tard le 04/12/2026 à 11:15 (heure de Paris)") {
		t.Error("the account page does not give the token's effective time")
	}
	if strings.Contains(page, testToken) {
		t.Error("the account page shows the token in clear")
	}
	if !strings.Contains(page, "••••2026") {
		t.Error("the account page does not show the masked token")
	}

	if res := app.post(t, admin, "/admin/horloge", url.Values{"advance": {"15m"}}); res.status != http.StatusSeeOther {
		t.Fatalf("advance 15m: got %d, want %d", res.status, http.StatusSeeOther)
	}
	page = pageText(t, app.get(t, corresp, accountPage).body)
	if !strings.Contains(page, "En vigueur\u00a0: ••••2026") {
		t.Error("the token is not in force after 15 minutes")
	}
	if !strings.Contains(page, "En attente\u00a0: https://api.atelier-boreal.example/douane") {
		t.Error("the url is no longer pending after 15 minutes")
	}
	if !strings.Contains(page, "Horloge d’émulation") {
		t.Error("no clock banner while the clock is ahead")
	}

	if res := app.post(t, admin, "/admin/horloge", url.Values{"advance": {"4h"}}); res.status != http.StatusSeeOther {
		t.Fatalf("advance 4h: got %d, want %d", res.status, http.StatusSeeOther)
	}
	page = pageText(t, app.get(t, corresp, accountPage).body)
	if !strings.Contains(page, "En vigueur\u00a0: https://api.atelier-boreal.example/douane") {
		t.Error("the url is not in force after 4 hours 15 minutes")
	}
	if strings.Contains(page, "En attente\u00a0:") {
		t.Error("a value is still pending")
	}

	var applied int
	if err := app.db.QueryRow(`SELECT COUNT(*) FROM journal WHERE action = 'settings.applied' AND account_id = ?`, id).Scan(&applied); err != nil {
		t.Fatalf("count journal: %v", err)
	}
	if applied != 2 {
		t.Errorf("settings.applied entries: got %d, want 2", applied)
	}
	var leaks int
	if err := app.db.QueryRow(`SELECT (SELECT COUNT(*) FROM journal WHERE instr(summary || before_json || after_json, ?) > 0)
		+ (SELECT COUNT(*) FROM outbox WHERE instr(subject || body, ?) > 0)`, testToken, testToken).Scan(&leaks); err != nil {
		t.Fatalf("search token: %v", err)
	}
	if leaks != 0 {
		t.Errorf("rows with the token in clear: got %d, want 0", leaks)
	}

	if res := app.post(t, admin, "/admin/horloge", url.Values{"reset": {"1"}}); res.status != http.StatusSeeOther {
		t.Fatalf("reset: got %d, want %d", res.status, http.StatusSeeOther)
	}
	if strings.Contains(pageText(t, app.get(t, corresp, "/comptes").body), "Horloge d’émulation") {
		t.Error("the clock banner stays after the reset")
	}
}

func TestSettingsRejectInvalidValues(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)
	path := fmt.Sprintf("/comptes/%d/api/DELTAH7", app.accountID(t, "boreal-siege"))

	cases := []struct {
		name, url, token, field, message string
	}{
		{"http url", "http://api.atelier-boreal.example", testToken, "url", "https://"},
		{"ip url", "https://192.0.2.10/douane", testToken, "url", "adresse IP"},
		{"short token", "https://api.atelier-boreal.example", "court", "token", "de 16 à 512 caractères"},
		{"token with space", "https://api.atelier-boreal.example", "jeton avec des espaces", "token", "espace"},
		{"missing url", "", testToken, "url", "Renseignez"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := app.countRows(t, "settings_changes")
			res := app.post(t, c, path, url.Values{"url": {tc.url}, "token": {tc.token}})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status: got %d, want %d", res.status, http.StatusUnprocessableEntity)
			}
			if msg := elementText(t, res.body, tc.field+"-error"); !strings.Contains(msg, tc.message) {
				t.Errorf("message: got %q, want it to contain %q", msg, tc.message)
			}
			if strings.Contains(res.body, tc.token) && tc.token != "" {
				t.Error("the page sends the token back")
			}
			if cleared := strings.Contains(pageText(t, res.body), "le jeton saisi n’est pas conservé"); cleared != (tc.token != "") {
				t.Errorf("token-cleared notice shown: got %v, want %v", cleared, tc.token != "")
			}
			if got := app.countRows(t, "settings_changes"); got != before {
				t.Errorf("settings changes: got %d, want %d", got, before)
			}
		})
	}
}

func TestDomainOpeningFlow(t *testing.T) {
	app := newTestApp(t)
	corresp := app.signedIn(t, demo.CorrespondantLogin)
	douane := app.signedIn(t, demo.DouaneLogin)
	id := app.accountID(t, "boreal-siege")
	accountPage := fmt.Sprintf("/comptes/%d", id)

	app.post(t, corresp, accountPage+"/api/DELTAH7", url.Values{"url": {"https://api.atelier-boreal.example/douane"}, "token": {testToken}})
	if !strings.Contains(pageText(t, app.get(t, corresp, accountPage).body), "Domaine non ouvert") {
		t.Fatal("the account page does not flag the domain")
	}

	if res := app.post(t, corresp, accountPage+"/api/DELTAH7/ouverture", nil); res.status != http.StatusSeeOther {
		t.Fatalf("request opening: got %d, want %d", res.status, http.StatusSeeOther)
	}
	if res := app.post(t, corresp, accountPage+"/api/DELTAH7/ouverture", nil); res.status != http.StatusConflict {
		t.Errorf("second request: got %d, want %d", res.status, http.StatusConflict)
	}
	if subjects := app.outboxTo(t, "deltah7@douane-emulation.test"); len(subjects) != 1 {
		t.Errorf("e-mails to the DeltaH7 contact: got %v, want one", subjects)
	}

	queue := app.get(t, douane, "/douane/domaines")
	if !strings.Contains(pageText(t, queue.body), "api.atelier-boreal.example") {
		t.Fatal("the customs queue does not list the domain")
	}
	var opening int64
	if err := app.db.QueryRow(`SELECT id FROM domain_openings`).Scan(&opening); err != nil {
		t.Fatalf("find opening: %v", err)
	}
	decide := fmt.Sprintf("/douane/domaines/%d", opening)
	refusal := app.post(t, douane, decide, url.Values{"decision": {"refuse"}})
	if refusal.status != http.StatusUnprocessableEntity {
		t.Errorf("refusal without reason: got %d, want %d", refusal.status, http.StatusUnprocessableEntity)
	}
	if !strings.Contains(refusal.body, fmt.Sprintf(`id="refuse-%d" value="refuse" checked`, opening)) {
		t.Error("the refusal choice is not kept after the error")
	}
	if res := app.post(t, douane, decide, url.Values{"decision": {"open"}}); res.status != http.StatusSeeOther {
		t.Fatalf("open: got %d, want %d", res.status, http.StatusSeeOther)
	}
	if strings.Contains(pageText(t, app.get(t, corresp, accountPage).body), "Domaine non ouvert") {
		t.Error("the flag stays once the domain is opened")
	}
	if res := app.post(t, douane, decide, url.Values{"decision": {"open"}}); res.status != http.StatusConflict {
		t.Errorf("second decision: got %d, want %d", res.status, http.StatusConflict)
	}
}

func TestCancelPendingSetting(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)
	id := app.accountID(t, "boreal-siege")
	base := fmt.Sprintf("/comptes/%d/api/DELTAH7", id)

	app.post(t, c, base, url.Values{"url": {"https://api.atelier-boreal.example/douane"}, "token": {testToken}})
	if res := app.post(t, c, base+"/annulation", url.Values{"key": {"url"}}); res.status != http.StatusSeeOther {
		t.Fatalf("cancel: got %d, want %d", res.status, http.StatusSeeOther)
	}
	if got := app.accountStatus(t, c, "boreal-siege"); got != "Données manquantes" {
		t.Errorf("status after cancelling the only url: got %q, want %q", got, "Données manquantes")
	}
	if res := app.post(t, c, base+"/annulation", url.Values{"key": {"url"}}); res.status != http.StatusNotFound {
		t.Errorf("second cancel: got %d, want %d", res.status, http.StatusNotFound)
	}
}

// TestAccountPageWithAnotherKey opens the account page of a console whose
// key does not open the stored token, as after a lost key file.
func TestAccountPageWithAnotherKey(t *testing.T) {
	keyA, keyB := make([]byte, 32), make([]byte, 32)
	keyB[0] = 1
	app := newTestAppWith(t, Config{SecretKey: keyA})
	c := app.signedIn(t, demo.CorrespondantLogin)
	id := app.accountID(t, "boreal-siege")
	app.post(t, c, fmt.Sprintf("/comptes/%d/api/DELTAH7", id), url.Values{"url": {"https://api.atelier-boreal.example"}, "token": {testToken}})

	other, err := New(Config{DB: app.db, Clock: app.server.clock, Logger: app.server.log, SecretKey: keyB})
	if err != nil {
		t.Fatalf("New with another key: %v", err)
	}
	t.Cleanup(other.Close)
	ts := httptest.NewServer(other)
	t.Cleanup(ts.Close)
	second := &testApp{db: app.db, server: other, http: ts}
	c2 := second.signedIn(t, demo.CorrespondantLogin)

	for _, path := range []string{fmt.Sprintf("/comptes/%d", id), fmt.Sprintf("/comptes/%d/api/DELTAH7/modifier", id)} {
		res := second.get(t, c2, path)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: got %d, want %d", path, res.status, http.StatusOK)
		}
		if !strings.Contains(pageText(t, res.body), "illisible avec la clé actuelle") {
			t.Errorf("GET %s does not say the token is unreadable", path)
		}
	}

	res := second.post(t, c2, fmt.Sprintf("/comptes/%d/api/DELTAH7", id), url.Values{"token": {"Nouveau-Jeton-Douane-2027"}})
	if res.status != http.StatusSeeOther {
		t.Errorf("entering the token again: got %d, want %d", res.status, http.StatusSeeOther)
	}
}
