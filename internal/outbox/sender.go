package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/correspondant-entreprise/console/internal/db"
)

const (
	defaultPollInterval = 5 * time.Second
	defaultTimeout      = 30 * time.Second

	// firstBackoff is the default delay after the first failure. It doubles
	// after each further failure up to maxBackoff.
	firstBackoff = 30 * time.Second
	maxBackoff   = time.Hour

	// batchSize is the maximum number of messages tried in one round.
	batchSize = 50

	// maxErrorLength bounds, in bytes, the SMTP error text stored for an
	// attempt, because a server reply can be arbitrarily long.
	maxErrorLength = 1000

	// heloName is the name the sender gives in EHLO.
	heloName = "localhost"
)

// Sender delivers the pending outbox messages over SMTP, one connection
// per message. Set the exported fields before calling Run or DeliverDue and
// do not change them afterwards.
//
// NOTE: the sender uses neither STARTTLS nor AUTH, because it targets a
// training SMTP server on the loopback interface. Pointed at a remote
// server, it would send the messages in clear text.
type Sender struct {
	DB *sql.DB
	// Addr is the host:port of the SMTP server, such as "127.0.0.1:2525".
	Addr string
	// From is the envelope sender and From header: an e-mail address,
	// optionally with a display name ("Console <console@exemple.test>").
	From   string
	Logger *slog.Logger // slog.Default() when nil
	// PollInterval is the time between two rounds of Run when nothing
	// wakes it. The default is 5 s.
	PollInterval time.Duration
	// Backoff returns the delay before the next attempt of a message that
	// has failed `attempts` times (1 after the first failure). The default
	// is 30 s doubled after each failure, at most 1 h.
	Backoff func(attempts int) time.Duration
	// Now returns the real time, and is time.Now when nil. It selects the
	// due messages and dates the next attempts, the sent times, the attempt
	// rows and the Date header.
	Now func() time.Time
	// Timeout bounds the connection to the SMTP server, and then again the
	// whole SMTP session of one message. The default is 30 s.
	Timeout time.Duration

	wakeOnce sync.Once
	wake     chan struct{}
}

// pending is a message claimed for one delivery attempt.
type pending struct {
	id        int64
	recipient string
	subject   string
	body      string
	accountID int64
	attempts  int
}

// Wake makes Run start a round now instead of at the next poll. It never
// blocks, and wakes made before Run starts or during a round are merged
// into one further round.
func (s *Sender) Wake() {
	select {
	case s.wakeChannel() <- struct{}{}:
	default:
	}
}

func (s *Sender) wakeChannel() chan struct{} {
	s.wakeOnce.Do(func() { s.wake = make(chan struct{}, 1) })
	return s.wake
}

// Run delivers the due messages at once, then at every PollInterval and
// after every Wake, until ctx is done. It returns nil when ctx is done, and
// an error at once when the sender's fields are invalid. A failed round is
// logged and the next one runs as usual.
func (s *Sender) Run(ctx context.Context) error {
	if _, err := s.check(); err != nil {
		return err
	}
	logger := s.logger()
	interval := durationOr(s.PollInterval, defaultPollInterval)
	logger.Info("outbox sender started", "addr", s.Addr, "poll_interval", interval)

	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		s.runRound(ctx)

		select {
		case <-ctx.Done():
			logger.Info("outbox sender stopped")
			return nil
		case <-ticker.C:
		case <-s.wakeChannel():
		}
	}
}

// runRound calls DeliverDue until no full batch is left to send. It stops
// after a batch in which every attempt failed, so an SMTP server that is
// down is not hammered until the next poll.
func (s *Sender) runRound(ctx context.Context) {
	for ctx.Err() == nil {
		sent, failed, err := s.DeliverDue(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.logger().Error("outbox delivery round failed", "sent", sent, "failed", failed, "err", err)
			}
			return
		}
		if sent == 0 || sent+failed < batchSize {
			return
		}
	}
}

// DeliverDue makes one delivery attempt for each due message (pending, with
// a next attempt time not after Now), oldest first and at most 50, and
// returns how many were sent and how many failed. A message is never
// deleted, and a failure only sets the time of its next attempt.
//
// DeliverDue claims each message before trying it by moving its next
// attempt past the end of the longest possible attempt (twice Timeout, plus
// a minute), so a concurrent DeliverDue skips it.
// When ctx is cancelled during an attempt, the attempt is not recorded and
// the message is tried again once that claim expires. It returns an error
// for invalid sender fields, a database failure or a done ctx.
func (s *Sender) DeliverDue(ctx context.Context) (sent, failed int, err error) {
	from, err := s.check()
	if err != nil {
		return 0, 0, err
	}

	ids, err := s.dueIDs(ctx)
	if err != nil {
		return 0, 0, err
	}

	logger := s.logger()
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return sent, failed, err
		}

		m, claimed, err := s.claim(ctx, id)
		if err != nil {
			return sent, failed, err
		}
		if !claimed {
			continue
		}

		sendErr := s.send(ctx, from, m)
		if sendErr != nil && ctx.Err() != nil {
			return sent, failed, ctx.Err()
		}

		// The attempt is recorded even if ctx ends now, because a message the
		// server accepted must be marked sent, or it would be sent again.
		retryAt, err := s.record(context.WithoutCancel(ctx), m, sendErr)
		if err != nil {
			return sent, failed, err
		}
		if sendErr != nil {
			failed++
			logger.Warn("outbox delivery failed", "message_id", m.id, "account_id", m.accountID,
				"attempts", m.attempts+1, "retry_at", retryAt, "err", sendErr)
			continue
		}
		sent++
		logger.Debug("outbox message sent", "message_id", m.id, "account_id", m.accountID, "attempts", m.attempts+1)
	}
	return sent, failed, nil
}

