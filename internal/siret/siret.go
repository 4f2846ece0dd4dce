// Package siret parses, validates and formats French establishment numbers
// (SIRET). A SIRET has 14 digits, and its first 9 digits are the SIREN of the
// company that owns the establishment.
//
// Numbers are kept as strings throughout, because leading zeros are
// significant.
//
// The error messages are French sentences meant to be shown next to the form
// field, so they start with a capital letter and end with a full stop.
package siret

import (
	"errors"
	"strings"
	"unicode"
)

// Sentinel errors returned by Parse. Compare them with errors.Is.
var (
	// ErrEmpty means that nothing remained once separators were removed.
	ErrEmpty = errors.New("Saisissez le SIRET de l’établissement.")

	// ErrFormat means that the input is not exactly 14 ASCII digits once
	// separators are removed.
	ErrFormat = errors.New("Le SIRET doit comporter exactement 14 chiffres.")

	// ErrChecksum means that the 14 digits fail the check described on Valid.
	ErrChecksum = errors.New("Ce SIRET n’est pas valide\u00a0: vérifiez sa saisie (clé de contrôle incorrecte).")
)

const (
	siretLength = 14
	sirenLength = 9

	// laPosteSIREN is the SIREN of La Poste, whose establishments are numbered
	// by a different rule (see Valid).
	laPosteSIREN = "356000000"
)

// Parse removes separators from input, checks that the rest is a valid SIRET
// and returns it as 14 ASCII digits.
//
// The separators removed are Unicode space separators (category Zs, which
// includes the ASCII space, U+00A0 and U+202F), tabs, dots, the ASCII hyphen
// and the dashes U+2010 to U+2015. Any other character, including non-ASCII
// digits such as fullwidth or Arabic-Indic digits, makes Parse return
// ErrFormat.
func Parse(input string) (string, error) {
	digits := stripSeparators(input)

	if digits == "" {
		return "", ErrEmpty
	}
	if !isCanonical(digits) {
		return "", ErrFormat
	}
	if !Valid(digits) {
		return "", ErrChecksum
	}

	return digits, nil
}

// Valid reports whether s is a valid SIRET in canonical form (14 ASCII
// digits).
//
// A SIRET is valid when the Luhn checksum of its 14 digits and the Luhn
// checksum of its 9-digit SIREN both pass. Establishments of La Poste (SIREN
// 356000000) are numbered by another rule, so a SIRET of La Poste that fails
// the Luhn check is still valid when the plain sum of its 14 digits is a
// multiple of 5. A SIRET whose SIREN is 000000000 is invalid, even when it passes both
// Luhn checks.
func Valid(s string) bool {
	if !isCanonical(s) {
		return false
	}

	siren := s[:sirenLength]
	if siren == strings.Repeat("0", sirenLength) {
		return false
	}
	if !luhnValid(siren) {
		return false
	}

	if luhnValid(s) {
		return true
	}

	return siren == laPosteSIREN && digitSum(s)%5 == 0
}

// SIREN returns the first 9 digits of a canonical SIRET, which identify the
// company. It returns "" when s is not 14 ASCII digits.
func SIREN(s string) string {
	if !isCanonical(s) {
		return ""
	}

	return s[:sirenLength]
}

// Format returns the display form of a canonical SIRET, such as
// "732 829 320 00074" but with a no-break space (U+00A0) between the groups
// of 3, 3, 3 and 5 digits. It returns s unchanged when s is not 14 ASCII digits.
func Format(s string) string {
	if !isCanonical(s) {
		return s
	}

	const noBreakSpace = "\u00a0"

	return s[0:3] + noBreakSpace + s[3:6] + noBreakSpace + s[6:9] + noBreakSpace + s[9:]
}

// Digits returns input without the separators that Parse ignores, and
// whether what remains is a non-empty run of ASCII digits. It serves
// searches on partial SIRETs, which Parse would reject.
func Digits(input string) (string, bool) {
	digits := stripSeparators(input)
	if digits == "" {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", false
		}
	}
	return digits, true
}

// stripSeparators returns input without the separators listed on Parse.
func stripSeparators(input string) string {
	var b strings.Builder
	b.Grow(len(input))

	for _, r := range input {
		if isSeparator(r) {
			continue
		}
		b.WriteRune(r)
	}

	return b.String()
}

func isSeparator(r rune) bool {
	switch {
	case r == '\t', r == '.', r == '-':
		return true
	case r >= '\u2010' && r <= '\u2015':
		return true
	default:
		return unicode.Is(unicode.Zs, r)
	}
}

// isCanonical reports whether s is exactly 14 ASCII digits.
func isCanonical(s string) bool {
	if len(s) != siretLength {
		return false
	}

	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}

	return true
}

// luhnValid reports whether the ASCII digits in s pass the Luhn check:
// starting from the rightmost digit, every second digit is doubled (minus 9
// when the result exceeds 9), and the total must be a multiple of 10.
func luhnValid(s string) bool {
	sum := 0
	double := false

	for i := len(s) - 1; i >= 0; i-- {
		digit := int(s[i] - '0')
		if double {
			digit *= 2
			if digit > 9 {
				digit -= 9
			}
		}
		sum += digit
		double = !double
	}

	return sum%10 == 0
}

// digitSum returns the plain sum of the ASCII digits in s.
func digitSum(s string) int {
	sum := 0
	for i := range len(s) {
		sum += int(s[i] - '0')
	}

	return sum
}
