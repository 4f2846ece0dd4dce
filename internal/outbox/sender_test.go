package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/correspondant-entreprise/console/internal/outbox"
)

// frenchSubject has accents and a typographic apostrophe, so it is sent as
// an RFC 2047 encoded word.
const frenchSubject = "Décision sur votre demande d’habilitation"

// frenchBody has a line that starts with a dot, which SMTP must escape, a
// line of a single dot, lines longer than quoted-printable allows, an equals
// sign and trailing spaces.
var frenchBody = "Bonjour,\n\n" +
	".Cette ligne commence par un point.\n" +
	".\n" +
	"La douane a accordé l’habilitation DeltaH7 au compte boreal-siege. " + strings.Repeat("Texte très long à découper, ", 8) + "fin.\n" +
	strings.Repeat("x", 200) + "\n" +
	"Taux = 100 %   \n" +
	"Cordialement,\nLa console\n"

var messageIDPattern = regexp.MustCompile(`^<[A-Z2-7]+@console\.emulation\.test>$`)

func TestDeliverDueSendsMessages(t *testing.T) {
	pool := openDB(t)
	server := startSMTPServer(t, 0)
	logger, _ := newLogger()
	recipients := []string{"api-siege@atelier-boreal.example", "correspondant@demo.test"}
	enqueue(t, pool, recipients, frenchSubject, frenchBody, 1, siegeSIRET)

	sender := &outbox.Sender{DB: pool, Addr: server.addr, From: "Console Correspondant <" + senderAddress + ">", Logger: logger}
	before := time.Now().UTC()
	sent, failed, err := sender.DeliverDue(context.Background())
	after := time.Now().UTC()
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	if sent != 2 {
		t.Errorf("sent: got %d, want 2", sent)
	}
	if failed != 0 {
		t.Errorf("failed: got %d, want 0", failed)
	}

	got := server.acceptedMessages()
	if len(got) != 2 {
		t.Fatalf("messages received by the server: got %d, want 2", len(got))
	}
	var headerIDs []string
	for i, r := range got {
		t.Run(recipients[i], func(t *testing.T) {
			if r.from != senderAddress {
				t.Errorf("envelope sender: got %q, want %q", r.from, senderAddress)
			}
			if !slices.Equal(r.to, []string{recipients[i]}) {
				t.Errorf("envelope recipients: got %v, want [%s]", r.to, recipients[i])
			}
			headerIDs = append(headerIDs, checkReceivedMessage(t, r.data, recipients[i], frenchSubject, frenchBody, before, after))
		})
	}
	if len(headerIDs) == 2 && headerIDs[0] == headerIDs[1] {
		t.Errorf("Message-ID: both messages got %q, want distinct ids", headerIDs[0])
	}

	for _, id := range messageIDs(t, pool) {
		m := message(t, pool, id)
		if m.SentAt == nil {
			t.Errorf("message %d SentAt: got nil, want the time of sending", id)
		} else if m.SentAt.Before(before) || m.SentAt.After(after) {
			t.Errorf("message %d SentAt: got %v, want between %v and %v", id, *m.SentAt, before, after)
		}
		if m.Attempts != 1 {
			t.Errorf("message %d Attempts: got %d, want 1", id, m.Attempts)
		}
		if m.LastError != "" {
			t.Errorf("message %d LastError: got %q, want empty", id, m.LastError)
		}
		list := attempts(t, pool, id)
		if len(list) != 1 {
			t.Fatalf("message %d attempts: got %d, want 1", id, len(list))
		}
		if list[0].Error != "" {
			t.Errorf("message %d attempt error: got %q, want empty", id, list[0].Error)
		}
		if list[0].MessageID != id {
			t.Errorf("attempt MessageID: got %d, want %d", list[0].MessageID, id)
		}
	}
}

