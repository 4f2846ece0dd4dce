package web

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/correspondant-entreprise/console/internal/demo"
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
		chromedp.Click(chromedp.CSS(`button[value="create"]`)),
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
