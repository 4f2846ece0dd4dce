package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// keyFormat describes the accepted key encodings in error messages.
const keyFormat = "32 bytes encoded as base64 (standard or URL alphabet, padded or not) or as 64 hexadecimal digits"

// maxKeyFileSize is the number of bytes LoadKey reads from a key file. It
// leaves room for the longest valid line, 64 hexadecimal digits and "\r\n",
// so a larger file is rejected without being read whole.
const maxKeyFileSize = 128

// keyEncodings are the base64 variants that parseKey accepts. Strict mode
// rejects non-zero padding bits, so each key has one text per variant.
var keyEncodings = []*base64.Encoding{
	base64.StdEncoding.Strict(),
	base64.RawStdEncoding.Strict(),
	base64.URLEncoding.Strict(),
	base64.RawURLEncoding.Strict(),
}

// KeyPath returns the path of the key file beside the database file dbPath.
// The key file is in the same directory, and its name is the database file
// name with the extension replaced by ".key" ("data/console.db" gives
// "data/console.key", and "data/x" gives "data/x.key"). A database name that already ends in ".key" gets a second
// ".key", so the key file never has the database's path. dbPath is a file
// path, not an SQLite DSN.
func KeyPath(dbPath string) string {
	name := filepath.Base(dbPath)
	ext := filepath.Ext(name)

	// A leading dot starts a hidden name, not an extension, so ".db" has no
	// extension to replace.
	if ext == name || ext == ".key" {
		ext = ""
	}
	return strings.TrimSuffix(dbPath, ext) + ".key"
}

// LoadKey returns the encryption key, with created true when it generated
// and stored a new one.
//
// When envValue is not empty, LoadKey decodes the key from it and ignores
// keyPath. The value must be 32 bytes encoded as base64 (standard or URL
// alphabet, padded or not) or as 64 hexadecimal digits, else the error
// wraps ErrKey.
//
// Otherwise LoadKey reads the key file at keyPath. The file must contain one
// line in the same format, optionally ended by "\n" or "\r\n", and must not
// be accessible by group or others (mode & 0o077 == 0), else the error wraps
// ErrKey. When the file does not exist, LoadKey creates its directory (mode
// 0750) if missing, writes a random key from crypto/rand as padded standard
// base64 to a temporary file of mode 0600 in that directory, syncs it,
// links it to keyPath, removes the temporary name and syncs the directory.
// The link fails rather than replace a file, so when several processes
// race to create the key, one wins and the others read its file, and every
// caller gets the same key.
//
// NOTE: the key file code assumes POSIX permission bits and hard links, as
// on Linux. On Windows, Go reports mode 0666 for every writable file, so
// LoadKey rejects any key file there and the key must come from envValue.
func LoadKey(envValue, keyPath string) (key []byte, created bool, err error) {
	if envValue != "" {
		key, ok := parseKey(envValue)
		if !ok {
			return nil, false, fmt.Errorf("%w: the environment value must be %s", ErrKey, keyFormat)
		}
		return key, false, nil
	}

	if keyPath == "" {
		return nil, false, fmt.Errorf("%w: no environment value and an empty key file path", ErrKey)
	}

	key, err = readKeyFile(keyPath)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}

	return createKeyFile(keyPath)
}

// parseKey decodes text as 64 hexadecimal digits or as base64 in one of
// keyEncodings, and reports whether it decoded to exactly KeySize bytes.
func parseKey(text string) ([]byte, bool) {
	// The base64 decoder skips '\r' and '\n', but a key is a single line.
	if strings.ContainsAny(text, "\r\n") {
		return nil, false
	}

	// 64 base64 characters decode to 48 bytes, so a 64-character text is a
	// key only in hexadecimal.
	if len(text) == 2*KeySize {
		key, err := hex.DecodeString(text)
		if err != nil {
			return nil, false
		}
		return key, true
	}

	for _, encoding := range keyEncodings {
		key, err := encoding.DecodeString(text)
		if err == nil && len(key) == KeySize {
			return key, true
		}
	}
	return nil, false
}