// checkReceivedMessage checks the headers, line endings and body of a
// message received for the recipient, and returns its Message-ID.
func checkReceivedMessage(t *testing.T, data []byte, recipient, wantSubject, wantBody string, before, after time.Time) string {
	t.Helper()

	if n := bytes.Count(data, []byte("\n")); n != bytes.Count(data, []byte("\r\n")) {
		t.Errorf("line endings: got %d LF of which %d in CRLF, want only CRLF", n, bytes.Count(data, []byte("\r\n")))
	}
	for i, line := range strings.Split(string(data), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line %d: got %d characters, want at most 78: %q", i+1, len(line), line)
		}
	}

	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse received message: %v", err)
	}
	header := msg.Header

	from, err := header.AddressList("From")
	if err != nil || len(from) != 1 {
		t.Errorf("From header: got %q (%v), want one address", header.Get("From"), err)
	} else {
		if from[0].Address != senderAddress {
			t.Errorf("From address: got %q, want %q", from[0].Address, senderAddress)
		}
		if from[0].Name != "Console Correspondant" {
			t.Errorf("From name: got %q, want %q", from[0].Name, "Console Correspondant")
		}
	}
	to, err := header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != recipient {
		t.Errorf("To header: got %q (%v), want %s", header.Get("To"), err, recipient)
	}

	var decoder mime.WordDecoder
	subject, err := decoder.DecodeHeader(header.Get("Subject"))
	if err != nil {
		t.Errorf("decode Subject %q: %v", header.Get("Subject"), err)
	}
	if subject != wantSubject {
		t.Errorf("Subject: got %q, want %q", subject, wantSubject)
	}

	date, err := header.Date()
	if err != nil {
		t.Errorf("Date header %q: %v", header.Get("Date"), err)
	} else if date.Before(before.Truncate(time.Second)) || date.After(after) {
		t.Errorf("Date: got %v, want between %v and %v", date, before, after)
	}

	messageID := header.Get("Message-ID")
	if !messageIDPattern.MatchString(messageID) {
		t.Errorf("Message-ID: got %q, want it to match %s", messageID, messageIDPattern)
	}

	fixed := []struct{ name, want string }{
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
	}
	for _, h := range fixed {
		if got := header.Get(h.name); got != h.want {
			t.Errorf("%s: got %q, want %q", h.name, got, h.want)
		}
	}

	decoded, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("decode quoted-printable body: %v", err)
	}
	if got := strings.ReplaceAll(string(decoded), "\r\n", "\n"); got != wantBody {
		t.Errorf("body:\ngot  %q\nwant %q", got, wantBody)
	}
	return messageID
}

func TestDeliverDueFoldsLongSubject(t *testing.T) {
	pool := openDB(t)
	server := startSMTPServer(t, 0)
	logger, _ := newLogger()
	subject := "Décision sur votre demande d’habilitation DeltaH7 pour le compte boreal-siege de l’établissement Siège, Lyon"
	body := "Bonjour,\r\nligne terminée par CRLF.\r\n"
	enqueue(t, pool, []string{"a@exemple.test"}, subject, body, 0, "")

	sender := &outbox.Sender{DB: pool, Addr: server.addr, From: "Console Correspondant <" + senderAddress + ">", Logger: logger}
	before := time.Now().UTC()
	if _, _, err := sender.DeliverDue(context.Background()); err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	after := time.Now().UTC()

	got := server.acceptedMessages()
	if len(got) != 1 {
		t.Fatalf("messages received by the server: got %d, want 1", len(got))
	}
	if !bytes.Contains(got[0].data, []byte("?=\r\n =?utf-8?q?")) {
		t.Errorf("Subject header: got %q, want encoded words folded onto several lines", got[0].data)
	}
	checkReceivedMessage(t, got[0].data, "a@exemple.test", subject, strings.ReplaceAll(body, "\r\n", "\n"), before, after)
}

