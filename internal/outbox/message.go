package outbox

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// messageIDDomain is the right-hand side of the Message-ID header. The
// reserved .test domain cannot clash with a real host.
const messageIDDomain = "console.emulation.test"

// maxHeaderLineLength is the line length RFC 5322 (section 2.1.1)
// recommends. Header fields are folded to stay within it when the value has
// spaces to fold at.
const maxHeaderLineLength = 78

// composeMessage returns the RFC 5322 message for one recipient, with CRLF
// line endings: a UTF-8 plain text body in quoted-printable and a subject
// in RFC 2047 encoded words when it is not plain ASCII. date is the real
// time of sending. Each call draws a new random Message-ID.
func composeMessage(from *mail.Address, to, subject, body string, date time.Time) ([]byte, error) {
	var b bytes.Buffer
	writeHeader(&b, "From", from.String())
	writeHeader(&b, "To", (&mail.Address{Address: to}).String())
	writeHeader(&b, "Subject", mime.QEncoding.Encode("utf-8", subject))
	writeHeader(&b, "Date", date.Format(time.RFC1123Z))
	writeHeader(&b, "Message-ID", "<"+rand.Text()+"@"+messageIDDomain+">")
	writeHeader(&b, "MIME-Version", "1.0")
	writeHeader(&b, "Content-Type", "text/plain; charset=utf-8")
	writeHeader(&b, "Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")

	// In text mode the writer turns every line ending of the body, LF or
	// CRLF, into CRLF and splits longer lines with soft line breaks.
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes(), nil
}

// writeHeader writes the header field "name: value" and its CRLF. It folds
// the field by replacing a single space before a word with CRLF and that
// space, so unfolding restores the value exactly. The space after the colon
// is folded only when the first word then fits on its own line, as an
// encoded word of up to 75 characters does. A word longer than a line
// stays whole, and runs of spaces are never folded.
func writeHeader(b *bytes.Buffer, name, value string) {
	b.WriteString(name)
	b.WriteString(":")
	lineLength := len(name) + 1

	words := strings.Split(value, " ")
	for i, word := range words {
		var foldable bool
		if i == 0 {
			foldable = word != "" && 1+len(word) <= maxHeaderLineLength
		} else {
			foldable = word != "" && words[i-1] != ""
		}
		if foldable && lineLength+1+len(word) > maxHeaderLineLength {
			b.WriteString("\r\n")
			lineLength = 0
		}
		b.WriteString(" ")
		b.WriteString(word)
		lineLength += 1 + len(word)
	}
	b.WriteString("\r\n")
}
