package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/password"
)

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func TestHelpListsFlagsWithDefaults(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-help"}, strings.NewReader(""), &stdout, &stderr, discardLogger())
	if err != nil {
		t.Fatalf("run -help: %v", err)
	}

	for _, want := range []string{
		"-addr", `(default "127.0.0.1:8080")`, "CONSOLE_ADDR",
		"-db", `(default "./data/console.db")`, "CONSOLE_DB",
		"-demo", "CONSOLE_DEMO",
		"-https", "CONSOLE_HTTPS",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, strings.NewReader(""), &stdout, &stderr, discardLogger())
	if !errors.Is(err, errUsage) {
		t.Errorf("error: got %v, want %v", err, errUsage)
	}
	if !strings.Contains(stderr.String(), `unknown command "frobnicate"`) {
		t.Errorf("stderr: got %q", stderr.String())
	}
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	pool, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

func TestUserAddReadsPasswordFromStandardInput(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "console.db")
	ctx := context.Background()

	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"establishment", "add", "-db", dbPath, "-siret", "732 829 320 00074", "-company", "Exemple SA"},
		strings.NewReader(""), &stdout, &stderr, discardLogger())
	if err != nil {
		t.Fatalf("establishment add: %v (stderr %s)", err, stderr.String())
	}

	const pw = "  Espace-Devant-2026  "
	stdout.Reset()
	err = run(ctx, []string{"user", "add", "-db", dbPath, "-login", "Chef@Exemple.FR", "-name", "Claire Chef",
		"-role", "correspondant", "-role", "admin", "-siret", "73282932000074"},
		strings.NewReader(pw+"\n"), &stdout, &stderr, discardLogger())
	if err != nil {
		t.Fatalf("user add: %v (stderr %s)", err, stderr.String())
	}
	if strings.Contains(stdout.String(), pw) {
		t.Error("user add printed a password it was given")
	}

	pool := openDB(t, dbPath)
	var login, hash string
	if err := pool.QueryRow(`SELECT login, password_hash FROM users`).Scan(&login, &hash); err != nil {
		t.Fatalf("read user: %v", err)
	}
	if login != "chef@exemple.fr" {
		t.Errorf("login: got %q, want %q", login, "chef@exemple.fr")
	}
	if ok, _, err := password.Verify(pw, hash); !ok || err != nil {
		t.Errorf("the stored hash does not verify the untrimmed password: %v", err)
	}

	var roles, perimeter int
	if err := pool.QueryRow(`SELECT COUNT(*) FROM user_roles`).Scan(&roles); err != nil {
		t.Fatalf("count roles: %v", err)
	}
	if err := pool.QueryRow(`SELECT COUNT(*) FROM perimeters WHERE siret = '73282932000074'`).Scan(&perimeter); err != nil {
		t.Fatalf("count perimeter: %v", err)
	}
	if roles != 2 {
		t.Errorf("roles: got %d, want 2", roles)
	}
	if perimeter != 1 {
		t.Errorf("perimeter rows: got %d, want 1", perimeter)
	}
}

func TestUserAddGeneratesPassword(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "console.db")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"user", "add", "-db", dbPath, "-login", "agent@douane-emulation.test",
		"-name", "Agent", "-role", "douane", "-generate-password"},
		strings.NewReader(""), &stdout, &stderr, discardLogger())
	if err != nil {
		t.Fatalf("user add: %v (stderr %s)", err, stderr.String())
	}

	match := regexp.MustCompile(`Password, shown only now: (\S+)`).FindStringSubmatch(stdout.String())
	if match == nil {
		t.Fatalf("no generated password printed: %q", stdout.String())
	}
	var hash string
	if err := openDB(t, dbPath).QueryRow(`SELECT password_hash FROM users`).Scan(&hash); err != nil {
		t.Fatalf("read user: %v", err)
	}
	if ok, _, err := password.Verify(match[1], hash); !ok || err != nil {
		t.Errorf("the printed password does not match the stored hash: %v", err)
	}
}

