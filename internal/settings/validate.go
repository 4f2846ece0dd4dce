package settings

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Kind names of settings fields.
const (
	// KindURL is the base address of the company's endpoints that receive
	// the customs callbacks.
	KindURL = "url"
	// KindToken is the authentication token that customs presents to the
	// company's endpoints.
	KindToken = "token"
	// KindText is free text on a single line.
	KindText = "text"
)

// Limits on settings values.
const (
	// MaxURLBytes is the maximum length in bytes of a stored url, measured
	// after the host name is converted to punycode.
	MaxURLBytes = 2048
	// MinTokenLength and MaxTokenLength bound the length of a token in
	// characters. A token is printable ASCII, so characters are bytes.
	MinTokenLength = 16
	MaxTokenLength = 512
	// MaxTextLength is the maximum length of a text in characters (Unicode
	// code points).
	MaxTextLength = 1000
)

// Messages for the user. None of them contains the value typed, so that a
// token never reaches a page or a log through an error.
var (
	msgURLEncoding  = "L’adresse contient des caractères mal encodés\u00a0: saisissez-la de nouveau."
	msgURLCharacter = "L’adresse ne doit contenir ni espace, ni caractère de contrôle, ni caractère invisible."
	msgURLSyntax    = "L’adresse n’est pas une URL valide. Elle doit avoir la forme https://api.exemple.fr/chemin."
	msgURLScheme    = "L’adresse doit commencer par https://\u00a0: seules les adresses sécurisées sont acceptées."
	msgURLUserInfo  = "L’adresse ne doit pas contenir d’identifiant ni de mot de passe."
	msgURLFragment  = "L’adresse ne doit pas contenir de fragment (partie commençant par «\u00a0#\u00a0»)."
	msgURLNoHost    = "L’adresse doit indiquer un nom de domaine après https://, par exemple https://api.exemple.fr."
	msgURLIPAddress = "L’adresse doit désigner un nom de domaine et non une adresse IP."
	msgURLLocalHost = "L’adresse doit désigner un nom de domaine public complet, comme api.exemple.fr, et non un nom local tel que localhost."
	msgURLHostName  = "Le nom de domaine de l’adresse n’est pas valide. Utilisez des lettres, des chiffres et des tirets, " +
		"en parties de 1 à 63 caractères séparées par des points, sans tiret au début ou à la fin d’une partie."
	msgURLPort = "Le port de l’adresse doit être un nombre entre 1 et " + formatCount(65535) + "."
	// msgURLTooLongFormat takes the length of the normalized url.
	msgURLTooLongFormat = "L’adresse ne doit pas dépasser " + formatCount(MaxURLBytes) +
		" octets une fois normalisée (elle en compte %s)\u00a0: raccourcissez le chemin ou les paramètres."

	msgTokenSpace     = "Le jeton commence ou se termine par un espace\u00a0: recopiez-le sans espace."
	msgTokenCharacter = "Le jeton ne peut contenir que des caractères ASCII imprimables\u00a0: " +
		"lettres non accentuées, chiffres et signes de ponctuation, sans espace."
	msgTokenLength = "Le jeton doit comporter de " + formatCount(MinTokenLength) + " à " +
		formatCount(MaxTokenLength) + " caractères."

	msgTextEncoding = "Le texte contient des caractères mal encodés\u00a0: saisissez-le de nouveau."
	msgTextControl  = "Le texte ne doit contenir ni retour à la ligne, ni tabulation, ni autre caractère de contrôle."
	// msgTextTooLongFormat takes the length of the trimmed text.
	msgTextTooLongFormat = "Le texte ne doit pas dépasser " + formatCount(MaxTextLength) +
		" caractères (il en compte %s)."
)

// asciiSpace lists the ASCII whitespace trimmed around a url.
const asciiSpace = " \t\n\v\f\r"

// InvalidValue is the error for a value that the user must correct. Message
// is a French sentence to show next to the field.
type InvalidValue struct {
	Message string
}

func (e InvalidValue) Error() string {
	return e.Message
}

