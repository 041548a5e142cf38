package account

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zalando/go-keyring"
)

func TestSplitSecret(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		n    int
	}{
		{"short", "pw", 10, 1},
		{"exact", strings.Repeat("a", 10), 10, 1},
		{"long", strings.Repeat("a", 25), 10, 3},
		{"never cuts a character", strings.Repeat("é", 9), 5, 5}, // 2 bytes each: 4 a part
		{"empty", "", 10, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := splitSecret(tt.in, tt.max)
			if len(parts) != tt.n || strings.Join(parts, "") != tt.in {
				t.Fatalf("parts %q, want %d joining to the secret", parts, tt.n)
			}
			for _, p := range parts {
				if len(p) > tt.max || !utf8.ValidString(p) {
					t.Fatalf("part %q: over %d bytes or cut in a character", p, tt.max)
				}
			}
		})
	}
}

// TestKeyringLongSecret keeps, in the system keyring, a secret longer than
// Windows' Credential Manager takes in one credential (2,560 bytes): an
// OAuth2 token set. It runs where a keyring answers (Windows, Wine, a
// desktop session with a Secret Service); elsewhere it says why it skips.
func TestKeyringLongSecret(t *testing.T) {
	key := "facteur-test-long-" + randomHex(t)
	if err := keyring.Set(KeyringService, key, "probe"); err != nil {
		t.Skipf("no system keyring here: %v", err)
	}
	c := OpenCredentials(t.TempDir(), BackendKeyring)
	t.Cleanup(func() { c.Delete(key) })
	long := strings.Repeat("token-0123456789-", 400) // 6,800 bytes
	for _, secret := range []string{long, long[:3000], "short again"} {
		if err := c.Set(key, secret); err != nil {
			t.Fatalf("Set of %d bytes: %v", len(secret), err)
		}
		got, err := c.Get(key)
		if err != nil || got != secret {
			t.Fatalf("Get of %d bytes: %d bytes, %v", len(secret), len(got), err)
		}
	}
	// the parts of the longer secrets are gone
	if _, err := keyring.Get(KeyringService, partKey(key, 1)); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("part 1 left behind: %v", err)
	}
	if err := c.Set(key, long); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(key); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{key, partKey(key, 1), partKey(key, 5)} {
		if _, err := keyring.Get(KeyringService, k); !errors.Is(err, keyring.ErrNotFound) {
			t.Fatalf("%s after Delete: %v", k, err)
		}
	}
	if w := c.Warning(); w != nil {
		t.Fatalf("Warning with a working keyring: %v", w)
	}
}

func randomHex(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// TestWarningNamesTheKeyringFailure: a keyring that fails is not "no
// keyring": the warning says what failed.
func TestWarningNamesTheKeyringFailure(t *testing.T) {
	c := OpenCredentials(t.TempDir(), BackendAuto)
	c.reason = keyring.ErrSetDataTooBig
	if err := c.fileUpdate("work", ptr("pw")); err != nil {
		t.Fatal(err)
	}
	w := c.Warning()
	if w == nil || strings.Contains(w.Text, "No system keyring") || !strings.Contains(w.Text, keyring.ErrSetDataTooBig.Error()) {
		t.Fatalf("Warning = %v", w)
	}
}

func ptr(s string) *string { return &s }
