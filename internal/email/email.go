// Package email validates and normalizes the e-mail address of an API
// account.
//
// The error messages are French sentences meant to be shown next to the form
// field, so they start with a capital letter and end with a full stop.
package email

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Sentinel errors returned by Normalize. Compare them with errors.Is.
var (
	// ErrEmpty means that the input is empty or contains only whitespace.
	ErrEmpty = errors.New("Saisissez une adresse électronique.")

	// ErrInvalid means that the input is not a single valid address, for
	// example because its syntax is wrong, it contains a control character or
	// a domain label is invalid.
	ErrInvalid = errors.New("Cette adresse électronique n’est pas valide\u00a0: saisissez-la sous la forme nom@entreprise.fr.")

	// ErrDisplayName means that the input contains a display name, angle
	// brackets or a comment around the address.
	ErrDisplayName = errors.New("Saisissez l’adresse seule, sans nom d’affichage ni chevrons (par exemple nom@entreprise.fr).")

	// ErrMultiple means that the input contains several addresses separated
	// by commas or semicolons.
	ErrMultiple = errors.New("Saisissez une seule adresse électronique.")

	// ErrTooLong means that the canonical address, with its domain in
	// punycode, is longer than 254 bytes.
	ErrTooLong = errors.New("L’adresse électronique dépasse 254 octets.")

	// ErrDomain means that the domain has no dot, such as "localhost".
	ErrDomain = errors.New("Le domaine de l’adresse doit comporter au moins un point (par exemple entreprise.fr).")

	// ErrQuotedLocalPart means that the local part is a quoted string, such
	// as "john doe"@entreprise.fr. RFC 5322 allows it, but Normalize rejects
	// it to keep stored addresses simple.
	ErrQuotedLocalPart = errors.New("Les guillemets ne sont pas acceptés dans l’adresse électronique\u00a0: saisissez-la sous la forme nom@entreprise.fr.")
)

const (
	// maxAddressLength is the maximum length in bytes of a forward or
	// reverse path in SMTP (RFC 5321, section 4.5.3.1.3), minus the two
	// angle brackets.
	maxAddressLength = 254

	// maxLabelLength is the maximum length in bytes of a DNS label
	// (RFC 1035, section 2.3.4).
	maxLabelLength = 63
)

// Normalize checks that input is a single bare e-mail address and returns
// its canonical form.
//
// Surrounding ASCII whitespace is trimmed. The local part is kept as given,
// case included. The domain is converted to lower-case ASCII with the IDNA
// Lookup profile, so an internationalised domain is returned in punycode
// ("exämple.fr" becomes "xn--exmple-cua.fr"). The canonical address must be
// at most 254 bytes long.
//
// Normalize rejects display names, angle brackets, comments, quoted local
// parts, lists of addresses, control characters and domains without a dot.
// Every error it returns is one of the sentinel errors of this package.
func Normalize(input string) (string, error) {
	address := strings.Trim(input, " \t\n\v\f\r")
	if address == "" {
		return "", ErrEmpty
	}
	if !utf8.ValidString(address) || containsControl(address) {
		return "", ErrInvalid
	}
	if containsSeveralAddresses(address) {
		return "", ErrMultiple
	}

	if err := checkBareAddress(address); err != nil {
		return "", err
	}

	at := strings.LastIndexByte(address, '@')
	localPart, domain := address[:at], address[at+1:]

	if containsInvisible(localPart) {
		return "", ErrInvalid
	}

	asciiDomain, err := normalizeDomain(domain)
	if err != nil {
		return "", err
	}

	// NOTE: RFC 5321 also limits the local part to 64 bytes. That limit is
	// not enforced here, so a longer local part is accepted.
	normalized := localPart + "@" + asciiDomain
	if len(normalized) > maxAddressLength {
		return "", ErrTooLong
	}

	return normalized, nil
}

// checkBareAddress parses address with net/mail and returns an error unless
// address is exactly one addr-spec, with nothing around it.
func checkBareAddress(address string) error {
	parsed, err := mail.ParseAddress(address)
	if err != nil {
		return ErrInvalid
	}

	// net/mail stores a trailing comment such as "a@b.fr (Jean)" as the name.
	if parsed.Name != "" {
		return ErrDisplayName
	}

	// net/mail returns a quoted local part without its quotes, so the parsed
	// address differs from the input.
	if strings.HasPrefix(address, `"`) {
		return ErrQuotedLocalPart
	}

	if strings.ContainsAny(address, "<>") {
		return ErrDisplayName
	}
	if parsed.Address != address {
		return ErrInvalid
	}

	return nil
}

// normalizeDomain converts domain to lower-case ASCII with the IDNA Lookup
// profile and checks that the result is a host name of at least two labels.
func normalizeDomain(domain string) (string, error) {
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", ErrInvalid
	}
	ascii = strings.ToLower(ascii)

	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", ErrDomain
	}

	for _, label := range labels {
		if !isHostLabel(label) {
			return "", ErrInvalid
		}
	}

	return ascii, nil
}

// isHostLabel reports whether label is 1 to 63 lower-case ASCII letters,
// digits and hyphens, neither starting nor ending with a hyphen.
func isHostLabel(label string) bool {
	if label == "" || len(label) > maxLabelLength {
		return false
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}

	for i := range len(label) {
		c := label[i]
		isLetter := c >= 'a' && c <= 'z'
		isDigit := c >= '0' && c <= '9'
		if !isLetter && !isDigit && c != '-' {
			return false
		}
	}

	return true
}

// containsSeveralAddresses reports whether s, split at commas and
// semicolons, has at least two parts that contain an '@'.
func containsSeveralAddresses(s string) bool {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';'
	})

	count := 0
	for _, part := range parts {
		if strings.Contains(part, "@") {
			count++
		}
	}

	return count >= 2
}

// containsControl reports whether s contains a control character (Unicode
// category Cc, which includes line feed and tab) or a line or paragraph
// separator (U+2028, U+2029).
func containsControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	})
}

// containsInvisible reports whether s contains a space or a format character
// (Unicode category Cf, such as U+200B or the bidirectional overrides).
// net/mail accepts any non-ASCII character in a local part, including these
// invisible ones.
func containsInvisible(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
	})
}
