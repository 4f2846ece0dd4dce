package secrets_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/correspondant-entreprise/console/internal/secrets"
)

const (
	testAdditionalData = "account:12/api:DELTAH7/field:token"
	nonceSize          = 24
	tagSize            = 16
)

// newTestBox returns a Box whose key is KeySize copies of fill.
func newTestBox(t *testing.T, fill byte) *secrets.Box {
	t.Helper()
	box, err := secrets.New(bytes.Repeat([]byte{fill}, secrets.KeySize))
	if err != nil {
		t.Fatalf("New: got error %v, want nil", err)
	}
	return box
}

// decodeSealed returns the bytes after the "v1:" prefix of sealed.
func decodeSealed(t *testing.T, sealed string) []byte {
	t.Helper()
	encoded, found := strings.CutPrefix(sealed, "v1:")
	if !found {
		t.Fatalf("sealed %q: got no \"v1:\" prefix, want one", sealed)
	}
	data, err := base64.RawStdEncoding.DecodeString(encoded)
	if err != nil {
		t.Fatalf("sealed %q: got base64 error %v, want raw standard base64", sealed, err)
	}
	return data
}

func TestSealOpenRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		plaintext string
	}{
		{"empty", ""},
		{"ascii token", "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.Zm9v"},
		{"512 characters", strings.Repeat("abcdefgh", 64)},
		{"utf-8", "jeton-douane-éàçü-日本語-🔑"},
	}
	box := newTestBox(t, 0x42)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := box.Seal(tt.plaintext, testAdditionalData)
			if err != nil {
				t.Fatalf("Seal: got error %v, want nil", err)
			}

			data := decodeSealed(t, sealed)
			if got, want := len(data), nonceSize+len(tt.plaintext)+tagSize; got != want {
				t.Errorf("decoded length: got %d bytes, want %d (nonce, ciphertext and tag)", got, want)
			}
			if tt.plaintext != "" && strings.Contains(sealed, tt.plaintext) {
				t.Errorf("Seal: got %q, want a string without the plaintext", sealed)
			}

			opened, err := box.Open(sealed, testAdditionalData)
			if err != nil {
				t.Fatalf("Open: got error %v, want nil", err)
			}
			if opened != tt.plaintext {
				t.Errorf("Open: got %q, want %q", opened, tt.plaintext)
			}
		})
	}
}

func TestSealFreshNonce(t *testing.T) {
	box := newTestBox(t, 0x42)
	const plaintext = "same-token"

	first, err := box.Seal(plaintext, testAdditionalData)
	if err != nil {
		t.Fatalf("first Seal: got error %v, want nil", err)
	}
	second, err := box.Seal(plaintext, testAdditionalData)
	if err != nil {
		t.Fatalf("second Seal: got error %v, want nil", err)
	}

	if first == second {
		t.Errorf("two Seals: got %q twice, want different strings", first)
	}
	firstNonce := decodeSealed(t, first)[:nonceSize]
	secondNonce := decodeSealed(t, second)[:nonceSize]
	if bytes.Equal(firstNonce, secondNonce) {
		t.Errorf("two Seals: got nonce %x twice, want different nonces", firstNonce)
	}

	for i, sealed := range []string{first, second} {
		opened, err := box.Open(sealed, testAdditionalData)
		if err != nil {
			t.Fatalf("Open of Seal %d: got error %v, want nil", i+1, err)
		}
		if opened != plaintext {
			t.Errorf("Open of Seal %d: got %q, want %q", i+1, opened, plaintext)
		}
	}
}

