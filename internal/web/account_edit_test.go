package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/password"
)

func (a *testApp) accountVersion(t *testing.T, id int64) string {
	t.Helper()
	var v int64
	if err := a.db.QueryRow(`SELECT version FROM api_accounts WHERE id = ?`, id).Scan(&v); err != nil {
		t.Fatalf("version of %d: %v", id, err)
	}
	return fmt.Sprint(v)
}

// outboxTo returns the subjects of the e-mails queued for the recipient.
func (a *testApp) outboxTo(t *testing.T, recipient string) []string {
	t.Helper()
	rows, err := a.db.Query(`SELECT subject FROM outbox WHERE recipient = ? ORDER BY id`, recipient)
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	defer rows.Close()
	var subjects []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("read outbox: %v", err)
		}
		subjects = append(subjects, s)
	}
	return subjects
}

func TestChangeEmailNotifiesBothAddresses(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)
	id := app.accountID(t, "boreal-siege")
	path := fmt.Sprintf("/comptes/%d", id)

	if res := app.get(t, c, path+"/modifier"); res.status != http.StatusOK {
		t.Fatalf("edit page: got %d, want %d", res.status, http.StatusOK)
	}
	res := app.post(t, c, path, url.Values{"email": {"Nouvelle.Adresse@Atelier-Boreal.Example"}, "version": {app.accountVersion(t, id)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change: got %d, want %d", res.status, http.StatusSeeOther)
	}

	var stored string
	if err := app.db.QueryRow(`SELECT email FROM api_accounts WHERE id = ?`, id).Scan(&stored); err != nil {
		t.Fatalf("read e-mail: %v", err)
	}
	if stored != "Nouvelle.Adresse@atelier-boreal.example" {
		t.Errorf("stored e-mail: got %q", stored)
	}
	for _, recipient := range []string{"api-siege@atelier-boreal.example", "Nouvelle.Adresse@atelier-boreal.example", demo.CorrespondantLogin} {
		subjects := app.outboxTo(t, recipient)
		if len(subjects) != 1 || !strings.Contains(subjects[0], "Changement de l’adresse électronique") {
			t.Errorf("e-mails to %s: got %v, want one about the change", recipient, subjects)
		}
	}

	var before, after string
	err := app.db.QueryRow(`SELECT before_json, after_json FROM journal WHERE action = 'account.email_changed' AND account_id = ?`, id).Scan(&before, &after)
	if err != nil {
		t.Fatalf("read journal: %v", err)
	}
	if !strings.Contains(before, "api-siege@atelier-boreal.example") || !strings.Contains(after, "Nouvelle.Adresse@atelier-boreal.example") {
		t.Errorf("journal values: before %s, after %s", before, after)
	}
}

func TestChangeEmailRejectsEachRule(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)
	id := app.accountID(t, "boreal-siege")

	cases := []struct {
		name, email, message string
	}{
		{"empty", "", "Saisissez une adresse électronique"},
		{"display name", "Service <api@atelier-boreal.example>", "sans nom d’affichage"},
		{"no dot in domain", "api@localhost", "au moins un point"},
		{"two addresses", "a@atelier-boreal.example; b@atelier-boreal.example", "une seule adresse"},
		{"unchanged", "api-siege@atelier-boreal.example", "déjà celle du compte"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			version := app.accountVersion(t, id)
			res := app.post(t, c, fmt.Sprintf("/comptes/%d", id), url.Values{"email": {tc.email}, "version": {version}})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status: got %d, want %d", res.status, http.StatusUnprocessableEntity)
			}
			if msg := elementText(t, res.body, "email-error"); !strings.Contains(msg, tc.message) {
				t.Errorf("message: got %q, want it to contain %q", msg, tc.message)
			}
			if tc.email != "" {
				if got := inputValue(t, res.body, "email"); got != tc.email {
					t.Errorf("typed value kept: got %q, want %q", got, tc.email)
				}
			}
			if got := app.accountVersion(t, id); got != version {
				t.Errorf("version changed from %s to %s", version, got)
			}
		})
	}
}