func TestDeliverDueRetriesAfterTemporaryFailure(t *testing.T) {
	pool := openDB(t)
	server := startSMTPServer(t, 2)
	logger, logs := newLogger()
	enqueue(t, pool, []string{"a@exemple.test"}, frenchSubject, frenchBody, 3, siegeSIRET)
	id := messageIDs(t, pool)[0]
	// Enqueue sets the next attempt to the real time, so the clock starts
	// after it.
	clock := newFakeClock()

	var mu sync.Mutex
	var backoffArgs []int
	sender := &outbox.Sender{
		DB: pool, Addr: server.addr, From: senderAddress, Logger: logger, Now: clock.Now,
		Backoff: func(attempts int) time.Duration {
			mu.Lock()
			defer mu.Unlock()
			backoffArgs = append(backoffArgs, attempts)
			return time.Minute
		},
	}

	for round := 1; round <= 2; round++ {
		sent, failed, err := sender.DeliverDue(context.Background())
		if err != nil {
			t.Fatalf("round %d: DeliverDue: %v", round, err)
		}
		if sent != 0 || failed != 1 {
			t.Errorf("round %d: got sent %d, failed %d, want sent 0, failed 1", round, sent, failed)
		}

		m := message(t, pool, id)
		if m.Attempts != round {
			t.Errorf("round %d: Attempts: got %d, want %d", round, m.Attempts, round)
		}
		if !strings.Contains(m.LastError, "451") {
			t.Errorf("round %d: LastError: got %q, want it to contain 451", round, m.LastError)
		}
		if want := clock.Now().Add(time.Minute); !m.NextAttemptAt.Equal(want) {
			t.Errorf("round %d: NextAttemptAt: got %v, want %v", round, m.NextAttemptAt, want)
		}
		if m.SentAt != nil {
			t.Errorf("round %d: SentAt: got %v, want nil", round, *m.SentAt)
		}

		// Before the backoff has passed, the message is not due.
		sent, failed, err = sender.DeliverDue(context.Background())
		if err != nil || sent != 0 || failed != 0 {
			t.Errorf("round %d before the backoff: got sent %d, failed %d, err %v, want 0, 0, nil", round, sent, failed, err)
		}
		clock.Advance(time.Minute + time.Second)
	}

	sent, failed, err := sender.DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("round 3: DeliverDue: %v", err)
	}
	if sent != 1 || failed != 0 {
		t.Errorf("round 3: got sent %d, failed %d, want sent 1, failed 0", sent, failed)
	}
	sentAt := clock.Now()

	clock.Advance(time.Hour)
	sent, failed, err = sender.DeliverDue(context.Background())
	if err != nil || sent != 0 || failed != 0 {
		t.Errorf("round after delivery: got sent %d, failed %d, err %v, want 0, 0, nil", sent, failed, err)
	}

	if n := server.dataCount(); n != 3 {
		t.Errorf("DATA commands seen by the server: got %d, want 3", n)
	}
	if n := len(server.acceptedMessages()); n != 1 {
		t.Errorf("messages accepted by the server: got %d, want 1", n)
	}

	m := message(t, pool, id)
	if m.Attempts != 3 {
		t.Errorf("Attempts: got %d, want 3", m.Attempts)
	}
	if m.SentAt == nil || !m.SentAt.Equal(sentAt) {
		t.Errorf("SentAt: got %v, want %v", m.SentAt, sentAt)
	}
	if m.LastError != "" {
		t.Errorf("LastError: got %q, want empty once sent", m.LastError)
	}

	list := attempts(t, pool, id)
	if len(list) != 3 {
		t.Fatalf("attempt rows: got %d, want 3", len(list))
	}
	for i, a := range list[:2] {
		if !strings.Contains(a.Error, "451") {
			t.Errorf("attempt %d error: got %q, want it to contain 451", i+1, a.Error)
		}
	}
	if list[2].Error != "" {
		t.Errorf("attempt 3 error: got %q, want empty", list[2].Error)
	}
	if !list[2].At.Equal(sentAt) {
		t.Errorf("attempt 3 time: got %v, want %v", list[2].At, sentAt)
	}

	mu.Lock()
	if !slices.Equal(backoffArgs, []int{1, 2}) {
		t.Errorf("Backoff arguments: got %v, want [1 2]", backoffArgs)
	}
	mu.Unlock()

	output := logs.String()
	if got := strings.Count(output, "outbox delivery failed"); got != 2 {
		t.Errorf("failure log lines: got %d, want 2 in:\n%s", got, output)
	}
	if !strings.Contains(output, "message_id="+strconv.FormatInt(id, 10)) {
		t.Errorf("log: got %q, want it to contain message_id=%d", output, id)
	}
	if !strings.Contains(output, "err=") {
		t.Errorf("log: got %q, want it to contain err=", output)
	}
}