func TestOpenRejectsInvalidCiphertext(t *testing.T) {
	const plaintext = "secret-token-value"
	box := newTestBox(t, 0x42)
	otherBox := newTestBox(t, 0x43)

	sealed, err := box.Seal(plaintext, testAdditionalData)
	if err != nil {
		t.Fatalf("Seal: got error %v, want nil", err)
	}
	data := decodeSealed(t, sealed)

	// flip returns sealed with one bit of byte index flipped.
	flip := func(index int) string {
		altered := bytes.Clone(data)
		altered[index] ^= 0x01
		return "v1:" + base64.RawStdEncoding.EncodeToString(altered)
	}
	encode := func(b []byte) string {
		return "v1:" + base64.RawStdEncoding.EncodeToString(b)
	}

	tests := []struct {
		name           string
		box            *secrets.Box
		sealed         string
		additionalData string
	}{
		{"wrong additional data", box, sealed, "account:13/api:DELTAH7/field:token"},
		{"empty additional data", box, sealed, ""},
		{"wrong key", otherBox, sealed, testAdditionalData},
		{"flipped nonce byte", box, flip(0), testAdditionalData},
		{"flipped ciphertext byte", box, flip(nonceSize + 3), testAdditionalData},
		{"flipped tag byte", box, flip(len(data) - 1), testAdditionalData},
		{"truncated by one byte", box, encode(data[:len(data)-1]), testAdditionalData},
		{"truncated to nonce and tag", box, encode(data[:nonceSize+tagSize]), testAdditionalData},
		{"shorter than nonce and tag", box, encode(data[:nonceSize+tagSize-1]), testAdditionalData},
		{"truncated base64", box, sealed[:len(sealed)-5], testAdditionalData},
		{"wrong prefix", box, "v2:" + strings.TrimPrefix(sealed, "v1:"), testAdditionalData},
		{"missing prefix", box, strings.TrimPrefix(sealed, "v1:"), testAdditionalData},
		{"empty string", box, "", testAdditionalData},
		{"prefix only", box, "v1:", testAdditionalData},
		{"bad base64", box, "v1:not*base64!", testAdditionalData},
		{"padded base64", box, "v1:" + base64.StdEncoding.EncodeToString(data[:len(data)-1]), testAdditionalData},
		{"url alphabet", box, "v1:" + strings.Repeat("-_", 40), testAdditionalData},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opened, err := tt.box.Open(tt.sealed, tt.additionalData)
			if !errors.Is(err, secrets.ErrCiphertext) {
				t.Fatalf("Open: got error %v, want ErrCiphertext", err)
			}
			if opened != "" {
				t.Errorf("Open: got plaintext %q, want empty on error", opened)
			}
			if strings.Contains(err.Error(), plaintext) {
				t.Errorf("Open error: got %q, want a message without the plaintext", err)
			}
		})
	}
}

func TestNewKeyLength(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		wantErr error
	}{
		{"empty", 0, secrets.ErrKey},
		{"31 bytes", 31, secrets.ErrKey},
		{"32 bytes", 32, nil},
		{"33 bytes", 33, secrets.ErrKey},
		{"64 bytes", 64, secrets.ErrKey},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			box, err := secrets.New(make([]byte, tt.size))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("New: got error %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil && box != nil {
				t.Errorf("New: got a Box, want nil on error")
			}
			if tt.wantErr == nil && box == nil {
				t.Errorf("New: got nil Box, want a Box")
			}
		})
	}
}

func TestNewCopiesKey(t *testing.T) {
	key := bytes.Repeat([]byte{0x42}, secrets.KeySize)
	box, err := secrets.New(key)
	if err != nil {
		t.Fatalf("New: got error %v, want nil", err)
	}
	sealed, err := box.Seal("token", testAdditionalData)
	if err != nil {
		t.Fatalf("Seal: got error %v, want nil", err)
	}

	clear(key)

	opened, err := box.Open(sealed, testAdditionalData)
	if err != nil {
		t.Fatalf("Open after clearing the caller's key: got error %v, want nil", err)
	}
	if opened != "token" {
		t.Errorf("Open after clearing the caller's key: got %q, want %q", opened, "token")
	}
}

func TestBoxConcurrentUse(t *testing.T) {
	box := newTestBox(t, 0x42)
	const goroutines = 8

	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for i := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			plaintext := strings.Repeat("x", i)
			for range 100 {
				sealed, err := box.Seal(plaintext, testAdditionalData)
				if err != nil {
					errs <- err
					return
				}
				opened, err := box.Open(sealed, testAdditionalData)
				if err != nil {
					errs <- err
					return
				}
				if opened != plaintext {
					errs <- fmt.Errorf("Open: got %q, want %q", opened, plaintext)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)

	for err := range errs {
		t.Errorf("concurrent Seal and Open: got error %v, want nil", err)
	}
}
