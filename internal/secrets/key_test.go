package secrets_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/correspondant-entreprise/console/internal/secrets"
)

// testKey returns a key whose base64 differs between the standard and URL
// alphabets, because the bytes 0xf8 to 0xff encode to text with '+' and '/'.
func testKey() []byte {
	key := make([]byte, secrets.KeySize)
	for i := range key {
		key[i] = 0xf8 + byte(i%8)
	}
	return key
}

// writeKeyFile writes content to path and sets mode, whatever the umask.
func writeKeyFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatalf("write key file: got error %v, want nil", err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatalf("chmod key file: got error %v, want nil", err)
	}
}

func TestLoadKeyFromEnv(t *testing.T) {
	key := testKey()
	std := base64.StdEncoding.EncodeToString(key)
	if !strings.ContainsAny(std, "+/") {
		t.Fatalf("test key base64 %q: got no '+' or '/', want both alphabets to differ", std)
	}

	tests := []struct {
		name     string
		envValue string
	}{
		{"base64 standard padded", std},
		{"base64 standard raw", base64.RawStdEncoding.EncodeToString(key)},
		{"base64 url padded", base64.URLEncoding.EncodeToString(key)},
		{"base64 url raw", base64.RawURLEncoding.EncodeToString(key)},
		{"hex lowercase", hex.EncodeToString(key)},
		{"hex uppercase", strings.ToUpper(hex.EncodeToString(key))},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyPath := filepath.Join(t.TempDir(), "console.key")

			got, created, err := secrets.LoadKey(tt.envValue, keyPath)
			if err != nil {
				t.Fatalf("LoadKey: got error %v, want nil", err)
			}
			if !bytes.Equal(got, key) {
				t.Errorf("LoadKey: got key %x, want %x", got, key)
			}
			if created {
				t.Errorf("LoadKey: got created true, want false for a key from the environment")
			}
			if _, err := os.Stat(keyPath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("key file after LoadKey from the environment: got stat error %v, want not exist", err)
			}
		})
	}
}

func TestLoadKeyRejectsBadEnv(t *testing.T) {
	key := testKey()
	hexKey := hex.EncodeToString(key)

	tests := []struct {
		name     string
		envValue string
	}{
		{"base64 of 16 bytes", base64.StdEncoding.EncodeToString(key[:16])},
		{"base64 of 31 bytes", base64.StdEncoding.EncodeToString(key[:31])},
		{"base64 of 33 bytes", base64.StdEncoding.EncodeToString(append(key, 0x01))},
		{"not base64", "this-is-not*a-key!"},
		{"63 hex digits", hexKey[:63]},
		{"65 hex digits", hexKey + "a"},
		{"64 non-hex characters", strings.Repeat("zq", 32)},
		{"trailing newline", base64.StdEncoding.EncodeToString(key) + "\n"},
		{"newline inside", hexKey[:32] + "\n" + hexKey[32:]},
		{"surrounding spaces", " " + hexKey + " "},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyPath := filepath.Join(t.TempDir(), "console.key")

			got, created, err := secrets.LoadKey(tt.envValue, keyPath)
			if !errors.Is(err, secrets.ErrKey) {
				t.Fatalf("LoadKey: got error %v, want ErrKey", err)
			}
			if got != nil {
				t.Errorf("LoadKey: got key %x, want nil on error", got)
			}
			if created {
				t.Errorf("LoadKey: got created true, want false on error")
			}

			message := err.Error()
			if strings.Contains(message, strings.TrimSpace(tt.envValue)) {
				t.Errorf("LoadKey error: got %q, want a message without the environment value", message)
			}
			if !strings.Contains(message, "base64") || !strings.Contains(message, "64 hexadecimal digits") {
				t.Errorf("LoadKey error: got %q, want the expected format (base64 or 64 hexadecimal digits)", message)
			}
			if _, err := os.Stat(keyPath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("key file after a bad environment value: got stat error %v, want not exist", err)
			}
		})
	}
}

func TestLoadKeyCreatesFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	keyPath := filepath.Join(dir, "console.key")

	key, created, err := secrets.LoadKey("", keyPath)
	if err != nil {
		t.Fatalf("first LoadKey: got error %v, want nil", err)
	}
	if !created {
		t.Errorf("first LoadKey: got created false, want true")
	}
	if len(key) != secrets.KeySize {
		t.Errorf("first LoadKey: got %d-byte key, want %d", len(key), secrets.KeySize)
	}
	if bytes.Equal(key, make([]byte, secrets.KeySize)) {
		t.Errorf("first LoadKey: got an all-zero key, want a random one")
	}

	info, err := os.Stat(keyPath)
	if err != nil {
		t.Fatalf("stat key file: got error %v, want nil", err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode: got %04o, want 0600", got)
	}

	dirInfo, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("stat key directory: got error %v, want nil", err)
	}
	if got := dirInfo.Mode().Perm(); got&^0o750 != 0 {
		t.Errorf("key directory mode: got %04o, want no bits outside 0750", got)
	}

	content, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatalf("read key file: got error %v, want nil", err)
	}
	if want := base64.StdEncoding.EncodeToString(key) + "\n"; string(content) != want {
		t.Errorf("key file content: got %d bytes, want the key as one line of padded standard base64", len(content))
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read key directory: got error %v, want nil", err)
	}
	if len(entries) != 1 || entries[0].Name() != "console.key" {
		var names []string
		for _, entry := range entries {
			names = append(names, entry.Name())
		}
		t.Errorf("key directory: got files %q, want only console.key", names)
	}

	again, created, err := secrets.LoadKey("", keyPath)
	if err != nil {
		t.Fatalf("second LoadKey: got error %v, want nil", err)
	}
	if created {
		t.Errorf("second LoadKey: got created true, want false")
	}
	if !bytes.Equal(again, key) {
		t.Errorf("second LoadKey: got key %x, want the first key %x", again, key)
	}

	if _, err := secrets.New(key); err != nil {
		t.Errorf("New with the created key: got error %v, want nil", err)
	}
}

func TestLoadKeyReadsExistingFile(t *testing.T) {
	key := testKey()
	std := base64.StdEncoding.EncodeToString(key)

	tests := []struct {
		name    string
		content string
	}{
		{"base64 with newline", std + "\n"},
		{"base64 without newline", std},
		{"base64 with crlf", std + "\r\n"},
		{"base64 url raw", base64.RawURLEncoding.EncodeToString(key) + "\n"},
		{"hex with newline", hex.EncodeToString(key) + "\n"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyPath := filepath.Join(t.TempDir(), "console.key")
			writeKeyFile(t, keyPath, tt.content, 0o600)

			got, created, err := secrets.LoadKey("", keyPath)
			if err != nil {
				t.Fatalf("LoadKey: got error %v, want nil", err)
			}
			if created {
				t.Errorf("LoadKey: got created true, want false for an existing file")
			}
			if !bytes.Equal(got, key) {
				t.Errorf("LoadKey: got key %x, want %x", got, key)
			}
		})
	}
}

func TestLoadKeyEnvOverridesFile(t *testing.T) {
	keyPath := filepath.Join(t.TempDir(), "console.key")
	writeKeyFile(t, keyPath, base64.StdEncoding.EncodeToString(make([]byte, secrets.KeySize))+"\n", 0o600)
	key := testKey()

	got, created, err := secrets.LoadKey(hex.EncodeToString(key), keyPath)
	if err != nil {
		t.Fatalf("LoadKey: got error %v, want nil", err)
	}
	if created {
		t.Errorf("LoadKey: got created true, want false")
	}
	if !bytes.Equal(got, key) {
		t.Errorf("LoadKey: got key %x, want the environment key %x", got, key)
	}
}

func TestLoadKeyRejectsKeyFile(t *testing.T) {
	valid := base64.StdEncoding.EncodeToString(testKey()) + "\n"
	const garbage = "corrupted-key-file-content"

	tests := []struct {
		name        string
		content     string
		mode        os.FileMode
		wantMessage string
	}{
		{"mode 0644", valid, 0o644, "chmod 600"},
		{"mode 0640", valid, 0o640, "chmod 600"},
		{"mode 0604", valid, 0o604, "chmod 600"},
		{"mode 0620", valid, 0o620, "chmod 600"},
		{"corrupted", garbage + "\n", 0o600, "64 hexadecimal digits"},
		{"empty", "", 0o600, "64 hexadecimal digits"},
		{"only a newline", "\n", 0o600, "64 hexadecimal digits"},
		{"truncated key", valid[:20] + "\n", 0o600, "64 hexadecimal digits"},
		{"two lines", valid + valid, 0o600, "64 hexadecimal digits"},
		{"two newlines", strings.TrimSuffix(valid, "\n") + "\n\n", 0o600, "64 hexadecimal digits"},
		{"leading space", " " + valid, 0o600, "64 hexadecimal digits"},
		{"oversized", strings.Repeat("A", 4096), 0o600, "64 hexadecimal digits"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyPath := filepath.Join(t.TempDir(), "console.key")
			writeKeyFile(t, keyPath, tt.content, tt.mode)

			got, created, err := secrets.LoadKey("", keyPath)
			if !errors.Is(err, secrets.ErrKey) {
				t.Fatalf("LoadKey: got error %v, want ErrKey", err)
			}
			if got != nil {
				t.Errorf("LoadKey: got key %x, want nil on error", got)
			}
			if created {
				t.Errorf("LoadKey: got created true, want false on error")
			}

			message := err.Error()
			if !strings.Contains(message, tt.wantMessage) {
				t.Errorf("LoadKey error: got %q, want it to contain %q", message, tt.wantMessage)
			}
			if !strings.Contains(message, keyPath) {
				t.Errorf("LoadKey error: got %q, want it to name the key file %s", message, keyPath)
			}
			if strings.Contains(message, garbage) || strings.Contains(message, strings.TrimSpace(valid)) {
				t.Errorf("LoadKey error: got %q, want a message without the file content", message)
			}

			after, err := os.ReadFile(keyPath)
			if err != nil {
				t.Fatalf("read key file after LoadKey: got error %v, want nil", err)
			}
			if string(after) != tt.content {
				t.Errorf("key file after LoadKey: got %d bytes, want the original %d bytes unchanged", len(after), len(tt.content))
			}
		})
	}
}

