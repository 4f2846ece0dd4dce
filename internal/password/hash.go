package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Errors returned by Verify and HashWithParams. They are wrapped with
// details, so test for them with errors.Is.
var (
	// ErrInvalidHash means that the stored hash is not an argon2id hash in
	// PHC string form, or that a field of it could not be parsed or decoded.
	ErrInvalidHash = errors.New("password: invalid hash")
	// ErrIncompatibleVersion means that the hash uses an argon2 version
	// other than 19 (0x13).
	ErrIncompatibleVersion = errors.New("password: incompatible argon2 version")
	// ErrUnsafeParams means that the parameters are outside the bounds that
	// this package accepts (see Params).
	ErrUnsafeParams = errors.New("password: unsafe argon2 parameters")
)

// Params are the argon2id cost parameters and sizes. Verify rejects a stored
// hash whose parameters fall outside the bounds given for each field, so that
// a corrupted row cannot make the server allocate too much memory or spend too
// long. HashWithParams rejects the same values.
type Params struct {
	// Memory is the memory cost in KiB, from 8×Parallelism to 262144 (256 MiB).
	Memory uint32
	// Iterations is the number of passes over the memory, from 1 to 10.
	Iterations uint32
	// Parallelism is the number of lanes (threads), from 1 to 16.
	Parallelism uint8
	// SaltLength is the salt size in bytes, from 8 to 64.
	SaltLength uint32
	// KeyLength is the derived key size in bytes, from 16 to 64.
	KeyLength uint32
}

// DefaultParams are the parameters that Hash uses: 19456 KiB (19 MiB) of
// memory, 2 iterations, 1 lane, a 16-byte salt and a 32-byte key. The costs
// are the minimum that the OWASP Password Storage Cheat Sheet recommends for
// argon2id. Treat the value as read-only, and rehash a password at sign-in
// when Verify returns different parameters.
//
// OWASP: https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html
var DefaultParams = Params{
	Memory:      19456,
	Iterations:  2,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// Bounds that validate enforces on Params.
const (
	maxMemory      = 256 * 1024 // KiB
	minIterations  = 1
	maxIterations  = 10
	minParallelism = 1
	maxParallelism = 16
	minSaltLength  = 8
	maxSaltLength  = 64
	minKeyLength   = 16
	maxKeyLength   = 64
)

// phcID is the algorithm identifier of argon2id in the PHC string format.
const phcID = "argon2id"

// validate returns an error wrapping ErrUnsafeParams when a field of p is out
// of bounds.
func (p Params) validate() error {
	if p.Parallelism < minParallelism || p.Parallelism > maxParallelism {
		return fmt.Errorf("%w: parallelism p=%d, want %d to %d", ErrUnsafeParams, p.Parallelism, minParallelism, maxParallelism)
	}

	// Argon2 needs at least 8 KiB per lane.
	minMemory := 8 * uint32(p.Parallelism)
	if p.Memory < minMemory || p.Memory > maxMemory {
		return fmt.Errorf("%w: memory m=%d KiB, want %d to %d", ErrUnsafeParams, p.Memory, minMemory, maxMemory)
	}
	if p.Iterations < minIterations || p.Iterations > maxIterations {
		return fmt.Errorf("%w: iterations t=%d, want %d to %d", ErrUnsafeParams, p.Iterations, minIterations, maxIterations)
	}
	if p.SaltLength < minSaltLength || p.SaltLength > maxSaltLength {
		return fmt.Errorf("%w: salt of %d bytes, want %d to %d", ErrUnsafeParams, p.SaltLength, minSaltLength, maxSaltLength)
	}
	if p.KeyLength < minKeyLength || p.KeyLength > maxKeyLength {
		return fmt.Errorf("%w: key of %d bytes, want %d to %d", ErrUnsafeParams, p.KeyLength, minKeyLength, maxKeyLength)
	}
	return nil
}

// Hash normalises pw to NFC and hashes it with DefaultParams. It returns the
// hash in PHC string form, for example
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>" with salt and key in
// unpadded standard base64. Hash does not apply the policy, so call Check
// first.
func Hash(pw string) (string, error) {
	return HashWithParams(pw, DefaultParams)
}

// HashWithParams is Hash with explicit parameters. It returns an error
// wrapping ErrUnsafeParams when p is outside the bounds documented on Params.
func HashWithParams(pw string, p Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", err
	}

	salt := make([]byte, p.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: generate salt: %w", err)
	}
	key := argon2.IDKey([]byte(Normalize(pw)), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)

	return encodeHash(p, salt, key), nil
}

// encodeHash formats the PHC string of an argon2id hash.
func encodeHash(p Params, salt, key []byte) string {
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s",
		phcID, argon2.Version, p.Memory, p.Iterations, p.Parallelism,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
}