// readKeyFile reads and decodes the key file at path. The error wraps
// fs.ErrNotExist when the file does not exist, and ErrKey when the file is
// not a regular file, is accessible by group or others, or does not contain
// a valid key.
func readKeyFile(path string) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("secrets: open key file %s: %w", path, err)
	}
	defer file.Close()

	// Stat the open file rather than the path, so the checked file is the
	// one that is read even if the path is replaced in between.
	info, err := file.Stat()
	if err != nil {
		return nil, fmt.Errorf("secrets: stat key file %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: key file %s is not a regular file", ErrKey, path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: key file %s is accessible by group or others (mode %04o), so run chmod 600 %s",
			ErrKey, path, perm, path)
	}

	content, err := io.ReadAll(io.LimitReader(file, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("secrets: read key file %s: %w", path, err)
	}

	errInvalidContent := fmt.Errorf("%w: key file %s must contain one line with %s", ErrKey, path, keyFormat)
	if len(content) > maxKeyFileSize {
		return nil, errInvalidContent
	}

	text := string(content)
	text = strings.TrimSuffix(text, "\n")
	text = strings.TrimSuffix(text, "\r")
	key, ok := parseKey(text)
	if !ok {
		return nil, errInvalidContent
	}
	return key, nil
}

// createKeyFile stores a new random key at path and returns it with created
// true. When another process or goroutine creates path first, it returns the
// key of that file with created false.
func createKeyFile(path string) (key []byte, created bool, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, false, fmt.Errorf("secrets: create key directory %s: %w", dir, err)
	}

	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("secrets: generate key: %w", err)
	}

	tempPath, err := writeTempKeyFile(dir, key)
	if err != nil {
		return nil, false, err
	}

	// os.Link fails with fs.ErrExist instead of replacing path, unlike
	// os.Rename, so a key that another caller stored first is never lost.
	linkErr := os.Link(tempPath, path)
	removeErr := os.Remove(tempPath)

	if errors.Is(linkErr, fs.ErrExist) {
		if removeErr != nil {
			return nil, false, fmt.Errorf("secrets: remove temporary key file %s: %w", tempPath, removeErr)
		}
		existing, err := readKeyFile(path)
		if err != nil {
			return nil, false, err
		}
		return existing, false, nil
	}
	if linkErr != nil {
		return nil, false, fmt.Errorf("secrets: create key file %s: %w", path, linkErr)
	}
	if removeErr != nil {
		return nil, false, fmt.Errorf("secrets: remove temporary key file %s: %w", tempPath, removeErr)
	}

	if err := syncDir(dir); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// writeTempKeyFile writes key as one line of padded standard base64 to a new
// file of mode 0600 in dir, syncs it to disk and returns its path. On error
// it removes the file.
func writeTempKeyFile(dir string, key []byte) (path string, err error) {
	// os.CreateTemp opens with O_EXCL and a random name, so concurrent
	// callers never share a temporary file.
	file, err := os.CreateTemp(dir, ".key-*.tmp")
	if err != nil {
		return "", fmt.Errorf("secrets: create temporary key file in %s: %w", dir, err)
	}
	path = file.Name()
	defer func() {
		if err != nil {
			file.Close()
			os.Remove(path)
		}
	}()

	// The umask may have removed bits from the creation mode, so set the
	// exact mode that readKeyFile expects.
	if err := file.Chmod(0o600); err != nil {
		return "", fmt.Errorf("secrets: set mode of temporary key file %s: %w", path, err)
	}
	if _, err := io.WriteString(file, base64.StdEncoding.EncodeToString(key)+"\n"); err != nil {
		return "", fmt.Errorf("secrets: write temporary key file %s: %w", path, err)
	}
	if err := file.Sync(); err != nil {
		return "", fmt.Errorf("secrets: sync temporary key file %s: %w", path, err)
	}
	if err := file.Close(); err != nil {
		return "", fmt.Errorf("secrets: close temporary key file %s: %w", path, err)
	}
	return path, nil
}

// syncDir flushes the directory entries of dir to disk, so that a new key
// file survives a crash.
func syncDir(dir string) error {
	dirFile, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("secrets: open key directory %s: %w", dir, err)
	}
	defer dirFile.Close()

	if err := dirFile.Sync(); err != nil {
		return fmt.Errorf("secrets: sync key directory %s: %w", dir, err)
	}
	return nil
}