func TestUserAddRejectsBadInput(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"missing role", []string{"-login", "a@exemple.fr", "-name", "A"}, "Mot-De-Passe-2026!\n", "at least one -role"},
		{"unknown role", []string{"-login", "a@exemple.fr", "-name", "A", "-role", "chef"}, "Mot-De-Passe-2026!\n", "unknown role"},
		{"weak password", []string{"-login", "a@exemple.fr", "-name", "A", "-role", "admin"}, "faible\n", "password does not meet the policy"},
		{"empty standard input", []string{"-login", "a@exemple.fr", "-name", "A", "-role", "admin"}, "", "no password on standard input"},
		{"unknown SIRET", []string{"-login", "a@exemple.fr", "-name", "A", "-role", "correspondant", "-siret", "73282932000074"}, "Mot-De-Passe-2026!\n", "unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbPath := filepath.Join(t.TempDir(), "console.db")
			var stdout, stderr bytes.Buffer
			args := append([]string{"user", "add", "-db", dbPath}, tc.args...)
			err := run(context.Background(), args, strings.NewReader(tc.stdin), &stdout, &stderr, discardLogger())
			if err == nil {
				t.Fatal("user add succeeded")
			}
			if !strings.Contains(err.Error()+stderr.String(), tc.want) {
				t.Errorf("error: got %v (stderr %q), want it to mention %q", err, stderr.String(), tc.want)
			}
			var n int
			if err := openDB(t, dbPath).QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
				t.Fatalf("count users: %v", err)
			}
			if n != 0 {
				t.Errorf("users: got %d, want 0", n)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the logger and the test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeStartsAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "data", "console.db")
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", dbPath, "-demo"},
			strings.NewReader(""), io.Discard, io.Discard, logger)
	}()

	listening := regexp.MustCompile(`msg="console listening" url=(\S+)`)
	var base string
	deadline := time.Now().Add(20 * time.Second)
	for base == "" && time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	if base == "" {
		cancel()
		t.Fatalf("the server did not log its address:\n%s", logs.String())
	}

	res, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: got %d, want %d", res.StatusCode, http.StatusOK)
	}
	if !strings.Contains(logs.String(), "demo data loaded") {
		t.Error("the demo data were not loaded on the empty database")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(logs.String(), "console stopped") {
		t.Error("no log line for the stop")
	}
}

func TestServeWithoutUsersTellsHowToStart(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "console.db")},
			strings.NewReader(""), io.Discard, io.Discard, logger)
	}()

	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), "console listening") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !strings.Contains(logs.String(), "console user add") {
		t.Errorf("the log does not say how to create the first user:\n%s", logs.String())
	}
}

func TestPerimeterAddAndUnlock(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "console.db")
	ctx := context.Background()
	steps := [][]string{
		{"establishment", "add", "-db", dbPath, "-siret", "73282932000074", "-company", "Exemple SA"},
		{"establishment", "add", "-db", dbPath, "-siret", "81234567600017", "-company", "Atelier Boréal"},
		{"user", "add", "-db", dbPath, "-login", "jean@exemple.fr", "-name", "Jean", "-role", "correspondant", "-siret", "73282932000074", "-generate-password"},
		{"perimeter", "add", "-db", dbPath, "-login", "jean@exemple.fr", "-siret", "812 345 676 00017"},
	}
	for _, args := range steps {
		var stdout, stderr bytes.Buffer
		if err := run(ctx, args, strings.NewReader(""), &stdout, &stderr, discardLogger()); err != nil {
			t.Fatalf("%v: %v (stderr %s)", args[:2], err, stderr.String())
		}
	}

	pool := openDB(t, dbPath)
	var n int
	if err := pool.QueryRow(`SELECT COUNT(*) FROM perimeters`).Scan(&n); err != nil {
		t.Fatalf("count perimeter: %v", err)
	}
	if n != 2 {
		t.Errorf("perimeter rows: got %d, want 2", n)
	}

	if _, err := pool.Exec(`INSERT INTO login_failures (login, failures, last_failure_at, locked_until) VALUES ('jean@exemple.fr', 0, ?, ?)`,
		time.Now().UTC(), time.Now().UTC().Add(time.Hour)); err != nil {
		t.Fatalf("lock login: %v", err)
	}
	var stdout bytes.Buffer
	if err := run(ctx, []string{"user", "unlock", "-db", dbPath, "-login", "jean@exemple.fr"}, strings.NewReader(""), &stdout, io.Discard, discardLogger()); err != nil {
		t.Fatalf("user unlock: %v", err)
	}
	if err := pool.QueryRow(`SELECT COUNT(*) FROM login_failures`).Scan(&n); err != nil {
		t.Fatalf("count failures: %v", err)
	}
	if n != 0 {
		t.Errorf("login_failures rows after unlock: got %d, want 0", n)
	}

	err := run(ctx, []string{"perimeter", "add", "-db", dbPath, "-login", "inconnu@exemple.fr", "-siret", "73282932000074"},
		strings.NewReader(""), io.Discard, io.Discard, discardLogger())
	if err == nil || !strings.Contains(err.Error(), "no user has the login") {
		t.Errorf("unknown login: got %v", err)
	}
}

func TestBadBooleanEnvironmentVariable(t *testing.T) {
	t.Setenv("CONSOLE_DEMO", "oui")
	err := run(context.Background(), []string{"-db", filepath.Join(t.TempDir(), "console.db")},
		strings.NewReader(""), io.Discard, io.Discard, discardLogger())
	if err == nil || !strings.Contains(err.Error(), "want true or false") {
		t.Errorf("error: got %v, want one naming the accepted values", err)
	}
}

func TestSubcommandHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"user"}, {"user", "-help"}, {"perimeter"}} {
		var stdout bytes.Buffer
		if err := run(context.Background(), args, strings.NewReader(""), &stdout, io.Discard, discardLogger()); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		for _, want := range []string{"user add", "user unlock", "perimeter add", "establishment add"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%v: usage lacks %q", args, want)
			}
		}
	}
}
