package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/habilitations"
)

// roleFixture is a demo console with one submitted request in each
// company, so every route has an object inside and outside the demo
// correspondant's perimeter.
type roleFixture struct {
	app            *testApp
	ownAccount     int64 // boreal-roissy, in the demo correspondant's perimeter
	otherAccount   int64 // martel-dijon, in the other company
	ownRequest     int64
	otherRequest   int64
	ownHabilitaton int64 // the live PNTS habilitation of epices-havre
	siegeAccount   int64 // boreal-siege, habilitated on DELTAH7
	martelBeaune   int64 // martel-beaune, in the other company
}

func newRoleFixture(t *testing.T) roleFixture {
	t.Helper()
	app := newTestApp(t)
	f := roleFixture{
		app:          app,
		ownAccount:   app.accountID(t, "boreal-roissy"),
		otherAccount: app.accountID(t, "martel-dijon"),
		siegeAccount: app.accountID(t, "boreal-siege"),
		martelBeaune: app.accountID(t, "martel-beaune"),
	}

	store := habilitations.NewStore(app.db)
	var err error
	f.ownRequest, err = store.Submit(t.Context(), accounts.Scope{All: true}, habilitations.Actor{Name: "Test"}, testNow, f.ownAccount, []string{"PNTS"})
	if err != nil {
		t.Fatalf("submit own request: %v", err)
	}
	f.otherRequest, err = store.Submit(t.Context(), accounts.Scope{All: true}, habilitations.Actor{Name: "Test"}, testNow.Add(time.Minute), f.otherAccount, []string{"PNTS"})
	if err != nil {
		t.Fatalf("submit other request: %v", err)
	}
	err = app.db.QueryRow(`SELECT h.id FROM habilitations h JOIN api_accounts a ON a.id = h.account_id
		WHERE a.identifier = 'epices-havre' AND h.api_code = 'PNTS'`).Scan(&f.ownHabilitaton)
	if err != nil {
		t.Fatalf("find habilitation: %v", err)
	}
	return f
}

// routeCase is one request of the matrix with the status expected for each
// kind of user.
type routeCase struct {
	method, path string
	form         url.Values
	anonymous    int
	corresp      int
	douane       int
	admin        int
}

