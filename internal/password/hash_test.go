package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// cheapParams keeps tests that hash many times fast. They are within the
// bounds that Verify accepts.
var cheapParams = Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// hashForTest hashes pw with p and fails the test on error.
func hashForTest(t testing.TB, pw string, p Params) string {
	t.Helper()
	encoded, err := HashWithParams(pw, p)
	if err != nil {
		t.Fatalf("HashWithParams(%q, %+v): got error %v, want nil", pw, p, err)
	}
	return encoded
}

func TestHashFormat(t *testing.T) {
	encoded, err := Hash("Correct-Horse7")
	if err != nil {
		t.Fatalf("Hash: got error %v, want nil", err)
	}

	wantPrefix := "$argon2id$v=19$m=19456,t=2,p=1$"
	if !strings.HasPrefix(encoded, wantPrefix) {
		t.Fatalf("Hash: got %q, want prefix %q", encoded, wantPrefix)
	}

	sections := strings.Split(strings.TrimPrefix(encoded, wantPrefix), "$")
	if len(sections) != 2 {
		t.Fatalf("salt and key sections: got %d, want 2", len(sections))
	}
	salt, err := base64.RawStdEncoding.DecodeString(sections[0])
	if err != nil {
		t.Fatalf("salt: got error %v, want unpadded base64", err)
	}
	if len(salt) != 16 {
		t.Errorf("salt length: got %d bytes, want 16", len(salt))
	}
	key, err := base64.RawStdEncoding.DecodeString(sections[1])
	if err != nil {
		t.Fatalf("key: got error %v, want unpadded base64", err)
	}
	if len(key) != 32 {
		t.Errorf("key length: got %d bytes, want 32", len(key))
	}
}

func TestHashUsesRandomSalt(t *testing.T) {
	first := hashForTest(t, "Correct-Horse7", cheapParams)
	second := hashForTest(t, "Correct-Horse7", cheapParams)
	if first == second {
		t.Errorf("two hashes of one password: got equal %q, want different salts", first)
	}
}

func TestHashVerifyDefaultParams(t *testing.T) {
	encoded, err := Hash("Correct-Horse7")
	if err != nil {
		t.Fatalf("Hash: got error %v, want nil", err)
	}

	tests := []struct {
		name      string
		pw        string
		wantMatch bool
	}{
		{"same password", "Correct-Horse7", true},
		{"wrong password", "Correct-Horse8", false},
		{"different case", "correct-horse7", false},
		{"trailing space", "Correct-Horse7 ", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			match, params, err := Verify(tt.pw, encoded)
			if err != nil {
				t.Fatalf("Verify: got error %v, want nil", err)
			}
			if match != tt.wantMatch {
				t.Errorf("Verify match: got %t, want %t", match, tt.wantMatch)
			}
			if params != DefaultParams {
				t.Errorf("Verify params: got %+v, want %+v", params, DefaultParams)
			}
		})
	}
}

func TestVerifyReturnsStoredParams(t *testing.T) {
	stored := Params{Memory: 128, Iterations: 3, Parallelism: 2, SaltLength: 8, KeyLength: 16}
	encoded := hashForTest(t, "Correct-Horse7", stored)

	match, params, err := Verify("Correct-Horse7", encoded)
	if err != nil {
		t.Fatalf("Verify: got error %v, want nil", err)
	}
	if !match {
		t.Errorf("Verify match: got false, want true")
	}
	if params != stored {
		t.Errorf("Verify params: got %+v, want %+v", params, stored)
	}
	if params == DefaultParams {
		t.Errorf("Verify params: got DefaultParams, want a difference that triggers a rehash")
	}
}

func TestVerifyNormalizesPassword(t *testing.T) {
	const nfd = "Cafe\u0301-Noir-2026"
	const nfc = "Café-Noir-2026"

	tests := []struct {
		name     string
		hashed   string
		verified string
	}{
		{"NFD hash NFC input", nfd, nfc},
		{"NFC hash NFD input", nfc, nfd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded := hashForTest(t, tt.hashed, cheapParams)
			match, _, err := Verify(tt.verified, encoded)
			if err != nil {
				t.Fatalf("Verify: got error %v, want nil", err)
			}
			if !match {
				t.Errorf("Verify match: got false, want true")
			}
		})
	}
}

