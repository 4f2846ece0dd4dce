package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/password"
)

// newBrowser starts a headless Chromium for one test. Without a Chromium
// on the machine the test is skipped, unless CI=true, where the browser
// tests are mandatory and a missing browser fails them.
func newBrowser(t *testing.T) context.Context {
	t.Helper()

	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is required when CI=true: install it (apt-get install -y chromium)")
		}
		t.Skip("browser test skipped: Chromium is not installed (apt-get install -y chromium runs it; CI=true makes it mandatory)")
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// TestBrowserCreateAccount signs in, creates an account on the La Poste
// establishment with a generated password, and finds it in the list.
func TestBrowserCreateAccount(t *testing.T) {
	ctx := newBrowser(t)
	app := newTestApp(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(app.http.URL+"/connexion"),
		chromedp.SendKeys(chromedp.ID("login"), demo.CorrespondantLogin),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("table.accounts")),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(app.http.URL+"/comptes/nouveau"),
		chromedp.SendKeys(chromedp.ID("identifier"), "poste-navigateur"),
		chromedp.SendKeys(chromedp.ID("email"), "api@poste-navigateur.example"),
		chromedp.Click(chromedp.CSS(`input[name="siret"][value="35600000009075"]`)),
		chromedp.Click(chromedp.CSS(`button[value="generate"]`)),
		chromedp.WaitVisible(chromedp.ID("generated-password")),
	)
	if err != nil {
		t.Fatalf("generate a password: %v", err)
	}

	// The generated password fills both fields; the other entries are kept,
	// except the SIRET choice, which the test makes again.
	generated, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("generated-password")))
	if err != nil {
		t.Fatalf("read the generated password: %v", err)
	}
	if len([]rune(strings.TrimSpace(generated))) < 12 {
		t.Fatalf("generated password %q is shorter than 12 characters", generated)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="siret"][value="35600000009075"]`)),
		chromedp.Click(chromedp.CSS(`.actions button[value="create"]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if err != nil {
		t.Fatalf("create the account: %v", err)
	}

	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".flash")))
	if err != nil {
		t.Fatalf("read the flash message: %v", err)
	}
	if !strings.Contains(flash, "poste-navigateur") {
		t.Errorf("flash message: got %q, want it to name poste-navigateur", flash)
	}

	identifiers, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("table.accounts tbody")))
	if err != nil {
		t.Fatalf("read the list: %v", err)
	}
	if !strings.Contains(identifiers, "poste-navigateur") {
		t.Errorf("the list does not contain the new account: %q", identifiers)
	}
	if !strings.Contains(identifiers, "Aucune habilitation") {
		t.Errorf("the list shows no red status: %q", identifiers)
	}
}

// signInBrowser signs the browser in as login, after signing out any
// previous user.
func signInBrowser(t *testing.T, ctx context.Context, base, login string) {
	t.Helper()
	// A signed-in user is sent from /connexion to their home page.
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/connexion"),
		chromedp.WaitReady(chromedp.CSS("main")),
	)
	if err != nil {
		t.Fatalf("open sign-in page: %v", err)
	}
	signedIn, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(`form[action="/deconnexion"] button`), chromedp.AtLeast(0)))
	if err != nil {
		t.Fatalf("look for sign-out button: %v", err)
	}
	if len(signedIn) > 0 {
		if err := chromedp.Do(ctx, chromedp.Submit(chromedp.CSS(`form[action="/deconnexion"]`)), chromedp.WaitVisible(chromedp.ID("login"))); err != nil {
			t.Fatalf("sign out: %v", err)
		}
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("login"), login),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/deconnexion"]`)),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", login, err)
	}
}