func TestDeliverDueServerDown(t *testing.T) {
	pool := openDB(t)
	logger, _ := newLogger()
	enqueue(t, pool, []string{"a@exemple.test"}, "Sujet", "Corps", 0, "")
	id := messageIDs(t, pool)[0]
	clock := newFakeClock()
	sender := &outbox.Sender{DB: pool, Addr: closedPortAddr(t), From: senderAddress, Logger: logger, Now: clock.Now}

	sent, failed, err := sender.DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	if sent != 0 || failed != 1 {
		t.Errorf("got sent %d, failed %d, want sent 0, failed 1", sent, failed)
	}

	m := message(t, pool, id)
	if m.SentAt != nil {
		t.Errorf("SentAt: got %v, want nil", *m.SentAt)
	}
	if m.Attempts != 1 {
		t.Errorf("Attempts: got %d, want 1", m.Attempts)
	}
	if !strings.Contains(m.LastError, "dial") {
		t.Errorf("LastError: got %q, want a dial error", m.LastError)
	}
	if want := clock.Now().Add(30 * time.Second); !m.NextAttemptAt.Equal(want) {
		t.Errorf("NextAttemptAt: got %v, want %v (default first backoff of 30 s)", m.NextAttemptAt, want)
	}
	list := attempts(t, pool, id)
	if len(list) != 1 || list[0].Error != m.LastError {
		t.Errorf("attempts: got %+v, want one with error %q", list, m.LastError)
	}

	clock.Advance(time.Hour)
	if _, _, err := sender.DeliverDue(context.Background()); err != nil {
		t.Fatalf("second DeliverDue: %v", err)
	}
	if n := countRows(t, pool, `SELECT COUNT(*) FROM outbox WHERE id = ? AND sent_at IS NULL`, id); n != 1 {
		t.Errorf("pending rows for the message: got %d, want 1", n)
	}
	if m := message(t, pool, id); m.Attempts != 2 {
		t.Errorf("Attempts after a second failure: got %d, want 2", m.Attempts)
	}
}

func TestDeliverDueSkipsMessageNotDue(t *testing.T) {
	pool := openDB(t)
	server := startSMTPServer(t, 0)
	sender := &outbox.Sender{DB: pool, Addr: server.addr, From: senderAddress}
	enqueue(t, pool, []string{"a@exemple.test"}, "Sujet", "Corps", 0, "")
	id := messageIDs(t, pool)[0]
	mustExec(t, pool, `UPDATE outbox SET next_attempt_at = ? WHERE id = ?`, time.Now().UTC().Add(time.Hour), id)

	sent, failed, err := sender.DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	if sent != 0 || failed != 0 {
		t.Errorf("got sent %d, failed %d, want 0, 0", sent, failed)
	}
	if n := server.dataCount(); n != 0 {
		t.Errorf("DATA commands seen by the server: got %d, want 0", n)
	}
	if m := message(t, pool, id); m.Attempts != 0 || m.SentAt != nil {
		t.Errorf("message: got attempts %d, sent %v, want 0 and nil", m.Attempts, m.SentAt)
	}
}

func TestDeliverDueTimesOut(t *testing.T) {
	pool := openDB(t)
	logger, _ := newLogger()
	sender := &outbox.Sender{DB: pool, Addr: startSilentServer(t), From: senderAddress, Logger: logger,
		Timeout: 200 * time.Millisecond}
	enqueue(t, pool, []string{"a@exemple.test"}, "Sujet", "Corps", 0, "")
	id := messageIDs(t, pool)[0]

	start := time.Now()
	sent, failed, err := sender.DeliverDue(context.Background())
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	if sent != 0 || failed != 1 {
		t.Errorf("got sent %d, failed %d, want sent 0, failed 1", sent, failed)
	}
	if elapsed > 5*time.Second {
		t.Errorf("DeliverDue took %v, want about the 200 ms timeout", elapsed)
	}
	if m := message(t, pool, id); !strings.Contains(m.LastError, "timeout") {
		t.Errorf("LastError: got %q, want a timeout", m.LastError)
	}
}

func TestDeliverDueCancelledAttemptIsNotRecorded(t *testing.T) {
	pool := openDB(t)
	logger, _ := newLogger()
	sender := &outbox.Sender{DB: pool, Addr: startSilentServer(t), From: senderAddress, Logger: logger,
		Timeout: time.Minute}
	enqueue(t, pool, []string{"a@exemple.test"}, "Sujet", "Corps", 0, "")
	id := messageIDs(t, pool)[0]

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := sender.DeliverDue(ctx)
	elapsed := time.Since(start)

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("DeliverDue error: got %v, want %v", err, context.DeadlineExceeded)
	}
	if elapsed > 5*time.Second {
		t.Errorf("DeliverDue took %v, want it to stop with the context", elapsed)
	}
	m := message(t, pool, id)
	if m.Attempts != 0 {
		t.Errorf("Attempts: got %d, want 0", m.Attempts)
	}
	if m.SentAt != nil {
		t.Errorf("SentAt: got %v, want nil", *m.SentAt)
	}
	if n := len(attempts(t, pool, id)); n != 0 {
		t.Errorf("attempt rows: got %d, want 0", n)
	}
}