// Verify normalises pw to NFC and reports whether it matches the encoded
// hash, comparing keys in constant time. It also returns the parameters of
// the hash, so the caller can rehash the password when they differ from
// DefaultParams. A malformed, incompatible or unsafe hash returns an error
// wrapping ErrInvalidHash, ErrIncompatibleVersion or ErrUnsafeParams, and
// zero Params. Verify does not apply the policy.
func Verify(pw, encoded string) (match bool, params Params, err error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, Params{}, err
	}

	computed := argon2.IDKey([]byte(Normalize(pw)), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	match = subtle.ConstantTimeCompare(computed, key) == 1

	return match, p, nil
}

// decodeHash parses a PHC string and checks its parameters against the bounds
// of Params before anything uses them.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	// "$argon2id$v=19$m=…,t=…,p=…$salt$key" splits into an empty first
	// field and five sections.
	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" {
		return Params{}, nil, nil, fmt.Errorf("%w: got %d $-separated sections, want 5", ErrInvalidHash, len(fields)-1)
	}
	if fields[1] != phcID {
		return Params{}, nil, nil, fmt.Errorf("%w: algorithm %q, want %q", ErrInvalidHash, fields[1], phcID)
	}

	if err := parseVersion(fields[2]); err != nil {
		return Params{}, nil, nil, err
	}

	p, err = parseCosts(fields[3])
	if err != nil {
		return Params{}, nil, nil, err
	}

	salt, err = base64.RawStdEncoding.Strict().DecodeString(fields[4])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: salt is not unpadded base64: %v", ErrInvalidHash, err)
	}
	key, err = base64.RawStdEncoding.Strict().DecodeString(fields[5])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: key is not unpadded base64: %v", ErrInvalidHash, err)
	}
	p.SaltLength = uint32(len(salt))
	p.KeyLength = uint32(len(key))

	if err := p.validate(); err != nil {
		return Params{}, nil, nil, err
	}
	return p, salt, key, nil
}

// parseVersion checks the "v=19" section of a PHC string.
func parseVersion(section string) error {
	value, found := strings.CutPrefix(section, "v=")
	if !found {
		return fmt.Errorf("%w: version section %q, want v=%d", ErrInvalidHash, section, argon2.Version)
	}
	version, err := strconv.ParseUint(value, 10, 32)
	if err != nil {
		return fmt.Errorf("%w: version %q is not a number", ErrInvalidHash, value)
	}
	if version != argon2.Version {
		return fmt.Errorf("%w: version %d, want %d", ErrIncompatibleVersion, version, argon2.Version)
	}
	return nil
}

// parseCosts parses the "m=…,t=…,p=…" section of a PHC string, in that
// order. Values that fit in the field types but are out of bounds are left for
// Params.validate, so they return ErrUnsafeParams.
func parseCosts(section string) (Params, error) {
	names := [3]string{"m", "t", "p"}
	var values [3]uint64

	parts := strings.Split(section, ",")
	if len(parts) != len(names) {
		return Params{}, fmt.Errorf("%w: parameter section %q, want m=<KiB>,t=<iterations>,p=<lanes>", ErrInvalidHash, section)
	}
	for i, part := range parts {
		name, value, found := strings.Cut(part, "=")
		if !found || name != names[i] {
			return Params{}, fmt.Errorf("%w: parameter section %q, want m=<KiB>,t=<iterations>,p=<lanes>", ErrInvalidHash, section)
		}
		number, err := strconv.ParseUint(value, 10, 32)
		if errors.Is(err, strconv.ErrRange) {
			return Params{}, fmt.Errorf("%w: parameter %s=%s does not fit in 32 bits", ErrUnsafeParams, name, value)
		}
		if err != nil {
			return Params{}, fmt.Errorf("%w: parameter %s=%q is not a number", ErrInvalidHash, name, value)
		}
		values[i] = number
	}

	// A lane count above 255 would wrap around in the uint8 field.
	if values[2] > maxParallelism {
		return Params{}, fmt.Errorf("%w: parallelism p=%d, want %d to %d", ErrUnsafeParams, values[2], minParallelism, maxParallelism)
	}
	return Params{
		Memory:      uint32(values[0]),
		Iterations:  uint32(values[1]),
		Parallelism: uint8(values[2]),
	}, nil
}

// dummyHash computes the hash behind DummyHash on first use.
var dummyHash = sync.OnceValue(func() string {
	encoded, err := Hash(rand.Text())
	if err != nil {
		panic("password: hash the dummy secret: " + err.Error())
	}
	return encoded
})

// DummyHash returns a hash made with DefaultParams from a random secret that
// is discarded after hashing, computed once per process. When a sign-in names
// an unknown login, call Verify against DummyHash so the request spends the
// same argon2id time as for a known login with a wrong password. Without it,
// the response time would tell an attacker which logins exist. Verify against
// DummyHash returns false for any password, except with negligible
// probability.
//
// The first call runs argon2id once, and panics if DefaultParams has been
// changed to values outside the bounds of Params. Stored hashes made with
// older parameters take a different time, so rehash them at sign-in.
func DummyHash() string {
	return dummyHash()
}