func TestHashWithParamsRejectsUnsafe(t *testing.T) {
	tests := []struct {
		name   string
		params Params
	}{
		{"zero value", Params{}},
		{"parallelism 0", Params{Memory: 64, Iterations: 1, Parallelism: 0, SaltLength: 16, KeyLength: 32}},
		{"parallelism 17", Params{Memory: 1024, Iterations: 1, Parallelism: 17, SaltLength: 16, KeyLength: 32}},
		{"memory below 8 per lane", Params{Memory: 15, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}},
		{"memory above 256 MiB", Params{Memory: 262145, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}},
		{"iterations 0", Params{Memory: 64, Iterations: 0, Parallelism: 1, SaltLength: 16, KeyLength: 32}},
		{"iterations 11", Params{Memory: 64, Iterations: 11, Parallelism: 1, SaltLength: 16, KeyLength: 32}},
		{"salt 7 bytes", Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 7, KeyLength: 32}},
		{"salt 65 bytes", Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 65, KeyLength: 32}},
		{"key 15 bytes", Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 15}},
		{"key 65 bytes", Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 65}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := HashWithParams("Correct-Horse7", tt.params)
			if !errors.Is(err, ErrUnsafeParams) {
				t.Errorf("HashWithParams error: got %v, want %v", err, ErrUnsafeParams)
			}
			if encoded != "" {
				t.Errorf("HashWithParams hash: got %q, want empty", encoded)
			}
		})
	}
}

func TestHashWithParamsAcceptsBounds(t *testing.T) {
	tests := []struct {
		name   string
		params Params
	}{
		{"lower bounds", Params{Memory: 8, Iterations: 1, Parallelism: 1, SaltLength: 8, KeyLength: 16}},
		{"upper bounds except memory", Params{Memory: 128, Iterations: 10, Parallelism: 16, SaltLength: 64, KeyLength: 64}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded := hashForTest(t, "Correct-Horse7", tt.params)
			match, params, err := Verify("Correct-Horse7", encoded)
			if err != nil {
				t.Fatalf("Verify: got error %v, want nil", err)
			}
			if !match {
				t.Errorf("Verify match: got false, want true")
			}
			if params != tt.params {
				t.Errorf("Verify params: got %+v, want %+v", params, tt.params)
			}
		})
	}
}

func TestVerifyRejectsCorruptedHash(t *testing.T) {
	salt := base64.RawStdEncoding.EncodeToString(make([]byte, 16))
	key := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	withCosts := func(costs string) string {
		return "$argon2id$v=19$" + costs + "$" + salt + "$" + key
	}

	tests := []struct {
		name    string
		encoded string
		want    error
	}{
		{"empty", "", ErrInvalidHash},
		{"missing section", "$argon2id$v=19$m=64,t=1,p=1$" + salt, ErrInvalidHash},
		{"extra section", withCosts("m=64,t=1,p=1") + "$" + key, ErrInvalidHash},
		{"no leading dollar", strings.TrimPrefix(withCosts("m=64,t=1,p=1"), "$"), ErrInvalidHash},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key, ErrInvalidHash},
		{"argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key, ErrInvalidHash},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", ErrInvalidHash},
		{"version 16", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key, ErrIncompatibleVersion},
		{"version 20", "$argon2id$v=20$m=64,t=1,p=1$" + salt + "$" + key, ErrIncompatibleVersion},
		{"version without prefix", "$argon2id$19$m=64,t=1,p=1$" + salt + "$" + key, ErrInvalidHash},
		{"version not a number", "$argon2id$v=x$m=64,t=1,p=1$" + salt + "$" + key, ErrInvalidHash},
		{"memory 4 GiB", withCosts("m=4194304,t=1,p=1"), ErrUnsafeParams},
		{"memory beyond uint32", withCosts("m=99999999999,t=1,p=1"), ErrUnsafeParams},
		{"memory below 8 per lane", withCosts("m=16,t=1,p=4"), ErrUnsafeParams},
		{"iterations 1000", withCosts("m=64,t=1000,p=1"), ErrUnsafeParams},
		{"iterations 0", withCosts("m=64,t=0,p=1"), ErrUnsafeParams},
		{"parallelism 0", withCosts("m=64,t=1,p=0"), ErrUnsafeParams},
		{"parallelism 255", withCosts("m=4096,t=1,p=255"), ErrUnsafeParams},
		{"parallelism 256", withCosts("m=4096,t=1,p=256"), ErrUnsafeParams},
		{"negative iterations", withCosts("m=64,t=-1,p=1"), ErrInvalidHash},
		{"memory not a number", withCosts("m=lots,t=1,p=1"), ErrInvalidHash},
		{"costs out of order", withCosts("t=1,m=64,p=1"), ErrInvalidHash},
		{"missing cost", withCosts("m=64,t=1"), ErrInvalidHash},
		{"extra cost", withCosts("m=64,t=1,p=1,k=1"), ErrInvalidHash},
		{"bad base64 salt", "$argon2id$v=19$m=64,t=1,p=1$!!not-base64!!$" + key, ErrInvalidHash},
		{"bad base64 key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$%%%%", ErrInvalidHash},
		{"padded base64 key", withCosts("m=64,t=1,p=1") + "=", ErrInvalidHash},
		{
			"short salt",
			"$argon2id$v=19$m=64,t=1,p=1$" + base64.RawStdEncoding.EncodeToString(make([]byte, 7)) + "$" + key,
			ErrUnsafeParams,
		},
		{
			"long salt",
			"$argon2id$v=19$m=64,t=1,p=1$" + base64.RawStdEncoding.EncodeToString(make([]byte, 65)) + "$" + key,
			ErrUnsafeParams,
		},
		{
			"short key",
			"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + base64.RawStdEncoding.EncodeToString(make([]byte, 15)),
			ErrUnsafeParams,
		},
		{
			"long key",
			"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + base64.RawStdEncoding.EncodeToString(make([]byte, 65)),
			ErrUnsafeParams,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			match, params, err := Verify("Correct-Horse7", tt.encoded)
			if !errors.Is(err, tt.want) {
				t.Errorf("Verify error: got %v, want %v", err, tt.want)
			}
			if match {
				t.Errorf("Verify match: got true, want false")
			}
			if params != (Params{}) {
				t.Errorf("Verify params: got %+v, want zero Params", params)
			}
		})
	}
}

