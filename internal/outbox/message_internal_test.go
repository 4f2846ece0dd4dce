package outbox

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestWriteHeaderFolding(t *testing.T) {
	longWord := strings.Repeat("w", 100)
	cases := []struct {
		name      string
		value     string
		wantLines int
		// longLine is the 1-based line that may exceed the maximum because
		// it has no single space to fold at, or 0.
		longLine int
	}{
		{"short value", "Demande déposée", 1, 0},
		{"encoded words", "=?utf-8?q?D=C3=A9cision_sur_votre_demande_d=E2=80=99?= =?utf-8?q?habilitation?=", 2, 0},
		{"long ASCII text", strings.Repeat("mot ", 40) + "fin", 3, 0},
		{"word longer than a line", longWord + " suite", 2, 1},
		{"first word folded", strings.Repeat("v", 75) + " suite", 3, 0},
		{"double spaces are not folded", strings.Repeat("a  ", 40), 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			writeHeader(&b, "Subject", tc.value)
			raw := b.String()

			if !strings.HasSuffix(raw, "\r\n") {
				t.Errorf("header: got %q, want it to end with CRLF", raw)
			}
			lines := strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n")
			if len(lines) != tc.wantLines {
				t.Errorf("lines: got %d, want %d: %q", len(lines), tc.wantLines, lines)
			}
			for i, line := range lines {
				if len(line) > maxHeaderLineLength && i+1 != tc.longLine {
					t.Errorf("line %d: got %d characters, want at most %d: %q", i+1, len(line), maxHeaderLineLength, line)
				}
				if i > 0 && !strings.HasPrefix(line, " ") {
					t.Errorf("continuation line %d: got %q, want a leading space", i+1, line)
				}
			}

			// RFC 5322 unfolding removes each CRLF that precedes white space.
			if got := strings.ReplaceAll(strings.TrimSuffix(raw, "\r\n"), "\r\n", ""); got != "Subject: "+tc.value {
				t.Errorf("unfolded header: got %q, want %q", got, "Subject: "+tc.value)
			}
		})
	}
}

func TestDefaultBackoff(t *testing.T) {
	cases := []struct {
		attempts int
		want     time.Duration
	}{
		{0, 30 * time.Second},
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{7, 32 * time.Minute},
		{8, time.Hour},
		{100, time.Hour},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d failures", tc.attempts), func(t *testing.T) {
			if got := defaultBackoff(tc.attempts); got != tc.want {
				t.Errorf("defaultBackoff(%d): got %v, want %v", tc.attempts, got, tc.want)
			}
		})
	}
}

func TestTruncateUTF8(t *testing.T) {
	cases := []struct {
		name string
		s    string
		n    int
		want string
	}{
		{"shorter", "abc", 5, "abc"},
		{"exact", "abc", 3, "abc"},
		{"ASCII cut", "abcdef", 4, "abcd"},
		{"inside a rune", "aéb", 2, "a"},
		{"after a rune", "aéb", 3, "aé"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := truncateUTF8(tc.s, tc.n); got != tc.want {
				t.Errorf("truncateUTF8(%q, %d): got %q, want %q", tc.s, tc.n, got, tc.want)
			}
		})
	}
}