func (f roleFixture) routes() []routeCase {
	own := fmt.Sprintf("/comptes/%d", f.ownAccount)
	other := fmt.Sprintf("/comptes/%d", f.otherAccount)
	const redirect, ok, forbidden, missing, invalid = http.StatusSeeOther, http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity

	return []routeCase{
		{"GET", "/healthz", nil, ok, ok, ok, ok},
		{"GET", "/", nil, redirect, redirect, redirect, redirect},
		{"GET", "/comptes", nil, redirect, ok, ok, ok},
		{"GET", "/comptes/nouveau", nil, redirect, ok, forbidden, forbidden},
		{"POST", "/comptes", url.Values{}, redirect, invalid, forbidden, forbidden},
		{"GET", own, nil, redirect, ok, ok, ok},
		{"GET", other, nil, redirect, missing, ok, ok},
		{"GET", "/comptes/999999", nil, redirect, missing, missing, missing},
		{"POST", own + "/demandes", url.Values{}, redirect, invalid, forbidden, forbidden},
		{"POST", other + "/demandes", url.Values{"api": {"DELTAH7"}}, redirect, missing, forbidden, forbidden},
		{"POST", fmt.Sprintf("%s/demandes/%d/annulation", other, f.otherRequest), url.Values{}, redirect, missing, forbidden, forbidden},
		{"POST", fmt.Sprintf("%s/demandes/%d/annulation", own, f.otherRequest), url.Values{}, redirect, missing, forbidden, forbidden},
		{"GET", "/douane/demandes", nil, redirect, forbidden, ok, forbidden},
		{"GET", fmt.Sprintf("/douane/demandes/%d", f.otherRequest), nil, redirect, forbidden, ok, forbidden},
		{"GET", "/douane/demandes/999999", nil, redirect, forbidden, missing, forbidden},
		{"POST", fmt.Sprintf("/douane/demandes/%d", f.ownRequest), url.Values{}, redirect, forbidden, invalid, forbidden},
		{"POST", fmt.Sprintf("/douane/habilitations/%d/retrait", f.ownHabilitaton), url.Values{"reason": {""}}, redirect, forbidden, invalid, forbidden},
		{"POST", "/douane/habilitations/999999/retrait", url.Values{"reason": {"Motif"}}, redirect, forbidden, missing, forbidden},
		{"GET", own + "/modifier", nil, redirect, ok, forbidden, forbidden},
		{"GET", other + "/modifier", nil, redirect, missing, forbidden, forbidden},
		{"POST", other, url.Values{"email": {"x@vignobles-martel.example"}, "version": {"1"}}, redirect, missing, forbidden, forbidden},
		{"POST", other + "/mot-de-passe", url.Values{"password": {"Nouveau-Secret-2027!"}, "password_confirmation": {"Nouveau-Secret-2027!"}, "acknowledge": {"on"}, "version": {"1"}}, redirect, missing, forbidden, forbidden},
		{"POST", other + "/supprimer", url.Values{"confirmation": {"martel-dijon"}, "version": {"1"}}, redirect, missing, forbidden, forbidden},
		{"POST", own, url.Values{"email": {""}, "version": {"1"}}, redirect, invalid, forbidden, forbidden},
		{"POST", own + "/mot-de-passe", url.Values{"version": {"1"}}, redirect, invalid, forbidden, forbidden},
		{"POST", own + "/supprimer", url.Values{"confirmation": {"faux"}, "version": {"1"}}, redirect, invalid, forbidden, forbidden},
		{"GET", "/comptes/" + fmt.Sprint(f.siegeAccount) + "/api/DELTAH7/modifier", nil, redirect, ok, forbidden, forbidden},
		{"GET", own + "/api/DELTAH7/modifier", nil, redirect, missing, forbidden, forbidden},
		{"GET", other + "/api/PNTS/modifier", nil, redirect, missing, forbidden, forbidden},
		{"POST", fmt.Sprintf("/comptes/%d/api/DELTAH7", f.martelBeaune), url.Values{"url": {"https://api.vignobles-martel.example"}}, redirect, missing, forbidden, forbidden},
		{"POST", fmt.Sprintf("/comptes/%d/api/DELTAH7", f.siegeAccount), url.Values{"url": {"http://pas-https.example"}}, redirect, invalid, forbidden, forbidden},
		{"POST", fmt.Sprintf("/comptes/%d/api/DELTAH7/annulation", f.siegeAccount), url.Values{"key": {"url"}}, redirect, missing, forbidden, forbidden},
		{"POST", fmt.Sprintf("/comptes/%d/api/DELTAH7/ouverture", f.siegeAccount), nil, redirect, missing, forbidden, forbidden},
		{"GET", "/douane/domaines", nil, redirect, forbidden, ok, forbidden},
		{"POST", "/douane/domaines/999999", url.Values{"decision": {"open"}}, redirect, forbidden, missing, forbidden},
		{"GET", "/admin/horloge", nil, redirect, forbidden, forbidden, ok},
		{"POST", "/admin/horloge", url.Values{"advance": {"-1h"}}, redirect, forbidden, forbidden, invalid},
		{"GET", "/journal", nil, redirect, ok, ok, ok},
		{"GET", "/courriels", nil, redirect, ok, ok, ok},
		{"GET", "/admin/inexistant", nil, missing, missing, missing, missing},
	}
}

// TestRoleRouteMatrix asserts the status of every route for an anonymous
// visitor, a correspondant (objects in and out of the perimeter), the
// customs desk and the admin.
func TestRoleRouteMatrix(t *testing.T) {
	f := newRoleFixture(t)
	app := f.app

	users := []struct {
		name   string
		login  string
		expect func(routeCase) int
	}{
		{"anonymous", "", func(c routeCase) int { return c.anonymous }},
		{"correspondant", demo.CorrespondantLogin, func(c routeCase) int { return c.corresp }},
		{"douane", demo.DouaneLogin, func(c routeCase) int { return c.douane }},
		{"admin", demo.AdminLogin, func(c routeCase) int { return c.admin }},
	}
	for _, u := range users {
		c := app.client(t)
		if u.login != "" {
			app.signIn(t, c, u.login)
		}
		for _, rc := range f.routes() {
			t.Run(u.name+" "+rc.method+" "+rc.path, func(t *testing.T) {
				var res response
				if rc.method == http.MethodPost {
					res = app.post(t, c, rc.path, rc.form)
				} else {
					res = app.get(t, c, rc.path)
				}
				if want := u.expect(rc); res.status != want {
					t.Errorf("status: got %d, want %d", res.status, want)
				}
			})
		}
	}
}

func TestHomeDependsOnRole(t *testing.T) {
	app := newTestApp(t)
	cases := []struct {
		login string
		want  string
	}{
		{demo.CorrespondantLogin, "/comptes"},
		{demo.DouaneLogin, "/douane/demandes"},
		{demo.AdminLogin, "/comptes"},
	}
	for _, tc := range cases {
		t.Run(tc.login, func(t *testing.T) {
			res := app.get(t, app.signedIn(t, tc.login), "/")
			if got := res.header.Get("Location"); got != tc.want {
				t.Errorf("Location: got %q, want %q", got, tc.want)
			}
		})
	}
}