func TestVerifyErrorNamesField(t *testing.T) {
	_, _, err := Verify("Correct-Horse7", "$argon2id$v=19$m=4194304,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$"+
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	want := "password: unsafe argon2 parameters: memory m=4194304 KiB, want 8 to 262144"
	if err == nil || err.Error() != want {
		t.Errorf("Verify error: got %v, want %q", err, want)
	}
}

func TestDummyHash(t *testing.T) {
	encoded := DummyHash()
	if again := DummyHash(); again != encoded {
		t.Errorf("second DummyHash: got %q, want %q", again, encoded)
	}

	params, _, _, err := decodeHash(encoded)
	if err != nil {
		t.Fatalf("decode DummyHash: got error %v, want nil", err)
	}
	if params != DefaultParams {
		t.Errorf("DummyHash params: got %+v, want %+v", params, DefaultParams)
	}

	for _, pw := range []string{"", "Correct-Horse7", "password", encoded} {
		t.Run(fmt.Sprintf("input %q", pw), func(t *testing.T) {
			match, _, err := Verify(pw, encoded)
			if err != nil {
				t.Fatalf("Verify: got error %v, want nil", err)
			}
			if match {
				t.Errorf("Verify match: got true, want false")
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	valid, err := HashWithParams("Correct-Horse7", cheapParams)
	if err != nil {
		f.Fatalf("HashWithParams: got error %v, want nil", err)
	}
	f.Add("Correct-Horse7", valid)
	f.Add("", "")
	f.Add("x", "$argon2id$v=19$m=4194304,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("x", "$argon2id$v=19$m=64,t=1,p=255$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("x", "$argon2i$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("x", "$argon2id$v=19$m=64,t=1,p=1$$")
	f.Add("x", "$$$$$")

	f.Fuzz(func(t *testing.T, pw, encoded string) {
		// Verify accepts up to 256 MiB × 10 passes, which is too slow for a
		// fuzzing loop, so expensive but valid hashes only go through decoding.
		params, _, _, err := decodeHash(encoded)
		if err == nil && uint64(params.Memory)*uint64(params.Iterations) > 64*1024 {
			t.Skip("valid but expensive parameters")
		}

		match, params, err := Verify(pw, encoded)
		if err == nil {
			return
		}
		if match {
			t.Errorf("Verify match with error %v: got true, want false", err)
		}
		if params != (Params{}) {
			t.Errorf("Verify params with error %v: got %+v, want zero Params", err, params)
		}
		if !errors.Is(err, ErrInvalidHash) && !errors.Is(err, ErrIncompatibleVersion) && !errors.Is(err, ErrUnsafeParams) {
			t.Errorf("Verify error: got %v, want one of the package's sentinel errors", err)
		}
	})
}