// NormalizeValue checks input for a settings field of the kind and returns
// the value to store. label is the French label of the field, used in the
// message for a missing value. An input the user must correct gets an
// InvalidValue. An unknown kind gets a plain error, because it is a
// programming error.
//
// An url is trimmed of ASCII whitespace and stored with a lower-case scheme
// and a lower-case punycode host name without trailing dot. A token is
// stored exactly as typed, so a surrounding space is rejected rather than
// trimmed. A text is trimmed of Unicode whitespace.
func NormalizeValue(kind, label, input string) (string, error) {
	switch kind {
	case KindURL:
		return normalizeURLValue(label, input)
	case KindToken:
		return normalizeTokenValue(label, input)
	case KindText:
		return normalizeTextValue(label, input)
	default:
		return "", fmt.Errorf("settings: unknown field kind %q", kind)
	}
}

// URLHost returns the host name of a stored url, lower-case, in punycode,
// without port and trailing dot, for matching against opened domains. It
// returns "" when stored cannot be parsed, or when its host is not a host
// name that NormalizeValue accepts, such as an IP address or localhost.
func URLHost(stored string) string {
	u, err := url.Parse(stored)
	if err != nil || u.Host == "" {
		return ""
	}
	host, err := normalizeHostName(u.Hostname())
	if err != nil {
		return ""
	}
	return host
}

func missingValue(label string) InvalidValue {
	if label == "" {
		return InvalidValue{"Renseignez ce champ."}
	}
	return InvalidValue{"Renseignez le champ «\u00a0" + label + "\u00a0»."}
}

// normalizeURLValue accepts only an https url whose host is a public host
// name with at least one dot, because customs sends its callbacks there.
func normalizeURLValue(label, input string) (string, error) {
	input = strings.Trim(input, asciiSpace)
	if input == "" {
		return "", missingValue(label)
	}
	if !utf8.ValidString(input) {
		return "", InvalidValue{msgURLEncoding}
	}
	for _, r := range input {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", InvalidValue{msgURLCharacter}
		}
	}

	u, err := url.Parse(input)
	if err != nil {
		return "", InvalidValue{msgURLSyntax}
	}
	// url.Parse returns the scheme in lower case.
	if u.Scheme != "https" {
		return "", InvalidValue{msgURLScheme}
	}
	if u.User != nil {
		return "", InvalidValue{msgURLUserInfo}
	}
	// A "#" outside the fragment must be percent-encoded, so any "#" starts
	// a fragment, even an empty one that u.Fragment does not show.
	if strings.Contains(input, "#") {
		return "", InvalidValue{msgURLFragment}
	}
	if u.Host == "" {
		return "", InvalidValue{msgURLNoHost}
	}

	host, err := normalizeHostName(u.Hostname())
	if err != nil {
		return "", err
	}
	// An empty port, as in "https://api.exemple.fr:/", means the default
	// port and is dropped.
	if port := u.Port(); port != "" {
		number, err := strconv.Atoi(port)
		if err != nil || number < 1 || number > 65535 {
			return "", InvalidValue{msgURLPort}
		}
		host = net.JoinHostPort(host, strconv.Itoa(number))
	}
	u.Host = host

	normalized := u.String()
	if len(normalized) > MaxURLBytes {
		return "", InvalidValue{fmt.Sprintf(msgURLTooLongFormat, formatCount(len(normalized)))}
	}
	return normalized, nil
}

