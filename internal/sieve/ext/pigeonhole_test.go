package ext_test

import (
	"path/filepath"
	"testing"

	_ "facteur/internal/sieve/ext"

	"github.com/foxcpp/go-sieve/tests"
)

// TestPigeonhole runs Pigeonhole's own tests of the extensions this
// package adds (and of those that it completes), in the testsuite format
// that go-sieve executes. They come from Pigeonhole's source tree, which
// $PIGEONHOLE_DIR names (interop/sieve.sh unpacks Debian's dovecot source
// package there); without it the test is skipped.
func TestPigeonhole(t *testing.T) {
	cases := []struct {
		file     string
		disabled []string // with the reason each is left out
	}{
		{file: "extensions/body/basic.svtest"},
		{file: "extensions/body/content.svtest"},
		{file: "extensions/body/match-values.svtest", disabled: []string{
			// it expects the match values of the test before it: Pigeonhole
			// keeps them from one test to the next, go-sieve's runner gives
			// each test a copy of the state.
			"Match values retained"}},
		{file: "extensions/body/raw.svtest"},
		{file: "extensions/body/errors.svtest"},
		{file: "extensions/index/errors.svtest"},
		{file: "extensions/regex/errors.svtest", disabled: []string{
			// a key that is no regular expression once its variables are
			// expanded stops the script here (the message is kept, the
			// error logged); Pigeonhole logs it and goes on.
			"Runtime errors"}},
		{file: "extensions/vacation/errors.svtest", disabled: []string{
			// the conflict is found, but go-sieve's runner does not count
			// errors: its test_error is always true.
			"Action conflicts: reject <-> vacation"}},
		{file: "extensions/body/text.svtest"},
		{file: "extensions/date/basic.svtest"},
		{file: "extensions/date/date-parts.svtest"},
		{file: "extensions/date/zones.svtest"},
		{file: "extensions/index/basic.svtest"},
		{file: "extensions/subaddress/basic.svtest"},
		{file: "extensions/subaddress/rfc.svtest"},
		{file: "extensions/regex/basic.svtest"},
		{file: "extensions/regex/match-values.svtest"},
		{file: "extensions/variables/regex.svtest"},
		{file: "extensions/imap4flags/basic.svtest"},
		{file: "extensions/imap4flags/flagstring.svtest"},
		{file: "extensions/imap4flags/hasflag.svtest"},
		{file: "extensions/relational/basic.svtest"},
		{file: "extensions/relational/rfc.svtest"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			tests.RunDovecotTestWithout(t, filepath.Join("pigeonhole", "tests", filepath.FromSlash(c.file)), c.disabled)
		})
	}
}