func TestLoadKeyRejectsDirectory(t *testing.T) {
	keyPath := filepath.Join(t.TempDir(), "console.key")
	if err := os.Mkdir(keyPath, 0o700); err != nil {
		t.Fatalf("create directory at key path: got error %v, want nil", err)
	}

	_, _, err := secrets.LoadKey("", keyPath)
	if !errors.Is(err, secrets.ErrKey) {
		t.Fatalf("LoadKey on a directory: got error %v, want ErrKey", err)
	}
}

func TestLoadKeyRejectsEmptyPath(t *testing.T) {
	_, _, err := secrets.LoadKey("", "")
	if !errors.Is(err, secrets.ErrKey) {
		t.Fatalf("LoadKey with empty value and path: got error %v, want ErrKey", err)
	}
}

func TestLoadKeyConcurrentCreate(t *testing.T) {
	const (
		rounds     = 20
		goroutines = 10
	)

	for round := range rounds {
		keyPath := filepath.Join(t.TempDir(), "data", "console.key")

		type result struct {
			key     []byte
			created bool
			err     error
		}
		results := make([]result, goroutines)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				key, created, err := secrets.LoadKey("", keyPath)
				results[i] = result{key, created, err}
			}()
		}
		close(start)
		wg.Wait()

		createdCount := 0
		for i, r := range results {
			if r.err != nil {
				t.Fatalf("round %d, goroutine %d: LoadKey got error %v, want nil", round, i, r.err)
			}
			if !bytes.Equal(r.key, results[0].key) {
				t.Errorf("round %d, goroutine %d: got key %x, want the key of goroutine 0 %x", round, i, r.key, results[0].key)
			}
			if r.created {
				createdCount++
			}
		}
		if createdCount != 1 {
			t.Errorf("round %d: got created true in %d goroutines, want exactly 1", round, createdCount)
		}

		stored, _, err := secrets.LoadKey("", keyPath)
		if err != nil {
			t.Fatalf("round %d: LoadKey after the race: got error %v, want nil", round, err)
		}
		if !bytes.Equal(stored, results[0].key) {
			t.Errorf("round %d: got stored key %x, want the returned key %x", round, stored, results[0].key)
		}

		entries, err := os.ReadDir(filepath.Dir(keyPath))
		if err != nil {
			t.Fatalf("round %d: read key directory: got error %v, want nil", round, err)
		}
		if len(entries) != 1 {
			t.Errorf("round %d: got %d files in the key directory, want only console.key", round, len(entries))
		}
	}
}

func TestKeyPath(t *testing.T) {
	tests := []struct {
		dbPath string
		want   string
	}{
		{"console.db", "console.key"},
		{"data/x", "data/x.key"},
		{"./data/console.db", "./data/console.key"},
		{"/var/lib/console/console.sqlite3", "/var/lib/console/console.key"},
		{"data.v2/console", "data.v2/console.key"},
		{"backup.tar.gz", "backup.tar.key"},
		{"data/.db", "data/.db.key"},
		{"data/console.key", "data/console.key.key"},
	}

	for _, tt := range tests {
		t.Run(tt.dbPath, func(t *testing.T) {
			got := secrets.KeyPath(filepath.FromSlash(tt.dbPath))
			if want := filepath.FromSlash(tt.want); got != want {
				t.Errorf("KeyPath(%q): got %q, want %q", tt.dbPath, got, want)
			}
		})
	}
}
