package outbox_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/demo"
	"github.com/correspondant-entreprise/console/internal/outbox"
)

// demoNow is the business time at which the demo data set is loaded.
var demoNow = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// SIRETs of the demo data set: one in the perimeter of the demo
// correspondant and one in the perimeter of the other correspondant.
const (
	siegeSIRET  = "81234567600017"
	beauneSIRET = "82345678500018"
)

// senderAddress is the From of the test senders.
const senderAddress = "console@demo.test"

// openDB opens an empty database with every migration applied, in a file
// removed after the test.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	pool, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatalf("db.Open: %v", err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

// openDemo opens a database holding the demo data set.
func openDemo(t *testing.T) *sql.DB {
	t.Helper()
	pool := openDB(t)
	loaded, err := demo.LoadIfEmpty(context.Background(), pool, demoNow)
	if err != nil {
		t.Fatalf("demo.LoadIfEmpty: %v", err)
	}
	if !loaded {
		t.Fatal("demo.LoadIfEmpty: got loaded false on an empty database, want true")
	}
	return pool
}

// userID returns the id of the user with the login.
func userID(t *testing.T, pool *sql.DB, login string) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRowContext(context.Background(), `SELECT id FROM users WHERE login = ?`, login).Scan(&id)
	if err != nil {
		t.Fatalf("read id of user %s: %v", login, err)
	}
	return id
}

// accountID returns the id of the account with the identifier.
func accountID(t *testing.T, pool *sql.DB, identifier string) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRowContext(context.Background(),
		`SELECT id FROM api_accounts WHERE identifier = ?`, identifier).Scan(&id)
	if err != nil {
		t.Fatalf("read id of account %s: %v", identifier, err)
	}
	return id
}

// countRows runs the query, a SELECT COUNT(*), and returns its result.
func countRows(t *testing.T, pool *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// mustExec runs a setup statement and fails the test on error.
func mustExec(t *testing.T, pool *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := pool.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// enqueue enqueues a message in its own committed transaction.
func enqueue(t *testing.T, pool *sql.DB, recipients []string, subject, body string, accountID int64, siret string) {
	t.Helper()
	err := db.InTx(context.Background(), pool, func(tx *sql.Tx) error {
		return outbox.Enqueue(context.Background(), tx, demoNow, "request.submitted", recipients, subject, body, accountID, siret)
	})
	if err != nil {
		t.Fatalf("Enqueue(%v): %v", recipients, err)
	}
}

// message reads the message with the id through an unscoped Store.
func message(t *testing.T, pool *sql.DB, id int64) outbox.Message {
	t.Helper()
	m, err := outbox.NewStore(pool).Get(context.Background(), outbox.Scope{All: true}, id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return m
}

// messageIDs returns the ids of every outbox message, oldest first.
func messageIDs(t *testing.T, pool *sql.DB) []int64 {
	t.Helper()
	rows, err := pool.QueryContext(context.Background(), `SELECT id FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatalf("select outbox ids: %v", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatalf("select outbox ids: %v", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("select outbox ids: %v", err)
	}
	return ids
}

// attempts returns the recorded attempts of the message.
func attempts(t *testing.T, pool *sql.DB, id int64) []outbox.Attempt {
	t.Helper()
	list, err := outbox.NewStore(pool).Attempts(context.Background(), id)
	if err != nil {
		t.Fatalf("Attempts(%d): %v", id, err)
	}
	return list
}

// fakeClock is a real-time clock that moves only when the test advances
// it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Now().UTC()}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
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

// newLogger returns a debug-level text logger writing to a buffer.
func newLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// receivedMessage is a message accepted by the test SMTP server.
type receivedMessage struct {
	from string
	to   []string
	data []byte
}

// smtpServer is an SMTP server on 127.0.0.1 that stores the messages it
// accepts. It rejects the DATA of the first rejectData messages with a
// 451 temporary error.
type smtpServer struct {
	addr string

	mu         sync.Mutex
	rejectData int
	dataCalls  int
	messages   []receivedMessage
	accepted   chan struct{} // receives one value per accepted message
}

// startSMTPServer starts a test SMTP server, stopped when the test ends.
func startSMTPServer(t *testing.T, rejectData int) *smtpServer {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}

	srv := &smtpServer{addr: listener.Addr().String(), rejectData: rejectData, accepted: make(chan struct{}, 100)}
	server := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{server: srv}, nil
	}))
	server.Domain = "localhost"
	server.AllowInsecureAuth = true
	server.ErrorLog = log.New(io.Discard, "", 0)

	done := make(chan error, 1)
	go func() { done <- server.Serve(listener) }()
	t.Cleanup(func() {
		server.Close()
		// Close only closes the listeners that Serve has registered. A test
		// that ends before the goroutine starts would leave Serve blocked
		// in Accept, so the listener is closed here too.
		listener.Close()
		if err := <-done; err != nil {
			t.Errorf("SMTP server Serve: %v", err)
		}
	})
	return srv
}

// dataCount returns the number of messages the server has received after
// DATA, accepted or rejected.
func (s *smtpServer) dataCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dataCalls
}

// acceptedMessages returns a copy of the accepted messages.
func (s *smtpServer) acceptedMessages() []receivedMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMessage(nil), s.messages...)
}

// waitAccepted waits up to timeout for one more accepted message.
func (s *smtpServer) waitAccepted(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case <-s.accepted:
	case <-time.After(timeout):
		t.Fatalf("SMTP server: no message accepted within %v", timeout)
	}
}

type smtpSession struct {
	server *smtpServer
	from   string
	to     []string
}

func (s *smtpSession) Mail(from string, opts *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}

	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.dataCalls++
	if s.server.dataCalls <= s.server.rejectData {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	s.server.messages = append(s.server.messages, receivedMessage{from: s.from, to: append([]string(nil), s.to...), data: data})
	s.server.accepted <- struct{}{}
	return nil
}

func (s *smtpSession) Reset() {
	s.from = ""
	s.to = nil
}

func (s *smtpSession) Logout() error {
	return nil
}

// closedPortAddr returns a 127.0.0.1 address on which nothing listens: the
// port of a listener that has just been closed.
func closedPortAddr(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	addr := listener.Addr().String()
	if err := listener.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	return addr
}

// startSilentServer starts a TCP server on 127.0.0.1 that accepts
// connections and never writes, so an SMTP client waits for the greeting.
func startSilentServer(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}

	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		listener.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, conn := range conns {
			conn.Close()
		}
	})
	return listener.Addr().String()
}
