package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/demo"
)

func TestAnonymousIsSentToSignIn(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t)

	for _, path := range []string{"/", "/comptes", "/comptes/nouveau", "/comptes/1"} {
		t.Run(path, func(t *testing.T) {
			res := app.get(t, c, path)
			if res.status != http.StatusSeeOther {
				t.Fatalf("status: got %d, want %d", res.status, http.StatusSeeOther)
			}
			if got := res.header.Get("Location"); got != "/connexion" {
				t.Errorf("Location: got %q, want %q", got, "/connexion")
			}
		})
	}
}

func TestSignInFailureMessageIsTheSame(t *testing.T) {
	app := newTestApp(t)

	cases := []struct {
		name     string
		login    string
		password string
	}{
		{"wrong password", demo.CorrespondantLogin, "Mauvais-Mot-2026!"},
		{"unknown login", "inconnu@demo.test", "Autre-Secret-2026!"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := app.post(t, app.client(t), "/connexion", url.Values{"login": {c.login}, "password": {c.password}})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status: got %d, want %d", res.status, http.StatusUnprocessableEntity)
			}
			if !strings.Contains(res.body, msgBadCredentials) {
				t.Errorf("body lacks %q", msgBadCredentials)
			}
			if got := inputValue(t, res.body, "login"); got != c.login {
				t.Errorf("login field: got %q, want %q", got, c.login)
			}
			if strings.Contains(res.body, c.password) {
				t.Error("the password was sent back in the page")
			}
		})
	}
}

func TestSessionTokenRenewal(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t)

	app.signIn(t, c, demo.CorrespondantLogin)
	first := sessionCookie(t, c, app.http.URL)
	if first == "" {
		t.Fatal("no session cookie after sign-in")
	}
	if res := app.get(t, c, "/comptes"); res.status != http.StatusOK {
		t.Fatalf("GET /comptes signed in: got %d, want %d", res.status, http.StatusOK)
	}

	res := app.post(t, c, "/deconnexion", nil)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/connexion" {
		t.Fatalf("sign-out: got %d to %q, want 303 to /connexion", res.status, res.header.Get("Location"))
	}
	afterSignOut := sessionCookie(t, c, app.http.URL)
	if afterSignOut == first {
		t.Error("sign-out kept the session token")
	}
	if res := app.get(t, c, "/comptes"); res.status != http.StatusSeeOther {
		t.Errorf("GET /comptes after sign-out: got %d, want %d", res.status, http.StatusSeeOther)
	}

	// The old token must be worthless, even replayed by hand.
	replay := app.client(t)
	u, _ := url.Parse(app.http.URL)
	replay.Jar.SetCookies(u, []*http.Cookie{{Name: "console_session", Value: first}})
	if res := app.get(t, replay, "/comptes"); res.status != http.StatusSeeOther {
		t.Errorf("GET /comptes with the old token: got %d, want %d", res.status, http.StatusSeeOther)
	}

	// Signing in again from a session that had a token issues a new one.
	app.signIn(t, c, demo.CorrespondantLogin)
	if again := sessionCookie(t, c, app.http.URL); again == afterSignOut || again == "" {
		t.Errorf("sign-in kept the pre-sign-in token %q", afterSignOut)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	cases := []struct {
		name       string
		https      bool
		wantSecure bool
	}{
		{"plain HTTP", false, false},
		{"behind HTTPS", true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := newTestAppWith(t, Config{SecureCookies: tc.https})
			res := app.post(t, app.client(t), "/connexion",
				url.Values{"login": {demo.CorrespondantLogin}, "password": {demo.Password}})

			cookies := (&http.Response{Header: res.header}).Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies set: got %d, want 1", len(cookies))
			}
			ck := cookies[0]
			if !ck.HttpOnly {
				t.Error("cookie is not HttpOnly")
			}
			if ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("SameSite: got %v, want Lax", ck.SameSite)
			}
			if ck.Secure != tc.wantSecure {
				t.Errorf("Secure: got %v, want %v", ck.Secure, tc.wantSecure)
			}
		})
	}
}

func TestSignInLockout(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t)
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	app.server.users.Now = func() time.Time { return now }

	wrong := url.Values{"login": {demo.CorrespondantLogin}, "password": {"Mauvais-Mot-2026!"}}
	for attempt := 1; attempt <= 4; attempt++ {
		res := app.post(t, c, "/connexion", wrong)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: got %d, want %d", attempt, res.status, http.StatusUnprocessableEntity)
		}
	}
	res := app.post(t, c, "/connexion", wrong)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("attempt 5: got %d, want %d", res.status, http.StatusUnprocessableEntity)
	}
	if !strings.Contains(res.body, "désormais bloqué pendant 15 minutes") {
		t.Error("the fifth failure does not announce the lockout")
	}

	right := url.Values{"login": {demo.CorrespondantLogin}, "password": {demo.Password}}
	res = app.post(t, c, "/connexion", right)
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("right password while locked: got %d, want %d", res.status, http.StatusTooManyRequests)
	}
	// 09:15 UTC is 10:15 in Paris in December.
	if !strings.Contains(res.body, "bloqué jusqu’au 04/12/2026 à 10:15") {
		t.Error("the lockout page does not give the end of the lockout in Paris time")
	}

	now = now.Add(15 * time.Minute)
	res = app.post(t, c, "/connexion", right)
	if res.status != http.StatusSeeOther {
		t.Fatalf("right password after the lockout: got %d, want %d", res.status, http.StatusSeeOther)
	}
}

func TestSecurityHeaders(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)

	for _, path := range []string{"/connexion", "/comptes", "/comptes/999999", "/healthz", "/static/style.css"} {
		t.Run(path, func(t *testing.T) {
			res := app.get(t, c, path)
			csp := res.header.Get("Content-Security-Policy")
			for _, directive := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, directive) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, directive)
				}
			}
			if strings.Contains(csp, "unsafe-inline") {
				t.Errorf("Content-Security-Policy allows inline code: %q", csp)
			}
			if got := res.header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options: got %q, want nosniff", got)
			}
			if got := res.header.Get("Referrer-Policy"); got != "same-origin" {
				t.Errorf("Referrer-Policy: got %q, want same-origin", got)
			}
		})
	}
}

func TestCrossOriginPostRejected(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn(t, demo.CorrespondantLogin)
	before := app.countAccounts(t)

	form := url.Values{
		"identifier": {"intrus"}, "email": {"intrus@exemple.fr"}, "siret": {"81234567600033"},
		"password": {"Tres-Solide-2026!"}, "password_confirmation": {"Tres-Solide-2026!"},
	}
	req, err := http.NewRequest(http.MethodPost, app.http.URL+"/comptes", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://attaquant.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res := app.do(t, c, req)

	if res.status != http.StatusForbidden {
		t.Errorf("status: got %d, want %d", res.status, http.StatusForbidden)
	}
	if after := app.countAccounts(t); after != before {
		t.Errorf("accounts: got %d, want %d", after, before)
	}
}

func TestHealth(t *testing.T) {
	app := newTestApp(t)
	res := app.get(t, app.client(t), "/healthz")
	if res.status != http.StatusOK {
		t.Fatalf("status: got %d, want %d", res.status, http.StatusOK)
	}
	if strings.TrimSpace(res.body) != "ok" {
		t.Errorf("body: got %q, want %q", res.body, "ok")
	}

	app.db.Close()
	res = app.get(t, app.client(t), "/healthz")
	if res.status != http.StatusServiceUnavailable {
		t.Errorf("status with the database closed: got %d, want %d", res.status, http.StatusServiceUnavailable)
	}
}