func TestSenderRejectsInvalidFields(t *testing.T) {
	pool := openDB(t)

	cases := []struct {
		name   string
		sender *outbox.Sender
		want   string
	}{
		{"no database", &outbox.Sender{Addr: "127.0.0.1:25", From: senderAddress}, "missing Sender.DB"},
		{"no address", &outbox.Sender{DB: pool, From: senderAddress}, "missing Sender.Addr"},
		{"no sender", &outbox.Sender{DB: pool, Addr: "127.0.0.1:25"}, "invalid sender address"},
		{"line break in sender", &outbox.Sender{DB: pool, Addr: "127.0.0.1:25", From: senderAddress + "\r\nBcc: x@exemple.test"},
			"invalid sender address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.sender.DeliverDue(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("DeliverDue error: got %v, want it to contain %q", err, tc.want)
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err = tc.sender.Run(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run error: got %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestRunDeliversAfterWake(t *testing.T) {
	pool := openDB(t)
	server := startSMTPServer(t, 0)
	logger, _ := newLogger()
	sender := &outbox.Sender{DB: pool, Addr: server.addr, From: senderAddress, Logger: logger, PollInterval: time.Hour}

	// The first message is delivered by the round Run makes when it starts.
	// Once the server has it, that round has selected its messages, so only
	// a Wake can deliver the second one before the hour-long poll.
	enqueue(t, pool, []string{"first@exemple.test"}, "Premier", "Corps", 0, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- sender.Run(ctx) }()
	server.waitAccepted(t, 5*time.Second)

	enqueue(t, pool, []string{"second@exemple.test"}, "Second", "Corps", 0, "")
	sender.Wake()
	server.waitAccepted(t, 5*time.Second)

	got := server.acceptedMessages()
	if len(got) != 2 {
		t.Fatalf("messages accepted by the server: got %d, want 2", len(got))
	}
	if !slices.Equal(got[1].to, []string{"second@exemple.test"}) {
		t.Errorf("second message recipients: got %v, want [second@exemple.test]", got[1].to)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: got %v, want nil after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5s of cancel")
	}
}

func TestWakeBeforeRunDoesNotBlock(t *testing.T) {
	sender := &outbox.Sender{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			sender.Wake()
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Wake blocked without a running Run")
	}
}

func TestDeliverDueConcurrentRoundsSendOnce(t *testing.T) {
	pool := openDB(t)
	server := startSMTPServer(t, 0)
	logger, _ := newLogger()
	sender := &outbox.Sender{DB: pool, Addr: server.addr, From: senderAddress, Logger: logger}

	var recipients []string
	for i := range 10 {
		recipients = append(recipients, "r"+strconv.Itoa(i)+"@exemple.test")
	}
	enqueue(t, pool, recipients, "Sujet", "Corps", 0, "")

	const rounds = 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	totalSent := 0
	for range rounds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent, _, err := sender.DeliverDue(context.Background())
			if err != nil {
				t.Errorf("DeliverDue: %v", err)
			}
			mu.Lock()
			totalSent += sent
			mu.Unlock()
		}()
	}
	wg.Wait()

	if totalSent != len(recipients) {
		t.Errorf("sent over %d concurrent rounds: got %d, want %d", rounds, totalSent, len(recipients))
	}
	var got []string
	for _, m := range server.acceptedMessages() {
		got = append(got, m.to...)
	}
	slices.Sort(got)
	slices.Sort(recipients)
	if !slices.Equal(got, recipients) {
		t.Errorf("recipients seen by the server: got %v, want each of %v once", got, recipients)
	}
	if n := countRows(t, pool, `SELECT COUNT(*) FROM outbox_attempts`); n != len(recipients) {
		t.Errorf("attempt rows: got %d, want %d", n, len(recipients))
	}
}
