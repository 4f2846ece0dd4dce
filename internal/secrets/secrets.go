// Package secrets encrypts the settings tokens stored in SQLite, such as the
// authentication token that customs presents to a company's system, so that
// a database copied without its key reveals no token.
//
// It uses XChaCha20-Poly1305 (golang.org/x/crypto/chacha20poly1305) with a
// 32-byte key and a random 24-byte nonce for each encryption. Errors never
// contain a plaintext, a key or the content of a key file.
package secrets

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the length of a key in bytes (32).
const KeySize = chacha20poly1305.KeySize

// sealedPrefix marks version 1 of the sealed format, which is
// base64.RawStdEncoding of the nonce followed by the ciphertext and its tag.
const sealedPrefix = "v1:"

var (
	// ErrCiphertext is wrapped by Open when a sealed string is malformed or
	// fails authentication.
	ErrCiphertext = errors.New("secrets: invalid or tampered ciphertext")

	// ErrKey is wrapped by New and LoadKey when a key has the wrong length
	// or encoding, when a key file is unsafe to use, or when LoadKey gets
	// neither an environment value nor a key file path.
	ErrKey = errors.New("secrets: invalid key")
)

// Box is an XChaCha20-Poly1305 cipher for strings with one key. Create it
// with New, because the zero Box has no cipher and panics on use. A Box is
// safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for key, which must be KeySize bytes long, else the
// error wraps ErrKey. The Box keeps its own copy of the key, so the caller
// may clear key afterwards.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w: got %d bytes, want %d", ErrKey, len(key), KeySize)
	}

	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: create XChaCha20-Poly1305 cipher: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext and binds it to additionalData, which is
// authenticated but not encrypted. Callers pass the location of the value,
// for example "account:12/api:DELTAH7/field:token", so that a ciphertext
// copied to another row fails to open there.
//
// The result is "v1:" followed by base64.RawStdEncoding of a fresh random
// 24-byte nonce from crypto/rand and the ciphertext with its 16-byte tag.
// Sealing the same plaintext twice gives different strings.
func (b *Box) Seal(plaintext, additionalData string) (string, error) {
	nonceSize := b.aead.NonceSize()
	sealed := make([]byte, nonceSize, nonceSize+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(sealed); err != nil {
		return "", fmt.Errorf("secrets: generate nonce: %w", err)
	}

	sealed = b.aead.Seal(sealed, sealed[:nonceSize], []byte(plaintext), []byte(additionalData))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Open decrypts a string returned by Seal with the same key and
// additionalData. The error wraps ErrCiphertext when the "v1:" prefix is
// missing, the base64 is invalid, the data is shorter than a nonce and a
// tag, or authentication fails because the key, the additionalData or the
// ciphertext differ from those of Seal.
func (b *Box) Open(sealed, additionalData string) (string, error) {
	encoded, found := strings.CutPrefix(sealed, sealedPrefix)
	if !found {
		return "", fmt.Errorf("%w: missing %q prefix", ErrCiphertext, sealedPrefix)
	}

	data, err := base64.RawStdEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("%w: invalid base64 after %q", ErrCiphertext, sealedPrefix)
	}

	nonceSize := b.aead.NonceSize()
	if len(data) < nonceSize+b.aead.Overhead() {
		return "", fmt.Errorf("%w: got %d bytes, want at least %d for the nonce and the tag",
			ErrCiphertext, len(data), nonceSize+b.aead.Overhead())
	}

	plaintext, err := b.aead.Open(nil, data[:nonceSize], data[nonceSize:], []byte(additionalData))
	if err != nil {
		return "", fmt.Errorf("%w: authentication failed (wrong key, wrong additional data or altered ciphertext)", ErrCiphertext)
	}
	return string(plaintext), nil
}
