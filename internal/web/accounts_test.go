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

func TestAccountListShowsPerimeterWithStatus(t *testing.T) {
	app := newTestApp(t)

	cases := []struct {
		name  string
		login string
		want  []listRow
	}{
		{"demo correspondant", demo.CorrespondantLogin, []listRow{
			{identifier: "boreal-roissy", status: "Aucune habilitation"},
			{identifier: "boreal-siege", status: "Données manquantes"},
			{identifier: "epices-havre", status: "Prêt"},
		}},
		{"other company", demo.OtherCorrespondantLogin, []listRow{
			{identifier: "martel-beaune", status: "Prêt"},
			{identifier: "martel-dijon", status: "Aucune habilitation"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := app.get(t, app.signedIn(t, tc.login), "/comptes")
			if res.status != http.StatusOK {
				t.Fatalf("status: got %d, want %d", res.status, http.StatusOK)
			}
			rows := listRows(t, res.body)
			if len(rows) != len(tc.want) {
				t.Fatalf("rows: got %d (%v), want %d", len(rows), rows, len(tc.want))
			}
			for i, want := range tc.want {
				if rows[i].identifier != want.identifier {
					t.Errorf("row %d identifier: got %q, want %q", i, rows[i].identifier, want.identifier)
				}
				if rows[i].status != want.status {
					t.Errorf("row %d status: got %q, want %q", i, rows[i].status, want.status)
				}
				wantHref := fmt.Sprintf("/comptes/%d", app.accountID(t, want.identifier))
				if rows[i].href != wantHref {
					t.Errorf("row %d link: got %q, want %q", i, rows[i].href, wantHref)
				}
			}
		})
	}
}

func TestAccountListFilters(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)

	cases := []struct {
		query string
		want  []string
	}{
		{"statut=rouge", []string{"boreal-roissy"}},
		{"statut=jaune", []string{"boreal-siege"}},
		{"statut=vert", []string{"epices-havre"}},
		{"statut=inconnu", []string{"boreal-roissy", "boreal-siege", "epices-havre"}},
		{"q=SIEGE", []string{"boreal-siege"}},
		{"q=epices-oceanes", []string{"epices-havre"}},
		{"q=" + url.QueryEscape("051 234 565"), []string{"epices-havre"}},
		{"q=martel", nil},
		{"q=" + url.QueryEscape("comptoir des épices"), []string{"epices-havre"}},
		{"q=" + url.QueryEscape("ATELIER BORÉAL"), []string{"boreal-roissy", "boreal-siege"}},
		{"q=boreal&statut=rouge", []string{"boreal-roissy"}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			res := app.get(t, c, "/comptes?"+tc.query)
			if res.status != http.StatusOK {
				t.Fatalf("status: got %d, want %d", res.status, http.StatusOK)
			}
			var got []string
			for _, row := range listRows(t, res.body) {
				got = append(got, row.identifier)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("identifiers: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAccountListEmptyStateInvitesCreation(t *testing.T) {
	app := newTestApp(t)
	if _, err := app.db.Exec(`UPDATE api_accounts SET deleted_at = updated_at`); err != nil {
		t.Fatalf("delete accounts: %v", err)
	}

	res := app.get(t, app.signedIn(t, demo.CorrespondantLogin), "/comptes")
	if res.status != http.StatusOK {
		t.Fatalf("status: got %d, want %d", res.status, http.StatusOK)
	}
	if !strings.Contains(res.body, "Créer votre premier compte API") {
		t.Error("the empty list does not invite creating the first account")
	}
}

func TestAccountPagePerimeter(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)

	own := app.get(t, c, fmt.Sprintf("/comptes/%d", app.accountID(t, "boreal-siege")))
	if own.status != http.StatusOK {
		t.Fatalf("own account: got %d, want %d", own.status, http.StatusOK)
	}
	for _, want := range []string{"boreal-siege", "api-siege@atelier-boreal.example", "Atelier Boréal", "Données manquantes"} {
		if !strings.Contains(own.body, want) {
			t.Errorf("account page lacks %q", want)
		}
	}

	cases := []struct {
		name string
		path string
	}{
		{"other company's account", fmt.Sprintf("/comptes/%d", app.accountID(t, "martel-beaune"))},
		{"missing account", "/comptes/999999"},
		{"not a number", "/comptes/abc"},
		{"negative", "/comptes/-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := app.get(t, c, tc.path)
			if res.status != http.StatusNotFound {
				t.Errorf("status: got %d, want %d", res.status, http.StatusNotFound)
			}
			if strings.Contains(res.body, "martel") {
				t.Error("the 404 page reveals the other company's account")
			}
		})
	}
}

func TestCustomsSeesEveryAccountButCannotCreate(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.DouaneLogin)

	res := app.get(t, c, "/comptes")
	if res.status != http.StatusOK {
		t.Fatalf("list: got %d, want %d", res.status, http.StatusOK)
	}
	if rows := listRows(t, res.body); len(rows) != 5 {
		t.Errorf("rows: got %d, want 5", len(rows))
	}
	if res := app.get(t, c, "/comptes/nouveau"); res.status != http.StatusForbidden {
		t.Errorf("creation form: got %d, want %d", res.status, http.StatusForbidden)
	}
	form := validAccountForm("douane-essai", "81234567600033")
	if res := app.post(t, c, "/comptes", form); res.status != http.StatusForbidden {
		t.Errorf("creation: got %d, want %d", res.status, http.StatusForbidden)
	}
}

const strongPassword = "Cle-Tres-Solide-2026!"

func validAccountForm(identifier, siret string) url.Values {
	return url.Values{
		"identifier":            {identifier},
		"email":                 {identifier + "@atelier-boreal.example"},
		"siret":                 {siret},
		"password":              {strongPassword},
		"password_confirmation": {strongPassword},
		"action":                {"create"},
	}
}

func TestCreateAccountFormShowsSIRETChoices(t *testing.T) {
	app := newTestApp(t)
	res := app.get(t, app.signedIn(t, demo.CorrespondantLogin), "/comptes/nouveau")
	if res.status != http.StatusOK {
		t.Fatalf("status: got %d, want %d", res.status, http.StatusOK)
	}

	for _, want := range []string{`value="35600000009075"`, `value="81234567600033"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	text := pageText(t, res.body)
	for _, want := range []string{
		"déjà le compte API «\u00a0boreal-siege\u00a0»",
		"Vous n’êtes pas habilité sur cet établissement",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("form text lacks %q", want)
		}
	}
	if !strings.Contains(res.body, `value="81234567600017" disabled`) {
		t.Error("the SIRET that has an account is selectable")
	}
	if strings.Contains(res.body, "82345678500018") {
		t.Error("form offers another company's SIRET")
	}
}

func TestCreateAccountRejectsEachRule(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)

	cases := []struct {
		name    string
		change  func(url.Values)
		field   string
		message string
	}{
		{"identifier missing", func(f url.Values) { f.Set("identifier", "") }, "identifier", "Saisissez l’identifiant"},
		{"identifier too short", func(f url.Values) { f.Set("identifier", "ab") }, "identifier", "de 3 à 64 caractères"},
		{"identifier with accent", func(f url.Values) { f.Set("identifier", "compte-créé") }, "identifier", "lettres non accentuées"},
		{"identifier taken in another case", func(f url.Values) { f.Set("identifier", "BOREAL-Siege") }, "identifier", "déjà pris"},
		{"identifier of another company", func(f url.Values) { f.Set("identifier", "martel-dijon") }, "identifier", "déjà pris"},
		{"e-mail with display name", func(f url.Values) { f.Set("email", "Service API <api@atelier-boreal.example>") }, "email", "sans nom d’affichage"},
		{"e-mail without dot in domain", func(f url.Values) { f.Set("email", "api@localhost") }, "email", "au moins un point"},
		{"two e-mails", func(f url.Values) { f.Set("email", "a@atelier-boreal.example, b@atelier-boreal.example") }, "email", "une seule adresse"},
		{"SIRET missing", func(f url.Values) { f.Del("siret") }, "siret", "Sélectionnez l’établissement"},
		{"SIRET with bad checksum", func(f url.Values) { f.Set("siret", "81234567600034") }, "siret", "n’est pas valide"},
		{"SIRET of La Poste failing the exception", func(f url.Values) { f.Set("siret", "35600000000023") }, "siret", "n’est pas valide"},
		{"SIRET outside the perimeter", func(f url.Values) { f.Set("siret", "82345678500018") }, "siret", "pas habilité sur cet établissement"},
		{"SIRET with an account", func(f url.Values) { f.Set("siret", "81234567600017") }, "siret", "déjà le compte API «\u00a0boreal-siege\u00a0»"},
		{"password too short", func(f url.Values) { f.Set("password", "Court-1!"); f.Set("password_confirmation", "Court-1!") }, "password", "au moins 12 caractères"},
		{"password without special", func(f url.Values) {
			f.Set("password", "SansSpecial2026")
			f.Set("password_confirmation", "SansSpecial2026")
		}, "password", "caractère spécial"},
		{"confirmation differs", func(f url.Values) { f.Set("password_confirmation", strongPassword+"x") }, "password_confirmation", "ne sont pas identiques"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := app.countAccounts(t)
			form := validAccountForm("nouveau-compte", "81234567600033")
			tc.change(form)

			res := app.post(t, c, "/comptes", form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status: got %d, want %d", res.status, http.StatusUnprocessableEntity)
			}
			msg := elementText(t, res.body, tc.field+"-error")
			if !strings.Contains(msg, tc.message) {
				t.Errorf("message of %s: got %q, want it to contain %q", tc.field, msg, tc.message)
			}
			if got := inputValue(t, res.body, "identifier"); got != form.Get("identifier") {
				t.Errorf("identifier kept: got %q, want %q", got, form.Get("identifier"))
			}
			if got := inputValue(t, res.body, "email"); got != form.Get("email") {
				t.Errorf("e-mail kept: got %q, want %q", got, form.Get("email"))
			}
			if got := inputValue(t, res.body, "password"); got != "" {
				t.Errorf("password sent back: %q", got)
			}
			if pw := form.Get("password"); strings.Contains(res.body, pw) {
				t.Error("the page contains the submitted password")
			}
			if after := app.countAccounts(t); after != before {
				t.Errorf("accounts: got %d, want %d", after, before)
			}
		})
	}
}

func TestCreateAccountReportsEveryFaultyField(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)

	res := app.post(t, c, "/comptes", url.Values{"action": {"create"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status: got %d, want %d", res.status, http.StatusUnprocessableEntity)
	}
	for _, field := range []string{"identifier", "email", "siret", "password", "password_confirmation"} {
		if elementText(t, res.body, field+"-error") == "" {
			t.Errorf("no message for %s", field)
		}
	}
}

func TestCreateAccountSuccess(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)

	form := validAccountForm("poste-colis", "356 000 000 09075")
	form.Set("email", "API.Colis@Demo-Poste.Example")
	res := app.post(t, c, "/comptes", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("status: got %d, want %d; body: %s", res.status, http.StatusSeeOther, elementText(t, res.body, "contenu"))
	}
	if got := res.header.Get("Location"); got != "/comptes" {
		t.Errorf("Location: got %q, want /comptes", got)
	}

	var siret, email, hash string
	err := app.db.QueryRow(`SELECT siret, email, password_hash FROM api_accounts WHERE identifier = 'poste-colis'`).
		Scan(&siret, &email, &hash)
	if err != nil {
		t.Fatalf("read new account: %v", err)
	}
	if siret != "35600000009075" {
		t.Errorf("SIRET: got %q, want %q", siret, "35600000009075")
	}
	if email != "API.Colis@demo-poste.example" {
		t.Errorf("e-mail: got %q, want %q", email, "API.Colis@demo-poste.example")
	}
	if !strings.HasPrefix(hash, "$argon2id$") {
		t.Errorf("password hash: got %q, want an argon2id PHC string", hash)
	}
	if ok, _, err := password.Verify(strongPassword, hash); !ok || err != nil {
		t.Errorf("stored hash does not verify the password: %v", err)
	}

	list := app.get(t, c, "/comptes")
	if !strings.Contains(list.body, "Le compte API «\u00a0poste-colis\u00a0» a été créé") {
		t.Error("the list does not show the success message")
	}
	var found bool
	for _, row := range listRows(t, list.body) {
		if row.identifier == "poste-colis" {
			found = true
			if row.status != "Aucune habilitation" {
				t.Errorf("new account status: got %q, want %q", row.status, "Aucune habilitation")
			}
		}
	}
	if !found {
		t.Error("the new account is not in the list")
	}
}

func TestCreateAccountConcurrentOnOneSIRET(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)

	const attempts = 20
	statuses := make([]int, attempts)
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := validAccountForm(fmt.Sprintf("grenoble-%02d", i), "81234567600033")
			statuses[i] = app.post(t, c, "/comptes", form).status
		}()
	}
	wg.Wait()

	created, rejected := 0, 0
	for i, status := range statuses {
		switch status {
		case http.StatusSeeOther:
			created++
		case http.StatusUnprocessableEntity:
			rejected++
		default:
			t.Errorf("attempt %d: got status %d", i, status)
		}
	}
	if created != 1 || rejected != attempts-1 {
		t.Errorf("outcomes: got %d created and %d rejected, want 1 and %d", created, rejected, attempts-1)
	}

	var n int
	if err := app.db.QueryRow(`SELECT COUNT(*) FROM api_accounts WHERE siret = '81234567600033'`).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	if n != 1 {
		t.Errorf("accounts on the SIRET: got %d, want 1", n)
	}
}

func TestGeneratePasswordWithoutJavaScript(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)

	form := url.Values{"identifier": {"avec-generation"}, "email": {"gen@atelier-boreal.example"}, "action": {"generate"}}
	res := app.post(t, c, "/comptes", form)
	if res.status != http.StatusOK {
		t.Fatalf("status: got %d, want %d", res.status, http.StatusOK)
	}

	generated := elementText(t, res.body, "generated-password")
	if !password.Check(generated).OK() {
		t.Fatalf("generated password %q does not meet the policy", generated)
	}
	if got := inputValue(t, res.body, "password"); got != generated {
		t.Errorf("password field: got %q, want the generated password", got)
	}
	if got := inputValue(t, res.body, "password_confirmation"); got != generated {
		t.Errorf("confirmation field: got %q, want the generated password", got)
	}
	if got := inputValue(t, res.body, "identifier"); got != "avec-generation" {
		t.Errorf("identifier kept: got %q, want %q", got, "avec-generation")
	}
	if got := res.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q, want no-store", got)
	}
	if n := app.countAccounts(t); n != 5 {
		t.Errorf("accounts after generate: got %d, want 5", n)
	}
}
