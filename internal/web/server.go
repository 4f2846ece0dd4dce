// Package web serves the console's HTML pages: the route table, the
// middleware, one handler file per resource and the response helpers.
package web

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/internal/habilitations"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/outbox"
	"github.com/correspondant-entreprise/console/internal/secrets"
	"github.com/correspondant-entreprise/console/internal/settings"
	"github.com/correspondant-entreprise/console/internal/users"
)

// Config holds the dependencies and settings of the web server.
type Config struct {
	DB *sql.DB
	// Clock is the business clock that the admin role moves; nil means an
	// emulation clock on the database that follows real time.
	Clock  *clock.Emulated
	Logger *slog.Logger // nil means slog.Default()

	// Mailer, when set, is woken after each change that writes e-mails, so
	// they leave at once instead of at its next polling round. Nil when no
	// SMTP server is configured: the e-mails then stay in the outbox.
	Mailer interface{ Wake() }

	// SecretKey encrypts the settings tokens at rest (32 bytes); nil means
	// a random key for this process only, which suits tests.
	SecretKey []byte

	// Settings, when set, is woken after the clock moves; the handler
	// also records the changes due at once.
	SettingsWorker interface{ Wake() }

	// SecureCookies marks the session cookie Secure, for a console served
	// over HTTPS, usually behind a TLS-terminating proxy. Off by default
	// because the console listens on plain HTTP.
	SecureCookies bool
}

// Server holds the dependencies of every handler. Build it with New.
type Server struct {
	db       *sql.DB
	clock    *clock.Emulated
	log      *slog.Logger
	sessions *scs.SessionManager
	store    *sqlite3store.SQLite3Store
	users    *users.Store
	accounts *accounts.Store
	habs     *habilitations.Store
	journal  *journal.Store
	outbox   *outbox.Store
	settings *settings.Store
	mailer   interface{ Wake() }
	worker   interface{ Wake() }
	handler  http.Handler
}

// Session lifetimes: a session ends after SessionIdleTimeout without a
// request, and in any case SessionLifetime after sign-in.
const (
	SessionIdleTimeout = time.Hour
	SessionLifetime    = 12 * time.Hour
)

// New builds the server and its route table.
func New(cfg Config) (*Server, error) {
	if cfg.DB == nil {
		return nil, errors.New("web: no database")
	}
	s := &Server{
		db:       cfg.DB,
		clock:    cfg.Clock,
		log:      cfg.Logger,
		users:    users.NewStore(cfg.DB),
		accounts: accounts.NewStore(cfg.DB),
		habs:     habilitations.NewStore(cfg.DB),
		journal:  journal.NewStore(cfg.DB),
		outbox:   outbox.NewStore(cfg.DB),
		mailer:   cfg.Mailer,
		worker:   cfg.SettingsWorker,
	}
	if s.clock == nil {
		c, err := clock.NewEmulated(context.Background(), cfg.DB, nil)
		if err != nil {
			return nil, err
		}
		s.clock = c
	}

	key := cfg.SecretKey
	if key == nil {
		key = make([]byte, secrets.KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("web: generate secret key: %w", err)
		}
	}
	box, err := secrets.New(key)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.settings = settings.NewStore(cfg.DB, box)
	if s.log == nil {
		s.log = slog.Default()
	}

	s.store = sqlite3store.NewWithCleanupInterval(cfg.DB, 10*time.Minute)
	s.sessions = scs.New()
	s.sessions.Store = s.store
	s.sessions.IdleTimeout = SessionIdleTimeout
	s.sessions.Lifetime = SessionLifetime
	s.sessions.Cookie.Name = "console_session"
	s.sessions.Cookie.HttpOnly = true
	s.sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.sessions.Cookie.Secure = cfg.SecureCookies
	s.sessions.Cookie.Path = "/"
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.serverError(w, r, fmt.Errorf("session: %w", err))
	}

	s.handler = s.routes()
	return s, nil
}

// ServeHTTP serves every console route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Close stops the background cleanup of expired sessions.
func (s *Server) Close() {
	s.store.StopCleanup()
}

// ping checks that the database responds.
func (s *Server) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// wakeMailer wakes the mailer, if any, to send the e-mails just written.
func (s *Server) wakeMailer() {
	if s.mailer != nil {
		s.mailer.Wake()
	}
}
