// Package password checks passwords against the customs password policy,
// hashes them with argon2id and generates compliant random passwords.
//
// Check, Hash, HashWithParams and Verify normalise the password to Unicode
// NFC first, so a password typed in decomposed form (NFD) behaves exactly like
// its composed form. No function trims a password.
package password

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length limits of the policy, counted in runes (Unicode code points) after
// NFC normalisation.
const (
	MinLength = 12
	MaxLength = 128
)

// Result is the outcome of Check, with one field per policy rule that is true
// when the password meets the rule.
type Result struct {
	// HasMinLength is true when the password has at least MinLength runes.
	HasMinLength bool
	// WithinMaxLength is true when the password has at most MaxLength runes.
	WithinMaxLength bool
	// HasUpper is true when the password contains an uppercase letter
	// (unicode.IsUpper).
	HasUpper bool
	// HasLower is true when the password contains a lowercase letter
	// (unicode.IsLower).
	HasLower bool
	// HasDigit is true when the password contains a decimal digit
	// (unicode.IsDigit, category Nd, in any script).
	HasDigit bool
	// HasSpecial is true when the password contains a character that is not
	// a letter, a digit, a combining mark or a non-printable character:
	// punctuation, symbols, spaces (including U+0020) and other numbers such
	// as "½".
	HasSpecial bool
	// AllPrintable is true when the password contains no non-printable
	// character (see isNonPrintable) and is valid UTF-8.
	AllPrintable bool
}

// Item is one policy rule as shown to the user.
type Item struct {
	// Key is a stable identifier for the rule: length, max_length, upper,
	// lower, digit, special or printable.
	Key string
	// Label is the rule in French, written to be shown as a checklist entry.
	Label string
	// Met is true when the password meets the rule.
	Met bool
}

// Check normalises pw to NFC and evaluates every policy rule. It never stops
// at the first failure, so the result can drive a full checklist.
func Check(pw string) Result {
	pw = Normalize(pw)

	r := Result{AllPrintable: utf8.ValidString(pw)}
	runes := 0
	for _, c := range pw {
		runes++
		switch {
		case isNonPrintable(c):
			r.AllPrintable = false
		case unicode.IsLetter(c):
			// A letter that is neither uppercase nor lowercase, such as a CJK
			// ideograph or a titlecase digraph, counts toward neither rule.
			if unicode.IsUpper(c) {
				r.HasUpper = true
			}
			if unicode.IsLower(c) {
				r.HasLower = true
			}
		case unicode.IsDigit(c):
			r.HasDigit = true
		case unicode.IsMark(c):
			// A combining mark that NFC could not merge into the previous
			// character still modifies it, so it is not a special character.
		default:
			r.HasSpecial = true
		}
	}
	r.HasMinLength = runes >= MinLength
	r.WithinMaxLength = runes <= MaxLength

	return r
}

// isNonPrintable reports whether c is a character that the policy rejects:
// control characters (Cc) such as NUL, tab and newline, format characters
// (Cf) such as the zero-width space or joiner, line and paragraph separators,
// private-use code points and surrogates.
//
// NOTE: code points unassigned in Go's Unicode tables (unicode.Version) are
// accepted and count as special characters, so that a password with an emoji
// newer than those tables is not rejected as a control character.
func isNonPrintable(c rune) bool {
	return unicode.In(c, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co, unicode.Cs)
}

// OK reports whether the password meets every rule.
func (r Result) OK() bool {
	for _, item := range r.Items() {
		if !item.Met {
			return false
		}
	}
	return true
}

// Items lists the rules in display order with their French labels and
// whether each one is met.
func (r Result) Items() []Item {
	return []Item{
		{Key: "length", Label: "Au moins 12 caractères", Met: r.HasMinLength},
		{Key: "max_length", Label: "Au plus 128 caractères", Met: r.WithinMaxLength},
		{Key: "upper", Label: "Une lettre majuscule", Met: r.HasUpper},
		{Key: "lower", Label: "Une lettre minuscule", Met: r.HasLower},
		{Key: "digit", Label: "Un chiffre", Met: r.HasDigit},
		{Key: "special", Label: "Un caractère spécial (ponctuation, symbole ou espace)", Met: r.HasSpecial},
		{Key: "printable", Label: "Aucun caractère de contrôle", Met: r.AllPrintable},
	}
}

// Message returns one French sentence that names the unmet rules in display
// order, or "" when every rule is met. For example: « Le mot de passe ne
// respecte pas les règles\u00a0: au moins 12 caractères, un chiffre. »
func (r Result) Message() string {
	var unmet []string
	for _, item := range r.Items() {
		if !item.Met {
			unmet = append(unmet, lowerFirst(item.Label))
		}
	}

	switch len(unmet) {
	case 0:
		return ""
	case 1:
		return "Le mot de passe ne respecte pas la règle\u00a0: " + unmet[0] + "."
	default:
		return "Le mot de passe ne respecte pas les règles\u00a0: " + strings.Join(unmet, ", ") + "."
	}
}

// lowerFirst lowercases the first rune of s so that a checklist label can
// continue a sentence.
func lowerFirst(s string) string {
	first, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(first)) + s[size:]
}

// Normalize returns pw in Unicode Normalization Form C. It does not trim or
// otherwise change the password.
func Normalize(pw string) string {
	return norm.NFC.String(pw)
}
