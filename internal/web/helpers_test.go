package web

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/demo"
)

// testNow is the business time of every test server.
var testNow = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// testApp is a console on a real SQLite file with the demo data, served by
// httptest.
type testApp struct {
	db     *sql.DB
	server *Server
	http   *httptest.Server
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	return newTestAppWith(t, Config{})
}

func newTestAppWith(t *testing.T, cfg Config) *testApp {
	t.Helper()
	ctx := context.Background()

	pool, err := db.Open(ctx, filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { pool.Close() })

	if _, err := demo.LoadIfEmpty(ctx, pool, testNow); err != nil {
		t.Fatalf("load demo data: %v", err)
	}

	cfg.DB = pool
	if cfg.Clock == nil {
		c, err := clock.NewEmulated(ctx, pool, func() time.Time { return testNow })
		if err != nil {
			t.Fatalf("clock: %v", err)
		}
		cfg.Clock = c
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	server, err := New(cfg)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	t.Cleanup(server.Close)

	ts := httptest.NewServer(server)
	t.Cleanup(ts.Close)
	return &testApp{db: pool, server: server, http: ts}
}

// client returns a browser-like client with its own cookie jar that does
// not follow redirects, so tests can assert them.
func (a *testApp) client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatalf("cookie jar: %v", err)
	}
	return &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// response is a finished request: status, headers and body.
type response struct {
	status int
	header http.Header
	body   string
}

func (a *testApp) do(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (a *testApp) get(t *testing.T, c *http.Client, path string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.http.URL+path, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	return a.do(t, c, req)
}

// post sends a form as a same-origin browser would.
func (a *testApp) post(t *testing.T, c *http.Client, path string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.http.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.http.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return a.do(t, c, req)
}

// signIn signs the client in and fails the test unless it succeeds.
func (a *testApp) signIn(t *testing.T, c *http.Client, login string) {
	t.Helper()
	res := a.post(t, c, "/connexion", url.Values{"login": {login}, "password": {demo.Password}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: got status %d, want %d", login, res.status, http.StatusSeeOther)
	}
}

// signedIn returns a new client signed in as login.
func (a *testApp) signedIn(t *testing.T, login string) *http.Client {
	t.Helper()
	c := a.client(t)
	a.signIn(t, c, login)
	return c
}

// accountID returns the id of the account with the identifier.
func (a *testApp) accountID(t *testing.T, identifier string) int64 {
	t.Helper()
	var id int64
	err := a.db.QueryRow(`SELECT id FROM api_accounts WHERE identifier = ?`, identifier).Scan(&id)
	if err != nil {
		t.Fatalf("account %s: %v", identifier, err)
	}
	return id
}

func (a *testApp) countAccounts(t *testing.T) int {
	t.Helper()
	var n int
	if err := a.db.QueryRow(`SELECT COUNT(*) FROM api_accounts`).Scan(&n); err != nil {
		t.Fatalf("count accounts: %v", err)
	}
	return n
}

// listRow is one row of the account list as the page shows it.
type listRow struct {
	identifier string
	href       string
	status     string // the text label of the Hab. column
}

// listRows parses the account table of a /comptes page.
func listRows(t *testing.T, body string) []listRow {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}

	var rows []listRow
	for tr := range doc.Descendants() {
		if tr.Type != html.ElementNode || tr.Data != "tr" || tr.Parent == nil || tr.Parent.Data != "tbody" {
			continue
		}
		var row listRow
		for n := range tr.Descendants() {
			if n.Type != html.ElementNode {
				continue
			}
			switch {
			case n.Data == "th" && hasClass(n, "identifier"):
				row.identifier = strings.TrimSpace(textOf(n))
				for link := range n.Descendants() {
					if link.Type == html.ElementNode && link.Data == "a" {
						row.href = attr(link, "href")
					}
				}
			case n.Data == "span" && hasClass(n, "status-label"):
				row.status = strings.TrimSpace(textOf(n))
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// elementText returns the text of the first element with the id, or "".
func elementText(t *testing.T, body, id string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "id") == id {
			return strings.TrimSpace(textOf(n))
		}
	}
	return ""
}

// inputValue returns the value attribute of the input named name, or "".
func inputValue(t *testing.T, body, name string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") == name {
			return attr(n, "value")
		}
	}
	return ""
}

func sessionCookie(t *testing.T, c *http.Client, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("parse URL: %v", err)
	}
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "console_session" {
			return ck.Value
		}
	}
	return ""
}

// pageText returns the text of the whole page, entities decoded.
func pageText(t *testing.T, body string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return textOf(doc)
}
