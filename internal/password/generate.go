package password

import (
	"crypto/rand"
	"fmt"
	"math/big"
)

// GeneratedLength is the length in characters of the passwords that Generate
// returns.
const GeneratedLength = 20

// Character classes for Generate. They leave out look-alike characters
// (0, O and o; 1, l and I) and keep only specials that are easy to type on
// common keyboards.
const (
	generateUpper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	generateLower   = "abcdefghijkmnpqrstuvwxyz"
	generateDigits  = "23456789"
	generateSpecial = "-_.!?@#%+=*"
)

// Generate returns a random password of GeneratedLength ASCII characters
// that meets the policy. It draws every character with crypto/rand from an
// alphabet of 67 characters without look-alikes, and always includes an
// uppercase letter, a lowercase letter, a digit and a special character.
// Its entropy is at least 16 × log2(67) ≈ 97 bits, from the 16 characters
// drawn from the whole alphabet, and at most 20 × log2(67) ≈ 121 bits.
func Generate() (string, error) {
	const alphabet = generateUpper + generateLower + generateDigits + generateSpecial

	// One character from each class guarantees the policy, and the rest come
	// from the whole alphabet. The shuffle then hides which positions hold
	// the guaranteed characters.
	classes := []string{generateUpper, generateLower, generateDigits, generateSpecial}
	for len(classes) < GeneratedLength {
		classes = append(classes, alphabet)
	}

	password := make([]byte, GeneratedLength)
	for i, class := range classes {
		index, err := randomIndex(len(class))
		if err != nil {
			return "", err
		}
		password[i] = class[index]
	}

	// Fisher–Yates shuffle.
	for i := len(password) - 1; i > 0; i-- {
		j, err := randomIndex(i + 1)
		if err != nil {
			return "", err
		}
		password[i], password[j] = password[j], password[i]
	}

	return string(password), nil
}

// randomIndex returns a uniformly distributed integer in [0, n) from
// crypto/rand.
func randomIndex(n int) (int, error) {
	index, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("password: read random number: %w", err)
	}
	return int(index.Int64()), nil
}
