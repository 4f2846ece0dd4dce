package accounts_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/correspondant-entreprise/console/internal/accounts"
)

func TestParseIdentifier(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		want    string
		wantErr error
	}{
		{"3 characters", "abc", "abc", nil},
		{"64 characters", strings.Repeat("a", 64), strings.Repeat("a", 64), nil},
		{"every allowed character", "Boreal.Siege_2026-api", "Boreal.Siege_2026-api", nil},
		{"surrounding spaces trimmed", "  boreal-siege\t", "boreal-siege", nil},
		{"2 characters", "ab", "", accounts.ErrIdentifierLength},
		{"65 characters", strings.Repeat("a", 65), "", accounts.ErrIdentifierLength},
		{"2 characters after trimming", " ab ", "", accounts.ErrIdentifierLength},
		{"accented letter", "boréal", "", accounts.ErrIdentifierCharset},
		{"inner space", "boreal siege", "", accounts.ErrIdentifierCharset},
		{"at sign", "api@boreal", "", accounts.ErrIdentifierCharset},
		{"percent sign", "boreal%", "", accounts.ErrIdentifierCharset},
		{"non-ASCII digit", "compte-٣", "", accounts.ErrIdentifierCharset},
		{"empty", "", "", accounts.ErrIdentifierEmpty},
		{"spaces only", "   ", "", accounts.ErrIdentifierEmpty},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := accounts.ParseIdentifier(tc.input)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("ParseIdentifier(%q) error: got %v, want %v", tc.input, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("ParseIdentifier(%q): got %q, want %q", tc.input, got, tc.want)
			}
		})
	}
}
