package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/correspondant-entreprise/console/internal/demo"
)

func (a *testApp) countRows(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := a.db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func (a *testApp) latestRequest(t *testing.T) int64 {
	t.Helper()
	var id int64
	if err := a.db.QueryRow(`SELECT MAX(id) FROM habilitation_requests`).Scan(&id); err != nil {
		t.Fatalf("latest request: %v", err)
	}
	return id
}

func (a *testApp) accountStatus(t *testing.T, c *http.Client, identifier string) string {
	t.Helper()
	res := a.get(t, c, "/comptes?q="+url.QueryEscape(identifier))
	for _, row := range listRows(t, res.body) {
		if row.identifier == identifier {
			return row.status
		}
	}
	t.Fatalf("%s is not in the list", identifier)
	return ""
}

// TestRequestReviewCycle walks a request from the correspondant to the
// customs desk and back, checking the status at each step.
func TestRequestReviewCycle(t *testing.T) {
	app := newTestApp(t)
	corresp := app.signedIn(t, demo.CorrespondantLogin)
	douane := app.signedIn(t, demo.DouaneLogin)
	account := app.accountID(t, "boreal-roissy")
	accountPage := fmt.Sprintf("/comptes/%d", account)

	res := app.post(t, corresp, accountPage+"/demandes", url.Values{"api": {"DELTAH7", "PNTS"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("submit: got %d, want %d", res.status, http.StatusSeeOther)
	}
	request := app.latestRequest(t)

	page := app.get(t, corresp, accountPage)
	if text := pageText(t, page.body); !strings.Contains(text, "En cours d’instruction") {
		t.Error("the account page does not show the submitted request")
	}

	again := app.post(t, corresp, accountPage+"/demandes", url.Values{"api": {"PNTS"}})
	if again.status != http.StatusUnprocessableEntity {
		t.Fatalf("second request on PNTS: got %d, want %d", again.status, http.StatusUnprocessableEntity)
	}
	if msg := elementText(t, again.body, "api-error"); !strings.Contains(msg, "une demande est déjà en cours pour PNTS") {
		t.Errorf("message: got %q", msg)
	}

	queue := app.get(t, douane, "/douane/demandes")
	if !strings.Contains(pageText(t, queue.body), "boreal-roissy") {
		t.Error("the customs queue does not list the request")
	}

	reviewPath := fmt.Sprintf("/douane/demandes/%d", request)
	missingReason := app.post(t, douane, reviewPath, url.Values{"decision.PNTS": {"grant"}, "decision.DELTAH7": {"refuse"}})
	if missingReason.status != http.StatusUnprocessableEntity {
		t.Fatalf("refusal without reason: got %d, want %d", missingReason.status, http.StatusUnprocessableEntity)
	}
	if msg := elementText(t, missingReason.body, "reason-DELTAH7-error"); !strings.Contains(msg, "motif du refus") {
		t.Errorf("reason message: got %q", msg)
	}

	const reason = "Le contrat de service DeltaH7 n’est pas signé."
	decided := app.post(t, douane, reviewPath, url.Values{
		"decision.PNTS": {"grant"}, "decision.DELTAH7": {"refuse"}, "reason.DELTAH7": {reason},
	})
	if decided.status != http.StatusSeeOther {
		t.Fatalf("decide: got %d, want %d", decided.status, http.StatusSeeOther)
	}

	if got := app.accountStatus(t, corresp, "boreal-roissy"); got != "Prêt" {
		t.Errorf("status after PNTS granted: got %q, want %q", got, "Prêt")
	}
	text := pageText(t, app.get(t, corresp, accountPage).body)
	for _, want := range []string{"Partiellement acceptée", reason} {
		if !strings.Contains(text, want) {
			t.Errorf("account page lacks %q", want)
		}
	}

	twice := app.post(t, douane, reviewPath, url.Values{"decision.PNTS": {"grant"}, "decision.DELTAH7": {"grant"}})
	if twice.status != http.StatusConflict {
		t.Errorf("second decision: got %d, want %d", twice.status, http.StatusConflict)
	}

	var habilitation int64
	err := app.db.QueryRow(`SELECT id FROM habilitations WHERE account_id = ? AND api_code = 'PNTS' AND revoked_at IS NULL`, account).Scan(&habilitation)
	if err != nil {
		t.Fatalf("find habilitation: %v", err)
	}
	revoked := app.post(t, douane, fmt.Sprintf("/douane/habilitations/%d/retrait", habilitation), url.Values{"reason": {"Fin du contrat."}})
	if revoked.status != http.StatusSeeOther {
		t.Fatalf("revoke: got %d, want %d", revoked.status, http.StatusSeeOther)
	}
	if got := app.accountStatus(t, corresp, "boreal-roissy"); got != "Aucune habilitation" {
		t.Errorf("status after revocation: got %q, want %q", got, "Aucune habilitation")
	}
}

func TestGrantSettingsAPIMakesAccountYellow(t *testing.T) {
	app := newTestApp(t)
	corresp := app.signedIn(t, demo.CorrespondantLogin)
	douane := app.signedIn(t, demo.DouaneLogin)
	account := app.accountID(t, "boreal-roissy")

	app.post(t, corresp, fmt.Sprintf("/comptes/%d/demandes", account), url.Values{"api": {"DELTAH7"}})
	res := app.post(t, douane, fmt.Sprintf("/douane/demandes/%d", app.latestRequest(t)), url.Values{"decision.DELTAH7": {"grant"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("decide: got %d, want %d", res.status, http.StatusSeeOther)
	}
	if got := app.accountStatus(t, corresp, "boreal-roissy"); got != "Données manquantes" {
		t.Errorf("status: got %q, want %q", got, "Données manquantes")
	}
}

func TestCancelRequest(t *testing.T) {
	app := newTestApp(t)
	corresp := app.signedIn(t, demo.CorrespondantLogin)
	account := app.accountID(t, "boreal-roissy")
	accountPage := fmt.Sprintf("/comptes/%d", account)

	app.post(t, corresp, accountPage+"/demandes", url.Values{"api": {"PNTS"}})
	cancel := fmt.Sprintf("%s/demandes/%d/annulation", accountPage, app.latestRequest(t))

	if res := app.post(t, corresp, cancel, nil); res.status != http.StatusSeeOther {
		t.Fatalf("cancel: got %d, want %d", res.status, http.StatusSeeOther)
	}
	if res := app.post(t, corresp, cancel, nil); res.status != http.StatusConflict {
		t.Errorf("second cancel: got %d, want %d", res.status, http.StatusConflict)
	}
	if res := app.post(t, corresp, accountPage+"/demandes", url.Values{"api": {"PNTS"}}); res.status != http.StatusSeeOther {
		t.Errorf("new request after cancel: got %d, want %d", res.status, http.StatusSeeOther)
	}
}

func TestRejectedRequestWritesNothing(t *testing.T) {
	app := newTestApp(t)
	corresp := app.signedIn(t, demo.CorrespondantLogin)
	account := app.accountID(t, "epices-havre")
	journalBefore, outboxBefore, requestsBefore := app.countRows(t, "journal"), app.countRows(t, "outbox"), app.countRows(t, "habilitation_requests")

	res := app.post(t, corresp, fmt.Sprintf("/comptes/%d/demandes", account), url.Values{"api": {"DELTAIE", "PNTS"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status: got %d, want %d", res.status, http.StatusUnprocessableEntity)
	}
	if msg := elementText(t, res.body, "api-error"); !strings.Contains(msg, "déjà habilité à PNTS") {
		t.Errorf("message: got %q", msg)
	}
	if !strings.Contains(res.body, `value="DELTAIE" checked`) {
		t.Error("the ticked API is not kept")
	}
	if got := app.countRows(t, "journal"); got != journalBefore {
		t.Errorf("journal rows: got %d, want %d", got, journalBefore)
	}
	if got := app.countRows(t, "outbox"); got != outboxBefore {
		t.Errorf("outbox rows: got %d, want %d", got, outboxBefore)
	}
	if got := app.countRows(t, "habilitation_requests"); got != requestsBefore {
		t.Errorf("requests: got %d, want %d", got, requestsBefore)
	}
}

func TestJournalAndOutboxFollowPerimeter(t *testing.T) {
	app := newTestApp(t)
	corresp := app.signedIn(t, demo.CorrespondantLogin)
	other := app.signedIn(t, demo.OtherCorrespondantLogin)
	douane := app.signedIn(t, demo.DouaneLogin)

	app.post(t, corresp, fmt.Sprintf("/comptes/%d/demandes", app.accountID(t, "boreal-roissy")), url.Values{"api": {"PNTS"}})
	app.post(t, other, fmt.Sprintf("/comptes/%d/demandes", app.accountID(t, "martel-dijon")), url.Values{"api": {"PNTS"}})

	cases := []struct {
		name       string
		client     *http.Client
		path       string
		wantSee    []string
		wantHidden []string
	}{
		{"correspondant journal", corresp, "/journal", []string{"boreal-roissy"}, []string{"martel-dijon"}},
		{"other journal", other, "/journal", []string{"martel-dijon"}, []string{"boreal-roissy"}},
		{"douane journal", douane, "/journal", []string{"boreal-roissy", "martel-dijon"}, nil},
		{"correspondant e-mails", corresp, "/courriels", []string{"boreal-roissy", "api-roissy@atelier-boreal.example"}, []string{"martel-dijon"}},
		{"other e-mails", other, "/courriels", []string{"martel-dijon"}, []string{"boreal-roissy"}},
		{"douane e-mails", douane, "/courriels", []string{"boreal-roissy", "martel-dijon"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := app.get(t, tc.client, tc.path)
			if res.status != http.StatusOK {
				t.Fatalf("status: got %d, want %d", res.status, http.StatusOK)
			}
			text := pageText(t, res.body)
			for _, want := range tc.wantSee {
				if !strings.Contains(text, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			for _, hidden := range tc.wantHidden {
				if strings.Contains(text, hidden) {
					t.Errorf("page shows %q from outside the perimeter", hidden)
				}
			}
		})
	}
}

func TestOutboxPageSaysWhenNoSMTP(t *testing.T) {
	app := newTestApp(t)
	res := app.get(t, app.signedIn(t, demo.AdminLogin), "/courriels")
	if !strings.Contains(pageText(t, res.body), "Aucun serveur SMTP n’est configuré") {
		t.Error("the admin page does not say how to send the e-mails")
	}
	res = app.get(t, app.signedIn(t, demo.CorrespondantLogin), "/courriels")
	if !strings.Contains(pageText(t, res.body), "n’envoie pas de courriels") {
		t.Error("the correspondant page does not say that e-mails are not sent")
	}
}