func TestChangePassword(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)
	id := app.accountID(t, "boreal-siege")
	path := fmt.Sprintf("/comptes/%d/mot-de-passe", id)
	const newPassword = "Nouveau-Secret-2027!"

	cases := []struct {
		name    string
		form    url.Values
		field   string
		message string
	}{
		{"without acknowledgement", url.Values{"password": {newPassword}, "password_confirmation": {newPassword}}, "acknowledge", "Cochez la case"},
		{"weak password", url.Values{"password": {"faible"}, "password_confirmation": {"faible"}, "acknowledge": {"on"}}, "password", "au moins 12 caractères"},
		{"empty password", url.Values{"password_confirmation": {newPassword}, "acknowledge": {"on"}}, "password", "Saisissez le mot de passe"},
		{"confirmation differs", url.Values{"password": {newPassword}, "password_confirmation": {newPassword + "!"}, "acknowledge": {"on"}}, "password_confirmation", "ne sont pas identiques"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("version", app.accountVersion(t, id))
			res := app.post(t, c, path, tc.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status: got %d, want %d", res.status, http.StatusUnprocessableEntity)
			}
			if msg := elementText(t, res.body, tc.field+"-error"); !strings.Contains(msg, tc.message) {
				t.Errorf("message of %s: got %q, want it to contain %q", tc.field, msg, tc.message)
			}
			if strings.Contains(res.body, newPassword) {
				t.Error("the page contains the submitted password")
			}
		})
	}

	form := url.Values{"password": {newPassword}, "password_confirmation": {newPassword}, "acknowledge": {"on"}, "version": {app.accountVersion(t, id)}}
	if res := app.post(t, c, path, form); res.status != http.StatusSeeOther {
		t.Fatalf("change: got %d, want %d", res.status, http.StatusSeeOther)
	}

	var hash string
	if err := app.db.QueryRow(`SELECT password_hash FROM api_accounts WHERE id = ?`, id).Scan(&hash); err != nil {
		t.Fatalf("read hash: %v", err)
	}
	if ok, _, err := password.Verify(newPassword, hash); !ok || err != nil {
		t.Errorf("the stored hash does not verify the new password: %v", err)
	}
	if subjects := app.outboxTo(t, "api-siege@atelier-boreal.example"); len(subjects) != 1 || !strings.Contains(subjects[0], "mot de passe") {
		t.Errorf("e-mails to the account: got %v", subjects)
	}

	var entries int
	var leaked bool
	err := app.db.QueryRow(`SELECT COUNT(*), COALESCE(MAX(instr(before_json || after_json || summary, ?) > 0), 0)
		FROM journal WHERE action = 'account.password_changed' AND account_id = ?`, newPassword, id).Scan(&entries, &leaked)
	if err != nil {
		t.Fatalf("read journal: %v", err)
	}
	if entries != 1 {
		t.Errorf("journal entries: got %d, want 1", entries)
	}
	if leaked {
		t.Error("the journal contains the password")
	}
	var bodies int
	if err := app.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE instr(body, ?) > 0`, newPassword).Scan(&bodies); err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	if bodies != 0 {
		t.Error("an e-mail contains the password")
	}

	page := app.get(t, c, fmt.Sprintf("/comptes/%d", id))
	if !strings.Contains(pageText(t, page.body), "Mot de passe modifié le") {
		t.Error("the account page does not show when the password changed")
	}
}

func TestConcurrentEditsFromOneVersion(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)
	id := app.accountID(t, "boreal-siege")
	version := app.accountVersion(t, id)

	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i, address := range []string{"premiere@atelier-boreal.example", "seconde@atelier-boreal.example"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = app.post(t, c, fmt.Sprintf("/comptes/%d", id), url.Values{"email": {address}, "version": {version}}).status
		}()
	}
	wg.Wait()

	ok, conflict := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			ok++
		case http.StatusConflict:
			conflict++
		}
	}
	if ok != 1 || conflict != 1 {
		t.Fatalf("statuses: got %v, want one 303 and one 409", statuses)
	}

	// A stale form now gets 409 with the current values.
	res := app.post(t, c, fmt.Sprintf("/comptes/%d", id), url.Values{"email": {"troisieme@atelier-boreal.example"}, "version": {version}})
	if res.status != http.StatusConflict {
		t.Fatalf("stale form: got %d, want %d", res.status, http.StatusConflict)
	}
	var current string
	if err := app.db.QueryRow(`SELECT email FROM api_accounts WHERE id = ?`, id).Scan(&current); err != nil {
		t.Fatalf("read e-mail: %v", err)
	}
	if got := inputValue(t, res.body, "email"); got != current {
		t.Errorf("e-mail field after conflict: got %q, want the current %q", got, current)
	}
	if !strings.Contains(pageText(t, res.body), "a été modifié depuis l’affichage du formulaire") {
		t.Error("the conflict page does not explain the conflict")
	}
	if got := inputValue(t, res.body, "version"); got == version {
		t.Errorf("the form still carries the stale version %s", got)
	}

	stalePassword := app.post(t, c, fmt.Sprintf("/comptes/%d/mot-de-passe", id), url.Values{
		"password": {"Nouveau-Secret-2027!"}, "password_confirmation": {"Nouveau-Secret-2027!"}, "acknowledge": {"on"}, "version": {version},
	})
	if stalePassword.status != http.StatusConflict {
		t.Errorf("stale password form: got %d, want %d", stalePassword.status, http.StatusConflict)
	}

	// Proposing a password from a stale form must not hand it the
	// current version silently.
	staleGenerate := app.post(t, c, fmt.Sprintf("/comptes/%d/mot-de-passe", id), url.Values{"action": {"generate"}, "version": {version}})
	if staleGenerate.status != http.StatusConflict {
		t.Errorf("generate from a stale form: got %d, want %d", staleGenerate.status, http.StatusConflict)
	}
}

func TestDeleteAccountCascades(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)
	id := app.accountID(t, "boreal-siege")
	path := fmt.Sprintf("/comptes/%d", id)

	app.post(t, c, path+"/demandes", url.Values{"api": {"GAMMA2"}})
	if _, err := app.db.Exec(`INSERT INTO settings_changes (account_id, api_code, field_key, value, requested_at, effective_at)
		VALUES (?, 'DELTAH7', 'url', 'https://api.atelier-boreal.example', ?, ?)`, id, testNow, testNow.Add(4*3600e9)); err != nil {
		t.Fatalf("insert pending setting: %v", err)
	}

	wrong := app.post(t, c, path+"/supprimer", url.Values{"confirmation": {"BOREAL-SIEGE"}, "version": {app.accountVersion(t, id)}})
	if wrong.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong confirmation: got %d, want %d", wrong.status, http.StatusUnprocessableEntity)
	}
	if msg := elementText(t, wrong.body, "confirmation-error"); !strings.Contains(msg, "Saisissez exactement l’identifiant") {
		t.Errorf("message: got %q", msg)
	}

	res := app.post(t, c, path+"/supprimer", url.Values{"confirmation": {"boreal-siege"}, "version": {app.accountVersion(t, id)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("delete: got %d, want %d", res.status, http.StatusSeeOther)
	}

	checks := []struct {
		name  string
		query string
		want  int
	}{
		{"live habilitations", `SELECT COUNT(*) FROM habilitations WHERE account_id = ? AND revoked_at IS NULL`, 0},
		{"open requests", `SELECT COUNT(*) FROM habilitation_requests WHERE account_id = ? AND state = 'submitted'`, 0},
		{"pending settings", `SELECT COUNT(*) FROM settings_changes WHERE account_id = ? AND cancelled_at IS NULL`, 0},
		{"journal deletion entry", `SELECT COUNT(*) FROM journal WHERE account_id = ? AND action = 'account.deleted'`, 1},
		{"journal kept", `SELECT COUNT(*) > 3 FROM journal WHERE account_id = ?`, 1},
		{"deletion e-mail", `SELECT COUNT(*) FROM outbox WHERE account_id = ? AND kind = 'account.deleted' AND recipient = 'api-siege@atelier-boreal.example'`, 1},
	}
	for _, check := range checks {
		var got int
		if err := app.db.QueryRow(check.query, id).Scan(&got); err != nil {
			t.Fatalf("%s: %v", check.name, err)
		}
		if got != check.want {
			t.Errorf("%s: got %d, want %d", check.name, got, check.want)
		}
	}

	for _, row := range listRows(t, app.get(t, c, "/comptes").body) {
		if row.identifier == "boreal-siege" {
			t.Error("the deleted account is still listed")
		}
	}
	if res := app.get(t, c, path); res.status != http.StatusNotFound {
		t.Errorf("deleted account page: got %d, want %d", res.status, http.StatusNotFound)
	}

	form := validAccountForm("boreal-siege-2", "81234567600017")
	if res := app.post(t, c, "/comptes", form); res.status != http.StatusSeeOther {
		t.Errorf("new account on the freed SIRET: got %d, want %d", res.status, http.StatusSeeOther)
	}
}

func TestChangeFormsNeedVersion(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)
	id := app.accountID(t, "boreal-siege")
	for _, suffix := range []string{"", "/mot-de-passe", "/supprimer"} {
		res := app.post(t, c, fmt.Sprintf("/comptes/%d%s", id, suffix), url.Values{"email": {"x@atelier-boreal.example"}})
		if res.status != http.StatusBadRequest {
			t.Errorf("POST %q without version: got %d, want %d", suffix, res.status, http.StatusBadRequest)
		}
	}
}