// TestBrowserRequestReviewCycle has the correspondant request DeltaH7 and
// PNTS, the customs desk grant PNTS and refuse DeltaH7 with a reason, and
// the correspondant find the account green with the reason shown.
func TestBrowserRequestReviewCycle(t *testing.T) {
	ctx := newBrowser(t)
	app := newTestApp(t)
	accountPage := fmt.Sprintf("%s/comptes/%d", app.http.URL, app.accountID(t, "boreal-roissy"))
	const reason = "Contrat de service DeltaH7 non signé."

	signInBrowser(t, ctx, app.http.URL, demo.CorrespondantLogin)
	err := chromedp.Do(ctx,
		chromedp.Navigate(accountPage),
		chromedp.Click(chromedp.ID("api-DELTAH7")),
		chromedp.Click(chromedp.ID("api-PNTS")),
		chromedp.Submit(chromedp.ID("api-PNTS")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if err != nil {
		t.Fatalf("request DeltaH7 and PNTS: %v", err)
	}

	signInBrowser(t, ctx, app.http.URL, demo.DouaneLogin)
	err = chromedp.Do(ctx,
		chromedp.Navigate(app.http.URL+"/douane/demandes"),
		chromedp.Click(chromedp.CSS("table.review tbody a")),
		chromedp.WaitVisible(chromedp.ID("grant-PNTS")),
		chromedp.Click(chromedp.ID("grant-PNTS")),
		chromedp.Click(chromedp.ID("refuse-DELTAH7")),
		chromedp.SendKeys(chromedp.ID("reason-DELTAH7"), reason),
		chromedp.Submit(chromedp.ID("reason-DELTAH7")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if err != nil {
		t.Fatalf("decide the request: %v", err)
	}

	signInBrowser(t, ctx, app.http.URL, demo.CorrespondantLogin)
	if err := chromedp.Do(ctx, chromedp.Navigate(accountPage), chromedp.WaitVisible(chromedp.ID("demandes"))); err != nil {
		t.Fatalf("open the account page: %v", err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".page-heading .status-label")))
	if err != nil {
		t.Fatalf("read the status: %v", err)
	}
	if status != "Prêt" {
		t.Errorf("status: got %q, want %q", status, "Prêt")
	}
	requests, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("demandes")))
	if err != nil {
		t.Fatalf("read the requests: %v", err)
	}
	for _, want := range []string{"Partiellement acceptée", reason} {
		if !strings.Contains(requests, want) {
			t.Errorf("requests section lacks %q: %q", want, requests)
		}
	}
}

// TestBrowserChangePasswordThenEmail changes an account's password with a
// generated one, then its e-mail, as a correspondant does in the browser.
func TestBrowserChangePasswordThenEmail(t *testing.T) {
	ctx := newBrowser(t)
	app := newTestApp(t)
	id := app.accountID(t, "boreal-siege")
	editPage := fmt.Sprintf("%s/comptes/%d/modifier", app.http.URL, id)

	signInBrowser(t, ctx, app.http.URL, demo.CorrespondantLogin)
	err := chromedp.Do(ctx,
		chromedp.Navigate(editPage),
		chromedp.Click(chromedp.CSS(`#mot-de-passe button[value="generate"]`)),
		chromedp.WaitVisible(chromedp.ID("generated-password")),
	)
	if err != nil {
		t.Fatalf("generate a password: %v", err)
	}
	generated, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("generated-password")))
	if err != nil {
		t.Fatalf("read the generated password: %v", err)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("acknowledge-box")),
		chromedp.Click(chromedp.CSS(`#mot-de-passe .form > button[value="change"]:not(.visually-hidden)`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if err != nil {
		t.Fatalf("change the password: %v", err)
	}
	var hash string
	if err := app.db.QueryRow(`SELECT password_hash FROM api_accounts WHERE id = ?`, id).Scan(&hash); err != nil {
		t.Fatalf("read hash: %v", err)
	}
	if ok, _, err := password.Verify(strings.TrimSpace(generated), hash); !ok || err != nil {
		t.Errorf("the stored hash does not match the generated password: %v", err)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(editPage),
		chromedp.Clear(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "nouvelle@atelier-boreal.example"),
		chromedp.Submit(chromedp.ID("email")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if err != nil {
		t.Fatalf("change the e-mail: %v", err)
	}
	details, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("dl.details")))
	if err != nil {
		t.Fatalf("read the account details: %v", err)
	}
	if !strings.Contains(details, "nouvelle@atelier-boreal.example") {
		t.Errorf("account details: got %q, want the new e-mail", details)
	}
}

// TestBrowserSettingsTakeEffect edits the url and token of DeltaH7, then
// has the trainer advance the clock by 15 minutes (the token takes
// effect, the url does not) and by 4 hours (both have).
func TestBrowserSettingsTakeEffect(t *testing.T) {
	ctx := newBrowser(t)
	app := newTestApp(t)
	accountPage := fmt.Sprintf("%s/comptes/%d", app.http.URL, app.accountID(t, "boreal-siege"))
	const address = "https://api.atelier-boreal.example/douane"

	signInBrowser(t, ctx, app.http.URL, demo.CorrespondantLogin)
	err := chromedp.Do(ctx,
		chromedp.Navigate(accountPage),
		chromedp.Click(chromedp.CSS(`#parametres-DELTAH7 a.button`)),
		chromedp.WaitVisible(chromedp.ID("field-url")),
		chromedp.SendKeys(chromedp.ID("field-url"), address),
		chromedp.SendKeys(chromedp.ID("field-token"), testToken),
		chromedp.Submit(chromedp.ID("field-token")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if err != nil {
		t.Fatalf("save url and token: %v", err)
	}

	advance := func(step string) {
		t.Helper()
		signInBrowser(t, ctx, app.http.URL, demo.AdminLogin)
		err := chromedp.Do(ctx,
			chromedp.Navigate(app.http.URL+"/admin/horloge"),
			chromedp.Click(chromedp.CSS(`button[name="advance"][value="`+step+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(".flash")),
		)
		if err != nil {
			t.Fatalf("advance the clock by %s: %v", step, err)
		}
		signInBrowser(t, ctx, app.http.URL, demo.CorrespondantLogin)
		if err := chromedp.Do(ctx, chromedp.Navigate(accountPage), chromedp.WaitVisible(chromedp.ID("parametres-DELTAH7"))); err != nil {
			t.Fatalf("open the account page: %v", err)
		}
	}
	settingsText := func() string {
		t.Helper()
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("parametres-DELTAH7")))
		if err != nil {
			t.Fatalf("read the settings: %v", err)
		}
		return text
	}

	advance("15m")
	text := settingsText()
	if !strings.Contains(text, "En vigueur\u00a0: ••••2026") {
		t.Errorf("after 15 minutes the token is not in force: %q", text)
	}
	if !strings.Contains(text, "En attente\u00a0: "+address) {
		t.Errorf("after 15 minutes the url is not pending: %q", text)
	}

	advance("4h")
	text = settingsText()
	if !strings.Contains(text, "En vigueur\u00a0: "+address) {
		t.Errorf("after 4 hours the url is not in force: %q", text)
	}
	if strings.Contains(text, "En attente") {
		t.Errorf("after 4 hours a value is still pending: %q", text)
	}
}