// check validates the sender's fields and returns the parsed From address.
func (s *Sender) check() (*mail.Address, error) {
	if s.DB == nil {
		return nil, errors.New("outbox: missing Sender.DB: set it to the console database pool")
	}
	if s.Addr == "" {
		return nil, errors.New("outbox: missing Sender.Addr: set it to the SMTP server's host:port")
	}
	if containsControl(s.From, false) {
		return nil, fmt.Errorf("outbox: invalid sender address %q: it contains a control character", s.From)
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return nil, fmt.Errorf("outbox: invalid sender address %q: %w", s.From, err)
	}
	return from, nil
}

func (s *Sender) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// now returns the real time in UTC.
func (s *Sender) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Sender) backoff(attempts int) time.Duration {
	if s.Backoff == nil {
		return defaultBackoff(attempts)
	}
	return s.Backoff(attempts)
}

// defaultBackoff returns firstBackoff doubled for each failure after the
// first, at most maxBackoff.
func defaultBackoff(attempts int) time.Duration {
	delay := firstBackoff
	for i := 1; i < attempts && delay < maxBackoff; i++ {
		delay *= 2
	}
	return min(delay, maxBackoff)
}

// dueIDs returns the ids of the due messages, oldest first, at most
// batchSize.
func (s *Sender) dueIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT id FROM outbox
		WHERE sent_at IS NULL AND next_attempt_at <= ?
		ORDER BY id
		LIMIT ?`, s.now(), batchSize)
	if err != nil {
		return nil, fmt.Errorf("outbox: select due messages: %w", err)
	}
	defer rows.Close()

	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("outbox: select due messages: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: select due messages: %w", err)
	}
	return ids, nil
}

// claim moves the next attempt of the message, if it is still pending and
// due, past the end of the longest possible attempt, and returns it. It returns false when the
// message is no longer due, for example because another sender claimed or
// sent it.
func (s *Sender) claim(ctx context.Context, id int64) (pending, bool, error) {
	now := s.now()
	// An attempt lasts at most Timeout to connect plus Timeout for the
	// session; the extra minute covers composing and recording.
	lease := now.Add(2*durationOr(s.Timeout, defaultTimeout) + time.Minute)

	m := pending{id: id}
	err := s.DB.QueryRowContext(ctx, `
		UPDATE outbox SET next_attempt_at = ?
		WHERE id = ? AND sent_at IS NULL AND next_attempt_at <= ?
		RETURNING recipient, subject, body, COALESCE(account_id, 0), attempts`,
		lease, id, now,
	).Scan(&m.recipient, &m.subject, &m.body, &m.accountID, &m.attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return pending{}, false, nil
	}
	if err != nil {
		return pending{}, false, fmt.Errorf("outbox: claim message %d: %w", id, err)
	}
	return m, true, nil
}

// record stores the outcome of an attempt: an attempt row, then either the
// sent time or the error and the time of the next attempt, which it
// returns. The update applies only while the message is pending, so a
// message is marked sent at most once.
func (s *Sender) record(ctx context.Context, m pending, sendErr error) (time.Time, error) {
	at := s.now()
	var errorText string
	var retryAt time.Time
	if sendErr != nil {
		errorText = truncateUTF8(sendErr.Error(), maxErrorLength)
		retryAt = at.Add(s.backoff(m.attempts + 1))
	}

	err := db.InTx(ctx, s.DB, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox_attempts (message_id, at, error) VALUES (?, ?, ?)`,
			m.id, at, errorText)
		if err != nil {
			return fmt.Errorf("outbox: record attempt of message %d: %w", m.id, err)
		}

		var res sql.Result
		if sendErr == nil {
			res, err = tx.ExecContext(ctx, `
				UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = ''
				WHERE id = ? AND sent_at IS NULL`, at, m.id)
		} else {
			res, err = tx.ExecContext(ctx, `
				UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
				WHERE id = ? AND sent_at IS NULL`, errorText, retryAt, m.id)
		}
		if err != nil {
			return fmt.Errorf("outbox: update message %d after an attempt: %w", m.id, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			s.logger().Warn("outbox message was already marked sent", "message_id", m.id)
		}
		return nil
	})
	return retryAt, err
}

// send makes one SMTP delivery of the message. It returns nil once the
// server has accepted the message data, whatever happens at QUIT.
func (s *Sender) send(ctx context.Context, from *mail.Address, m pending) error {
	msg, err := composeMessage(from, m.recipient, m.subject, m.body, s.now())
	if err != nil {
		return err
	}

	timeout := durationOr(s.Timeout, defaultTimeout)
	dialer := net.Dialer{Timeout: timeout}
	conn, err := dialer.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()

	// Deadlines are wall-clock times, whatever s.Now returns.
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return fmt.Errorf("set SMTP session deadline: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("invalid SMTP server address %q: %w", s.Addr, err)
	}
	client, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	defer client.Close()

	if err := client.Hello(heloName); err != nil {
		return fmt.Errorf("SMTP EHLO: %w", err)
	}
	if err := client.Mail(from.Address); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	if err := client.Rcpt(m.recipient); err != nil {
		return fmt.Errorf("SMTP RCPT TO: %w", err)
	}
	w, err := client.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}

	if err := client.Quit(); err != nil {
		s.logger().Debug("outbox SMTP QUIT failed after the message was accepted", "message_id", m.id, "err", err)
	}
	return nil
}

// truncateUTF8 returns s cut to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// durationOr returns d, or fallback when d is not positive.
func durationOr(d, fallback time.Duration) time.Duration {
	if d <= 0 {
		return fallback
	}
	return d
}
