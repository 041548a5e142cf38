package tests

import (
	"path/filepath"
	"testing"
)

func TestExtensionsEncodedCharacters(t *testing.T) {
	// Facteur: Pigeonhole's "string" test compares with i;octet by default
	// (tst-string.c); go-sieve keeps RFC 5228 §2.7.3's i;ascii-casemap,
	// so the cases that expect "B" and "b" to differ are left out.
	RunDovecotTestWithout(t, filepath.Join("pigeonhole", "tests", "extensions", "encoded-character.svtest"),
		[]string{"HEX equality one", "HEX equality one middle"})
}