// normalizeHostName converts the host name of an url, without port or
// brackets, to lower-case punycode without trailing dot. It rejects IP
// addresses, names without a dot and localhost, because such hosts are not
// public DNS names. It also rejects names that are valid in DNS but not in
// a URL host, such as names with an underscore.
func normalizeHostName(name string) (string, error) {
	if isIPAddress(name) {
		return "", InvalidValue{msgURLIPAddress}
	}
	name = strings.TrimSuffix(name, ".")
	if isIPAddress(name) {
		return "", InvalidValue{msgURLIPAddress}
	}
	// url.Parse decodes percent-encoded bytes in the host without checking
	// UTF-8, and idna.Lookup.ToASCII (golang.org/x/net v0.62.0) converts an
	// invalid byte to U+FFFD without error, so "%80.fr" would pass.
	if name == "" || !utf8.ValidString(name) {
		return "", InvalidValue{msgURLHostName}
	}

	// idna.Lookup also maps upper case and full-width letters, and rejects
	// characters outside letters, digits and hyphens. It accepts empty
	// labels and long names, which isLDHHostName rejects below.
	ascii, err := idna.Lookup.ToASCII(name)
	if err != nil {
		return "", InvalidValue{msgURLHostName}
	}
	ascii = strings.ToLower(ascii)
	if !isLDHHostName(ascii) {
		return "", InvalidValue{msgURLHostName}
	}

	labels := strings.Split(ascii, ".")
	// Browsers parse a host whose last label is a number, such as
	// "192.168.1" or "10.0x1", as an IPv4 address (WHATWG URL Standard,
	// "ends in a number" checker).
	if isNumericLabel(labels[len(labels)-1]) {
		return "", InvalidValue{msgURLIPAddress}
	}
	// RFC 6761 reserves localhost and its subdomains for the loopback
	// interface.
	if len(labels) < 2 || labels[len(labels)-1] == "localhost" {
		return "", InvalidValue{msgURLLocalHost}
	}
	return ascii, nil
}

// isIPAddress reports whether name is an IPv4 or IPv6 address, with or
// without an IPv6 zone.
func isIPAddress(name string) bool {
	if net.ParseIP(name) != nil {
		return true
	}
	_, err := netip.ParseAddr(name)
	return err == nil
}

// isLDHHostName reports whether name follows the letter-digit-hyphen rule
// of DNS host names: at most 253 bytes in labels of 1 to 63 lower-case
// letters, digits or hyphens that neither start nor end with a hyphen.
func isLDHHostName(name string) bool {
	if len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if len(label) < 1 || len(label) > 63 {
			return false
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// isNumericLabel reports whether label is a decimal number, or a
// hexadecimal number with a "0x" prefix, as the WHATWG URL Standard
// parses the parts of an IPv4 address.
func isNumericLabel(label string) bool {
	digits, hexadecimal := strings.CutPrefix(label, "0x")
	if hexadecimal {
		for i := 0; i < len(digits); i++ {
			c := digits[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(label); i++ {
		if label[i] < '0' || label[i] > '9' {
			return false
		}
	}
	return true
}

// normalizeTokenValue returns input unchanged when it is a token of
// printable ASCII without space.
func normalizeTokenValue(label, input string) (string, error) {
	if input == "" {
		return "", missingValue(label)
	}
	first, _ := utf8.DecodeRuneInString(input)
	last, _ := utf8.DecodeLastRuneInString(input)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return "", InvalidValue{msgTokenSpace}
	}
	for i := 0; i < len(input); i++ {
		if input[i] < 0x21 || input[i] > 0x7E {
			return "", InvalidValue{msgTokenCharacter}
		}
	}
	if len(input) < MinTokenLength || len(input) > MaxTokenLength {
		return "", InvalidValue{msgTokenLength}
	}
	return input, nil
}

// normalizeTextValue returns input trimmed of Unicode whitespace when it
// is a single line of at most MaxTextLength characters.
func normalizeTextValue(label, input string) (string, error) {
	input = strings.TrimSpace(input)
	if input == "" {
		return "", missingValue(label)
	}
	if !utf8.ValidString(input) {
		return "", InvalidValue{msgTextEncoding}
	}
	for _, r := range input {
		if unicode.IsControl(r) {
			return "", InvalidValue{msgTextControl}
		}
	}
	if count := utf8.RuneCountInString(input); count > MaxTextLength {
		return "", InvalidValue{fmt.Sprintf(msgTextTooLongFormat, formatCount(count))}
	}
	return input, nil
}

// formatCount writes n as French typography does: numbers of five digits
// or more are grouped by thousands with a no-break space.
func formatCount(n int) string {
	digits := strconv.Itoa(n)
	if len(digits) <= 4 {
		return digits
	}
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString("\u00a0")
		}
		b.WriteRune(c)
	}
	return b.String()
}
