package accounts

import (
	"errors"
	"strings"
)

// Identifier length bounds, in characters.
const (
	IdentifierMinLength = 3
	IdentifierMaxLength = 64
)

// Identifier errors. Their messages are French sentences shown next to the
// form field.
var (
	ErrIdentifierEmpty   = errors.New("Saisissez l’identifiant du compte API.")
	ErrIdentifierLength  = errors.New("L’identifiant doit comporter de 3 à 64 caractères.")
	ErrIdentifierCharset = errors.New("L’identifiant ne peut contenir que des lettres non accentuées, des chiffres et les caractères «\u00a0.\u00a0», «\u00a0_\u00a0» et «\u00a0-\u00a0».")
	ErrIdentifierTaken   = errors.New("Cet identifiant est déjà pris par un compte API, actuel ou supprimé\u00a0: choisissez-en un autre.")
)

// ParseIdentifier checks an API account identifier and returns it without
// surrounding spaces. An identifier has 3 to 64 characters among the ASCII
// letters, digits, '.', '_' and '-'. ASCII only, because the identifier
// becomes the OAuth2 client name that partner systems type and store.
// Uniqueness is compared without case by the database.
func ParseIdentifier(input string) (string, error) {
	s := strings.TrimSpace(input)
	if s == "" {
		return "", ErrIdentifierEmpty
	}
	for _, r := range s {
		if !isIdentifierRune(r) {
			return "", ErrIdentifierCharset
		}
	}
	if len(s) < IdentifierMinLength || len(s) > IdentifierMaxLength {
		return "", ErrIdentifierLength
	}
	return s, nil
}

func isIdentifierRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case r == '.', r == '_', r == '-':
		return true
	}
	return false
}
