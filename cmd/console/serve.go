package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/outbox"
	"github.com/correspondant-entreprise/console/internal/secrets"
	"github.com/correspondant-entreprise/console/internal/settings"
	"github.com/correspondant-entreprise/console/internal/users"
	"github.com/correspondant-entreprise/console/internal/web"
)

// shutdownTimeout bounds how long in-flight requests may finish after
// SIGINT or SIGTERM.
const shutdownTimeout = 10 * time.Second

// serve runs the web server until SIGINT or SIGTERM.
func serve(ctx context.Context, args []string, stderr io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("console serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", defaultAddr, "`address` to listen on, host:port (environment: CONSOLE_ADDR)")
	dbPath := fs.String("db", defaultDB, "`path` of the SQLite database, created with its directory on first start (environment: CONSOLE_DB)")
	withDemo := fs.Bool("demo", false, "load the demo data set when the database has no user (environment: CONSOLE_DEMO)")
	smtpAddr := fs.String("smtp", "", "`host:port` of the SMTP server that delivers the console's e-mails; empty keeps them in the outbox, unsent (environment: CONSOLE_SMTP)")
	smtpFrom := fs.String("smtp-from", "console@correspondant-emulation.test", "sender `address` of the e-mails (environment: CONSOLE_SMTP_FROM)")
	https := fs.Bool("https", false, "the console is reached over HTTPS, usually through a TLS proxy: mark the session cookie Secure (environment: CONSOLE_HTTPS)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fmt.Fprintf(fs.Output(), "\nUsage: console [serve] [flags]\n\nServe the console. Flags:\n")
		fs.PrintDefaults()
	}
	done, err := parseFlags(fs, args, []envFlag{
		{"addr", "CONSOLE_ADDR"}, {"db", "CONSOLE_DB"}, {"demo", "CONSOLE_DEMO"}, {"https", "CONSOLE_HTTPS"},
		{"smtp", "CONSOLE_SMTP"}, {"smtp-from", "CONSOLE_SMTP_FROM"},
	})
	if done || err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	pool, err := db.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer pool.Close()
	logger.Info("database ready", slog.String("path", *dbPath))

	businessClock, err := clock.NewEmulated(ctx, pool, nil)
	if err != nil {
		return err
	}
	if offset := businessClock.Offset(); offset != 0 {
		logger.Info("emulation clock ahead of real time", slog.Duration("offset", offset))
	}

	// The key is read from the environment only, never through a flag, so
	// it stays out of process listings and error messages.
	keyPath := secrets.KeyPath(*dbPath)
	key, created, err := secrets.LoadKey(os.Getenv("CONSOLE_SECRET_KEY"), keyPath)
	if err != nil {
		return err
	}
	if created {
		logger.Warn("created a new key file for the settings tokens: back it up with the database, a lost key loses the tokens",
			slog.String("path", keyPath))
	}

	if *withDemo {
		loaded, err := demo.LoadIfEmpty(ctx, pool, businessClock.Now())
		if err != nil {
			return err
		}
		if loaded {
			logger.Info("demo data loaded", slog.String("logins", demo.CorrespondantLogin+", "+demo.DouaneLogin+", "+demo.AdminLogin))
		}
	}

	count, err := users.NewStore(pool).Count(ctx)
	if err != nil {
		return err
	}
	if count == 0 {
		logger.Warn("the database has no console user yet: record the establishments with " +
			"`console establishment add`, then create users with `console user add` " +
			"(run either with -help), or restart with -demo to load the demo data")
	}

	cfg := web.Config{DB: pool, Clock: businessClock, Logger: logger, SecretKey: key, SecureCookies: *https}
	var workers sync.WaitGroup
	workerCtx, stopWorkers := context.WithCancel(context.Background())
	defer func() {
		stopWorkers()
		workers.Wait()
	}()
	if *smtpAddr != "" {
		if _, _, err := net.SplitHostPort(*smtpAddr); err != nil {
			return fmt.Errorf("-smtp %q: want host:port: %w", *smtpAddr, err)
		}
		if _, err := mail.ParseAddress(*smtpFrom); err != nil {
			return fmt.Errorf("-smtp-from %q: invalid address: %w", *smtpFrom, err)
		}
		sender := &outbox.Sender{DB: pool, Addr: *smtpAddr, From: *smtpFrom, Logger: logger}
		cfg.Mailer = sender
		workers.Go(func() {
			if err := sender.Run(workerCtx); err != nil && !errors.Is(err, context.Canceled) {
				logger.Error("e-mail sender stopped", slog.Any("err", err))
			}
		})
		logger.Info("e-mails delivered over SMTP", slog.String("smtp", *smtpAddr), slog.String("from", *smtpFrom))
	} else {
		logger.Info("no SMTP server configured: e-mails stay in the outbox, unsent")
	}

	box, err := secrets.New(key)
	if err != nil {
		return err
	}
	settingsStore := settings.NewStore(pool, box)
	if ok, err := settingsStore.KeyMatches(ctx); err != nil {
		return err
	} else if !ok {
		logger.Warn("the key does not open the stored tokens: they show as unreadable and must be entered again; "+
			"restore the original key file or CONSOLE_SECRET_KEY to recover them", slog.String("key_file", keyPath))
	}
	worker := settings.NewWorker(settingsStore, businessClock, logger, cfg.Mailer)
	cfg.SettingsWorker = worker
	workers.Go(func() { worker.Run(workerCtx) })

	server, err := web.New(cfg)
	if err != nil {
		return err
	}
	defer server.Close()

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	httpServer := &http.Server{
		Handler:           server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(listener) }()
	logger.Info("console listening", slog.String("url", "http://"+listener.Addr().String()))

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	logger.Info("shutting down", slog.Duration("timeout", shutdownTimeout))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("console stopped")
	return nil
}
