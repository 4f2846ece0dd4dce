package password

import (
	"strings"
	"testing"
)

func TestGenerateAlphabet(t *testing.T) {
	alphabet := generateUpper + generateLower + generateDigits + generateSpecial
	if len(alphabet) != 67 {
		t.Errorf("alphabet size: got %d, want 67 as the entropy in Generate's documentation assumes", len(alphabet))
	}

	for _, lookAlike := range "0Oo1lI" {
		if strings.ContainsRune(alphabet, lookAlike) {
			t.Errorf("alphabet: got look-alike %q, want none of 0Oo1lI", lookAlike)
		}
	}

	seen := make(map[rune]bool)
	for _, c := range alphabet {
		if seen[c] {
			t.Errorf("alphabet: got %q twice, want each character once", c)
		}
		seen[c] = true
	}
}

func TestGenerateCompliantAndDistinct(t *testing.T) {
	const count = 200
	alphabet := generateUpper + generateLower + generateDigits + generateSpecial
	seen := make(map[string]bool, count)

	for range count {
		pw, err := Generate()
		if err != nil {
			t.Fatalf("Generate: got error %v, want nil", err)
		}

		if len(pw) != GeneratedLength {
			t.Errorf("Generate %q: got %d characters, want %d", pw, len(pw), GeneratedLength)
		}
		if result := Check(pw); !result.OK() {
			t.Errorf("Check(%q): got %s, want OK", pw, result.Message())
		}
		for _, c := range pw {
			if !strings.ContainsRune(alphabet, c) {
				t.Errorf("Generate %q: got %q, want only characters from the alphabet", pw, c)
			}
		}
		if seen[pw] {
			t.Errorf("Generate: got %q twice, want distinct passwords", pw)
		}
		seen[pw] = true
	}
}

func TestGenerateSpreadsClasses(t *testing.T) {
	// Generate fills position 0 from the uppercase class before the shuffle,
	// so without the shuffle every password would start with an uppercase
	// letter. With it, about two thirds of them do not.
	firstIsUpper := 0
	for range 200 {
		pw, err := Generate()
		if err != nil {
			t.Fatalf("Generate: got error %v, want nil", err)
		}
		if strings.ContainsRune(generateUpper, rune(pw[0])) {
			firstIsUpper++
		}
	}

	if firstIsUpper == 200 {
		t.Errorf("uppercase first character: got 200 of 200 passwords, want a shuffled position")
	}
}
