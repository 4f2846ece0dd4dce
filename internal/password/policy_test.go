package password

import (
	"strings"
	"testing"
)

// rules lists which rules a test case expects to be met, keyed like Item.Key.
type rules map[string]bool

// allMet returns the expectation for a compliant password, with the listed
// keys set to unmet.
func allMet(unmetKeys ...string) rules {
	want := rules{
		"length": true, "max_length": true, "upper": true, "lower": true,
		"digit": true, "special": true, "printable": true,
	}
	for _, key := range unmetKeys {
		want[key] = false
	}
	return want
}

func TestCheckRules(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want rules
	}{
		{"compliant ASCII", "Correct-Horse7", allMet()},
		{"exactly 12 characters", "Abcdefgh1-xy", allMet()},
		{"11 characters", "Abcdefg1-xy", allMet("length")},
		{"empty", "", allMet("length", "upper", "lower", "digit", "special")},
		{"exactly 128 characters", "Aa1-" + strings.Repeat("x", 124), allMet()},
		{"129 characters", "Aa1-" + strings.Repeat("x", 125), allMet("max_length")},
		{"128 two-byte runes", "Aa1-" + strings.Repeat("é", 124), allMet()},
		{"129 two-byte runes", "Aa1-" + strings.Repeat("é", 125), allMet("max_length")},
		{"multi-byte letters", "Éléphant-Rose1", allMet()},
		{"11 runes in 14 bytes", "Éléphant-R1", allMet("length")},
		{"NFD shorter after NFC", "E\u0301te\u0301-Noir-12", allMet("length")},
		{"no uppercase", "correct-horse7", allMet("upper")},
		{"no lowercase", "CORRECT-HORSE7", allMet("lower")},
		{"no digit", "Correct-Horse", allMet("digit")},
		{"no special", "CorrectHorse7", allMet("special")},
		{"space only special", "Correct Horse 7", allMet()},
		{"underscore only special", "Correct_Horse7", allMet()},
		{"no-break space special", "Mot\u00a0de\u00a0Passe1", allMet()},
		{"symbol special", "Correct€Horse7", allMet()},
		{"other number special", "CorrectHorse7½", allMet()},
		{"uncomposable mark not special", "Correctq\u0301Horse7", allMet("special")},
		{"ideographs not upper or lower", "漢字漢字漢字漢字漢字1-", allMet("upper", "lower")},
		{"Arabic-Indic digit", "Correct-Horse\u0663", allMet()},
		{"tab", "Correct\tHorse-7", allMet("printable")},
		{"newline", "Correct-Horse7\n", allMet("printable")},
		{"carriage return", "Correct-Horse7\r", allMet("printable")},
		{"NUL", "Correct-Horse7\x00", allMet("printable")},
		{"zero-width space", "Correct\u200bHorse-7", allMet("printable")},
		{"line separator", "Correct\u2028Horse-7", allMet("printable")},
		{"private use", "Correct\ue000Horse-7", allMet("printable")},
		{"invalid UTF-8", "Correct-Horse7\xff", allMet("printable")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := Check(tt.pw)
			for _, item := range result.Items() {
				if item.Met != tt.want[item.Key] {
					t.Errorf("rule %s: got met=%t, want %t", item.Key, item.Met, tt.want[item.Key])
				}
			}

			wantOK := true
			for _, met := range tt.want {
				wantOK = wantOK && met
			}
			if result.OK() != wantOK {
				t.Errorf("OK(): got %t, want %t", result.OK(), wantOK)
			}
		})
	}
}

func TestCheckNFDEqualsNFC(t *testing.T) {
	tests := []struct {
		name string
		nfd  string
		nfc  string
	}{
		{"acute accent", "Cafe\u0301-Noir-2026", "Café-Noir-2026"},
		{"cedilla and grave", "Franc\u0327ais-a\u0300-2026", "Français-à-2026"},
		{"Hangul jamo", "\u1100\u1161\u11a8-Mot-de-passe1", "각-Mot-de-passe1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.nfd); got != tt.nfc {
				t.Errorf("Normalize: got %q, want %q", got, tt.nfc)
			}

			fromNFD, fromNFC := Check(tt.nfd), Check(tt.nfc)
			if fromNFD != fromNFC {
				t.Errorf("Check(NFD): got %+v, want %+v", fromNFD, fromNFC)
			}
			if !fromNFC.OK() {
				t.Errorf("Check(NFC).OK(): got false, want true (%s)", fromNFC.Message())
			}
		})
	}
}

func TestNormalizeKeepsSpaces(t *testing.T) {
	pw := "  Correct-Horse7  "
	if got := Normalize(pw); got != pw {
		t.Errorf("Normalize: got %q, want %q", got, pw)
	}
}

func TestResultItemsOrder(t *testing.T) {
	want := []Item{
		{Key: "length", Label: "Au moins 12 caractères"},
		{Key: "max_length", Label: "Au plus 128 caractères"},
		{Key: "upper", Label: "Une lettre majuscule"},
		{Key: "lower", Label: "Une lettre minuscule"},
		{Key: "digit", Label: "Un chiffre"},
		{Key: "special", Label: "Un caractère spécial (ponctuation, symbole ou espace)"},
		{Key: "printable", Label: "Aucun caractère de contrôle"},
	}

	got := Result{}.Items()
	if len(got) != len(want) {
		t.Fatalf("len(Items()): got %d, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Key != want[i].Key {
			t.Errorf("Items()[%d].Key: got %q, want %q", i, got[i].Key, want[i].Key)
		}
		if got[i].Label != want[i].Label {
			t.Errorf("Items()[%d].Label: got %q, want %q", i, got[i].Label, want[i].Label)
		}
	}
}

func TestResultItemsFollowFields(t *testing.T) {
	result := Result{HasMinLength: true, HasUpper: true, HasDigit: true, AllPrintable: true}
	want := map[string]bool{
		"length": true, "max_length": false, "upper": true, "lower": false,
		"digit": true, "special": false, "printable": true,
	}

	for _, item := range result.Items() {
		if item.Met != want[item.Key] {
			t.Errorf("rule %s: got met=%t, want %t", item.Key, item.Met, want[item.Key])
		}
	}
}

func TestResultMessage(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want string
	}{
		{"compliant", "Correct-Horse7", ""},
		{"one rule", "Correct-Horse", "Le mot de passe ne respecte pas la règle\u00a0: un chiffre."},
		{"two rules", "Abc-defgh", "Le mot de passe ne respecte pas les règles\u00a0: au moins 12 caractères, un chiffre."},
		{
			"control character",
			"Correct-Horse7\t",
			"Le mot de passe ne respecte pas la règle\u00a0: aucun caractère de contrôle.",
		},
		{
			"empty password",
			"",
			"Le mot de passe ne respecte pas les règles\u00a0: au moins 12 caractères, une lettre majuscule, " +
				"une lettre minuscule, un chiffre, un caractère spécial (ponctuation, symbole ou espace).",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Check(tt.pw).Message(); got != tt.want {
				t.Errorf("Message(): got %q, want %q", got, tt.want)
			}
		})
	}
}
