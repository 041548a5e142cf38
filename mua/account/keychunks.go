package account

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zalando/go-keyring"
)

// A secret longer than chunkMax bytes is kept in the keyring in parts:
// Windows' Credential Manager takes at most 2,560 bytes a credential and
// macOS' security command 4,096 with its quoting, and an OAuth2 token set
// can be longer. The parts are KEY#part1..KEY#partN; the entry KEY holds
// chunkMark and N.
const (
	chunkMax  = 1500
	chunkMark = "\x00facteur-parts:"
)

func partKey(key string, i int) string { return key + "#part" + strconv.Itoa(i) }

// keyringSet stores secret under key, in parts when it is long. The parts
// are written before the entry that names them, and the parts of an older,
// longer secret removed after it.
func keyringSet(key, secret string) error {
	old := keyringParts(key)
	parts := splitSecret(secret, chunkMax)
	if len(parts) == 1 {
		if err := keyring.Set(KeyringService, key, secret); err != nil {
			return err
		}
		parts = nil
	} else {
		for i, p := range parts {
			if err := keyring.Set(KeyringService, partKey(key, i+1), p); err != nil {
				return err
			}
		}
		if err := keyring.Set(KeyringService, key, chunkMark+strconv.Itoa(len(parts))); err != nil {
			return err
		}
	}
	for i := len(parts) + 1; i <= old; i++ {
		keyring.Delete(KeyringService, partKey(key, i))
	}
	return nil
}

// keyringGet reads the secret under key, joining its parts.
func keyringGet(key string) (string, error) {
	v, err := keyring.Get(KeyringService, key)
	if err != nil || !strings.HasPrefix(v, chunkMark) {
		return v, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(v, chunkMark))
	if err != nil || n < 1 {
		return "", fmt.Errorf("%w: keyring entry %q names %q parts", ErrBadSecretParts, key, v[len(chunkMark):])
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		p, err := keyring.Get(KeyringService, partKey(key, i))
		if errors.Is(err, keyring.ErrNotFound) {
			return "", fmt.Errorf("%w: part %d of %d of %q is missing", ErrBadSecretParts, i, n, key)
		}
		if err != nil {
			return "", err
		}
		b.WriteString(p)
	}
	return b.String(), nil
}

// keyringDelete removes the secret under key and its parts.
func keyringDelete(key string) error {
	n := keyringParts(key)
	err := keyring.Delete(KeyringService, key)
	for i := 1; i <= n; i++ {
		keyring.Delete(KeyringService, partKey(key, i))
	}
	return err
}

// keyringParts is the number of parts of the secret under key (0 when it
// is kept whole, missing or unreadable).
func keyringParts(key string) int {
	v, err := keyring.Get(KeyringService, key)
	if err != nil || !strings.HasPrefix(v, chunkMark) {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(v, chunkMark))
	return n
}

// splitSecret cuts s into parts of at most max bytes, between characters
// (a keyring may want valid UTF-8 in each).
func splitSecret(s string, max int) []string {
	var parts []string
	for len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return append(parts, s)
}
